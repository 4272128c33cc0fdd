"""Orchestration of one class: where its state lives, which AWS it talks to, up and destroy.

A class's directory (``<state>/classes/<class name>/``, mode 0700) holds:
- ``class.json``   the stamp fixed at the first ``up`` (bucket names stay stable), the account id
                   the class was created in, the target, and what was shown once (billing steps);
- ``outputs.json`` the composition's non-secret outputs, read by ``train``, ``down`` and ``status``;
- ``terraform/``   the Terraform working directory (see provision/tfrunner.py);
- ``handouts/``    credential handouts (0600; never printed).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
import urllib.parse
from pathlib import Path

import boto3

from kitcore.errors import KitError
from kitcore.statedir import ensure_dir, read_json, state_root, write_json
from provision import embedded, preflight, tfrunner
from provision.tfrunner import Provider, Workspace, resources_in_state
from provision.tfrunner import preflight as tfpreflight

SECRET_WORDS = ("password", "secret", "private_key", "encrypted")


def class_dir(settings) -> Path:
    return state_root() / "classes" / settings.class_name


def class_state(settings) -> dict:
    return read_json(class_dir(settings) / "class.json", default={}) or {}


def save_class_state(settings, state: dict) -> None:
    write_json(ensure_dir(class_dir(settings)) / "class.json", state)


def is_secret(key: str) -> bool:
    return any(word in key.lower() for word in SECRET_WORDS)


def public_outputs(outputs: dict) -> dict:
    """The outputs without anything secret (passwords, secret keys), recursively."""
    if isinstance(outputs, dict):
        return {k: public_outputs(v) for k, v in outputs.items() if not is_secret(k)}
    if isinstance(outputs, list):
        return [public_outputs(v) for v in outputs]
    return outputs


def read_outputs(settings) -> dict:
    return read_json(class_dir(settings) / "outputs.json", default={}) or {}


# -- which AWS -------------------------------------------------------------------------------------


def _local_address(addr: str) -> bool:
    ip = ipaddress.ip_address(addr.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_unspecified  # 127.0.0.0/8, ::1; 0.0.0.0 and :: reach this machine


def local_endpoint(url: str) -> bool:
    """Does ``url`` point at this machine? Decided by address, not by spelling: 127.1, 2130706433,
    0x7f000001, 0.0.0.0, [::1], [::ffff:127.0.0.1], localhost and any name that resolves there.

    Numeric hosts are read by getaddrinfo with AI_NUMERICHOST (the C library's inet_aton rules, as an
    HTTP client would connect: no lookup); names go through getaddrinfo (the hosts file first, as the
    client would). A name that does not resolve cannot reach an emulator: not local.
    """
    host = (urllib.parse.urlparse(url).hostname or "").rstrip(".")
    if not host:
        return False
    try:
        infos = socket.getaddrinfo(host, None, flags=socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError):
        try:
            infos = socket.getaddrinfo(host, None)
        except (socket.gaierror, UnicodeError, OSError):
            return False
    return any(_local_address(str(info[4][0])) for info in infos)


ENDPOINT_VARS = "AWS_ENDPOINT_URL"  # and every AWS_ENDPOINT_URL_<SERVICE>


def check_endpoints(settings) -> None:
    """TARGET=aws: refuse AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> that point at this machine."""
    if settings.target != "aws":
        return
    for var, endpoint in sorted(os.environ.items()):
        if (
            (var == ENDPOINT_VARS or var.startswith(ENDPOINT_VARS + "_"))
            and endpoint
            and local_endpoint(endpoint)
        ):
            raise KitError(
                f"TARGET=aws but {var}={endpoint} points at this machine (a local emulator), "
                "not at AWS; unset it"
            )


def activate(settings, start_emulator: bool = False) -> embedded.Emulator | None:
    """Point this process's AWS clients at the class's target (env vars), and return the emulator.

    TARGET=local: the embedded AWS (started if asked, else it must run). TARGET=aws: the standard
    AWS credential chain; the emulator is never started.
    """
    if settings.target == "local":
        emu = embedded.start(settings.emulator_port or None) if start_emulator else embedded.require()
        os.environ.update(emu.env(settings.region))
        os.environ.pop("AWS_PROFILE", None)
        return emu
    check_endpoints(settings)
    os.environ["AWS_DEFAULT_REGION"] = settings.region
    return None


def caller_account() -> str:
    try:
        return boto3.client("sts").get_caller_identity()["Account"]
    except Exception as err:  # noqa: BLE001 - any failure here means "no usable credentials"
        raise KitError(f"cannot identify the AWS account (sts:GetCallerIdentity): {err}") from None


def expected_account(settings) -> str | None:
    """The account the class belongs to: the settings' pin and the class's record (class.json), which
    must agree when both exist (a pin changed after `up`, or a class folder copied from another
    account, is an error, not a choice)."""
    pinned = settings.expected_account_id
    recorded = class_state(settings).get("account_id")
    if pinned and recorded and pinned != recorded:
        raise KitError(
            f"{settings.source}: [class] expected_account_id is {pinned}, but class "
            f"{settings.class_name!r} was created in account {recorded} (class.json); "
            "refusing to touch either"
        )
    return pinned or recorded


def check_account(settings, account: str | None = None) -> str:
    """The caller's account id; refuse when it is not the class's (pinned and recorded) account.
    Every command that changes something in AWS calls this before its first such call."""
    expected = expected_account(settings)
    account = account or caller_account()
    if expected and account != expected:
        raise KitError(
            f"these credentials are for account {account}, but class {settings.class_name!r} "
            f"belongs to account {expected}; refusing to touch it"
        )
    return account


# -- Terraform -------------------------------------------------------------------------------------


def new_stamp(now: dt.datetime | None = None) -> str:
    """``YYYYMMDD-HHMM-xxxxxx``: the minute and 6 random lowercase letters/digits (36^6, about 2e9), so
    bucket names and the account alias (both unique across all of AWS) do not collide between
    classes started in the same minute."""
    import secrets
    import string

    alphabet = string.ascii_lowercase + string.digits
    suffix = "".join(secrets.choice(alphabet) for _ in range(6))
    return f"{(now or dt.datetime.now(dt.UTC)).strftime('%Y%m%d-%H%M')}-{suffix}"


def stamp_for(settings) -> str:
    """The stamp fixed at the class's first ``up`` (``new_stamp``) so that names stay stable."""
    state = class_state(settings)
    if not state.get("stamp"):
        state["stamp"] = new_stamp()
        save_class_state(settings, state)
    return state["stamp"]


