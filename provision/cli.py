"""The ``classroom`` command: one entry point for instructors.

Every user error is one line on stderr (``error: …``) and exit code 1; nothing is created after
a failed check. Secrets are never printed: they go to 0600 handout files.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import click

from provision import classroom, embedded
from provision.errors import KitError

SETTINGS_ENV = "CLASSROOM_SETTINGS"


class KitGroup(click.Group):
    """Turns KitError and connection failures into one line instead of a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KitError as err:
            click.echo(f"error: {err}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted: run the same command again to resume", err=True)
            ctx.exit(130)
        except Exception as err:  # botocore's connection errors: the emulator or network is gone
            name = type(err).__name__
            if name in ("EndpointConnectionError", "ConnectionClosedError", "ConnectTimeoutError"):
                click.echo(f"error: cannot reach AWS ({err}); is the embedded AWS running? "
                           "(`classroom emulator status`)", err=True)
                ctx.exit(1)
            raise


def load_settings(ctx: click.Context):
    from provision import settings as settings_mod

    path = ctx.obj.get("settings_path")
    return settings_mod.load(Path(path) if path else None)


@click.group(cls=KitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--settings", "settings_path", envvar=SETTINGS_ENV, type=click.Path(dir_okay=False),
              help="class settings file (default: ./classroom.toml; defaults apply when it is missing)")
@click.option("--target", type=str, default=None,
              help="local (embedded AWS, the default) or aws (a real account); env TARGET")
@click.option("-v", "--verbose", is_flag=True,
              help="stream Terraform's own output (default: one progress line; the full text is in "
                   "the class's logs/ folder); env CLASSROOM_VERBOSE=1")
@click.pass_context
def main(ctx: click.Context, settings_path: str | None, target: str | None, verbose: bool) -> None:
    """Run a SageMaker class offline or on AWS — and leave no bill behind."""
    from provision import ui

    ctx.ensure_object(dict)
    ui.set_verbose(verbose)
    if settings_path is None and Path("classroom.toml").exists():
        settings_path = "classroom.toml"
    ctx.obj["settings_path"] = settings_path
    if target is not None:
        os.environ["TARGET"] = target
    t = os.environ.get("TARGET")
    if t is not None and t not in ("local", "aws"):
        raise KitError(f"unknown TARGET {t!r}: use local (embedded AWS) or aws (a real account)")
    if ctx.invoked_subcommand in SWEEP_BEFORE and "--help" not in sys.argv and "-h" not in sys.argv:
        sweep_expired(ctx)


# -- init ------------------------------------------------------------------------------------------

@main.command()
@click.option("--path", default="classroom.toml", show_default=True, type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="overwrite an existing file")
def init(path: str, force: bool) -> None:
    """Write a commented example of the class settings."""
    from provision import settings as settings_mod

    p = Path(path)
    if p.exists() and not force:
        raise KitError(f"{p} exists; use --force to overwrite it")
    p.write_text(settings_mod.example_text())
    click.echo(f"wrote {p}: edit it, then run `classroom up`")


# -- up --------------------------------------------------------------------------------------------

def _table(rows: list[tuple[str, str]]) -> str:
    if not rows:
        return ""
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"  {k.ljust(width)}  {v}" for k, v in rows)


def _summarise(value) -> str:
    if isinstance(value, dict):
        return f"{len(value)} item(s): " + ", ".join(sorted(map(str, value))[:6]) + (
            " …" if len(value) > 6 else "")
    if isinstance(value, list):
        return f"{len(value)} item(s)"
    return "" if value is None else str(value)


@main.command()
@click.pass_context
def up(ctx: click.Context) -> None:
    """Create the class's account setup with Terraform (admin, buckets, Studio, students, budget)."""
    from provision import billing, handout

    settings = load_settings(ctx)
    click.echo(f"class {settings.class_name!r} · target {settings.target} · region {settings.region}")
    for note in settings.notes:
        click.echo(f"note: {note}")
    outputs = classroom.up(settings)
    public = classroom.public_outputs(outputs)
    click.echo("\nOutputs:")
    click.echo(_table([(k, _summarise(v)) for k, v in sorted(public.items())]))
    paths = handout.write_handouts(classroom.class_dir(settings), outputs)
    if paths:
        click.echo("\nCredential handouts (mode 0600, never printed):")
        for p in paths:
            click.echo(f"  {p}")
    checklist = billing.checklist_once(classroom.class_dir(settings))
    if checklist:
        click.echo("\n" + checklist)


# -- env -------------------------------------------------------------------------------------------

@main.command()
@click.pass_context
def env(ctx: click.Context) -> None:
    """Print `export` lines that point your own boto3 / SDK / notebook code at the embedded AWS."""
    settings = load_settings(ctx)
    if settings.target != "local":
        raise KitError("`classroom env` is for TARGET=local; with TARGET=aws use your AWS profile")
    emu = embedded.require()
    for k, v in emu.env(settings.region).items():
        click.echo(f"export {k}={v}")


# -- emulator --------------------------------------------------------------------------------------

@main.group()
def emulator() -> None:
    """Start, stop and inspect the embedded AWS (moto + the kit's extensions)."""


@emulator.command("start")
@click.option("--port", type=int, default=None, envvar="CLASSROOM_EMULATOR_PORT",
              help="port on 127.0.0.1 (default: the settings' port, else any free port)")
@click.pass_context
def emulator_start(ctx: click.Context, port: int | None) -> None:
    """Start the embedded AWS in the background (no-op if it runs)."""
    if port is None:
        port = load_settings(ctx).emulator_port or None
    emu = embedded.start(port)
    click.echo(f"embedded AWS running: {emu.url} (pid {emu.pid}); `classroom env` prints its settings")


@emulator.command("stop")
def emulator_stop() -> None:
    """Stop the embedded AWS (its state is lost)."""
    click.echo("embedded AWS stopped" if embedded.stop() else "embedded AWS was not running")


@emulator.command("status")
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


@emulator.command("logs")
@click.option("-n", "--lines", default=50, show_default=True)
def emulator_logs(lines: int) -> None:
    """Show the last lines of the embedded AWS's log."""
    for line in embedded.logs(lines):
        click.echo(line)


# -- expired endpoints -----------------------------------------------------------------------------

# Commands before which the class's expired endpoints (`classroom deploy --minutes N`) are removed.
SWEEP_BEFORE = ("up", "train", "status", "deploy", "serve")


def sweep_expired(ctx: click.Context) -> None:
    """Remove the class's expired endpoints; never blocks the command the user asked for."""
    from provision.expiry import sweep_before_command

    for name in sweep_before_command(load_settings(ctx)):
        click.echo(f"removed expired endpoint {name} (its deploy time was up)")


# -- commands owned by their own modules ----------------------------------------------------------

COMMAND_MODULES = ("down", "status", "train", "deploy", "serve")


def _register() -> None:
    for name in COMMAND_MODULES:
        module_name = f"provision.commands.{name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            if err.name != module_name:
                raise
            continue
        main.add_command(module.command, name)


_register()
