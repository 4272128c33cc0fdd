"""Service Quotas for SageMaker, answered like an account's applied quotas (moto knows only VPC's).

AWS names SageMaker's instance quotas "<type> for training job usage", "<type> for endpoint usage",
"<type> for transform job usage" and Studio's "Studio JupyterLab Apps running on <type> instance"
(Service Quotas console, service code ``sagemaker``). New accounts often get 0 for some of them
(endpoint usage in particular) and must ask for an increase before a class. The emulator's values
let the default run pass; a knob sets any of them, so the blocking path of ``classroom doctor`` can be
tested:

- ``CLASSROOM_EMULATOR_QUOTAS='{"ml.m5.xlarge for endpoint usage": 0}'`` in the emulator's environment;
- ``POST /__classroom/quotas`` with the same JSON while it runs (``DELETE`` drops every override).

The quota codes are the emulator's own (``L-KIT...``, stable per name), not AWS's.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from typing import Any

ENV = "CLASSROOM_EMULATOR_QUOTAS"
TYPES = ("ml.m5.xlarge", "ml.m4.xlarge", "ml.t3.medium", "ml.t2.medium", "ml.p3.2xlarge", "ml.g4dn.xlarge")
DEFAULT_VALUES = {
    # the default run trains on up to 5 instances at once (provision/quotas.py)
    "training job usage": 8.0,
    "endpoint usage": 4.0,
    "transform job usage": 4.0,
    "studio": 50.0,
}

_lock = threading.Lock()
_overrides: dict[str, float] = {}


def _env_overrides() -> dict[str, float]:
    raw = os.environ.get(ENV, "")
    if not raw:
        return {}
    try:
        return {str(k): float(v) for k, v in json.loads(raw).items()}
    except (ValueError, AttributeError):
        return {}


def set_overrides(values: dict[str, Any] | None) -> None:
    """Set quota values by name (None: drop every override)."""
    with _lock:
        if values is None:
            _overrides.clear()
        else:
            _overrides.update({str(k): float(v) for k, v in values.items()})


def _code(name: str) -> str:
    return "L-KIT" + hashlib.sha1(name.encode()).hexdigest()[:6].upper()


def sagemaker_quotas(region: str, account: str) -> list[dict[str, Any]]:
    names: dict[str, float] = {}
    for t in TYPES:
        for usage in ("training job usage", "endpoint usage", "transform job usage"):
            names[f"{t} for {usage}"] = DEFAULT_VALUES[usage]
        if t.startswith(("ml.t3", "ml.t2", "ml.m5", "ml.g4dn")):
            names[f"Studio JupyterLab Apps running on {t} instance"] = DEFAULT_VALUES["studio"]
    names.update(_env_overrides())
    with _lock:
        names.update(_overrides)
    out = []
    for name, value in sorted(names.items()):
        code = _code(name)
        out.append(
            {
                "ServiceCode": "sagemaker",
                "ServiceName": "Amazon SageMaker",
                "QuotaName": name,
                "QuotaCode": code,
                "QuotaArn": f"arn:aws:servicequotas:{region}:{account}:sagemaker/{code}",
                "Value": value,
                "Unit": "None",
                "Adjustable": True,
                "GlobalQuota": False,
            }
        )
    return out


def install() -> None:
    from moto.servicequotas.exceptions import NoSuchResource
    from moto.servicequotas.responses import ServiceQuotasResponse

    original_get = ServiceQuotasResponse.get_service_quota
    original_defaults = ServiceQuotasResponse.list_aws_default_service_quotas

    def _params(self: Any) -> dict[str, Any]:
        return json.loads(self.body or "{}")

    def list_service_quotas(self: Any) -> Any:
        params = _params(self)
        if params.get("ServiceCode") != "sagemaker":
            return json.dumps({"Quotas": []})
        return json.dumps({"Quotas": sagemaker_quotas(self.region, self.current_account)})

    def list_aws_default_service_quotas(self: Any) -> Any:
        if _params(self).get("ServiceCode") == "sagemaker":
            return json.dumps({"Quotas": sagemaker_quotas(self.region, self.current_account)})
        return original_defaults(self)

    def get_service_quota(self: Any) -> Any:
        params = _params(self)
        if params.get("ServiceCode") == "sagemaker":
            for q in sagemaker_quotas(self.region, self.current_account):
                if q["QuotaCode"] == params.get("QuotaCode"):
                    return json.dumps({"Quota": q})
            raise NoSuchResource
        return original_get(self)

    ServiceQuotasResponse.list_service_quotas = list_service_quotas  # type: ignore[attr-defined]
    ServiceQuotasResponse.list_aws_default_service_quotas = list_aws_default_service_quotas  # type: ignore[method-assign]
    ServiceQuotasResponse.get_service_quota = get_service_quota  # type: ignore[method-assign]
