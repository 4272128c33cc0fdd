"""Crash-point sweep (issue 18 item 8): `classroom down` of a class with two students and student
leftovers, killed with SIGINT and with SIGKILL after its K-th AWS call for every K up to the end of an
uninterrupted run (boto3 calls, plus each resource `terraform destroy` finishes), then run again;
and `classroom up` killed the same way, then `classroom down`. Each point ends with an independent
listing (boto3 + the Terraform state file): nothing of the class left, and the receipt's count equal to
the listing. Prints calls × outcomes; rows for `python -m bench crashpoints`.

Every point needs a fresh class (a real `terraform apply`), so the full sweep takes hours on a small
machine. Under `make bench` the sweep takes every `CLASSROOM_BENCH_CRASH_STRIDE`-th point (default 50,
so that `make bench` ends within the hour; `CLASSROOM_BENCH_QUICK=1` takes every 100th); the full sweep is
`python -m bench.bench_crashpoints --stride 1`, and `--quick` takes every 25th point.

    python -m bench.bench_crashpoints [--quick] [--stride N] [--only down|up]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from testkit import crashpoints as ch

QUICK_STRIDE = 25
# make bench's default: the full sweep (stride 1) takes hours on this 2-core machine
BENCH_STRIDE = 50


def sweep(stride: int = 1, commands: tuple[str, ...] = ("down", "up"), log=print) -> list:
    points = []
    with tempfile.TemporaryDirectory(prefix="crashpoints-") as tmp:
        h = ch.Harness(Path(tmp))
        try:
            for command in commands:
                total = h.count_calls(command)
                log(f"[crashpoints] an uninterrupted `classroom {command}` makes {total} AWS calls")
                for k in range(1, total + 1, stride):
                    for sig in ("INT", "KILL"):
                        started = time.monotonic()
                        p = h.crash_point(command, k, sig)
                        log(
                            f"[crashpoints] {command} k={k}/{total} SIG{sig}: "
                            f"{'ok' if p.ok else 'FAILED ' + p.problem} ({time.monotonic() - started:.0f} s)"
                        )
                        points.append((total, p))
        finally:
            h.stop()
    return points


def table(points: list) -> str:
    """calls × outcomes: per command and signal, how many kill points ended clean."""
    out = ["command  signal  calls  points  killed  clean  receipt=listing  problems"]
    groups: dict[tuple[str, str], list] = {}
    totals: dict[str, int] = {}
    for total, p in points:
        groups.setdefault((p.command, p.sig), []).append(p)
        totals[p.command] = total
    for (command, sig), ps in sorted(groups.items()):
        c = Counter("ok" if p.ok else "bad" for p in ps)
        receipt_ok = sum(1 for p in ps if "receipt says" not in p.problem)
        bad = [f"k={p.k}" for p in ps if not p.ok][:8]
        out.append(
            f"{command:<8} SIG{sig:<4} {totals[command]:>5}  {len(ps):>6}  "
            f"{sum(p.killed for p in ps):>6}  {c['ok']:>5}  {receipt_ok:>15}  {' '.join(bad)}"
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


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_crashpoints")
    ap.add_argument("--quick", action="store_true", help=f"every {QUICK_STRIDE}th kill point only")
    ap.add_argument("--stride", type=int, default=None, help="every Nth kill point")
    ap.add_argument("--only", choices=("down", "up"), default=None)
    args = ap.parse_args(argv)
    stride = args.stride or (QUICK_STRIDE if args.quick else 1)
    os.environ.setdefault("CLASSROOM_STATE_DIR", tempfile.mkdtemp(prefix="crashpoints-state-"))
    points = sweep(stride=stride, commands=(args.only,) if args.only else ("down", "up"))
    print(table(points))
    return 0 if all(p.ok for _, p in points) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
