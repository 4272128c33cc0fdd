"""Training, tuning, hosting and batch-transform behaviour of the kit's SageMaker backend.

``MLMixin`` sits before moto's ``SageMakerModelBackend`` in the MRO: it lets moto create and store its
own objects (so listings, tags and search keep working) and then runs the real work in a bounded
worker pool, keeping the extra state (``ml_*`` attributes) on the backend so ``/moto-api/reset`` clears
it. ``reset()`` closes the pool first: queued tasks are cancelled, running ones stop at their next
checkpoint and write nothing more.

Split by concern as moto splits models and responses: ``state`` (the pool, the ``ml_*`` tables, reset),
``training_api``, ``tuning_api``, ``hosting_api`` and ``transform_api`` (one mixin per API family).
``MLMixin`` composes them; each mixin's ``super()`` calls reach moto's ``SageMakerModelBackend``.
"""

from __future__ import annotations

from emulator.ml.backend.hosting_api import HostingAPI
from emulator.ml.backend.state import ENDPOINT_CREATE_SECONDS, EndpointState, MLState
from emulator.ml.backend.training_api import TrainingAPI
from emulator.ml.backend.transform_api import TransformAPI
from emulator.ml.backend.tuning_api import HPO_STRATEGIES, TuningAPI

__all__ = ["ENDPOINT_CREATE_SECONDS", "HPO_STRATEGIES", "EndpointState", "MLMixin"]


class MLMixin(TrainingAPI, TuningAPI, HostingAPI, TransformAPI, MLState):
    """Mixed into the SageMaker backend; holds ML state."""
