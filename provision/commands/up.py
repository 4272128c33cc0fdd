"""`classroom up` / `make up`: the class's account setup with Terraform, its outputs, the credential
handouts' paths and, once, the billing checklist."""

from __future__ import annotations

import click


def _table(rows: list[tuple[str, str]]) -> str:
    if not rows:
        return ""
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"  {k.ljust(width)}  {v}" for k, v in rows)


def _summarise(value) -> str:
    if isinstance(value, dict):
        return (
            f"{len(value)} item(s): "
            + ", ".join(sorted(map(str, value))[:6])
            + (" …" if len(value) > 6 else "")
        )
    if isinstance(value, list):
        return f"{len(value)} item(s)"
    return "" if value is None else str(value)


#: the outputs an instructor needs during the lesson (quiet `up`); -v prints every output
KEY_OUTPUTS = (
    "sign_in_url",
    "studio_domain_url",
    "models_bucket",
    "share_public_url_prefix",
    "students",
    "budget_note",
)


@click.command("up")
@click.pass_context
def command(ctx: click.Context) -> None:
    """Create the class's account setup with Terraform (admin, buckets, Studio, students, budget)."""
    from provision import billing, classroom, handout
    from provision.cli import load_settings

    settings = load_settings(ctx)
    click.echo(f"class {settings.class_name!r} · target {settings.target} · region {settings.region}")
    for note in settings.notes:
        click.echo(f"note: {note}")
    if settings.accounts.multi:
        up_accounts(settings)
        return
    outputs = classroom.up(settings)
    public = classroom.public_outputs(outputs)
    from provision import ui

    if ui.verbose():
        click.echo("\nOutputs:")
        click.echo(_table([(k, _summarise(v)) for k, v in sorted(public.items())]))
    else:
        shown = [(k, _summarise(public[k])) for k in KEY_OUTPUTS if public.get(k) not in (None, "", [], {})]
        click.echo("\nOutputs:")
        click.echo(_table(shown))
        click.echo(
            f"  (all {len(public)}: {classroom.class_dir(settings) / 'outputs.json'}, or `classroom -v up`)"
        )
    paths = handout.write_handouts(classroom.class_dir(settings), outputs)
    if paths:
        click.echo("\nCredential handouts (mode 0600, never printed):")
        for p in paths:
            click.echo(f"  {p}")
    from provision import quotas

    click.echo("\n" + "\n".join(quotas.lines()))
    checklist = billing.checklist_once(classroom.class_dir(settings))
    if checklist:
        click.echo("\n" + checklist)


def up_accounts(settings) -> None:
    """A class of accounts (``[class] accounts``): the organization layer and every member account."""
    from provision.accounts.up import up

    for res in up(settings, log=click.echo):
        click.echo(f"\n{res.member} (account {res.account_id}):")
        for p in res.handouts:
            click.echo(f"  handout (0600, never printed): {p}")
    click.echo(
        "\nBilling access: member accounts were created with IamUserAccessToBilling=ALLOW "
        "(no root-user step)."
    )
