"""CLI commands that live beside their feature (each module exposes ``command``)."""
