"""The receipt: after the teardown, list every kind in scope again (and check whatever the run could
not confirm), print a table, write it as JSON next to the class's state, and say whether anything is
left (the command exits non-zero then).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from provision.teardown import ownership, registry
from provision.teardown.aws import with_retries
from provision.teardown.model import Context, Item
from provision.teardown.plan import Plan, build_plan, merge
from provision.teardown.runner import KindResult

RECEIPT_FILE = "teardown-receipt.json"


def leftovers(
    ctx: Context, results: list[KindResult], run_items: list[Item], plan: Plan | None = None
) -> tuple[list[Item], dict, list[str], list[dict], list[Item]]:
    """What still exists, and what was re-checked how.

    Every kind of the receipt is listed again in full in every region it is listed in (the class's
    region; swept kinds in every region the plan swept — the plan's region list is reused, so
    DescribeRegions is not asked twice). A swept region the plan found empty, where nothing was
    deleted, still gets one List call per swept kind: no single AWS call shows both endpoints and
    notebook instances, and a page of one (MaxResults=1) would cost the same call. Studio apps, spaces
    and user profiles of a domain that no longer exists are not listed (AWS deletes a domain only once
    they are gone; DescribeDomain is asked anyway for the domain kind): the receipt says so. Items the run
    could not confirm, of kinds not listed by the receipt, or in a region the listing does not cover
    (a swept endpoint's config and model) are looked up with the kind's ``remaining``.
    """
    kinds = registry.order()
    fresh = build_plan(
        ctx,
        kinds=[k for k in kinds if k.in_receipt_listing],
        regions=plan.regions if plan is not None else None,
    )
    planned = {(it.kind, it.region) for it in run_items}
    deleted_regions = {it.region for it in run_items}
    rechecked = [
        {
            "kind": kind,
            "region": region,
            "found": n,
            "how": fresh.notes.get((kind, region))
            or (
                "listed again in full"
                if (kind, region) in planned or region == ctx.scope.region or region in deleted_regions
                else "listed again (the plan found none here and nothing was deleted here)"
            ),
        }
        for kind, region, n in fresh.listed
    ]
    covered = {(kind, region) for kind, region, _ in fresh.listed}
    confirmed = {r.kind for r in results if r.ok}
    unconfirmed: dict[str, list[Item]] = defaultdict(list)
    for it in run_items:
        k = registry.get(it.kind)
        # "reached": the class's only through an owned item (an endpoint's config) that is gone now, so
        # a listing by ownership would not show it: look it up
        if (
            it.kind not in confirmed
            or not k.in_receipt_listing
            or (it.kind, it.region) not in covered
            or it.get("reached")
        ):
            unconfirmed[it.kind].append(it)
    still: list[Item] = []
    errors = dict(fresh.errors)
    for name, items in unconfirmed.items():
        kind = registry.get(name)
        try:
            still.extend(with_retries(lambda k=kind, i=items: k.left(ctx, i)))
        except Exception as err:  # cannot tell: count them as left, say why
            still.extend(items)
            errors[name] = f"could not check: {err}"
        for region in sorted({it.region for it in items}):
            rechecked.append(
                {"kind": name, "region": region, "found": None, "how": "the run's items looked up again"}
            )
    left = merge(fresh.items, still)
    gone_keys = {it.key for it in left} | {it.key for it in run_items}
    return left, errors, fresh.warnings, rechecked, [it for it in fresh.left_alone if it.key not in gone_keys]


def build(
    ctx: Context,
    results: list[KindResult],
    run_items: list[Item],
    started: dt.datetime,
    account_id: str | None,
    plan: Plan | None = None,
) -> dict:
    left, errors, warnings, rechecked, alone = leftovers(ctx, results, run_items, plan)
    left_by_kind: dict[str, list[Item]] = defaultdict(list)
    for it in left:
        left_by_kind[it.kind].append(it)
    by_result = {r.kind: r for r in results}
    rows = []
    for kind in registry.order():
        r = by_result.get(kind.name) or KindResult(kind.name, kind.title)
        rows.append(
            {
                "kind": kind.name,
                "title": kind.title,
                "billable": kind.billable,
                "planned": r.planned,
                "deleted": r.deleted,
                "seconds": round(r.seconds, 2),
                "failed": [{"name": it.name, "region": it.region, "error": msg} for it, msg in r.failed],
                "skipped": r.skipped,
                "error": r.error or errors.get(kind.name, ""),
                "remaining": [
                    {"name": it.name, "region": it.region, "id": it.id} for it in left_by_kind[kind.name]
                ],
            }
        )
    problems = sum(1 for row in rows if row["failed"] or row["skipped"] or row["error"])
    return {
        "class": ctx.scope.class_name,
        "account": account_id,
        "region": ctx.scope.region,
        "started": started.isoformat(timespec="seconds"),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "kinds": rows,
        "remaining_total": len(left),
        "kinds_with_problems": problems,
        "unchecked_regions": warnings,
        "rechecked": rechecked,
        # what the run set out to delete and why (a brief `down --yes` prints only counts by kind)
        "planned_items": [
            {"kind": it.kind, "name": it.name, "region": it.region, "why": it.reason} for it in run_items
        ],
        # not the class's: listed for the instructor, never deleted, not counted in "ok" / the exit code
        "left_alone": [
            {
                "kind": it.kind,
                "name": it.name,
                "region": it.region,
                "id": it.id,
                "age": ownership.age(it),
                "created": it.get("created"),
                "per_hour": float(it.get("per_hour")) if it.get("per_hour") else None,
                "instance_type": it.get("instance_type"),
                "why": it.reason,
            }
            for it in alone
        ],
        "ok": not left and problems == 0 and not warnings,
    }


def write(receipt: dict, state_dir: Path | None) -> Path | None:
    if state_dir is None:
        return None
    from kitcore.statedir import write_json

    return write_json(state_dir / RECEIPT_FILE, receipt)


def columns(heads: tuple[str, ...], rows: list[tuple[str, ...]], indent: str = "") -> list[str]:
    """``heads`` then ``rows`` as text columns, each as wide as its widest cell (receipts, status)."""
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(heads)]
    return [indent + "  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True))] + [
        indent + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]


def format_table(receipt: dict, brief: bool = False) -> str:
    """The receipt as a table, one row per kind (``brief``: only the kinds that had anything or a note;
    the listing checks and the left-alone items are in teardown-receipt.json)."""
    heads = ("KIND", "PLANNED", "DELETED", "FAILED", "LEFT", "NOTE")
    rows = []
    for r in receipt["kinds"]:
        note = r["error"] or r["skipped"] or (r["failed"][0]["error"] if r["failed"] else "")
        if r["remaining"] and not note:
            note = "left: " + ", ".join(x["name"] for x in r["remaining"][:3])
        if brief and not (note or r["planned"] or r["deleted"] or r["failed"] or r["remaining"]):
            continue
        rows.append(
            (
                r["kind"],
                str(r["planned"]),
                str(r["deleted"]),
                str(len(r["failed"])),
                str(len(r["remaining"])),
                note[:100],
            )
        )
    if not rows:
        rows.append(("(nothing)", "0", "0", "0", "0", ""))
    out = [
        f"Teardown receipt for class {receipt['class']!r} (account {receipt['account']}, "
        f"{receipt['region']}):",
        *columns(heads, rows),
    ]
    verdict = (
        "0 left: nothing in scope remains"
        if receipt["ok"]
        else f"0 left, but {len(receipt['unchecked_regions'])} swept region listing(s) could not be checked"
        if not receipt["remaining_total"] and not receipt["kinds_with_problems"]
        else f"{receipt['remaining_total']} left, {receipt['kinds_with_problems']} kind(s) with problems "
        "— run `classroom down` again, or see the notes above"
    )
    alone = receipt.get("left_alone") or []
    if brief:
        if alone:
            out.append(
                f"  not the class's: left alone: {len(alone)} (not counted; see teardown-receipt.json)"
            )
        out += [f"  ? not checked: {w}" for w in receipt.get("unchecked_regions", [])]
        out.append(verdict)
        return "\n".join(out)
    out.append(recheck_summary(receipt.get("rechecked", [])))
    if alone:
        out.append(
            f"  not the class's: left alone: {len(alone)} (not counted; see the plan's list or "
            "teardown-receipt.json)"
        )
        for a in alone[:20]:
            cost = f"${a['per_hour']:.3f}/h" if a.get("per_hour") is not None else "no price"
            out.append(f"    {a['kind']} {a['name']} ({a['region']}, {a['age']}, {cost}): {a['why']}")
        if len(alone) > 20:
            out.append(f"    ... and {len(alone) - 20} more")
    for w in receipt.get("unchecked_regions", []):
        out.append(f"  ? not checked: {w}")
    out.append(verdict)
    return "\n".join(out)


def recheck_summary(rechecked: list[dict]) -> str:
    """One line: how the receipt knows (what was listed again where)."""
    full = [r for r in rechecked if r["how"] == "listed again in full"]
    empty = [r for r in rechecked if r["how"].startswith("listed again (")]
    looked = [r for r in rechecked if r["how"] == "the run's items looked up again"]
    inside = [r for r in rechecked if r["how"].startswith("not listed: domain")]
    empty_regions = sorted({r["region"] for r in empty})
    parts = [f"{len(full)} kind/region listing(s) repeated in full"]
    if empty:
        parts.append(
            f"{len(empty_regions)} swept region(s) the plan found empty re-checked "
            f"({len(empty)} List call(s), one per swept kind)"
        )
    if looked:
        parts.append(f"{len(looked)} kind/region(s) whose run items were looked up again")
    if inside:
        parts.append(f"{len(inside)} Studio kind(s) known empty because their domain no longer exists")
    return "  checked: " + "; ".join(parts)
