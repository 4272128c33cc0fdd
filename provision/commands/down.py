"""`classroom down`: the ordered teardown — plan, typed confirmation, delete, receipt.

Exit code 0 only when the receipt shows nothing left; 1 otherwise (run it again to resume).
"""

from __future__ import annotations

import click

from kitcore.errors import KitError


def context_for(settings):
    """A teardown Context for the configured class, its AWS clients pointed at the class's target."""
    from provision import classroom
    from provision.teardown import Aws, Context
    from provision.teardown.scope import scope_from_settings

    classroom.activate(settings)
    scope = scope_from_settings(settings)
    return Context.for_target(Aws(), scope, settings.target)


@click.command("down")
@click.option("--yes", is_flag=True, help="do not ask for the class name (for scripts)")
@click.option("--dry-run", is_flag=True, help="print the plan (what, where, why) and stop")
@click.option(
    "--close-accounts",
    is_flag=True,
    help="class of accounts: close the member accounts instead of returning them to the pool",
)
@click.pass_context
def command(ctx: click.Context, yes: bool, dry_run: bool, close_accounts: bool) -> None:
    """Delete everything the class left behind, in dependency order, and print a receipt."""
    from provision.cli import load_settings
    from provision.teardown import teardown

    settings = load_settings(ctx)
    if settings.accounts.multi:
        down_accounts(settings, yes, dry_run, close_accounts)
        return
    if close_accounts:
        raise KitError("--close-accounts is only for a class of accounts ([class] accounts)")
    tctx = context_for(settings)

    def confirm(plan) -> bool:
        if not plan.items:
            return True
        typed = click.prompt(
            f"Type the class name ({settings.class_name}) to delete everything above",
            default="",
            show_default=False,
        )
        return typed.strip() == settings.class_name

    from provision import ui

    # nobody reads a --yes plan before it runs: its details go to teardown-receipt.json
    brief = yes and not dry_run and not ui.verbose()
    outcome = teardown(tctx, confirm=None if yes else confirm, dry_run=dry_run, log=click.echo, brief=brief)
    if dry_run:
        return
    if not outcome.ok:
        raise KitError("the teardown is not complete (see the receipt above); run `classroom down` again")


def down_accounts(settings, yes: bool, dry_run: bool, close: bool) -> None:
    """A class of accounts: teardown in every member account, class receipt (provision/accounts)."""
    from provision.accounts.down import down

    def confirm(n: int) -> bool:
        typed = click.prompt(
            f"Type the class name ({settings.class_name}) to delete everything of the "
            f"class in its {n} member account(s)",
            default="",
            show_default=False,
        )
        return typed.strip() == settings.class_name

    receipt = down(
        settings, dry_run=dry_run, close=close or None, confirm=None if yes else confirm, log=click.echo
    )
    if receipt is not None and not receipt["ok"]:
        raise KitError(
            "the teardown is not complete (see the class receipt above); run `classroom down` again"
        )