def run_log(settings, command: str) -> Path:
    """A new log file for one run of a command: ``<class>/logs/<command>-<UTC time>.log``."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    return class_dir(settings) / "logs" / f"{command}-{stamp}.log"


def workspace(
    settings,
    emu: embedded.Emulator | None,
    stream: bool | None = None,
    variables: dict | None = None,
    command: str = "terraform",
    label: str = "terraform",
) -> Workspace:
    """The class's Terraform working directory; ``stream`` None: quiet unless ``classroom -v``."""
    provider = Provider(
        target=settings.target, region=settings.region, tags=settings.tags, endpoint=emu.url if emu else None
    )
    if variables is None:
        variables = settings.terraform_variables(stamp_for(settings))
    from provision.teardown.ledger import LEDGER_FILE

    # after a Terraform run killed mid-write
    tfrunner.repair_state(
        class_dir(settings) / "terraform", names_recorded=(class_dir(settings) / LEDGER_FILE).exists()
    )
    if variables.get("reaper_enabled") and not variables.get("reaper_package_path"):
        from provision.reaper.package import ZIP_NAME, build_package

        # no archive provider offline: the kit zips the function before every Terraform run
        variables = {**variables, "reaper_package_path": str(build_package(class_dir(settings) / ZIP_NAME))}
    return Workspace.prepare(
        class_dir(settings) / "terraform",
        settings.class_name,
        provider,
        variables,
        mirror_setting=settings.provider_mirror,
        stream=stream,
        log_path=run_log(settings, command),
        label=label,
    )


