"""Run every ``bench/bench_*.py`` module's ``run()``, print one table, write JSON.

    python -m bench [NAME ...]      # e.g. python -m bench teardown jobs

Each ``run()`` returns rows ``{"name", "value", "unit", "goal", "ok"}``; it may start its own
embedded AWS through ``provision.embedded.start()`` — every module gets a fresh temporary state
directory, and any emulator it left running is stopped afterwards.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import platform
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def _modules(selected: list[str]) -> list[str]:
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if selected:
        names = [n for n in names if n.removeprefix("bench_") in selected or n in selected]
    return names


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def main(argv: list[str]) -> int:
    rows: list[dict] = []
    failures = 0
    for name in _modules(argv):
        with tempfile.TemporaryDirectory(prefix=f"{name}-") as tmp:
            os.environ["CLASSROOM_STATE_DIR"] = tmp
            from provision import embedded

            started = time.monotonic()
            try:
                module = importlib.import_module(f"bench.{name}")
                for row in module.run():
                    rows.append({"module": name, **row})
            except Exception as err:  # one broken benchmark must not hide the others
                failures += 1
                traceback.print_exc()
                rows.append(
                    {
                        "module": name,
                        "name": "error",
                        "value": f"{type(err).__name__}: {err}",
                        "unit": "",
                        "goal": None,
                        "ok": False,
                    }
                )
            finally:
                embedded.stop()
            print(f"[bench] {name} took {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)

    headers = ("module", "name", "value", "unit", "goal", "ok")
    table = [
        [
            r["module"].removeprefix("bench_"),
            r["name"],
            _fmt(r["value"]),
            r.get("unit", ""),
            r.get("goal") or "",
            {True: "yes", False: "NO", None: ""}[r.get("ok")],
        ]
        for r in rows
    ]
    widths = [
        max(len(h), *(len(str(t[i])) for t in table)) if table else len(h) for i, h in enumerate(headers)
    ]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line)
    print("-" * len(line))
    for t in table:
        print("  ".join(str(c).ljust(w) for c, w in zip(t, widths, strict=True)))

    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"bench-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "when": stamp,
                "machine": {
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                },
                "rows": rows,
            },
            indent=2,
            default=str,
        )
        + "\n"
    )
    print(f"\nwrote {out.relative_to(HERE.parent)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
