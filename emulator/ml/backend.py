"""Training, tuning, hosting and batch-transform state. Owner: issue 5."""


class MLMixin:
    """Mixed into the SageMaker backend; holds ML state."""
