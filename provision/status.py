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
from provision.teardown.receipt import columns
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
class Stored:
    """Storage the class keeps while it exists, billed per GB-month (``costs.STORAGE``)."""

    kind: str  # efs, space-volume, s3
    name: str
    region: str
    what: str  # the price table's per_gb_month key
    size_bytes: int
    per_gb_month: float | None = None  # None = no price known

    @property
    def per_month(self) -> float | None:
        return None if self.per_gb_month is None else self.size_bytes / costs.GB * self.per_gb_month

    @property
    def per_hour(self) -> float | None:
        month = self.per_month
        return None if month is None else month / costs.HOURS_PER_MONTH


@dataclass
class Status:
    running: list[Running] = field(default_factory=list)
    free_hours: dict[str, float] = field(default_factory=dict)
    table: costs.PriceTable | None = None
    plan: str = ""  # which free offer applies: the SageMaker free trial, credits, or "cannot tell"
    stored: list[Stored] = field(default_factory=list)

    @property
    def instances_per_hour(self) -> float:
        return sum(r.per_hour or 0.0 for r in self.running)

    @property
    def storage_per_hour(self) -> float:
        return sum(s.per_hour or 0.0 for s in self.stored)

    @property
    def total_per_hour(self) -> float:
        return self.instances_per_hour + self.storage_per_hour

    @property
    def unpriced(self) -> list[Running | Stored]:
        return [r for r in [*self.running, *self.stored] if r.per_hour is None]


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


@dataclass
class _TrainingUse:
    """Billed seconds (× instances) of every training job listed, by instance type."""

    seconds: dict[str, float] = field(default_factory=dict)


def _training_use(ctx: Context, region: str) -> list[_TrainingUse]:
    """Every training job listed in ``region``, described in parallel (after a lesson there are ~25:
    one DescribeTrainingJob after another cost seconds of round trips)."""
    sm = ctx.aws.client("sagemaker", region)
    names = [
        j["TrainingJobName"]
        for j in paged(sm, "list_training_jobs", "TrainingJobSummaries", MaxResults=page_size())
    ]
    use = _TrainingUse()
    if not names:
        return [use]
    with ThreadPoolExecutor(max_workers=max(1, min(ctx.workers, len(names)))) as pool:
        described = list(pool.map(lambda n: sm.describe_training_job(TrainingJobName=n), names))
    for d in described:
        rc = d.get("ResourceConfig") or {}
        secs = d.get("BillableTimeInSeconds") or d.get("TrainingTimeInSeconds") or 0
        itype = rc.get("InstanceType") or ""
        use.seconds[itype] = use.seconds.get(itype, 0.0) + float(secs) * int(rc.get("InstanceCount") or 1)
    return [use]


def _training_hours_of(use: _TrainingUse, types: tuple[str, ...]) -> float:
    return sum(s for itype, s in use.seconds.items() if itype in types) / 3600


# --- storage: the class's domains' home EFS and spaces' volumes, the class's buckets --------------------
DEFAULT_SPACE_GB = 5  # API reference EbsStorageSettings/DefaultEbsStorageSettings: 5..16384 GB
EBS_APP_TYPES = ("JupyterLab", "CodeEditor")  # spaces with their own EBS volume (Classic ones use the EFS)


def _dig(d: dict | None, *keys: str):
    for k in keys:
        d = (d or {}).get(k)
    return d


