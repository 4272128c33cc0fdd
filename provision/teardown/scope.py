"""Build the teardown's ``ClassScope`` from the class's settings and state files.

Reads ``class_dir(settings)/outputs.json`` (Terraform outputs, either ``terraform output -json``'s
``{"name": {"value": ...}}`` or plain ``{"name": value}``) and ``class.json``:
- every output named ``*domain_id*`` → Studio domain ids;
- every output named ``*bucket*`` (except ``sdk_default_bucket``) → the kit's buckets;
- ``sdk_default_bucket`` in outputs or class.json → the SDK's default bucket, which the kit created;
- class.json ``account_id`` (or ``settings.expected_account_id``) → the account the class lives in.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from provision.teardown.model import ClassScope


def _unwrap(v: Any) -> Any:
    return v["value"] if isinstance(v, dict) and "value" in v else v


def _strings(v: Any) -> list[str]:
    v = _unwrap(v)
    if isinstance(v, str):
        return [v] if v else []
    if isinstance(v, (list, tuple)):
        return [x for x in v if isinstance(x, str) and x]
    if isinstance(v, dict):
        return [x for x in v.values() if isinstance(x, str) and x]
    return []


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _tfstate_pending(class_dir: Path) -> Any:
    """A "does Terraform state still hold resources" check, or None when no state file is found."""
    files = sorted(class_dir.rglob("*.tfstate"))
    if not files:
        return None

    def pending() -> bool:
        from provision.tfrunner import state_damaged

        for f in files:
            if state_damaged(f) or _read(f).get("resources"):  # damaged: not known to be empty
                return True
        return False

    return pending


def _tfstate_resources(class_dir: Path) -> Any:
    """Every managed resource instance in the class's Terraform state files (no Terraform run)."""

    def resources() -> list[dict]:
        from provision.tfrunner import resources_in_state

        return [r for f in sorted(class_dir.rglob("*.tfstate")) for r in resources_in_state(f)]

    return resources


def scope_from_files(
    *,
    class_name: str,
    region: str,
    class_dir: Path,
    tags: dict[str, str] | None = None,
    expected_account_id: str | None = None,
    terraform_destroy: Any = None,
    sweep_regions: tuple[str, ...] | None = None,
    dedicated: bool = False,
    all_buckets: bool = False,
) -> ClassScope:
    outputs = {k: _unwrap(v) for k, v in _read(class_dir / "outputs.json").items()}
    info = _read(class_dir / "class.json")
    domains: list[str] = []
    buckets: list[str] = []
    for key, value in outputs.items():
        k = key.lower()
        if "domain_id" in k:
            domains += _strings(value)
        elif "bucket" in k and k != "sdk_default_bucket" and "arn" not in k:
            buckets += [b for b in _strings(value) if not b.startswith("arn:")]
    # the bucket names the class recorded before its apply (their names carry the class's random
    # stamp): an apply stopped before it saved its outputs leaves them nameless otherwise
    from provision.teardown import ledger

    buckets += list(ledger.owned_names(class_dir, "buckets"))
    default = (
        _strings(outputs.get("sdk_default_bucket")) or _strings(info.get("sdk_default_bucket")) or [None]
    )[0]
    # the SDK's default bucket did not exist at the class's first `up`: if it exists now, a notebook
    # of the class created it (Session().default_bucket(); the execution role may create exactly it)
    if default is None and info.get("sdk_default_bucket_existed") is False:
        default = info.get("sdk_default_bucket_name") or None
    recorded = str(info.get("account_id") or "") or None
    if recorded and expected_account_id and recorded != expected_account_id:
        # the pin and the class's record disagree: neither may be trusted to delete (issue 18 item 2)
        from kitcore.errors import KitError

        raise KitError(
            f"the settings pin account {expected_account_id}, but class {class_name!r} was "
            f"created in account {recorded} (class.json); refusing to delete anything"
        )
    account = recorded or expected_account_id or None
    return ClassScope(
        class_name=class_name,
        region=region,
        account_id=account,
        tags=dict(tags or {}),
        domain_ids=tuple(dict.fromkeys(domains)),
        buckets=tuple(dict.fromkeys(buckets)),
        default_bucket=default,
        state_dir=class_dir,
        sweep_regions=sweep_regions,
        terraform_destroy=terraform_destroy,
        terraform_pending=_tfstate_pending(class_dir) if terraform_destroy else None,
        terraform_resources=_tfstate_resources(class_dir) if terraform_destroy else None,
        dedicated=dedicated,
        all_buckets=all_buckets,
    )


def scope_from_settings(settings: Any) -> ClassScope:
    """The scope of the configured class (``provision.settings.load()``)."""
    from provision import classroom

    class_dir = Path(classroom.class_dir(settings))
    return scope_from_files(
        class_name=settings.class_name,
        region=settings.region,
        class_dir=class_dir,
        tags=dict(settings.tags),
        expected_account_id=settings.expected_account_id,
        terraform_destroy=lambda: classroom.terraform_destroy(settings),
        dedicated=bool(getattr(settings, "dedicated_account", False)),
    )
