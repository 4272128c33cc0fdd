"""Endpoints: create (the model loads in the worker pool), describe / list with the load's status,
delete, and the InvokeEndpoint answer from the loaded model."""

from __future__ import annotations

import time
from typing import Any

from moto.core.utils import utcnow
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import FakeEndpoint
from moto.sagemaker.utils import arn_formatter

from emulator.iam import service_role
from emulator.ml import hosting
from emulator.ml.backend.state import EndpointState, _clean


class HostingAPI:
    def create_endpoint(self, endpoint_name: str, endpoint_config_name: str, tags: list | None):
        if endpoint_name in self.endpoints:  # type: ignore[attr-defined]
            arn = arn_formatter("endpoint", endpoint_name, self.account_id, self.region_name)  # type: ignore
            raise ValidationError(f'Cannot create already existing endpoint "{arn}".')
        if endpoint_config_name not in self.endpoint_configs:  # type: ignore[attr-defined]
            arn = arn_formatter("endpoint-config", endpoint_config_name, self.account_id, self.region_name)  # type: ignore
            raise ValidationError(f"Could not find endpoint configuration '{arn}'.")
        config = self.endpoint_configs[endpoint_config_name]  # type: ignore[attr-defined]
        variants = []
        for v in config.production_variants:
            model_obj = self._models.get(v.get("ModelName"))  # type: ignore[attr-defined]
            if model_obj is None:
                arn = arn_formatter("model", v.get("ModelName"), self.account_id, self.region_name)  # type: ignore
                raise ValidationError(f"Could not find model '{arn}'.")
            variants.append((v["VariantName"], hosting.container_of(model_obj)))
        # moto's create_endpoint reads its own describe_endpoint_config (which this class cleans): build the
        # FakeEndpoint directly, as moto does
        endpoint = FakeEndpoint(
            account_id=self.account_id,
            region_name=self.region_name,  # type: ignore
            endpoint_name=endpoint_name,
            endpoint_config_name=endpoint_config_name,
            production_variants=config.production_variants,
            data_capture_config=config.data_capture_config,
            tags=tags,
        )
        self.endpoints[endpoint_name] = endpoint  # type: ignore[attr-defined]
        endpoint.endpoint_status = "Creating"
        account = self.account_id  # type: ignore[attr-defined]

        region = self.region_name  # type: ignore[attr-defined]
        roles = {
            v["VariantName"]: getattr(self._models.get(v.get("ModelName")), "execution_role_arn", None)  # type: ignore[attr-defined]
            for v in config.production_variants
        }

        def load() -> dict[str, hosting.LoadedModel]:
            out = {}
            for name, c in variants:
                with service_role.acting_as(account, region, roles.get(name)):
                    out[name] = hosting.load(account, c.get("Image"), c.get("ModelDataUrl"))
            return out

        self.ml_endpoints[endpoint_name] = EndpointState(
            name=endpoint_name, created=time.monotonic(), load=self.ml_pool.submit(load)
        )
        return endpoint

    def _ml_refresh_endpoint(self, name: str) -> None:
        endpoint = self.endpoints.get(name)  # type: ignore[attr-defined]
        state = self.ml_endpoints.get(name)
        if endpoint is None or state is None:
            return
        status = state.status()
        if status != endpoint.endpoint_status:
            endpoint.endpoint_status = status
            endpoint.last_modified_time = utcnow()
            endpoint.failure_reason = state.failure

    def describe_endpoint(self, endpoint_name: str) -> dict[str, Any]:
        self._ml_refresh_endpoint(endpoint_name)
        base = super().describe_endpoint(endpoint_name)  # type: ignore[misc]
        base.pop("Tags", None)
        return _clean(base)

    def list_endpoints(self, *args: Any, **kwargs: Any):
        for name in list(self.ml_endpoints):
            self._ml_refresh_endpoint(name)
        return super().list_endpoints(*args, **kwargs)  # type: ignore[misc]

    def delete_endpoint(self, endpoint_name: str) -> None:
        super().delete_endpoint(endpoint_name)  # type: ignore[misc]
        self.ml_endpoints.pop(endpoint_name, None)  # frees the loaded model

    def describe_endpoint_config(self, endpoint_config_name: str) -> dict[str, Any]:
        base = super().describe_endpoint_config(endpoint_config_name)  # type: ignore[misc]
        base.pop("Tags", None)
        base.pop("Arn", None)
        return _clean(base)

    def ml_invoke(
        self, endpoint_name: str, body: bytes, content_type: str | None, accept: str | None
    ) -> tuple[bytes, str, str]:
        """(body, content type, variant) of an InvokeEndpoint; raises LookupError / RequestError."""
        self._ml_refresh_endpoint(endpoint_name)
        endpoint = self.endpoints.get(endpoint_name)  # type: ignore[attr-defined]
        state = self.ml_endpoints.get(endpoint_name)
        if endpoint is None or state is None:
            raise LookupError(f"Endpoint {endpoint_name} of account {self.account_id} not found.")  # type: ignore
        if endpoint.endpoint_status != "InService":
            raise LookupError(
                f"Endpoint {endpoint_name} of account {self.account_id} is not in service "  # type: ignore
                f"(status {endpoint.endpoint_status})."
            )
        variant, model = next(iter(state.models.items()))
        answer, ctype = model.predict(body, content_type, accept)
        return answer, ctype, variant