def _studio_storage(ctx: Context, region: str) -> list[Stored]:
    """Each class domain's home EFS (DescribeFileSystems' metered SizeInBytes) and each JupyterLab /
    Code Editor space's EBS volume (its EbsVolumeSizeInGb, else the domain's default, else 5 GB): a
    space's volume exists, and bills per provisioned GB, whether or not an app runs on it."""
    sm = ctx.aws.client("sagemaker", region)
    out: list[Stored] = []
    for domain_id in ctx.domain_ids():
        try:
            domain = sm.describe_domain(DomainId=domain_id)
        except Exception as err:
            if is_not_found(err):
                continue
            raise
        fs_id = domain.get("HomeEfsFileSystemId")
        if fs_id:
            try:
                fs = ctx.aws.client("efs", region).describe_file_systems(FileSystemId=fs_id)["FileSystems"][0]
                size = int(_dig(fs, "SizeInBytes", "Value") or 0)
                out.append(Stored("efs", f"{fs_id} (home of {domain_id})", region, "efs-standard", size))
            except Exception as err:
                if not is_not_found(err):
                    raise
        default_gb = next(
            (
                int(v)
                for where in ("DefaultSpaceSettings", "DefaultUserSettings")
                if (
                    v := _dig(
                        domain,
                        where,
                        "SpaceStorageSettings",
                        "DefaultEbsStorageSettings",
                        "DefaultEbsVolumeSizeInGb",
                    )
                )
            ),
            DEFAULT_SPACE_GB,
        )
        for space in per_domain(ctx, region, "list_spaces", "Spaces", [domain_id]):
            summary = space.get("SpaceSettingsSummary") or {}
            if summary.get("AppType") not in EBS_APP_TYPES or space.get("Status") in ("Deleting", "Failed"):
                continue
            gb = (
                _dig(summary, "SpaceStorageSettings", "EbsStorageSettings", "EbsVolumeSizeInGb") or default_gb
            )
            name = f"{domain_id}/{space['SpaceName']} ({gb} GB)"
            out.append(Stored("space-volume", name, region, "studio-space-volume", int(gb) * costs.GB))
    return out


def _bucket_storage(ctx: Context, region: str) -> list[Stored]:
    """The class's buckets (Terraform's, the SDK default bucket when the class made it): every object
    version's bytes (S3 bills noncurrent versions too), summed from ListObjectVersions."""
    s3 = ctx.aws.client("s3", region)
    names = [*ctx.scope.buckets, *([ctx.scope.default_bucket] if ctx.scope.default_bucket else [])]
    out: list[Stored] = []
    for name in dict.fromkeys(names):
        try:
            versions = paged(s3, "list_object_versions", "Versions", Bucket=name)
        except Exception as err:
            if is_not_found(err):
                continue
            raise
        out.append(Stored("s3", name, region, "s3-standard", sum(int(v.get("Size") or 0) for v in versions)))
    return out


def collect(ctx: Context, table: costs.PriceTable | None = None) -> Status:
    table = table or costs.load()
    regions = ctx.sweep_regions()
    tasks = [(_endpoints, r) for r in regions] + [(_notebooks, r) for r in regions]
    tasks += [(_apps, ctx.scope.region), (_jobs, ctx.scope.region)]
    tasks += [(_studio_storage, ctx.scope.region), (_bucket_storage, ctx.scope.region)]
    if any(tier.use == "training" for tier in table.free_tier):
        tasks.append((_training_use, ctx.scope.region))
    # every question at once: the free plan and the training hours no longer wait for the sweep
    with ThreadPoolExecutor(max_workers=ctx.workers) as pool:
        plan = pool.submit(free_plan, ctx)
        rows = [row for rows in pool.map(lambda t: t[0](ctx, t[1]), tasks) for row in rows]
        plan_text = plan.result()
    found = [r for r in rows if isinstance(r, Running)]
    stored = [r for r in rows if isinstance(r, Stored)]
    training = next((r for r in rows if isinstance(r, _TrainingUse)), _TrainingUse())
    for r in found:
        if r.per_hour is None:
            price = table.price(r.region, r.use, r.instance_type)
            r.per_hour = price * r.count if price is not None else None
    for s in stored:
        s.per_gb_month = table.storage_price(s.region, s.what)
    st = Status(running=found, table=table, plan=plan_text, stored=stored)
    for tier in table.free_tier:
        if tier.use == "training":
            st.free_hours["training"] = _training_hours_of(training, tier.instance_types)
        else:
            st.free_hours[tier.use] = sum(
                _hours_since(r.since) * r.count
                for r in found
                if r.use == tier.use and r.instance_type in tier.instance_types
            )
    return st


def _one_line(message: str) -> str:
    """An error's first line without an HTML page (the embedded AWS answers 500 with one)."""
    return message.splitlines()[0].split("<", 1)[0].rstrip(": ") if message else message


