"""Crash-point sweep (issue 18 item 8): `classroom down` of a class with two students and student
leftovers, killed with SIGINT and with SIGKILL after its K-th AWS call for every K up to the end of an
uninterrupted run (boto3 calls, plus each resource `terraform destroy` finishes), then run again;
and `classroom up` killed the same way, then `classroom down`. Each point ends with an independent
listing (boto3 + the Terraform state file): nothing of the class left, and the receipt's count equal to
the listing. Prints calls × outcomes; rows for `python -m bench crashpoints`.

`down`'s class is set up once: the embedded AWS's whole state and the class's state folder are saved
(emulator/snapshots.py, a test-only knob) and restored before every kill point, so a point costs the
killed run and the re-run (measured 2026-12-06: ~20 s of CPU per point, ~11-14 s of it `terraform
destroy`; restoring and the listing ~0.5 s), not a `terraform apply` more. `up` points start from an
empty account. Under `make bench` the sweep takes every `CLASSROOM_BENCH_CRASH_STRIDE`-th point
(default 50; `CLASSROOM_BENCH_QUICK=1`: every 100th); the full sweep is
`python -m bench.bench_crashpoints --stride 1` (`--signals KILL`, `--shard I/N` to run N sweeps side
by side, each with its own emulator: give them all the same `--calls N`, as the count varies with the
load), and `--quick` takes every 25th
point. Points are taken in an order that covers the whole range early (1, the last, the middle, ...).

    python -m bench.bench_crashpoints [--quick] [--stride N [--offset O]] [--only down|up] [--signals KILL]
                                      [--shard I/N] [--calls N] [--results FILE.json]
    python -m bench.bench_crashpoints --table SHARD0.json SHARD1.json    # one table of both shards

Each point is written to bench/results/crashpoints-<time>-shard<I>of<N>.json as it ends.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from testkit import crashpoints as ch

RESULTS = Path(__file__).resolve().parent / "results"
QUICK_STRIDE = 25
# make bench's default: the full sweep (stride 1) takes hours on this 2-core machine
BENCH_STRIDE = 50


def spread(total: int) -> list[int]:
    """1..total in an order that covers the range evenly early (1, total, the middle, the quarters...):
    a sweep stopped part-way has still looked everywhere."""
    order: list[int] = []
    seen: set[int] = set()
    step = 1 << max(0, total.bit_length())
    while step >= 1:
        for k in range(1, total + 1, step):
            if k not in seen:
                seen.add(k)
                order.append(k)
        step //= 2
    return order


def sweep(
    stride: int = 1,
    commands: tuple[str, ...] = ("down", "up"),
    log=print,
    signals: tuple[str, ...] = ("INT", "KILL"),
    shard: tuple[int, int] = (0, 1),
    on_point=None,
    calls: int | None = None,
    offset: int = 0,
) -> list:
    """``down``: the class is set up once and saved (the embedded AWS's state and the class's state
    folder, testkit/crashpoints.py ``save``); every kill point starts from that saved
    class, so a point costs the killed run and the re-run, not a `terraform apply` (~50 s) more.
    ``up``: every point starts from an empty account. ``shard`` (i, n): only every n-th point from i.
    ``on_point(points)`` after each point (the sweep so far: a sweep stopped part-way keeps them).
    ``calls``: sweep K up to this many calls instead of counting an uninterrupted run's (shards side by
    side must share it: the count varies with the load, the polls, and with another count the shards'
    kill points would not be one sweep cut in parts). ``offset``: K = 1 + offset + a multiple of
    ``stride`` (another sweep's complement: stride 3 offset 1 after stride 3)."""
    points = []
    with tempfile.TemporaryDirectory(prefix="crashpoints-") as tmp:
        h = ch.Harness(Path(tmp))
        try:
            for command in commands:
                if command == "down":
                    h.reset()
                    h.fresh_class()
                    h.save()
                    if calls is None:
                        h.restore()
                        r = h.run("down", "--yes")
                        assert r.code == 0, r.out[-2000:] + r.err[-2000:]
                        total = r.calls
                    else:
                        total = calls
                else:
                    h.reset()
                    total = calls or h.count_calls(command)
                if calls:
                    log(f"[crashpoints] `classroom {command}` killed after call K = 1..{total} (--calls)")
                else:
                    log(f"[crashpoints] an uninterrupted `classroom {command}` makes {total} AWS calls")
                ks = [k for k in spread(total) if (k - 1) % stride == offset]
                todo = [(k, sig) for k in ks for sig in signals][shard[0] :: shard[1]]
                for i, (k, sig) in enumerate(todo, 1):
                    started = time.monotonic()
                    if command == "down":
                        p = h.crash_point_saved(k, sig)
                    else:
                        p = h.crash_point(command, k, sig)
                    log(
                        f"[crashpoints] {i}/{len(todo)} {command} k={k}/{total} SIG{sig}: "
                        f"{'ok' if p.ok else 'FAILED ' + p.problem} receipt={p.receipt_left} "
                        f"({time.monotonic() - started:.0f} s)"
                    )
                    p.seconds = time.monotonic() - started
                    points.append((total, p))
                    if on_point is not None:
                        on_point(points)
        finally:
            h.stop()
    return points


def table(points: list) -> str:
    """calls × outcomes: per command and signal, how many AWS calls an uninterrupted run made (a range
    when the shards counted differently: polls depend on the load), how many kill points ran and over
    which K, how many were killed (a K beyond the calls a run made sends nothing), ended with 0 left,
    ended clean (0 left, exit 0, nothing in the listing), had the receipt equal to the listing, and
    the points' summed time (shards run side by side: more than the wall time)."""
    out = [
        "command  signal    calls  points        K  killed  0-left  clean  receipt=listing  point time"
        "  problems"
    ]
    groups: dict[tuple[str, str], list] = {}
    totals: dict[str, set[int]] = {}
    for total, p in points:
        groups.setdefault((p.command, p.sig), []).append(p)
        totals.setdefault(p.command, set()).add(total)
    for (command, sig), ps in sorted(groups.items()):
        c = Counter("ok" if p.ok else "bad" for p in ps)
        receipt_ok = sum(1 for p in ps if "receipt says" not in p.problem)
        zero = sum(1 for p in ps if p.receipt_left == 0)
        wall = sum(p.seconds for p in ps)
        bad = [f"k={p.k}" for p in ps if not p.ok][:8]
        t = totals[command]
        calls = f"{min(t)}" if len(t) == 1 else f"{min(t)}-{max(t)}"
        ks = [p.k for p in ps if isinstance(p.k, int)]
        krange = f"{min(ks)}-{max(ks)}" if ks else "-"
        killed = sum(p.killed for p in ps)
        out.append(
            f"{command:<8} SIG{sig:<4} {calls:>8}  {len(ps):>6}  {krange:>7}  {killed:>6}  "
            f"{zero:>6}  {c['ok']:>5}  {receipt_ok:>15}  {wall / 60:>6.1f} min  {' '.join(bad)}"
        )
    return "\n".join(out)


def run() -> list[dict]:
    quick = os.environ.get("CLASSROOM_BENCH_QUICK") == "1"
    stride = int(os.environ.get("CLASSROOM_BENCH_CRASH_STRIDE") or (100 if quick else BENCH_STRIDE))
    points = sweep(stride=stride, log=lambda m: print(m, file=sys.stderr, flush=True))
    print(table(points), file=sys.stderr, flush=True)
    rows = []
    for command in ("down", "up"):
        ps = [p for _, p in points if p.command == command]
        if not ps:
            continue
        clean = sum(p.ok for p in ps)
        rows.append(
            {
                "name": f"`classroom {command}` killed (SIGINT, SIGKILL) at "
                f"{len(ps)} point(s) (every {stride}th call): clean after a re-run",
                "value": f"{clean}/{len(ps)}",
                "unit": "points",
                "goal": "all",
                "ok": clean == len(ps),
            }
        )
        receipt_ok = sum(1 for p in ps if "receipt says" not in p.problem)
        rows.append(
            {
                "name": f"`classroom {command}` crash points: receipt's count = independent listing",
                "value": f"{receipt_ok}/{len(ps)}",
                "unit": "points",
                "goal": "all",
                "ok": receipt_ok == len(ps),
            }
        )
    return rows


def save(points: list, path: Path, meta: dict) -> None:
    """The sweep so far as JSON (each point: its K, signal, outcome, what was left, seconds)."""
    rows = []
    for total, p in points:
        row = dataclasses.asdict(p)
        row["listed"] = {k: v for k, v in p.listed.items() if v}  # only what was left
        rows.append({"total": total, **row})
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({**meta, "points": rows}, indent=1) + "\n")
    tmp.replace(path)


