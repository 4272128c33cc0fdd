"""`classroom env`: `export` lines that point your own code at the embedded AWS."""

from __future__ import annotations

import click

from kitcore.errors import KitError


@click.command("env")
@click.pass_context
def command(ctx: click.Context) -> None:
    """Print `export` lines that point your own boto3 / SDK / notebook code at the embedded AWS."""
    from provision import embedded
    from provision.cli import load_settings

    settings = load_settings(ctx)
    if settings.target != "local":
        raise KitError("`classroom env` is for TARGET=local; with TARGET=aws use your AWS profile")
    emu = embedded.require()
    for k, v in emu.env(settings.region).items():
        click.echo(f"export {k}={v}")
