"""The kit's embedded AWS: moto's server plus the kit's extensions.

It runs as its own process (``python -m emulator serve``); the rest of the kit reaches it only
through AWS APIs at its endpoint URL.
"""

ACCOUNT_ID = "123456789012"
