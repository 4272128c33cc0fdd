"""`classroom down` for a class of accounts: the ordered teardown in every member account, then the
accounts back to the pool, then the class's OU and SCPs.

- Every member account gets the single-account teardown unchanged (provision/teardown: plan, delete
  in dependency order, its own receipt and progress file in ``accounts/<member>/``), through its
  access role, ``[accounts] parallel`` accounts at a time. An interrupted or failed account resumes on
  the next `down` from its own progress file; accounts already released are not touched again.
- An account whose receipt shows 0 left is untagged and moved to the cleaned OU (or closed with
  ``--close-accounts`` / ``[accounts] close_on_down``); one that still holds something stays in the
  class's OU.
- When every account is released, the organization layer is destroyed (the OU must be empty: AWS
  refuses to delete an OU that holds accounts).
- The class receipt (``class-receipt.json``): every account's result, the organization layer's, the
  total left, and ``ok`` only when everything is 0.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3

from kitcore.errors import KitError
from kitcore.statedir import read_json, write_json
from provision import classroom
from provision.accounts import org as org_mod
from provision.accounts import state
from provision.accounts.up import member_workspace, org_workspace
from provision.teardown import Aws, Context, teardown
from provision.teardown.receipt import RECEIPT_FILE, columns
from provision.teardown.scope import scope_from_files
from provision.tfrunner import resources_in_state

Log = Callable[[str], None]


def member_context(
    settings, emu, member: str, account_id: str, aws: Aws | None = None, sweep_dir: Path | None = None
) -> Context:
    """A teardown Context acting in one member account (its own state dir, receipt and progress).
    ``sweep_dir``: the sweep of an account just taken from the pool, before the class's setup (no
    Terraform state; its receipt and progress kept apart from the member's teardown)."""
    mdir = sweep_dir or state.member_dir(settings, member)

    def destroy() -> None:
        ws = member_workspace(settings, emu, member, account_id, None, stream=False)
        ws.init()
        ws.destroy()
        (mdir / "outputs.json").unlink(missing_ok=True)

    has_state = (mdir / "terraform" / "terraform.tfstate").exists()
    # the sweep for stray endpoints and notebook instances covers the allowed regions only: the class's
    # "limits" SCP denies every other region to everyone in the account but the kit's access role
    scope = scope_from_files(
        class_name=settings.class_name,
        region=settings.region,
        class_dir=mdir,
        tags=settings.tags,
        expected_account_id=account_id,
        terraform_destroy=destroy if has_state else None,
        sweep_regions=tuple(settings.accounts.allowed_regions),
        # a member account is the class's own (assigned in accounts.json, in the class's OU, the account id
        # pinned above): what a student made there untagged is the class's too, as with
        # [class] dedicated_account = true; an item tagged for another class is still left alone
        dedicated=True,
        all_buckets=True,
    )
    if aws is None:
        aws = Aws(session=state.member_session(account_id, settings.accounts.access_role, settings.region))
    return Context.for_target(aws, scope, settings.target)


POOL_SWEEP_DIR = "pool-sweep"


def sweep_pool_account(settings, emu, member: str, account_id: str, session, log: Log) -> dict:
    """The kit's ordered teardown of an account just taken from the pool, before the class's setup: the
    account is the class's own from now on (dedicated), so whatever is left in it — a student's stray
    endpoint, a bucket made after the last class's `down` — goes first. Receipt and progress in
    ``accounts/<member>/pool-sweep/``; an interrupted sweep resumes there."""
    sweep_dir = state.member_dir(settings, member) / POOL_SWEEP_DIR
    ctx = member_context(settings, emu, member, account_id, aws=Aws(session=session), sweep_dir=sweep_dir)
    receipt = teardown(ctx, confirm=None, log=log).receipt
    if not receipt["ok"]:
        raise KitError(
            f"account {account_id}, taken from the pool, still holds {receipt['remaining_total']} item(s) "
            f"after the sweep (see {sweep_dir / RECEIPT_FILE}); run `classroom up` again"
        )
    return {"deleted": sum(k["deleted"] for k in receipt["kinds"]), "finished": receipt.get("finished", "")}


