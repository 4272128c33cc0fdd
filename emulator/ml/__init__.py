"""ML extensions (training, tuning, hosting, transform).

The state and behaviour live on the SageMaker backend (``emulator.ml.backend.MLMixin``); ``install()``
adds the operations moto lacks (StopTrainingJob, ListTrainingJobsForHyperParameterTuningJob,
StopHyperParameterTuningJob), replaces the ones whose answers SDK v3 rejects (DescribeModel) and makes
sagemaker-runtime InvokeEndpoint answer from the real model.
"""

from __future__ import annotations


def install() -> None:
    """Patch moto's response classes with the ML operations. Idempotent."""
    from moto.sagemaker.responses import SageMakerResponse
    from moto.sagemakerruntime.responses import SageMakerRuntimeResponse

    from emulator.ml import responses

    for name, fn in responses.SAGEMAKER_OPERATIONS.items():
        setattr(SageMakerResponse, name, fn)
    SageMakerRuntimeResponse.invoke_endpoint = responses.invoke_endpoint
    _warm_up()


def _warm_up() -> None:
    """Import the heavy ML libraries in the background so the first job does not wait for them."""
    import threading

    def load() -> None:
        try:
            import optuna  # noqa: F401
            import xgboost  # noqa: F401
        except Exception:  # noqa: BLE001 - a missing library shows up when a job needs it
            pass

    threading.Thread(target=load, name="ml-warm-up", daemon=True).start()
