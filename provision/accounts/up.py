"""`classroom up` for a class of accounts (``[class] accounts = "per-student" | "per-team"``).

1. Checks (before anything is created): the settings, the roster and the members' names; the
   credentials must be the organization's management account; SCPs enabled on the root.
2. The organization layer (terraform/modules/org-class, its own state in ``org/terraform``): the
   class's OU and its two SCPs (allowed regions + instance-type allowlist; no leaving the
   organization, no tampering with the guardrails or the access role).
3. An account per member: the recorded one, else one from the cleaned OU (the pool), else a new one
   (CreateAccount with IamUserAccessToBilling=ALLOW); moved into the class's OU. Recorded in
   ``accounts.json`` as soon as it is known, so an interrupted `up` resumes.
4. terraform/classroom in every member account, in parallel (``[accounts] parallel``), one state per
   account, the provider assuming the access role.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import boto3
from botocore.config import Config

from kitcore.errors import KitError
from kitcore.statedir import write_json
from provision import classroom, handout, preflight
from provision.accounts import members as members_mod
from provision.accounts import org as org_mod
from provision.accounts import state
from provision.tfrunner import Provider, Workspace

Log = Callable[[str], None]


def _org_module():
    from kitcore.statedir import PROJECT_ROOT

    return PROJECT_ROOT / "terraform" / "modules" / "org-class"


@dataclass
class MemberResult:
    member: str
    account_id: str
    how: str
    outputs: dict = field(default_factory=dict)
    handouts: list = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0


def ou_name(settings) -> str:
    return f"classroom-{settings.class_name}"


def org_variables(settings, root_id: str, stamp: str) -> dict:
    return {
        "name": ou_name(settings),
        "parent_id": root_id,
        "allowed_regions": list(settings.accounts.allowed_regions),
        "notebook_instance_types": list(settings.notebook_instance_types),
        "training_instance_types": list(settings.training_instance_types),
        "hosting_instance_types": list(settings.hosting_instance_types),
        "access_role_name": settings.accounts.access_role,
        "protected_policy_names": [f"{settings.class_name}-instance-type-guardrail"],
        "protected_budget_names": [f"{settings.class_name}-{stamp}"] if settings.budget_enabled else [],
    }


def org_workspace(settings, emu, variables: dict | None, stream: bool) -> Workspace:
    provider = Provider(
        target=settings.target, region=settings.region, tags=settings.tags, endpoint=emu.url if emu else None
    )
    if variables is None:
        variables = state.load(settings).get("org_variables") or {}
    return Workspace.prepare(
        state.org_dir(settings) / "terraform",
        settings.class_name,
        provider,
        variables,
        module_source=_org_module(),
        mirror_setting=settings.provider_mirror,
        stream=stream,
    )


def member_workspace(
    settings, emu, member: str, account_id: str, variables: dict | None, stream: bool = False
) -> Workspace:
    provider = Provider(
        target=settings.target,
        region=settings.region,
        tags=settings.tags,
        endpoint=emu.url if emu else None,
        assume_role_arn=state.role_arn(account_id, settings.accounts.access_role),
    )
    wd = state.member_dir(settings, member) / "terraform"
    if variables is None:
        from kitcore.statedir import read_json

        variables = read_json(wd / "terraform.tfvars.json", default={}) or {}
    return Workspace.prepare(
        wd,
        f"{settings.class_name}/{member}",
        provider,
        variables,
        mirror_setting=settings.provider_mirror,
        stream=stream,
    )


def up(settings, log: Log = print) -> list[MemberResult]:
    """Create (or converge) the class of accounts; returns one result per member."""
    cfg = settings.accounts
    members = members_mod.plan(settings)  # validates the roster and every name first
    stamp = classroom.stamp_for(settings)
    settings.terraform_variables(stamp)
    emu = classroom.activate(settings, start_emulator=True)
    caller = classroom.caller_account()
    info = classroom.class_state(settings)
    if info.get("account_id") and info["account_id"] != caller:
        raise KitError(
            f"these credentials are for account {caller}, but class {settings.class_name!r} "
            f"was set up from account {info['account_id']}; refusing to touch it"
        )
    orgs = boto3.client("organizations", region_name=settings.region)
    org = org_mod.check_management(orgs, caller, settings.target)
    org_mod.ensure_scp_enabled(org, settings.target)
    info.update(
        {
            "account_id": caller,
            "target": settings.target,
            "region": settings.region,
            "accounts": cfg.mode,
            "management_account_id": caller,
        }
    )
    classroom.save_class_state(settings, info)

    # the organization layer: the class's OU and its SCPs
    data = state.load(settings)
    org_vars = org_variables(settings, org.root_id, stamp)
    data.update({"mode": cfg.mode, "org_variables": org_vars})
    state.save(settings, data)
    log(f"organization {org.root_id}: OU {ou_name(settings)!r} and its service control policies")
    t_org = time.monotonic()
    ws = org_workspace(settings, emu, org_vars, stream=False)
    ws.init()
    ws.apply()
    org_out = ws.outputs()
    log(f"  applied in {time.monotonic() - t_org:.0f} s")
    class_ou = org_out["organizational_unit_id"]
    cleaned_ou = org_mod.ensure_ou(org, cfg.cleaned_ou)
    data.update({"class_ou": class_ou, "cleaned_ou": cleaned_ou})
    state.save(settings, data)

    # accounts, one after the other (CreateAccount is rate-limited and asynchronous)
    results: dict[str, MemberResult] = {}
    for m in members:
        rec = data["members"].get(m.name, {})
        if rec.get("released"):
            rec = {}  # a released account went back to the pool: take one again
        account_id, how = org_mod.allocate(
            org,
            class_name=settings.class_name,
            member=m.name,
            account_name=m.account_name(settings.class_name),
            email=cfg.email_for(m.account_name(settings.class_name)),
            role=cfg.access_role,
            class_ou=class_ou,
            cleaned_ou=cleaned_ou,
            recorded=rec.get("account_id"),
            poll_s=0.2 if settings.target == "local" else 5.0,
        )
        data["members"][m.name] = {
            "account_id": account_id,
            "how": rec.get("how", how),
            "students": [s.user_name for s in m.students],
        }
        state.save(settings, data)
        results[m.name] = MemberResult(m.name, account_id, how)
        log(f"  {m.name}: account {account_id} ({how})")
    stale = sorted(set(data["members"]) - {m.name for m in members})
    if stale:
        log(
            f"note: {len(stale)} member account(s) no longer in the roster keep their setup until "
            f"`classroom down`: {', '.join(stale)}"
        )

    # the class's setup in every member account, in parallel
    lock = threading.Lock()

    def one(m: members_mod.Member) -> MemberResult:
        from provision.accounts.down import sweep_pool_account

        res = results[m.name]
        rec = data["members"][m.name]
        started = time.monotonic()
        try:
            session = state.member_session(res.account_id, cfg.access_role, settings.region)
            if rec.get("how") == "pool" and not rec.get("swept"):
                # an account from the pool is swept before the class's setup (never after: the class's
                # own resources would then be in the sweep's scope)
                out = state.prefixed_log(log, lock, m.name)
                out(f"sweeping account {res.account_id}, taken from the pool")
                swept = sweep_pool_account(settings, emu, m.name, res.account_id, session, out)
                with lock:
                    rec["swept"] = swept
                    state.save(settings, data)
            preflight.check_public_access_block(_s3control(session, settings.region), res.account_id)
            variables = members_mod.variables(settings, m, res.account_id, stamp)
            mws = member_workspace(settings, emu, m.name, res.account_id, variables)
            mws.init()
            mws.apply()
            outputs = mws.outputs()
            mdir = state.member_dir(settings, m.name)
            write_json(mdir / "outputs.json", classroom.public_outputs(outputs))
            res.outputs = outputs
            res.handouts = handout.write_handouts(mdir, outputs)
        except KitError as err:
            res.error = str(err)
        except Exception as err:  # noqa: BLE001 - one account's failure must not hide the others'
            res.error = f"{type(err).__name__}: {err}"
        res.seconds = time.monotonic() - started
        with lock:
            log(
                f"  {m.name} ({res.account_id}): "
                + (f"failed: {res.error}" if res.error else f"set up in {res.seconds:.0f} s")
            )
        return res

    log(f"setting up {len(members)} member account(s), {cfg.parallel} at a time")
    with ThreadPoolExecutor(max_workers=max(1, min(cfg.parallel, len(members)))) as pool:
        done = list(pool.map(one, members))
    failed = [r for r in done if r.error]
    if failed:
        raise KitError(
            f"{len(failed)} of {len(done)} member account(s) failed to set up "
            f"({', '.join(r.member for r in failed)}); run `classroom up` again to resume"
        )
    return done


def _s3control(session: boto3.session.Session, region: str):
    """preflight's S3 Control client, with the member account's credentials."""
    client = session.client("s3control", region_name=region, config=Config(retries={"max_attempts": 2}))
    if os.environ.get("AWS_ENDPOINT_URL_S3_CONTROL") or os.environ.get("AWS_ENDPOINT_URL"):
        client.meta.events.register("before-sign.s3-control.*", preflight._strip_account_host_prefix)
    return client