def record_sdk_default_bucket(state: dict, region: str, account: str) -> None:
    """At the class's first ``up``: the SDK's default bucket ``sagemaker-<region>-<account>`` and whether
    it existed before the class. A Studio notebook's ``Session().default_bucket()`` creates it when it
    is missing (the execution role may); teardown deletes it only when it did not exist before the
    class (then the class made it) — never a bucket the account already had."""
    if "sdk_default_bucket_existed" in state:
        return
    name = f"sagemaker-{region}-{account}"
    names = {b["Name"] for b in boto3.client("s3", region_name=region).list_buckets().get("Buckets", [])}
    state["sdk_default_bucket_name"] = name
    state["sdk_default_bucket_existed"] = name in names
    state["first_up"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def up(settings, stream: bool | None = None) -> dict:
    """Create (or converge) the class's account setup; returns all outputs (secrets included)."""
    variables = settings.terraform_variables(stamp_for(settings))  # validates roster etc. first
    tfpreflight(settings.provider_mirror)  # Terraform and its provider, before the emulator starts
    if settings.studio_enabled:  # the lesson's notebooks, for every student's Studio home
        from provision import lab

        variables["notebooks"] = {p.name: str(p) for p in lab.build(class_dir(settings) / "notebooks")}
    emu = activate(settings, start_emulator=True)
    account = check_account(settings)
    # before anything is created: the region must be enabled for the account (opt-in regions)
    preflight.check_region_enabled(boto3.client("ec2", region_name=settings.region), settings.region, account)
    # before anything is created: an account-level public access block would make the share
    # bucket's policy fail half-way through the apply
    preflight.check_public_access_block(preflight.s3control_client(settings.region), account)
    state = class_state(settings)
    state.update({"account_id": account, "target": settings.target, "region": settings.region})
    record_sdk_default_bucket(state, settings.region, account)
    save_class_state(settings, state)
    # before Terraform creates anything: the names it may create, and what the account already had
    # (an apply killed before it saved its state leaves things only this record can prove are the class's)
    from provision.teardown import ledger

    earlier = (class_dir(settings) / ledger.LEDGER_FILE).exists()  # an earlier apply of the class
    ledger.record(class_dir(settings), variables, boto3.session.Session(), settings.region, account)
    ws = workspace(settings, emu, stream=stream, variables=variables, command="up", label="account setup")
    # (its state repaired) what an earlier apply of the class created but never saved in that state
    # (an `up` killed mid-apply) is deleted so that this apply makes it again, and a name it will
    # create that exists and is not provably the class's stops here (provision/teardown/unsaved.py)
    from provision.teardown import Aws, Context, unsaved
    from provision.teardown.scope import scope_from_settings

    ctx = Context.for_target(Aws(), scope_from_settings(settings), settings.target)
    unsaved.reclaim(ctx, variables, boto3.session.Session(), log=print, earlier=earlier)
    ws.init()
    ws.apply()
    outputs = ws.outputs()
    write_json(class_dir(settings) / "outputs.json", public_outputs(outputs))
    return outputs


def terraform_destroy(settings, stream: bool | None = None) -> None:
    """``terraform destroy`` for the class (the teardown registry's last step)."""
    wd = class_dir(settings) / "terraform"
    if not (wd / "terraform.tfstate").exists():
        return
    emu = embedded.require() if settings.target == "local" else None
    ws = workspace(settings, emu, stream=stream, command="down", label="terraform destroy")
    ws.init()
    # Teardown has deleted the buckets and the Studio domain (with its profiles) before this step:
    # checked again here, they leave the state, and the rest (IAM, budget, alias: nothing the kit
    # deletes itself) is destroyed without Terraform's refresh walk, which costs a provider start
    # (~4 s of CPU) and a read of every resource. Anything else changed since `up` makes that
    # destroy fail: then the full destroy, with its refresh, runs.
    gone = proven_gone(ws.state_file, settings.region)
    try:
        ws.state_rm(gone)
        ws.destroy(refresh=False, show_errors=False)
    except KitError:
        ws.destroy()
    (class_dir(settings) / "outputs.json").unlink(missing_ok=True)
    from provision.reaper.package import ZIP_NAME

    (class_dir(settings) / ZIP_NAME).unlink(missing_ok=True)


def _missing(call) -> bool:
    """True if the call says the thing does not exist (404 / NoSuchBucket / not found)."""
    from botocore.exceptions import ClientError

    try:
        call()
    except ClientError as err:
        code = str(err.response.get("Error", {}).get("Code", ""))
        status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        text = str(err).lower()
        return (
            code in ("404", "NoSuchBucket", "ResourceNotFound")
            or status == 404
            or (code == "ValidationException" and ("not found" in text or "does not exist" in text))
        )
    return False


def proven_gone(state_file: Path, region: str) -> list[str]:
    """State addresses of the class's buckets (with their settings) and Studio domain (with its
    profiles, spaces and apps) that AWS says no longer exist: one HeadBucket per bucket, one
    DescribeDomain per domain. AWS refuses to delete a domain that still has profiles, spaces or
    apps, so a gone domain proves them gone too."""
    data = read_json(state_file, default={}) or {}
    managed = [
        (res, inst)
        for res in data.get("resources", [])
        if res.get("mode") == "managed"
        for inst in res.get("instances", [])
    ]
    buckets = {
        (inst.get("attributes") or {}).get("bucket")
        for res, inst in managed
        if res["type"].startswith("aws_s3_bucket")
    } - {None, ""}
    domains = {
        (inst.get("attributes") or {}).get("id")
        for res, inst in managed
        if res["type"] == "aws_sagemaker_domain"
    } - {None, ""}
    if not buckets and not domains:
        return []
    from kitcore.aws import shared_session

    # the process's shared session: its service models are parsed already (the teardown's clients)
    s3 = shared_session().client("s3", region_name=region)
    sm = shared_session().client("sagemaker", region_name=region)
    gone_buckets = {b for b in buckets if _missing(lambda b=b: s3.head_bucket(Bucket=b))}
    gone_domains = {d for d in domains if _missing(lambda d=d: sm.describe_domain(DomainId=d))}
    out = []
    for res, inst in managed:
        attrs = inst.get("attributes") or {}
        if (
            (res["type"].startswith("aws_s3_bucket") and attrs.get("bucket") in gone_buckets)
            or (res["type"] == "aws_sagemaker_domain" and attrs.get("id") in gone_domains)
            or (res["type"].startswith("aws_sagemaker_") and attrs.get("domain_id") in gone_domains)
        ):
            out.append(tfrunner.state_address(res, inst))
    return out


def created_resources(settings) -> list[dict]:
    """What Terraform created for the class (from state; no AWS call)."""
    return resources_in_state(class_dir(settings) / "terraform" / "terraform.tfstate")
