"""``classroom train [JOB...]``: run the lesson's jobs (all three by default) and write a report.

Inputs from the account setup: the models bucket and the SageMaker execution role, from
``--bucket`` / ``--role`` or the class's ``outputs.json`` (keys ``models_bucket`` and
``execution_role_arn``, written by ``classroom up``). In a class of accounts, ``--account MEMBER``
runs the jobs in that member's account (provision/accounts/member_jobs.py).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import click

from jobs import JOB_NAMES, job_class
from kitcore.errors import KitError
from kitcore.tags import class_scope

LOCAL_POLL_S = 1.0


def _pairs(values: tuple[str, ...], what: str, jobs: list[str], single_ok: bool = True) -> dict[str, str]:
    """``JOB=VALUE`` pairs; a bare ``VALUE`` is allowed when exactly one job runs."""
    out: dict[str, str] = {}
    for v in values:
        job, sep, value = v.partition("=")
        if not sep or job not in JOB_NAMES:
            if single_ok and len(jobs) == 1:
                job, value = jobs[0], v
            else:
                raise KitError(
                    f"{what} {v!r}: write JOB={what.strip('-').upper()} (e.g. rainfall=…) "
                    "when more than one job runs"
                )
        out[job] = value
    return out


def _data(values: tuple[str, ...], jobs: list[str]) -> dict[str, str | list[str]]:
    """``--data [JOB=]PATH``, repeatable: one value per job, except rainfall's pair of the lesson's
    ``x_*.csv`` and ``y_*.csv`` (two values for the same job); anything else repeated is an error."""
    given: dict[str, list[str]] = {}
    for v in values:
        ((job, path),) = _pairs((v,), "--data", jobs).items()
        given.setdefault(job, []).append(path)
    return {job: job_class(job).data_value(paths) for job, paths in given.items()}


def _options(values: tuple[str, ...], data: dict) -> dict[str, dict]:
    opts: dict[str, dict[str, str]] = {}
    for v in values:
        key, sep, value = v.partition("=")
        job, dot, name = key.partition(".")
        if not sep or not dot or not name:
            raise KitError(f"--option {v!r}: write JOB.NAME=VALUE (e.g. spam.max_jobs=4)")
        opts.setdefault(job, {})[name] = value
    for job, path in data.items():
        opts.setdefault(job, {})["data"] = path
    return opts


def _output(outputs: dict, key: str):
    """A Terraform output from outputs.json, bare or in `terraform output -json` form."""
    value = outputs.get(key)
    if isinstance(value, dict) and "value" in value and set(value) <= {"value", "type", "sensitive"}:
        return value["value"]
    return value


def check_guardrails(types: dict[str, str], outputs: dict) -> None:
    """The class's guardrail denies training / hosting on types outside its allowlists: say so before
    anything is uploaded, not after a training job was refused."""
    from fnmatch import fnmatch

    lists = _output(outputs, "guardrail_allowlists") or {}
    for sid, what in (
        ("DenyTrainingTypesOutsideAllowlist", "training"),
        ("DenyHostingTypesOutsideAllowlist", "hosting"),
    ):
        allowed = lists.get(sid)
        if not allowed:
            continue
        for job, itype in types.items():
            if not any(fnmatch(itype, pattern) for pattern in allowed):
                raise KitError(
                    f"{job}: instance type {itype} is not allowed for {what} in this class "
                    f"(allowed: {', '.join(allowed)}); choose one with --instance-type"
                )


def _account(
    ctx: click.Context,
    bucket: str | None,
    role: str | None,
    region: str | None,
    class_dir: str | None,
    member: str | None = None,
):
    """(Account, class_dir, target, tags) from the options, else the class settings and outputs.json."""
    from jobs.sdk import Account
    from kitcore.statedir import read_json

    session = None
    if member and class_dir:
        raise KitError("--account and --class-dir do not go together (--account uses the member's folder)")
    if member:  # a member account of a class of accounts, through its access role
        from provision import classroom
        from provision.accounts.member_jobs import find_member, member_target
        from provision.cli import load_settings

        settings = load_settings(ctx)
        find_member(settings, member)  # a wrong name is one error line, before AWS is asked
        classroom.activate(settings)
        classroom.check_account(settings)  # the class's management account
        where = member_target(settings, member)
        cdir, outputs, session = where.class_dir, where.outputs(), where.session
        if not outputs and not (bucket and role):
            raise KitError(f"member {where.member!r} has no outputs yet: run `classroom up` first")
        target, region = settings.target, region or settings.region
        tags = class_scope(settings.class_name)
    elif class_dir:  # explicit: no class settings needed (tests, scripts)
        cdir = Path(class_dir)
        outputs = read_json(cdir / "outputs.json", default={}) or {}
        target = "aws" if not os.environ.get("AWS_ENDPOINT_URL") else "local"
        tags: dict[str, str] = {}
        region = region or os.environ.get("AWS_DEFAULT_REGION") or outputs.get("region")
    else:
        from provision import classroom
        from provision.cli import load_settings

        settings = load_settings(ctx)
        cdir = classroom.class_dir(settings)
        outputs = classroom.read_outputs(settings)
        if not outputs and not (bucket and role):
            raise KitError(
                f"class {settings.class_name!r} has no outputs yet: run `make up` first "
                "(or give --bucket and --role)"
            )
        classroom.activate(settings)
        classroom.check_account(settings)  # before anything is uploaded or trained (issue 18 item 2)
        target, region = settings.target, region or settings.region
        tags = class_scope(settings.class_name)
    bucket = bucket or _output(outputs, "models_bucket")
    role = role or _output(outputs, "execution_role_arn")
    if not bucket or not role:
        raise KitError(
            "no models bucket / execution role known: run `make up` first (or give --bucket and --role)"
        )
    if not region:
        raise KitError("no AWS region known: set AWS_DEFAULT_REGION or give --region")
    return Account(bucket=bucket, role_arn=role, region=region, session=session), cdir, target, tags, outputs


class LiveJobs:
    """Quiet progress of ``run_all``: one line with every job's latest state, rewritten in place on a
    terminal ("jobs: rainfall ok · credit deploying … · spam tuning 5/20 done · 95 s"); piped, only
    the closing line. The summary table that follows gives each job's result."""

    def __init__(self, names: list[str]) -> None:
        from provision import ui

        self.line = ui.LiveLine()
        self.names = names
        self.state = dict.fromkeys(names, "waiting")
        self.lock = threading.Lock()

    def __call__(self, job: str, msg: str) -> None:
        with self.lock:
            if msg.startswith(("ok in", "failed in")):
                msg = msg.split(" in ")[0]
            else:  # "training rainfall-2026…" -> "training": resource names are in the -v lines
                words = msg.split()
                cut = next((i for i, w in enumerate(words) if any(c.isdigit() for c in w) and "-" in w), None)
                msg = " ".join(words[:cut])[:30]
            self.state[job] = msg
            self.line.update("jobs: " + " · ".join(f"{j} {m}" for j, m in self.state.items()))

    def close(self) -> None:
        with self.lock:
            done = sum(1 for job in self.names if self.state[job] == "ok")
            self.line.close(f"jobs: {done}/{len(self.names)} ok")


