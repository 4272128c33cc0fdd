"""One error type for everything a user can get wrong: the CLI prints its message as one line."""


class KitError(Exception):
    """A problem the user can fix; ``str(err)`` is one clear line, no traceback."""
