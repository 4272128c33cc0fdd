"""`classroom status` / `make status`: what runs now, its estimated $/hour, and free-tier use."""

from __future__ import annotations

import click


@click.command("status")
@click.pass_context
def command(ctx: click.Context) -> None:
    """Show what is running now (every enabled region), its estimated cost per hour and free-tier use."""
    from provision.cli import load_settings
    from provision.commands.down import context_for
    from provision.status import collect, format_status

    settings = load_settings(ctx)
    tctx = context_for(settings)
    click.echo(format_status(collect(tctx), settings.class_name))
