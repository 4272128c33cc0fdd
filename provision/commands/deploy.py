"""``classroom deploy JOB --minutes N``: put the job's last trained model behind an endpoint for N minutes.

The endpoint is created by the jobs package (``jobs.lifecycle.deploy``: model → endpoint config →
endpoint, tagged ``expires-at``) and then tagged with the class's scope so that ``classroom serve``,
``status`` and ``down`` find it. When its time is up, the next kit command removes it
(``provision.expiry.remove_expired``). Deploying a job that already has a live endpoint only
extends that endpoint's time.
"""

from __future__ import annotations

import datetime as dt

import boto3
import click

from kitcore import tags as kit_tags
from kitcore.errors import KitError
from kitcore.times import format_utc, now_utc
from provision.endpoints import class_endpoints, class_scope

MAX_MINUTES = 24 * 60


def check_request(job: str, minutes: int) -> None:
    from jobs import JOB_NAMES

    if job not in JOB_NAMES:
        raise KitError(f"unknown job {job!r}: choose one of {', '.join(JOB_NAMES)}")
    if not 1 <= minutes <= MAX_MINUTES:
        raise KitError(f"--minutes must be between 1 and {MAX_MINUTES} (got {minutes})")


def deploy(
    settings, job: str, minutes: int, instance_type: str | None = None, member: str | None = None
) -> tuple[str, str, bool]:
    """Point AWS clients at the class's target, then :func:`deploy_here` (in ``member``'s account of a
    class of accounts when given: provision/accounts/member_jobs.py)."""
    from jobs import lifecycle
    from provision import classroom

    check_request(job, minutes)
    where = None
    if member:
        from provision.accounts import member_jobs, state

        name, _account = member_jobs.find_member(settings, member)
        lifecycle.read_last(job, state.member_dir(settings, name))  # never trained there: one error
    else:
        lifecycle.read_last(job, classroom.class_dir(settings))  # never trained: one error, before AWS
    classroom.activate(settings)
    classroom.check_account(settings)
    if member:
        where = member_jobs.member_target(settings, member)
    return deploy_here(settings, job, minutes, instance_type, where)


def deploy_here(
    settings, job: str, minutes: int, instance_type: str | None = None, where=None
) -> tuple[str, str, bool]:
    """Deploy (or extend) the job's endpoint with the AWS settings of the environment, or in the member
    account ``where`` (a ``member_jobs.MemberTarget``); returns (endpoint name, expires-at, extended?)."""
    from jobs import lifecycle
    from provision import classroom

    check_request(job, minutes)
    allowed = settings.hosting_instance_types
    if instance_type and instance_type not in allowed:
        raise KitError(
            f"instance type {instance_type} is not in the class's hosting allowlist "
            f"({', '.join(allowed)}); see [guardrails] in classroom.toml"
        )
    class_dir = where.class_dir if where else classroom.class_dir(settings)
    last = lifecycle.read_last(job, class_dir)  # one clear error when the job was never trained
    if last.get("region") and last["region"] != settings.region:
        raise KitError(
            f"the {job} model was trained in {last['region']}, but the class is in "
            f"{settings.region}; run `classroom train {job}` again"
        )
    session = where.session if where else None
    sm = (session() if session else boto3).client("sagemaker", region_name=settings.region)
    account = lifecycle.Account(
        bucket=last["bucket"], role_arn=last["role_arn"], region=settings.region, session=session
    )
    scope = class_scope(settings)
    expires = format_utc(now_utc() + dt.timedelta(minutes=minutes))
    for e in class_endpoints(sm, scope):
        if e.job == job and e.status in ("InService", "Creating", "Updating") and not e.expired():
            sm.add_tags(ResourceArn=e.arn, Tags=[{"Key": kit_tags.EXPIRES, "Value": expires}])
            return e.name, expires, True
    dep = lifecycle.deploy(job, class_dir, minutes=minutes, instance_type=instance_type, account=account)
    try:
        arn = sm.describe_endpoint(EndpointName=dep.endpoint_name)["EndpointArn"]
        sm.add_tags(ResourceArn=arn, Tags=[{"Key": k, "Value": v} for k, v in scope.items()])
    except BaseException:
        lifecycle.undeploy(dep, account)
        raise
    return dep.endpoint_name, dep.expires_at or expires, False


@click.command()
@click.argument("job")
@click.option(
    "--minutes",
    type=int,
    default=30,
    show_default=True,
    help=f"how long the endpoint lives (1–{MAX_MINUTES}); it bills by the hour on AWS",
)
@click.option(
    "--instance-type", default=None, help="hosting instance type (default: the one the job trained with)"
)
@click.option(
    "--account",
    "member",
    default=None,
    metavar="MEMBER",
    help="class of accounts: deploy in this member's account (after `classroom train JOB --account`)",
)
@click.pass_context
def command(
    ctx: click.Context, job: str, minutes: int, instance_type: str | None, member: str | None
) -> None:
    """Deploy JOB's last trained model (rainfall, credit, spam) for --minutes, for `classroom serve`."""
    from provision.cli import load_settings

    check_request(job, minutes)  # before anything else: bad input is one line, nothing created
    settings = load_settings(ctx)
    name, expires, extended = deploy(settings, job, minutes, instance_type, member)
    verb = "extended" if extended else "deployed"
    click.echo(f"{job}: {verb} endpoint {name}, in service until {expires} ({minutes} min).")
    click.echo(
        "Ask it from a browser with `classroom serve`; after that time the next kit command "
        "removes it, and `classroom down` always does."
    )
