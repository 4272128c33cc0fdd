"""Studio user profiles, apps, spaces and the domain's EFS. Owner: issue 3."""


class StudioMixin:
    """Mixed into the SageMaker backend; holds Studio state."""
