"""The plan: every item in scope, listed kind by kind (and region by region for swept kinds) in
parallel, each with why it is in scope. Printing the plan is the dry run.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from botocore.exceptions import EndpointConnectionError

from provision.teardown import ownership, registry
from provision.teardown.aws import describe_error, with_retries
from provision.teardown.model import Context, Item, Kind


@dataclass
class Plan:
    items: list[Item]
    regions: list[str]
    errors: dict[str, str] = field(default_factory=dict)  # kind -> why listing failed
    # a swept region (not the class's) that could not be listed: reported, but it blocks nothing
    warnings: list[str] = field(default_factory=list)
    # every (kind, region) listed, with how many items it found: the receipt says what it re-checked
    listed: list[tuple[str, str, int]] = field(default_factory=list)
    # (kind, region) -> how a listing was answered without listing (e.g. its domain is gone)
    notes: dict[tuple[str, str], str] = field(default_factory=dict)
    # listed but not the class's: never deleted, shown with region, age and $/hour (ownership.py)
    left_alone: list[Item] = field(default_factory=list)
    dedicated: bool = False  # [class] dedicated_account: untagged SageMaker resources are in scope

    def by_kind(self) -> dict[str, list[Item]]:
        out: dict[str, list[Item]] = defaultdict(list)
        for it in self.items:
            out[it.kind].append(it)
        return out

    def to_json(self) -> dict:
        return {
            "regions": self.regions,
            "errors": self.errors,
            "warnings": self.warnings,
            "items": [it.to_json() for it in self.items],
            "left_alone": [it.to_json() for it in self.left_alone],
        }


def merge(*groups: list[Item]) -> list[Item]:
    """Items without duplicates (first one wins), in deletion order, then region and id."""
    rank = {k.name: i for i, k in enumerate(registry.order())}
    seen: dict[tuple[str, str, str], Item] = {}
    for group in groups:
        for it in group:
            seen.setdefault(it.key, it)
    return sorted(seen.values(), key=lambda it: (rank.get(it.kind, 99), it.region != "", it.region, it.id))


def build_plan(
    ctx: Context,
    kinds: list[Kind] | None = None,
    extra: list[Item] | None = None,
    regions: list[str] | None = None,
) -> Plan:
    """List every kind in scope. A kind whose listing fails is recorded in ``errors`` (not raised).

    ``regions``: the regions to sweep (the receipt passes the plan's, so DescribeRegions is asked once);
    by default every region enabled for the account.
    """
    ctx.begin_pass()
    try:
        return _build(
            ctx,
            kinds if kinds is not None else registry.order(),
            extra,
            list(regions) if regions is not None else with_retries(ctx.sweep_regions),
        )
    finally:
        ctx.end_pass()


def _build(ctx: Context, kinds: list[Kind], extra: list[Item] | None, sweep: list[str]) -> Plan:
    tasks = [(k, r) for k in kinds for r in k.regions(ctx, sweep)]
    found: dict[str, list[Item]] = defaultdict(list)
    errors: dict[str, str] = {}

    def list_one(task: tuple[Kind, str]) -> tuple[Kind, str, list[Item] | Exception]:
        kind, region = task
        try:
            return kind, region, with_retries(lambda: kind.list(ctx, region))
        except Exception as err:  # one kind's listing failing must not hide the others
            return kind, region, err

    with ThreadPoolExecutor(max_workers=ctx.workers) as pool:
        results = list(pool.map(list_one, tasks))
    unreachable = [
        res
        for _, region, res in results
        if region == ctx.scope.region and isinstance(res, EndpointConnectionError)
    ]
    if unreachable:  # the class's region cannot be reached, even after retries: one clear error
        raise unreachable[0]
    warnings: list[str] = []
    listed: list[tuple[str, str, int]] = []
    for kind, region, res in results:
        if isinstance(res, Exception):
            why = f"could not list in {region}: {describe_error(res)}"
            if region == ctx.scope.region:
                errors[kind.name] = why
            else:
                warnings.append(f"{kind.name} {why}")
        else:
            found[kind.name].extend(res)
            listed.append((kind.name, region, len(res)))
    expanded: list[Item] = []
    for kind in kinds:
        if found.get(kind.name):
            try:
                expanded.extend(with_retries(lambda k=kind: k.expand(ctx, found[k.name])))
            except Exception as err:
                errors[kind.name] = f"could not follow its dependents: {describe_error(err)}"
    wanted = {k.name for k in kinds}
    items = merge(
        *found.values(),
        [it for it in expanded if it.kind in wanted],
        [it for it in (extra or []) if it.kind in wanted],
    )
    mine = {it.key for it in items}
    alone = [it for it in ctx.alone() if it.key not in mine]  # e.g. an untagged config of an owned endpoint
    try:
        alone = with_retries(lambda: ownership.priced(ctx, alone))
    except Exception as err:  # the price of what is left alone is information, never a blocker
        warnings.append(f"could not price what is left alone: {describe_error(err)}")
    return Plan(
        items=items,
        regions=sweep,
        errors=errors,
        warnings=sorted(warnings),
        listed=listed,
        notes=ctx.notes(),
        left_alone=merge(alone),
        dedicated=ctx.scope.dedicated,
    )


def _counts(items: list[Item]) -> str:
    counts: dict[str, int] = {}
    for it in items:
        counts[it.kind] = counts.get(it.kind, 0) + 1
    return ", ".join(f"{kind} {n}" for kind, n in counts.items())


def format_plan(plan: Plan, class_name: str, brief: bool = False) -> str:
    """The plan as a table: kind, name, region, why it is in scope (``brief``: counts by kind)."""
    rows = [(it.kind, it.name, it.region, it.reason) for it in plan.items]
    lines = [
        f"Teardown plan for class {class_name!r}: {len(plan.items)} item(s); "
        f"swept regions: {len(plan.regions)}"
    ]
    if brief:
        lines[0] += f" ({_counts(plan.items)})" if plan.items else " (nothing in scope)"
        if plan.dedicated:
            lines.append("  [class] dedicated_account = true: untagged SageMaker resources are in scope too")
        if plan.left_alone:
            lines.append(
                f"Not the class's: left alone: {len(plan.left_alone)} ({_counts(plan.left_alone)}; "
                "never deleted by the kit; listed in teardown-receipt.json)"
            )
        lines += [f"  ! {kind}: {err}" for kind, err in sorted(plan.errors.items())]
        lines += [f"  ? sweep: {w} (skipped; check that region by hand)" for w in plan.warnings]
        return "\n".join(lines)
    if plan.dedicated:
        lines.append(
            "  [class] dedicated_account = true: SageMaker resources without a classroom tag in the "
            "swept regions are in scope too (each such line says so)"
        )
    if rows:
        heads = ("KIND", "NAME", "REGION", "WHY IN SCOPE")
        widths = [min(60, max(len(h), *(len(r[i]) for r in rows))) for i, h in enumerate(heads[:3])]
        lines.append("  ".join(h.ljust(w) for h, w in zip(heads[:3], widths, strict=True)) + "  " + heads[3])
        for r in rows:
            lines.append("  ".join(c.ljust(w) for c, w in zip(r[:3], widths, strict=True)) + "  " + r[3])
    else:
        lines.append("  nothing in scope")
    lines += format_left_alone(plan.left_alone)
    for kind, err in sorted(plan.errors.items()):
        lines.append(f"  ! {kind}: {err}")
    for warning in plan.warnings:
        lines.append(f"  ? sweep: {warning} (skipped; check that region by hand)")
    return "\n".join(lines)


def format_left_alone(items: list[Item]) -> list[str]:
    """The "not the class's: left alone" table: kind, name, region, age, $/hour, why (never deleted)."""
    if not items:
        return []
    lines = [
        f"Not the class's: left alone ({len(items)}; never deleted by the kit, not counted as left "
        "over — delete them yourself if they are yours):"
    ]
    rows = [
        (it.kind, it.name, it.region, ownership.age(it), ownership.per_hour_text(it), it.reason)
        for it in items
    ]
    heads = ("KIND", "NAME", "REGION", "AGE", "$/HOUR")
    widths = [min(60, max(len(h), *(len(r[i]) for r in rows))) for i, h in enumerate(heads)]
    lines.append("  " + "  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)) + "  WHY NOT")
    for r in rows:
        lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(r[:5], widths, strict=True)) + "  " + r[5])
    return lines