@click.command("train")
@click.argument("jobs", nargs=-1)
@click.option(
    "--data",
    "data",
    multiple=True,
    metavar="[JOB=]PATH",
    help="a local data file or folder for a job instead of its default data set; rainfall also takes "
    "its x_*.csv and y_*.csv as two --data values",
)
@click.option(
    "--option",
    "options",
    multiple=True,
    metavar="JOB.NAME=VALUE",
    help="a job setting, e.g. spam.max_jobs=4, rainfall.feature=TempAvgF, credit.epochs=20",
)
@click.option(
    "--instance-type",
    "instance_types",
    multiple=True,
    metavar="[JOB=]TYPE",
    help="training and hosting instance type (default ml.m5.xlarge, free-tier eligible)",
)
@click.option("--parallel", default=3, show_default=True, help="jobs run at the same time")
@click.option("--bucket", default=None, help="models bucket (default: the class's outputs.json)")
@click.option("--role", default=None, help="SageMaker execution role ARN (default: outputs.json)")
@click.option("--region", default=None, help="AWS region (default: the class settings)")
@click.option(
    "--account",
    "member",
    default=None,
    metavar="MEMBER",
    help="class of accounts: run in this member's account (student user name, team-NN or account id)",
)
@click.option(
    "--class-dir",
    default=None,
    type=click.Path(file_okay=False),
    help="class state folder holding outputs.json (default: from the class settings)",
)
@click.option(
    "--reports",
    "reports_dir",
    default="reports",
    show_default=True,
    type=click.Path(file_okay=False),
    help="where reports/<run-id>/ is written",
)
@click.pass_context
def command(
    ctx: click.Context,
    jobs: tuple[str, ...],
    data: tuple[str, ...],
    options: tuple[str, ...],
    instance_types: tuple[str, ...],
    parallel: int,
    bucket: str | None,
    role: str | None,
    region: str | None,
    member: str | None,
    class_dir: str | None,
    reports_dir: str,
) -> None:
    """Train, deploy, predict, evaluate and delete: rainfall, credit, spam (all by default)."""
    from jobs.runner import make_jobs, run_all, summary_table

    names = list(jobs) or list(JOB_NAMES)
    job_objs = make_jobs(names, _options(options, _data(data, names)))
    if len(instance_types) == 1 and "=" not in instance_types[0]:
        types = dict.fromkeys(names, instance_types[0])
    else:
        types = _pairs(instance_types, "--instance-type", names)
    account, cdir, target, tags, outputs = _account(ctx, bucket, role, region, class_dir, member)
    from jobs.lifecycle import DEFAULT_INSTANCE_TYPE, FREE_TIER_INSTANCE_TYPES

    chosen = {n: types.get(n, DEFAULT_INSTANCE_TYPE) for n in names}
    check_guardrails(chosen, outputs)
    for job, itype in chosen.items():
        if itype not in FREE_TIER_INSTANCE_TYPES:
            click.echo(f"note: {job} uses {itype}, which the SageMaker free tier does not cover", err=True)
    where = f" · account of {member}" if member else ""
    click.echo(
        f"training {', '.join(names)} · bucket {account.bucket} · region {account.region}{where}", err=True
    )
    # the embedded AWS finishes a small job in about a second: poll it at most every second (AWS: the
    # SDK's 5 s, CLASSROOM_POLL_SECONDS overrides both); each wait starts at 0.1 s and backs off
    poll = None if target == "aws" or os.environ.get("CLASSROOM_POLL_SECONDS") else LOCAL_POLL_S
    from provision import ui

    live = None if ui.verbose() else LiveJobs(names)  # -v: one line per job state change
    try:
        results, page = run_all(
            job_objs,
            account,
            cdir,
            Path(reports_dir),
            parallel=parallel,
            instance_types=types,
            target=target,
            poll=poll,
            progress=live,
        )
    finally:
        if live is not None:
            live.close()
    click.echo("\n" + summary_table(results))
    click.echo(f"\nreport: {page}")
    if any(r.status == "interrupted" for r in results):
        raise KeyboardInterrupt
    bad = [r.job for r in results if r.status != "ok"]
    if bad:
        raise KitError(f"{len(bad)} job(s) did not finish: {', '.join(bad)} (see the summary above)")
