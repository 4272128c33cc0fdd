"""`classroom init`: write a commented example of the class settings."""

from __future__ import annotations

from pathlib import Path

import click

from kitcore.errors import KitError


@click.command("init")
@click.option("--path", default="classroom.toml", show_default=True, type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="overwrite an existing file")
def command(path: str, force: bool) -> None:
    """Write a commented example of the class settings."""
    from provision import settings as settings_mod

    p = Path(path)
    if p.exists() and not force:
        raise KitError(f"{p} exists; use --force to overwrite it")
    p.write_text(settings_mod.example_text())
    click.echo(f"wrote {p}: edit it, then run `classroom up`")