def down(
    settings,
    *,
    dry_run: bool = False,
    close: bool | None = None,
    confirm: Callable[[int], bool] | None = None,
    log: Log = print,
    workers: int | None = None,
) -> dict | None:
    """Tear the class of accounts down; returns the class receipt (None for a dry run)."""
    started = dt.datetime.now(dt.UTC)
    t0 = time.monotonic()
    close = settings.accounts.close_on_down if close is None else close
    emu = classroom.activate(settings)
    data = state.load(settings)
    info = classroom.class_state(settings)
    caller = classroom.caller_account()
    expected = info.get("management_account_id") or info.get("account_id")
    if not expected:
        raise KitError(
            f"no record of the account class {settings.class_name!r} was set up from "
            "(class.json); refusing to delete anything"
        )
    if caller != expected:
        raise KitError(
            f"these credentials are for account {caller}, but class {settings.class_name!r} "
            f"was set up from account {expected}; refusing to delete anything"
        )
    todo = [(m, rec) for m, rec in state.members_in_order(data) if not rec.get("released")]
    if confirm is not None and not dry_run and todo and not confirm(len(todo)):
        raise KitError("the class name was not confirmed; nothing was deleted")

    lock = threading.Lock()
    base = boto3.session.Session()

    def one(item: tuple[str, dict]) -> dict:
        member, rec = item
        out = state.prefixed_log(log, lock, member)
        row = {
            "member": member,
            "account_id": rec["account_id"],
            "ok": False,
            "remaining_total": None,
            "released": "",
            "error": "",
            "seconds": 0.0,
        }
        t = time.monotonic()
        try:
            session = state.member_session(
                rec["account_id"], settings.accounts.access_role, settings.region, base=base
            )
            ctx = member_context(settings, emu, member, rec["account_id"], aws=Aws(session=session))
            outcome = teardown(ctx, confirm=None, dry_run=dry_run, log=out)
            if outcome.receipt is not None:
                row["ok"] = bool(outcome.receipt["ok"])
                row["remaining_total"] = outcome.receipt["remaining_total"]
                row["api_calls"] = ctx.aws.count()
                row["deleted"] = sum(k["deleted"] for k in outcome.receipt["kinds"])
        except Exception as err:  # noqa: BLE001 - one account's failure is recorded, the others go on
            row["error"] = f"{type(err).__name__}: {err}" if not isinstance(err, KitError) else str(err)
            out(f"failed: {row['error']}")
        row["seconds"] = round(time.monotonic() - t, 2)
        return row

    parallel = workers or settings.accounts.parallel
    log(f"Tearing down {len(todo)} member account(s), {parallel} at a time")
    with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(todo) or 1))) as pool:
        rows = list(pool.map(one, todo))
    if dry_run:
        return None

    orgs = boto3.client("organizations", region_name=settings.region)
    org = org_mod.check_management(orgs, caller, settings.target)
    cleaned = data.get("cleaned_ou") or org_mod.ensure_ou(org, settings.accounts.cleaned_ou)
    for row in rows:
        if not row["ok"]:
            continue
        try:
            row["released"] = org_mod.release(org, row["account_id"], cleaned, close)
            data["members"][row["member"]]["released"] = row["released"]
            state.save(settings, data)
        except Exception as err:  # noqa: BLE001
            row["ok"] = False
            row["error"] = f"could not release the account: {err}"
    previous = read_json(state.classroom.class_dir(settings) / state.CLASS_RECEIPT_FILE, default={}) or {}
    earlier = {r["member"]: r for r in previous.get("accounts", [])}
    for member, rec in state.members_in_order(data):
        if member not in {r["member"] for r in rows} and rec.get("released"):
            rows.append(
                earlier.get(member)
                or {
                    "member": member,
                    "account_id": rec["account_id"],
                    "ok": True,
                    "remaining_total": 0,
                    "released": rec["released"],
                    "error": "",
                    "seconds": 0.0,
                }
            )
    rows.sort(key=lambda r: r["member"])

    org_row = {"destroyed": False, "remaining": None, "error": ""}
    if all(r["ok"] for r in rows):
        try:
            ws = org_workspace(settings, emu, None, stream=False)
            if (ws.workdir / "terraform.tfstate").exists():
                ws.init()
                ws.destroy()
            left = resources_in_state(ws.workdir / "terraform.tfstate")
            org_row.update({"destroyed": not left, "remaining": len(left)})
        except Exception as err:  # noqa: BLE001
            org_row["error"] = str(err)
    else:
        org_row["error"] = "kept: some member accounts are not clean yet"

    remaining = sum(r["remaining_total"] or 0 for r in rows) + (org_row["remaining"] or 0)
    ok = all(r["ok"] for r in rows) and org_row["destroyed"]
    receipt = {
        "class": settings.class_name,
        "management_account": caller,
        "mode": data.get("mode"),
        "started": started.isoformat(timespec="seconds"),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": round(time.monotonic() - t0, 2),
        "parallel": parallel,
        "accounts": rows,
        "organization": org_row,
        "remaining_total": remaining,
        "accounts_not_clean": sum(1 for r in rows if not r["ok"]),
        "ok": ok,
    }
    write_json(state.classroom.class_dir(settings) / state.CLASS_RECEIPT_FILE, receipt)
    if ok:
        (state.classroom.class_dir(settings) / "outputs.json").unlink(missing_ok=True)
    log(format_receipt(receipt))
    return receipt


def format_receipt(r: dict) -> str:
    heads = ("MEMBER", "ACCOUNT", "LEFT", "ACCOUNT NOW", "NOTE")
    rows = [
        (
            a["member"],
            a["account_id"],
            "?" if a["remaining_total"] is None else str(a["remaining_total"]),
            a["released"] or "kept in the class OU",
            (a["error"] or "")[:80],
        )
        for a in r["accounts"]
    ]
    out = [
        f"Class receipt for {r['class']!r} ({len(r['accounts'])} account(s), management account "
        f"{r['management_account']}); each account's own receipt: accounts/<member>/{RECEIPT_FILE}",
        *columns(heads, rows),
    ]
    o = r["organization"]
    org_state = (
        "destroyed"
        if o["destroyed"]
        else f"{o['remaining']} left"
        if o["remaining"]
        else o["error"] or "kept"
    )
    out.append(f"organization layer (class OU + SCPs): {org_state}")
    out.append(
        f"{r['remaining_total']} left across the class"
        if not r["ok"] or r["remaining_total"]
        else "0 left: nothing in scope remains in any account"
    )
    if not r["ok"]:
        out.append(f"{r['accounts_not_clean']} account(s) not clean — run `classroom down` again")
    return "\n".join(out)
