"""Shared state of the ML backend: the worker pool, the ``ml_*`` tables, an endpoint's load
state, and the answer cleaner.

``BaseBackend.reset()`` empties ``__dict__`` and calls ``__init__`` again; ``MLState.reset`` closes the
pool first (queued tasks are cancelled, running ones stop at their next checkpoint and write nothing
more) and stops the tuning threads.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from emulator.ml import training, transform, tuning
from emulator.ml.workers import WorkerPool


def _clean(d: dict) -> dict:
    """Drop None and empty values (SDK v3's pydantic shapes reject e.g. an empty VpcConfig)."""
    return {k: v for k, v in d.items() if v is not None and v != {} and v != [] and v != "" and v != [None]}


ENDPOINT_CREATE_SECONDS = 1.0


@dataclass
class EndpointState:
    name: str
    created: float
    load: Any  # Future[dict[str, LoadedModel]]
    failure: str | None = None
    models: dict = field(default_factory=dict)

    def status(self) -> str:
        if not self.load.done() or time.monotonic() - self.created < ENDPOINT_CREATE_SECONDS:
            return "Creating"
        if self.load.cancelled():
            self.failure = "The endpoint's model could not be loaded (the emulator was reset)."
            return "Failed"
        err = self.load.exception()
        if err is not None:
            self.failure = f"ClientError: {err}"
            return "Failed"
        self.models = self.load.result()
        return "InService"


class MLState:
    """The ML state every API mixin reads; last of the ML mixins in the MRO, before moto's backend."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)  # type: ignore[call-arg]
        self.ml_pool = WorkerPool()
        self.ml_training: dict[str, training.TrainingState] = {}
        self.ml_tuning: dict[str, tuning.TuningState] = {}
        self.ml_endpoints: dict[str, EndpointState] = {}
        self.ml_transforms: dict[str, transform.TransformState] = {}

    def reset(self) -> None:
        pool = getattr(self, "ml_pool", None)
        if pool is not None:
            pool.close()
        for state in list(getattr(self, "ml_tuning", {}).values()):
            state.stop.set()
        super().reset()  # type: ignore[misc]
