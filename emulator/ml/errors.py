"""Errors raised by the algorithms and the data readers, worded like SageMaker's FailureReason."""

from __future__ import annotations


class AlgorithmError(Exception):
    """A training job failure. ``str(err)`` is the job's FailureReason.

    ``client`` errors (bad data, bad hyperparameters) start with ``ClientError:`` as on AWS;
    anything else is reported as ``AlgorithmError:``.
    """

    def __init__(self, message: str, client: bool = True) -> None:
        prefix = "ClientError" if client else "AlgorithmError"
        super().__init__(f"{prefix}: {message}")


def hyperparameter_error(detail: str) -> AlgorithmError:
    """The wording of the built-in algorithms' hyperparameter validation."""
    return AlgorithmError(
        "Unable to initialize the algorithm. Failed to validate input data configuration / "
        f"hyperparameters. (caused by ValidationError) Caused by: {detail}"
    )


def data_error(channel: str, content_type: str, detail: str) -> AlgorithmError:
    """The wording of a channel that cannot be read."""
    return AlgorithmError(
        f"Unable to read data channel '{channel}'. Requested content-type is '{content_type}'. "
        f"Please verify the data matches the requested content-type. (caused by {detail})"
    )


class StopRequested(Exception):
    """Raised inside an algorithm when the job was stopped (StopTrainingJob or early stopping)."""
