"""`classroom status` / `make status`: what the kit created (from Terraform state), whether the
embedded AWS runs, the class endpoints' time left, what runs now, its estimated $/hour and free-tier use.
"""

from __future__ import annotations

import click


@click.command("status")
@click.pass_context
def command(ctx: click.Context) -> None:
    """Show what the kit created, what is running now (every enabled region), its cost and free-tier use."""
    from provision import classroom
    from provision.cli import load_settings
    from provision.status import emulator_line, format_class

    settings = load_settings(ctx)
    if settings.accounts.multi:  # a class of accounts: per account, totalled (provision/accounts)
        from provision.accounts.status import status

        emulator = emulator_line(settings.target)
        if settings.target == "local" and not emulator.startswith("embedded AWS: running"):
            click.echo(emulator)
            raise SystemExit(1)
        status(settings, log=click.echo)
        return
    created = classroom.created_resources(settings)  # from the state file: no AWS call
    emulator = emulator_line(settings.target)
    if settings.target == "local" and not emulator.startswith("embedded AWS: running"):
        click.echo(format_class(settings, created, emulator, None))
        raise SystemExit(1)  # nothing to ask: the embedded AWS is not there

    from provision.commands.down import context_for
    from provision.endpoints import class_endpoints, class_scope
    from provision.status import collect, format_status

    tctx = context_for(settings)
    endpoints = class_endpoints(tctx.aws.client("sagemaker", settings.region), class_scope(settings))
    from provision import ui

    click.echo(format_class(settings, created, emulator, endpoints, detail=ui.verbose()))
    from provision.reaper.report import status_lines

    deployed = any(r["type"] == "aws_lambda_function" and "reaper" in r.get("module", "") for r in created)
    for line in status_lines(settings, tctx.aws.client("logs", settings.region), deployed):
        click.echo(f"  {line}")
    click.echo(format_status(collect(tctx), settings.class_name))
