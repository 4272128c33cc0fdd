"""ML extensions (training, tuning, hosting, transform). Owner: issue 5."""


def install() -> None:
    """Patch moto's response classes with the ML operations."""