def load(paths: list[Path]) -> list:
    """Points saved by ``save`` (several shards' files: one sweep)."""
    points = []
    for path in paths:
        for row in json.loads(path.read_text())["points"]:
            total = row.pop("total")
            points.append((total, ch.Point(**row)))
    return points


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_crashpoints")
    ap.add_argument("--quick", action="store_true", help=f"every {QUICK_STRIDE}th kill point only")
    ap.add_argument("--stride", type=int, default=None, help="every Nth kill point")
    ap.add_argument("--offset", type=int, default=0, help="K = 1 + OFFSET + a multiple of the stride")
    ap.add_argument("--only", choices=("down", "up"), default=None)
    ap.add_argument("--signals", default="INT,KILL", help="comma-separated: INT, KILL")
    ap.add_argument("--shard", default="0/1", help="I/N: every N-th point from the I-th (parallel runs)")
    ap.add_argument(
        "--calls",
        type=int,
        default=None,
        help="sweep K up to N, not counting an uninterrupted run's calls (give every shard the same N)",
    )
    ap.add_argument(
        "--results",
        type=Path,
        default=None,
        help="JSON of the points, written after each (default: bench/results/crashpoints-*.json)",
    )
    ap.add_argument(
        "--table",
        nargs="+",
        type=Path,
        metavar="JSON",
        help="print the table of saved sweeps (e.g. both shards' files) and stop",
    )
    args = ap.parse_args(argv)
    # `kill PID` stops the sweep like Ctrl-C: the running kit and the emulator are stopped too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.table:
        points = load(args.table)
        print(table(points))
        return 0 if all(p.ok for _, p in points) else 1
    stride = args.stride or (QUICK_STRIDE if args.quick else 1)
    os.environ.setdefault("CLASSROOM_STATE_DIR", tempfile.mkdtemp(prefix="crashpoints-state-"))
    i, n = (int(x) for x in args.shard.split("/"))
    started = time.monotonic()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    results = args.results or RESULTS / f"crashpoints-{stamp}-shard{i}of{n}.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    meta = {"started": stamp, "argv": argv, "stride": stride, "offset": args.offset, "shard": f"{i}/{n}"}
    points = sweep(
        stride=stride,
        commands=(args.only,) if args.only else ("down", "up"),
        signals=tuple(s.strip().upper() for s in args.signals.split(",")),
        shard=(i, n),
        on_point=lambda so_far: save(so_far, results, meta),
        calls=args.calls,
        offset=args.offset,
    )
    print(f"wall time {time.monotonic() - started:.0f} s")
    print(f"points in {results}")
    print(table(points))
    return 0 if all(p.ok for _, p in points) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
