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

from kitcore.errors import KitError

SETTINGS_ENV = "CLASSROOM_SETTINGS"


class KitGroup(click.Group):
    """Turns KitError, usage mistakes and connection failures into one line instead of a traceback
    or click's Usage/Try/Error block."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as err:  # a bad option, value or command: exit code 2, as click's
            hint = f" (see `{err.ctx.command_path} --help`)" if err.ctx is not None else ""
            click.echo(f"error: {err.format_message().rstrip('.')}{hint}", err=True)
            sys.exit(err.exit_code)
        except click.ClickException as err:
            click.echo(f"error: {err.format_message()}", err=True)
            sys.exit(err.exit_code)
        except click.Abort:  # Ctrl-C or end of input at a prompt
            click.echo("interrupted: nothing was done", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)

    def resolve_command(self, ctx, args):
        """Parse the sub-command's arguments once before this group's callback runs (it removes
        expired endpoints): a usage mistake is reported before anything is done."""
        name, cmd, rest = super().resolve_command(ctx, args)
        if cmd is not None and not ctx.resilient_parsing and not isinstance(cmd, click.Group):
            with cmd.make_context(name, list(rest), parent=ctx):
                pass
        return name, cmd, rest

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
                click.echo(
                    f"error: cannot reach AWS ({err}); is the embedded AWS running? "
                    "(`classroom emulator status`)",
                    err=True,
                )
                ctx.exit(1)
            raise


def load_settings(ctx: click.Context):
    from provision import settings as settings_mod

    path = ctx.obj.get("settings_path")
    return settings_mod.load(Path(path) if path else None)


@click.group(cls=KitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--settings",
    "settings_path",
    envvar=SETTINGS_ENV,
    type=click.Path(dir_okay=False),
    help="class settings file (default: ./classroom.toml; defaults apply when it is missing)",
)
@click.option(
    "--target",
    type=str,
    default=None,
    help="local (embedded AWS, the default) or aws (a real account); env TARGET",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="stream Terraform's own output (default: one progress line; the full text is in "
    "the class's logs/ folder); env CLASSROOM_VERBOSE=1",
)
@click.pass_context
def main(ctx: click.Context, settings_path: str | None, target: str | None, verbose: bool) -> None:
    """Run a SageMaker class offline or on AWS — and leave no bill behind."""
    from provision import testhooks, ui

    testhooks.install()  # a no-op unless a crash-point test set its knob
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


# -- expired endpoints -----------------------------------------------------------------------------

# Commands before which the class's expired endpoints (`classroom deploy --minutes N`) are removed.
SWEEP_BEFORE = ("up", "train", "status", "deploy", "serve")


def sweep_expired(ctx: click.Context) -> None:
    """Remove the class's expired endpoints; never blocks the command the user asked for."""
    from provision.expiry import sweep_before_command

    for name in sweep_before_command(load_settings(ctx)):
        click.echo(f"removed expired endpoint {name} (its deploy time was up)")


# -- the commands: one module each in provision/commands/ (a new command = its module + one name here)

COMMAND_MODULES = (
    "init",
    "doctor",
    "up",
    "env",
    "emulator",
    "down",
    "status",
    "train",
    "deploy",
    "serve",
    "lab",
)


def _register() -> None:
    for name in COMMAND_MODULES:
        main.add_command(importlib.import_module(f"provision.commands.{name}").command, name)


_register()
