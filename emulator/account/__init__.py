"""Account-setup extensions (Studio, domain EFS, IAM, Budgets, tagging). Owner: issue 3."""


def install() -> None:
    """Patch moto's response classes with the account-setup operations."""
