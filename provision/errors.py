"""The kit's error type lives in the core package (kitcore.errors); this name stays for provision/."""

from kitcore.errors import KitError

__all__ = ["KitError"]
