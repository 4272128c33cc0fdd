"""`classroom emulator start|stop|status|logs`: the embedded AWS as a background process."""

from __future__ import annotations

import sys

import click

from kitcore.errors import KitError
from provision import embedded


@click.group("emulator")
def command() -> None:
    """Start, stop and inspect the embedded AWS (moto + the kit's extensions)."""


@command.command("start")
@click.option(
    "--port",
    type=int,
    default=None,
    envvar="CLASSROOM_EMULATOR_PORT",
    help="port on 127.0.0.1 (default: the settings' port, else any free port)",
)
@click.pass_context
def emulator_start(ctx: click.Context, port: int | None) -> None:
    """Start the embedded AWS in the background (no-op if it runs)."""
    if port is None:
        from provision.cli import load_settings

        port = load_settings(ctx).emulator_port or None
    emu = embedded.start(port)
    click.echo(f"embedded AWS running: {emu.url} (pid {emu.pid}); `classroom env` prints its settings")


@command.command("stop")
def emulator_stop() -> None:
    """Stop the embedded AWS (its state is lost)."""
    click.echo("embedded AWS stopped" if embedded.stop() else "embedded AWS was not running")


@command.command("status")
def emulator_status() -> None:
    """Say whether the embedded AWS runs, and where."""
    emu = embedded.find()
    if emu:
        click.echo(f"running: {emu.url} (pid {emu.pid}); log {embedded.log_file()}")
    elif embedded.recorded_but_dead():
        raise KitError(f"the embedded AWS died (see {embedded.log_file()}); `classroom emulator start`")
    else:
        click.echo("not running")
        sys.exit(3)


@command.command("logs")
@click.option("-n", "--lines", default=50, show_default=True)
def emulator_logs(lines: int) -> None:
    """Show the last lines of the embedded AWS's log."""
    for line in embedded.logs(lines):
        click.echo(line)
