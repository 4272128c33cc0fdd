"""`classroom doctor`: whether the account can run the class — one line per check (ok / warning /
blocking) with the fix; exit code 1 when something blocks. `make up` runs its fast part first."""

from __future__ import annotations

import click


@click.command("doctor")
@click.option(
    "--fast", is_flag=True, help="skip the Service Quotas and free-tier look-ups (what `make up` runs)"
)
@click.pass_context
def command(ctx: click.Context, fast: bool) -> None:
    """Check the account, region, Terraform, S3 Block Public Access, quotas and billing before a class."""
    from provision import doctor
    from provision.cli import load_settings

    settings = load_settings(ctx)
    click.echo(f"class {settings.class_name!r} · target {settings.target} · region {settings.region}")
    lines = doctor.run(settings, fast=fast)
    click.echo(doctor.format_lines(lines))
    blocking = [ln for ln in lines if ln.level == doctor.BLOCKING]
    if blocking:
        click.echo(f"error: {len(blocking)} blocking problem(s): fix them before `classroom up`", err=True)
        ctx.exit(1)
