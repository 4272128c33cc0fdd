"""The whole lesson as an instructor runs it: ``classroom up``, ``train``, ``status``, ``down --yes``
(what ``make demo`` runs after ``make setup``), each timed as a separate process on the embedded AWS
with the default settings (no students), in a fresh state folder per run.

Rows: the median of N runs (``BENCH_LESSON_RUNS``, default 3; 1 is a quick smoke run) of up, train,
down and the demo (up + train + status + down) beside the goals, and the lines the demo prints.
``BENCH_LESSON_SETUP=1`` also clones the project into a temporary folder and times ``make setup``
there (its own virtualenv; slow) and reports the virtualenv's size.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOALS = {"up": 25.0, "train": 45.0, "down": 15.0, "demo": 90.0}
SETUP_GOAL_S = 120.0
DEMO_LINES_GOAL = 80  # two 40-line screens (README: the jobs' table and the receipt in the last 40)
CLI = [sys.executable, "-c", "from provision.cli import main; main()"]


def _row(name: str, value, unit: str, goal: str, ok: bool | None) -> dict:
    return {"name": name, "value": value, "unit": unit, "goal": goal, "ok": ok}


def _step(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int, str]:
    started = time.monotonic()
    proc = subprocess.run([*CLI, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=1800)
    elapsed = time.monotonic() - started
    text = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise RuntimeError(f"classroom {' '.join(args)} failed ({proc.returncode}): {text[-600:]}")
    return elapsed, len(text.splitlines()), text


def one_lesson(workdir: Path) -> dict[str, float]:
    """One up → train → status → down in ``workdir`` (its own state folder and emulator)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        {
            "CLASSROOM_STATE_DIR": str(workdir / "state"),
            "CLASSROOM_EMULATOR_PORT": "0",
            "PYTHONPATH": os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        }
    )
    for key in ("CLASSROOM_POLL_SECONDS", "CLASSROOM_VERBOSE", "CLASSROOM_SETTINGS", "TARGET"):
        env.pop(key, None)
    out: dict[str, float] = {"lines": 0}
    try:
        for name, args in (
            ("up", ["up"]),
            ("train", ["train"]),
            ("status", ["status"]),
            ("down", ["down", "--yes"]),
        ):
            seconds, lines, _ = _step(args, workdir, env)
            out[name] = seconds
            out["lines"] += lines
    finally:
        subprocess.run([*CLI, "emulator", "stop"], cwd=workdir, env=env, capture_output=True)
    out["demo"] = out["up"] + out["train"] + out["status"] + out["down"]
    return out


def setup_in_fresh_clone() -> tuple[float, int]:
    """(seconds of `make setup`, virtualenv bytes) in a clone of this project under /tmp."""
    with tempfile.TemporaryDirectory(prefix="bench-setup-") as tmp:
        clone = Path(tmp) / "classroom-kit"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
        started = time.monotonic()
        subprocess.run(["make", "setup"], cwd=clone, env=env, check=True, capture_output=True, timeout=3600)
        seconds = time.monotonic() - started
        size = sum(
            f.stat().st_size for f in (clone / ".venv").rglob("*") if f.is_file() and not f.is_symlink()
        )
        shutil.rmtree(clone, ignore_errors=True)
        return seconds, size


def run() -> list[dict]:
    runs = max(1, int(os.environ.get("BENCH_LESSON_RUNS", "3")))
    results = []
    for i in range(runs):
        with tempfile.TemporaryDirectory(prefix=f"bench-lesson-{i}-") as tmp:
            results.append(one_lesson(Path(tmp)))
            print(
                f"[bench] lesson run {i + 1}/{runs}: "
                + ", ".join(f"{k} {v:.1f}" for k, v in results[-1].items()),
                file=sys.stderr,
                flush=True,
            )
    rows = []
    for step, goal in GOALS.items():
        median = round(statistics.median(r[step] for r in results), 1)
        label = "make demo (up+train+status+down)" if step == "demo" else f"classroom {step}"
        rows.append(
            _row(f"lesson: {label}, median of {runs}", median, "s", f"<= {goal:.0f} s", median <= goal)
        )
    lines = int(statistics.median(r["lines"] for r in results))
    rows.append(
        _row(
            "lesson: lines printed by the demo (the CLI's; make adds 4)",
            lines,
            "lines",
            f"two screens (<= {DEMO_LINES_GOAL - 4})",
            lines <= DEMO_LINES_GOAL - 4,
        )
    )
    if os.environ.get("BENCH_LESSON_SETUP", "") not in ("", "0"):
        seconds, size = setup_in_fresh_clone()
        rows.append(
            _row(
                "lesson: make setup in a fresh clone",
                round(seconds, 1),
                "s",
                f"<= {SETUP_GOAL_S:.0f} s",
                seconds <= SETUP_GOAL_S,
            )
        )
        rows.append(_row("lesson: virtualenv size after make setup", round(size / 2**20), "MiB", "", None))
    return rows
