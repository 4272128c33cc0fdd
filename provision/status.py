"""`classroom status`: what runs now (endpoints and notebook instances in every enabled region; Studio
apps of the class's domains and training / tuning / transform jobs in the class's region), with an
estimated $/hour from the shipped price table, and the free-tier hours used so far.

Free-tier use is a lower bound from what the APIs still show: training hours of every training job
listed in the class's region (BillableTimeInSeconds); hosting and notebook hours of the endpoints,
notebook instances and Studio apps that exist now. Deleted endpoints are not counted (only Cost
Explorer knows them).
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from provision import costs
from provision.teardown.aws import is_not_found, page_size, paged
from provision.teardown.model import Context
from provision.teardown.studio import per_domain


@dataclass
class Running:
    kind: str
    name: str
    region: str
    use: str  # price table use: training, transform, hosting, notebook
    instance_type: str
    count: int = 1
    since: dt.datetime | None = None
    per_hour: float | None = None  # total for this row, None = no price known


@dataclass
class Status:
    running: list[Running] = field(default_factory=list)
    free_hours: dict[str, float] = field(default_factory=dict)
    table: costs.PriceTable | None = None
    plan: str = ""  # which free offer applies: the SageMaker free trial, credits, or "cannot tell"

    @property
    def total_per_hour(self) -> float:
        return sum(r.per_hour or 0.0 for r in self.running)

    @property
    def unpriced(self) -> list[Running]:
        return [r for r in self.running if r.per_hour is None]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _hours_since(t: dt.datetime | None) -> float:
    if t is None:
        return 0.0
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return max(0.0, (_now() - t).total_seconds() / 3600)


def _endpoints(ctx: Context, region: str) -> list[Running]:
    sm = ctx.aws.client("sagemaker", region)
    out = []
    for e in paged(sm, "list_endpoints", "Endpoints", MaxResults=page_size()):
        if e.get("EndpointStatus") in ("Deleting", "Failed"):
            continue
        try:
            d = sm.describe_endpoint(EndpointName=e["EndpointName"])
            cfg = sm.describe_endpoint_config(EndpointConfigName=d["EndpointConfigName"])
        except Exception as err:
            if is_not_found(err):
                continue
            raise
        counts = {v["VariantName"]: v.get("CurrentInstanceCount") for v in d.get("ProductionVariants") or []}
        for v in cfg.get("ProductionVariants") or []:
            if v.get("ServerlessConfig") or not v.get("InstanceType"):
                continue
            n = counts.get(v["VariantName"]) or v.get("InitialInstanceCount") or 1
            out.append(
                Running(
                    "endpoint",
                    e["EndpointName"],
                    region,
                    "hosting",
                    v["InstanceType"],
                    int(n),
                    e.get("CreationTime"),
                )
            )
    return out


def _notebooks(ctx: Context, region: str) -> list[Running]:
    sm = ctx.aws.client("sagemaker", region)
    return [
        Running(
            "notebook-instance",
            n["NotebookInstanceName"],
            region,
            "notebook",
            n.get("InstanceType", ""),
            1,
            n.get("LastModifiedTime"),
        )
        for n in paged(sm, "list_notebook_instances", "NotebookInstances", MaxResults=page_size())
        if n.get("NotebookInstanceStatus") in ("InService", "Pending", "Updating")
    ]


def _apps(ctx: Context, region: str) -> list[Running]:
    out = []
    for a in per_domain(ctx, region, "list_apps", "Apps", list(ctx.domain_ids())):
        itype = (a.get("ResourceSpec") or {}).get("InstanceType") or ""
        if a.get("Status") not in ("InService", "Pending") or itype in ("", "system"):
            continue  # the JupyterServer on "system" is free
        owner = a.get("SpaceName") or a.get("UserProfileName", "")
        out.append(
            Running(
                "studio-app",
                f"{owner}/{a['AppType']}/{a['AppName']}",
                region,
                "notebook",
                itype,
                1,
                a.get("CreationTime"),
            )
        )
    return out


# running jobs that bill per instance: (kind, usage, List op, its key, name key, Describe op, resources key)
_BILLED_JOBS = (
    (
        "training-job",
        "training",
        "list_training_jobs",
        "TrainingJobSummaries",
        "TrainingJobName",
        "describe_training_job",
        "ResourceConfig",
    ),
    (
        "transform-job",
        "transform",
        "list_transform_jobs",
        "TransformJobSummaries",
        "TransformJobName",
        "describe_transform_job",
        "TransformResources",
    ),
)


def _jobs(ctx: Context, region: str) -> list[Running]:
    sm = ctx.aws.client("sagemaker", region)
    out = []
    for kind, usage, list_op, key, name_key, describe_op, resources_key in _BILLED_JOBS:
        for j in paged(sm, list_op, key, StatusEquals="InProgress", MaxResults=page_size()):
            name = j[name_key]
            res = getattr(sm, describe_op)(**{name_key: name}).get(resources_key) or {}
            out.append(
                Running(
                    kind,
                    name,
                    region,
                    usage,
                    res.get("InstanceType", ""),
                    int(res.get("InstanceCount") or 1),
                    j.get("CreationTime"),
                )
            )
    for j in paged(
        sm,
        "list_hyper_parameter_tuning_jobs",
        "HyperParameterTuningJobSummaries",
        StatusEquals="InProgress",
        MaxResults=page_size(),
    ):
        # a tuning job costs what its running training jobs cost (listed above); shown for completeness
        out.append(
            Running(
                "tuning-job",
                j["HyperParameterTuningJobName"],
                region,
                "training",
                "(its training jobs)",
                0,
                j.get("CreationTime"),
                per_hour=0.0,
            )
        )
    return out


def _training_hours(ctx: Context, region: str, types: tuple[str, ...]) -> float:
    sm = ctx.aws.client("sagemaker", region)
    seconds = 0.0
    for j in paged(sm, "list_training_jobs", "TrainingJobSummaries", MaxResults=page_size()):
        d = sm.describe_training_job(TrainingJobName=j["TrainingJobName"])
        rc = d.get("ResourceConfig") or {}
        if rc.get("InstanceType") in types:
            secs = d.get("BillableTimeInSeconds") or d.get("TrainingTimeInSeconds") or 0
            seconds += float(secs) * int(rc.get("InstanceCount") or 1)
    return seconds / 3600


def collect(ctx: Context, table: costs.PriceTable | None = None) -> Status:
    table = table or costs.load()
    regions = ctx.sweep_regions()
    tasks = [(_endpoints, r) for r in regions] + [(_notebooks, r) for r in regions]
    tasks += [(_apps, ctx.scope.region), (_jobs, ctx.scope.region)]
    with ThreadPoolExecutor(max_workers=ctx.workers) as pool:
        found = [row for rows in pool.map(lambda t: t[0](ctx, t[1]), tasks) for row in rows]
    for r in found:
        if r.per_hour is None:
            price = table.price(r.region, r.use, r.instance_type)
            r.per_hour = price * r.count if price is not None else None
    st = Status(running=found, table=table, plan=free_plan(ctx))
    for tier in table.free_tier:
        if tier.use == "training":
            st.free_hours["training"] = _training_hours(ctx, ctx.scope.region, tier.instance_types)
        else:
            st.free_hours[tier.use] = sum(
                _hours_since(r.since) * r.count
                for r in found
                if r.use == tier.use and r.instance_type in tier.instance_types
            )
    return st


def free_plan(ctx: Context) -> str:
    """Which free offer applies. Accounts created on or after 2025-07-15 are on the AWS free plan
    with credits, not the SageMaker free trial (aws.amazon.com/free). The Free Tier API's
    GetAccountPlanState (botocore 1.44 service ``freetier``) answers for accounts on that plan; when
    it cannot be asked or does not answer, say so instead of guessing."""
    try:
        state = ctx.aws.client("freetier", "us-east-1").get_account_plan_state()
    except Exception as err:  # AccessDenied, an account without a plan, the embedded AWS: cannot tell
        from provision.teardown.aws import describe_error

        return (
            "cannot tell whether the SageMaker free trial (accounts created before 2025-07-15) or "
            f"free-plan credits (created on or after) apply: GetAccountPlanState: {describe_error(err)}"
            " — see Billing → Free Tier / Credits"
        )
    kind = state.get("accountPlanType", "?")
    credits = state.get("accountPlanRemainingCredits") or {}
    if not credits:  # no credits reported: not proof either way
        return (
            f"AWS account plan {kind} without credits reported: cannot tell whether the SageMaker free "
            "trial applies (it does for accounts created before 2025-07-15) — see Billing → Free Tier"
        )
    left = f"${float(credits.get('amount', 0)):.2f} credits left"
    until = state.get("accountPlanExpirationDate")
    when = f" until {until:%Y-%m-%d}" if hasattr(until, "strftime") else ""
    return (
        f"AWS free plan ({kind}, {state.get('accountPlanStatus', '?')}): {left}{when}; the SageMaker "
        "free-trial hours below do not apply to this account (credits pay instead)"
    )


def format_status(st: Status, class_name: str) -> str:
    lines = [f"What runs now for class {class_name!r}:"]
    if not st.running:
        lines.append("  nothing is running: $0.00/hour")
    else:
        rows = [
            (
                r.kind,
                r.name,
                r.region,
                r.instance_type,
                str(r.count),
                "no price in the table" if r.per_hour is None else f"${r.per_hour:.3f}/h",
            )
            for r in st.running
        ]
        heads = ("KIND", "NAME", "REGION", "INSTANCE TYPE", "COUNT", "COST")
        widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(heads)]
        lines.append("  " + "  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)))
        lines += [
            "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
        ]
        total = (
            f"  total ≈ ${st.total_per_hour:.2f}/hour (≈ ${st.total_per_hour * 24 * 30:.0f}/month if left on)"
        )
        if st.unpriced:
            total += f"; {len(st.unpriced)} item(s) without a price are not included"
        lines.append(total)
    if st.table:
        lines.append(f"  prices: {st.table.caption}")
        if st.plan:
            lines.append(f"Free offer: {st.plan}")
        lines.append(
            "Free tier used so far (lower bound; legacy free tier, first 2 months; batch "
            "transform is not in it):"
        )
        for tier in st.table.free_tier:
            used = st.free_hours.get(tier.use, 0.0)
            lines.append(
                f"  {tier.use:<9} {used:7.2f} h of {tier.hours:.0f} h ({', '.join(tier.instance_types)})"
            )
    return "\n".join(lines)


# --- what the kit created (Terraform state), the embedded AWS, class endpoints' time left ----------------
def summarize_created(rows: list[dict], shown: int = 3) -> list[str]:
    """``provision.classroom.created_resources`` rows as one line per resource type, with a count and
    the first few names, e.g. ``aws_iam_user 4 (administrator, alice, bob, …)``."""
    by_type: dict[str, list[str]] = {}
    for r in rows:
        ident = str(r.get("id") or "")
        short = ident and len(ident) <= 40 and not ident.startswith("arn:")
        label = ident if short else str(r.get("name", ""))
        by_type.setdefault(str(r.get("type", "?")), []).append(label)
    lines = []
    for typ in sorted(by_type):
        names = sorted(by_type[typ])
        more = ", …" if len(names) > shown else ""
        lines.append(f"{typ} {len(names)} ({', '.join(names[:shown])}{more})")
    return lines


def emulator_line(target: str) -> str:
    """Whether the embedded AWS runs (TARGET=local), in one line; never starts it."""
    if target != "local":
        return f"embedded AWS: not used (TARGET={target})"
    from provision import embedded

    emu = embedded.find()
    if emu is not None:
        return f"embedded AWS: running at {emu.url} (pid {emu.pid})"
    if embedded.recorded_but_dead():
        return (
            "embedded AWS: NOT running — its process died (state is lost); "
            "`classroom emulator start`, then `classroom up`"
        )
    return "embedded AWS: not running (`classroom emulator start` or `classroom up` starts it)"


def _duration(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def endpoint_time_left(endpoints: list, now: dt.datetime | None = None) -> list[str]:
    """One line per class endpoint (``provision.endpoints.ClassEndpoint``) with its time left."""
    now = now or _now()
    lines = []
    for e in endpoints:
        left = e.seconds_left(now)
        if left is None:
            when = "no expires-at tag: it runs (and bills) until deleted"
        elif left >= 0:
            when = f"{_duration(left)} left (expires {e.expires_at:%Y-%m-%d %H:%M} UTC)"
        else:
            when = f"expired {_duration(left)} ago (the next command's sweep deletes it)"
        lines.append(f"{e.name} [{e.status}]: {when}")
    return lines


def format_class(settings, created: list[dict], emulator: str, endpoints: list | None) -> str:
    """The class section of `classroom status`: what the kit created, the embedded AWS, endpoints."""
    out = [f"Class {settings.class_name!r} ({settings.region}, TARGET={settings.target})", f"  {emulator}"]
    if created:
        out.append(f"  created by the kit (Terraform state): {len(created)} resource(s)")
        out += [f"    {line}" for line in summarize_created(created)]
    else:
        out.append("  created by the kit: nothing (no Terraform state; `classroom up` creates the class)")
    if endpoints is not None:
        out.append(f"  class endpoints: {len(endpoints)}")
        out += [f"    {line}" for line in endpoint_time_left(endpoints)]
    return "\n".join(out)