def free_plan(ctx: Context) -> str:
    """Which free offer applies. Accounts created on or after 2025-07-15 are on the AWS free plan
    with credits, not the SageMaker free trial (aws.amazon.com/free). The Free Tier API's
    GetAccountPlanState (botocore 1.44 service ``freetier``) answers for accounts on that plan; when
    it cannot be asked or does not answer, say so instead of guessing."""
    try:
        # two attempts, not the teardown's eight adaptive ones: this answer is information only, and a
        # server that cannot answer (the embedded AWS answers 500) cost `classroom status` ~5 s of
        # back-off; a throttled or failed call says "cannot tell" below
        state = ctx.aws.client("freetier", "us-east-1", max_attempts=2).get_account_plan_state()
    except Exception as err:  # AccessDenied, an account without a plan, the embedded AWS: cannot tell
        from provision.teardown.aws import describe_error

        return (
            "cannot tell whether the SageMaker free trial (accounts created before 2025-07-15) or "
            "free-plan credits (created on or after) apply: "
            f"GetAccountPlanState: {_one_line(describe_error(err))}"
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


def _table(heads: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    return columns(heads, rows, indent="  ")


def _size(n: int) -> str:
    for unit, div in (("GiB", costs.GB), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= div:
            return f"{n / div:.1f} {unit}"
    return f"{n} B"


def format_storage(stored: list[Stored]) -> list[str]:
    """The storage rows: size, $/month (per GB-month × size) and its $/hour equivalent (÷ 730 h)."""
    rows = [
        (
            s.kind,
            s.name,
            s.region,
            _size(s.size_bytes),
            "no price in the table" if s.per_month is None else f"${s.per_month:.4f}/month",
            "" if s.per_hour is None else f"≈ ${s.per_hour:.6f}/h",
        )
        for s in stored
    ]
    head = (
        f"  Storage the class keeps (billed per GB-month while it exists; $/hour = $/month ÷ "
        f"{costs.HOURS_PER_MONTH} h):"
    )
    return [head, *_table(("KIND", "NAME", "REGION", "SIZE", "COST", "PER HOUR"), rows)]


def format_status(st: Status, class_name: str) -> str:
    lines = [f"What runs now for class {class_name!r}:"]
    if not st.running:
        lines.append("  nothing is running" + ("" if st.stored else ": $0.00/hour"))
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
        lines += _table(("KIND", "NAME", "REGION", "INSTANCE TYPE", "COUNT", "COST"), rows)
    if st.stored:
        lines += format_storage(st.stored)
    if st.running or st.stored:
        total = (
            f"  total ≈ ${st.total_per_hour:.2f}/hour (≈ ${st.total_per_hour * 24 * 30:.0f}/month if left on)"
        )
        if st.stored:
            total += (
                f": instances ${st.instances_per_hour:.2f}/hour + storage ${st.storage_per_hour:.4f}/hour"
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


def format_class(
    settings, created: list[dict], emulator: str, endpoints: list | None, detail: bool = True
) -> str:
    """The class section of `classroom status`: what the kit created, the embedded AWS, endpoints.
    Without ``detail`` (quiet, no ``-v``) the created resources are one count, not one line per type."""
    out = [f"Class {settings.class_name!r} ({settings.region}, TARGET={settings.target})", f"  {emulator}"]
    if created and not detail:
        kinds = len({str(r.get("type", "?")) for r in created})
        out.append(
            f"  created by the kit (Terraform state): {len(created)} resource(s) of {kinds} type(s)"
            " (-v lists them)"
        )
    elif created:
        out.append(f"  created by the kit (Terraform state): {len(created)} resource(s)")
        out += [f"    {line}" for line in summarize_created(created)]
    else:
        out.append("  created by the kit: nothing (no Terraform state; `classroom up` creates the class)")
    if endpoints is not None:
        out.append(f"  class endpoints: {len(endpoints)}")
        out += [f"    {line}" for line in endpoint_time_left(endpoints)]
    return "\n".join(out)
