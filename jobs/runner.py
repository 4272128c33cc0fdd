"""Run several jobs (in parallel where the account allows), print progress, summarise, report."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobs import JOB_NAMES, job_class
from jobs.lifecycle import DEFAULT_INSTANCE_TYPE, Context, Job, JobResult, now_run_id, run
from jobs.sdk import Account
from kitcore.errors import KitError


def make_jobs(names: list[str], options: dict[str, dict[str, Any]] | None = None) -> list[Job]:
    """Job objects for ``names`` (all three if empty); unknown names and options fail first."""
    names = list(names) or list(JOB_NAMES)
    seen = set()
    for n in names:
        job_class(n)
        if n in seen:
            raise KitError(f"job {n!r} is listed twice")
        seen.add(n)
    options = options or {}
    stray = set(options) - set(names)
    if stray:
        raise KitError(f"options given for job(s) not run: {', '.join(sorted(stray))}")
    return [job_class(n)(options.get(n)) for n in names]


def check_instance_type(name: str) -> str:
    """``ml.<family>.<size>``; one clear error otherwise."""
    import re

    if not re.fullmatch(r"ml\.[a-z0-9]+\.[a-z0-9]+", name):
        raise KitError(f"instance type {name!r} is not a SageMaker instance type (like ml.m5.xlarge)")
    return name


@dataclass
class Printer:
    """One progress line per job state change: ``[  12s] rainfall   training …``."""

    out: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True)
    started: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)
    last: dict[str, str] = field(default_factory=dict)

    def __call__(self, job: str, msg: str) -> None:
        with self.lock:
            if self.last.get(job) == msg:
                return
            self.last[job] = msg
            self.out(f"[{time.monotonic() - self.started:5.0f}s] {job:<9} {msg}")


def summary_table(results: list[JobResult]) -> str:
    rows = [("job", "state", "elapsed", "result")]
    for r in results:
        rows.append((r.job, r.status, f"{r.elapsed_s:.0f} s", r.headline or r.error))
    w = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(f"{a:<{w[0]}}  {b:<{w[1]}}  {c:>{w[2]}}  {d}" for a, b, c, d in rows)


def run_all(
    jobs: list[Job],
    account: Account,
    class_dir: Path,
    reports_dir: Path,
    parallel: int = 3,
    instance_types: dict[str, str] | None = None,
    run_id: str | None = None,
    progress: Callable[[str, str], None] | None = None,
    poll: float | None = None,
    target: str = "",
) -> tuple[list[JobResult], Path]:
    """Prepare-check every job, run them, write the report; returns results and the HTML page path.

    Bad input in any job stops everything before the first upload. Ctrl-C sets a shared flag: every
    running job stops waiting, deletes what it deployed, and the report still gets written.
    """
    if parallel < 1:
        raise KitError(f"--parallel must be at least 1 (got {parallel})")
    types = {j.name: DEFAULT_INSTANCE_TYPE for j in jobs}
    for name, itype in (instance_types or {}).items():
        if name not in types:
            raise KitError(f"instance type given for job {name!r}, which is not run")
        types[name] = check_instance_type(itype)
    printer = progress or Printer()
    for job in jobs:  # validate every input before anything is uploaded
        printer(job.name, "checking data")
        job.prepared()
    from jobs.sdk import SageMaker

    preflight = SageMaker(account)
    preflight.check_bucket()  # no `make up` yet → one clear error, nothing uploaded
    preflight.check_role()
    run_id = run_id or now_run_id()
    cancel = threading.Event()
    ctx = {
        j.name: Context(
            account=account,
            class_dir=class_dir,
            run_id=run_id,
            cancel=cancel,
            train_instance_type=types[j.name],
            deploy_instance_type=types[j.name],
            progress=printer,
            poll=poll,
        )
        for j in jobs
    }
    results: dict[str, JobResult] = {}
    pool = ThreadPoolExecutor(max_workers=min(parallel, len(jobs)), thread_name_prefix="job")
    futures = {j.name: pool.submit(run, j, ctx[j.name]) for j in jobs}
    try:
        for name, fut in futures.items():
            while True:
                try:
                    results[name] = fut.result(timeout=0.5)
                    break
                except TimeoutError:
                    continue
    except KeyboardInterrupt:
        cancel.set()
        printer("all", "interrupted: stopping jobs and deleting what they deployed …")
        for name, fut in futures.items():
            results[name] = fut.result()
    finally:
        pool.shutdown(wait=True)
    ordered = [results[j.name] for j in jobs]
    for r in ordered:
        printer(
            r.job,
            f"{r.status} in {r.elapsed_s:.0f} s"
            + (f": {r.headline}" if r.headline else (f": {r.error}" if r.error else "")),
        )
    from jobs import report

    page = report.write(ordered, Path(reports_dir) / run_id, run_id, target)
    return ordered, page
