"""Run a plan: kind after kind in dependency order; within a kind, deletes in parallel, then wait until
every item is gone (one listing per poll, retrying deletes that were not ready yet).

Robustness: every call goes through botocore's adaptive retries plus ``with_retries``; a kind that
fails is recorded and only the kinds that depend on it are skipped; the progress file (written before
the first delete) lets a re-run after Ctrl-C or a crash finish the job, and deleting something already
gone counts as success.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from provision.teardown import registry
from provision.teardown.aws import describe_error, with_retries
from provision.teardown.model import Context, Item, Kind, KindFailed, NotReady
from provision.teardown.plan import Plan, merge

PROGRESS_FILE = "teardown-progress.json"
INTERRUPTED = " (left by an interrupted teardown)"


def interrupted_reason(reason: str) -> str:
    """The reason of an item an interrupted run left, said once however many runs were interrupted."""
    return reason if reason.endswith(INTERRUPTED) else reason + INTERRUPTED


@dataclass
class KindResult:
    kind: str
    title: str
    planned: int = 0
    deleted: int = 0
    failed: list[tuple[Item, str]] = field(default_factory=list)
    skipped: str = ""
    error: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not (self.failed or self.skipped or self.error)


class Progress:
    """Items planned but not yet confirmed gone, kept next to the class state (mode 0600)."""

    def __init__(self, state_dir: Path | None) -> None:
        self.path = state_dir / PROGRESS_FILE if state_dir else None

    def load(self) -> list[Item]:
        if not self.path:
            return []
        from kitcore.statedir import read_json

        data = read_json(self.path, default={}) or {}
        return [Item.from_json(d) for d in data.get("items", [])]

    def save(self, items: list[Item]) -> None:
        if not self.path:
            return
        from kitcore.statedir import write_json

        write_json(
            self.path,
            {"items": [{**it.to_json(), "reason": it.reason.removesuffix(INTERRUPTED)} for it in items]},
        )

    def clear(self) -> None:
        if self.path:
            self.path.unlink(missing_ok=True)


Log = Callable[[str], None]


def _delete_all(ctx: Context, kind: Kind, items: list[Item]) -> tuple[dict, dict]:
    """Delete ``items`` in parallel: (items not ready yet -> message, items that failed -> message)."""
    not_ready: dict[tuple, str] = {}
    failed: dict[tuple, str] = {}

    def one(it: Item) -> tuple[Item, Exception | None]:
        try:
            with_retries(lambda: kind.delete(ctx, it))
            return it, None
        except Exception as err:  # BaseException (Ctrl-C) propagates: the progress file has the rest
            return it, err

    with ThreadPoolExecutor(max_workers=max(1, min(ctx.workers, len(items)))) as pool:
        for it, err in pool.map(one, items):
            if isinstance(err, NotReady):
                not_ready[it.key] = str(err)
            elif err is not None:
                failed[it.key] = describe_error(err)
    return not_ready, failed


def _run_kind(ctx: Context, kind: Kind, items: list[Item], log: Log, done: Log | None = None) -> KindResult:
    res = KindResult(kind.name, kind.title, planned=len(items))
    started = time.monotonic()
    with_retries(lambda: kind.prepare(ctx, items))
    not_ready, failed = _delete_all(ctx, kind, items)
    waiting = [
        it for it in items if it.key not in failed and (not kind.gone_when_deleted or it.key in not_ready)
    ]
    deadline = time.monotonic() + ctx.wait_timeout_s
    delay = ctx.poll_initial_s
    while waiting:
        # first look after one pause: an asynchronous delete is never finished the moment it is accepted
        time.sleep(delay)
        delay = min(delay * 1.5, ctx.poll_max_s)
        left = with_retries(lambda w=waiting: kind.remaining(ctx, w))
        if not left:
            break
        waiting = left
        if time.monotonic() > deadline:
            for it in waiting:
                last = not_ready.get(it.key, "")
                failed[it.key] = f"still present after {ctx.wait_timeout_s:.0f} s" + (
                    f" ({last})" if last else ""
                )
            waiting = []
            break
        retry = [it for it in waiting if it.key in not_ready]
        if retry:
            again, hard = _delete_all(ctx, kind, retry)
            for it in retry:
                not_ready.pop(it.key, None)
            not_ready.update(again)
            failed.update(hard)
            waiting = [it for it in waiting if it.key not in hard]
    by_key = {it.key: it for it in items}
    res.failed = [(by_key[k], msg) for k, msg in failed.items()]
    res.deleted = len(items) - len(res.failed)
    res.seconds = time.monotonic() - started
    line = f"  {kind.name}: {res.deleted}/{len(items)} gone in {res.seconds:.1f} s"
    if res.failed:
        log(line + f", {len(res.failed)} failed")
    else:
        (done or log)(line)
    return res


def execute(
    ctx: Context, plan: Plan, progress: Progress | None = None, log: Log = print, done: Log | None = None
) -> list[KindResult]:
    """Delete everything in ``plan``; never raises for one kind's failure (Ctrl-C does propagate).
    A kind whose items are all gone is reported to ``done`` (default: ``log``); problems to ``log``."""
    progress = progress or Progress(None)
    todo = {it.key: it for it in plan.items}
    progress.save(list(todo.values()))
    by_kind = plan.by_kind()
    broken: dict[str, str] = {k: f"listing failed: {e}" for k, e in plan.errors.items()}
    results: list[KindResult] = []
    for kind in registry.order():
        items = by_kind.get(kind.name, [])
        blockers = sorted(d for d in kind.depends_on if d in broken)
        if blockers:
            res = KindResult(
                kind.name,
                kind.title,
                planned=len(items),
                skipped="waits for " + ", ".join(blockers) + " (not all gone)",
            )
            if kind.name in plan.errors:
                res.error = broken[kind.name]
            results.append(res)
            broken[kind.name] = res.skipped
            log(f"  {kind.name}: skipped, {res.skipped}")
            continue
        if kind.name in plan.errors:
            results.append(KindResult(kind.name, kind.title, planned=len(items), error=broken[kind.name]))
            log(f"  {kind.name}: {broken[kind.name]}")
            continue
        try:
            if kind.relist:
                fresh = [
                    it
                    for r in kind.regions(ctx, [ctx.scope.region])
                    for it in with_retries(lambda r=r, k=kind: k.relist_items(ctx, r))
                ]
                items = merge(items, fresh)
            if not items:
                results.append(KindResult(kind.name, kind.title))
                continue
            res = _run_kind(ctx, kind, items, log, done)
        except (KindFailed, Exception) as err:
            res = KindResult(kind.name, kind.title, planned=len(items), error=describe_error(err))
            log(f"  {kind.name}: failed: {res.error}")
        results.append(res)
        if not res.ok:
            broken[kind.name] = res.error or "some items could not be deleted"
        failed_keys = {it.key for it, _ in res.failed}
        for it in items:
            if res.error == "" and it.key not in failed_keys:
                todo.pop(it.key, None)
        progress.save(list(todo.values()))
    if not todo:
        progress.clear()
    return results
