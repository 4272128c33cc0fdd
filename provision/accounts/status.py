"""`classroom status` for a class of accounts: per member account what the kit created (its own
Terraform state) and what runs now with its $/hour (provision/status, through the access role), then
the class's total. Accounts are asked in parallel (``[accounts] parallel``)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from provision import classroom, costs
from provision.accounts import state
from provision.status import Status, collect, format_status
from provision.tfrunner import resources_in_state


def status(settings, log: Callable[[str], None] = print) -> dict:
    """Print the per-account status and the total; returns {member: Status} and the total $/hour."""
    from provision.accounts.down import member_context

    emu = classroom.activate(settings)
    data = state.load(settings)
    members = [(m, rec) for m, rec in state.members_in_order(data) if not rec.get("released")]
    table = costs.load()

    def one(item: tuple[str, dict]) -> tuple[str, dict, Status | None, str]:
        member, rec = item
        try:
            ctx = member_context(settings, emu, member, rec["account_id"])
            return member, rec, collect(ctx, table), ""
        except Exception as err:  # noqa: BLE001 - say which account could not be read
            return member, rec, None, f"{type(err).__name__}: {err}"

    with ThreadPoolExecutor(max_workers=max(1, min(settings.accounts.parallel, len(members) or 1))) as pool:
        found = list(pool.map(one, members))
    total = 0.0
    unpriced = 0
    errors = 0
    log(
        f"Class {settings.class_name!r}: {len(members)} member account(s) ({data.get('mode')}), "
        f"OU {data.get('class_ou', '?')}"
    )
    for member, rec, st, err in found:
        created = resources_in_state(state.member_dir(settings, member) / "terraform" / "terraform.tfstate")
        head = f"== {member} · account {rec['account_id']} · {len(created)} resource(s) created by the kit"
        if st is None:
            errors += 1
            log(f"{head} · could not be read: {err}")
            continue
        total += st.total_per_hour
        unpriced += len(st.unpriced)
        if not st.running and not st.stored:
            log(f"{head} · nothing is running: $0.00/hour")
            continue
        # the account's table (what runs, $/hour, its free-tier use) as for a single-account class
        log(head)
        log(format_status(st, f"{settings.class_name}/{member}"))
    log(
        f"\nClass total: ≈ ${total:.2f}/hour across {len(members)} account(s)"
        + (f"; {unpriced} item(s) without a price not included" if unpriced else "")
        + (f"; {errors} account(s) could not be read" if errors else "")
    )
    return {"per_account": {m: st for m, _r, st, _e in found}, "total_per_hour": total, "errors": errors}
