"""Which SageMaker resources are the class's: the teardown deletes only what it can prove belongs to
the class, and lists the rest as "not the class's: left alone".

A resource is the class's when (checked in this order):
- it carries the tag ``classroom=<class>`` — Terraform's ``default_tags``, the kit's jobs (they add the
  class's tags to everything they create), and everything made in the class's Studio domain: the domain
  and every profile carry the class's tags and the domain has ``TagPropagation=ENABLED``, so SageMaker
  copies those custom tags onto what students create in Studio (CreateDomain ``TagPropagation``,
  botocore sagemaker-2017-07-24 service model; provider ``aws_sagemaker_domain.tag_propagation``);
- it carries the ``sagemaker:domain-arn`` tag SageMaker adds by itself to resources created in Studio
  (AWS doc "Tag SageMaker AI resources created in Studio": ``sagemaker:domain-arn``,
  ``sagemaker:user-profile-arn``, ``sagemaker:space-arn``), naming one of the class's domains (the
  embedded AWS adds them the same way: ``emulator/account/studio_tags.py``);
- it is reachable from an owned item (an owned endpoint's config, model and log group) — the kinds'
  ``expand``;
- the class declared its account dedicated (``[class] dedicated_account = true``, the account id
  pinned): then a resource without any ``classroom`` tag is in scope too, and its plan line says so.
A resource tagged for another class is never in scope. Studio apps, spaces and profiles are scoped by
the class's domain (ListApps/ListSpaces/ListUserProfiles with ``DomainIdEquals``); buckets by the
Terraform outputs and tags.

Tags come from the Resource Groups Tagging API: one paged GetResources per region (ResourceTypeFilters
``sagemaker``) gives every tagged SageMaker resource with its tags, shared by the kinds of a listing
pass, instead of one ListTags per resource. A resource it does not return has never been tagged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from provision.teardown.aws import page_size, paged
from provision.teardown.model import Context, Item, item

CLASS_TAG = "classroom"
DOMAIN_ARN_TAG = "sagemaker:domain-arn"


def tag_index(ctx: Context, region: str, service: str = "sagemaker") -> dict[str, dict[str, str]]:
    """lower-cased ARN -> tags, for every tagged resource of ``service`` in ``region`` (shared within a
    listing pass). SageMaker gives some ARNs lower-cased and names in mixed case: compare lower-cased."""

    def fetch() -> dict[str, dict[str, str]]:
        tagging = ctx.aws.client("resourcegroupstaggingapi", region)
        out: dict[str, dict[str, str]] = {}
        for r in paged(tagging, "get_resources", "ResourceTagMappingList", ResourceTypeFilters=[service]):
            out[r["ResourceARN"].lower()] = {t["Key"]: t["Value"] for t in r.get("Tags") or []}
        return out

    return ctx.cached(("tag_index", region, service), fetch)


def class_value(ctx: Context) -> str:
    return ctx.scope.tags.get(CLASS_TAG) or ctx.scope.class_name


def why_owned(ctx: Context, tags: dict[str, str]) -> str | None:
    """Why a resource with ``tags`` is the class's, or None (not the class's)."""
    mine = class_value(ctx)
    if tags.get(CLASS_TAG) == mine:
        return f"tagged {CLASS_TAG}={mine}"
    domain_arn = tags.get(DOMAIN_ARN_TAG, "")
    if domain_arn:
        domain = domain_arn.rsplit("/", 1)[-1]
        if domain in ctx.domain_ids():
            return f"made in the class's Studio domain {domain} (tag {DOMAIN_ARN_TAG})"
    if ctx.scope.dedicated and CLASS_TAG not in tags:
        return (
            f"no {CLASS_TAG} tag; in scope because [class] dedicated_account = true "
            f"(account {ctx.scope.account_id} is the class's alone)"
        )
    return None


def why_not(ctx: Context, tags: dict[str, str]) -> str:
    """Why a resource is left alone (the plan's and receipt's "not the class's" list)."""
    other = tags.get(CLASS_TAG)
    if other is not None:
        return f"tagged {CLASS_TAG}={other} (another class)"
    if tags.get(DOMAIN_ARN_TAG):
        return f"made in another Studio domain ({tags[DOMAIN_ARN_TAG].rsplit('/', 1)[-1]})"
    return f"no {CLASS_TAG} tag and not reachable from the class's resources"


def _iso(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="seconds")
    if isinstance(value, (int, float)):  # CloudWatch Logs: milliseconds since the epoch
        return dt.datetime.fromtimestamp(value / 1000, dt.UTC).isoformat(timespec="seconds")
    return str(value or "")


def classify(
    ctx: Context,
    kind: str,
    region: str,
    rows: list[dict],
    *,
    arn: str,
    name: str,
    why_here: str,
    created: str = "CreationTime",
    use: str = "",
    instance_type: str = "",
    tags_of: Any = None,
    **data: str,
) -> list[Item]:
    """The class's items among ``rows`` (one listing); the others are recorded with ``ctx.left_alone``.

    ``why_here``: what the resource is (the plan line starts with it, then says why it is the class's).
    ``data``: item data taken from each row (field names).
    """
    # no rows, no GetResources: a swept region with nothing in it costs no extra call
    index = tag_index(ctx, region) if tags_of is None and rows else {}
    out: list[Item] = []
    for row in rows:
        tags = tags_of(row) if tags_of is not None else index.get(str(row.get(arn, "")).lower(), {})
        extra = {k: str(row.get(v, "")) for k, v in data.items() if row.get(v) is not None}
        itype = str(row.get(instance_type, "")) if instance_type else ""
        owned = why_owned(ctx, tags)
        if owned is not None:
            out.append(
                item(
                    kind,
                    region,
                    row[name],
                    f"{why_here}: {owned}",
                    **extra,
                    **({"instance_type": itype} if itype else {}),
                )
            )
        else:
            ctx.left_alone(
                item(
                    kind,
                    region,
                    row[name],
                    why_not(ctx, tags),
                    created=_iso(row.get(created)),
                    use=use,
                    instance_type=itype or None,
                    **extra,
                )
            )
    return out


def classify_swept(
    ctx: Context, kind: str, region: str, op: str, key: str, why: tuple[str, str], **fields: Any
) -> list[Item]:
    """A kind the sweep lists in every enabled region: SageMaker's ``op`` (rows under ``key``) in
    ``region``, classified (``fields``: as ``classify``). ``why``: what an item is in the class's
    region, and what it is when the sweep of another region found it (``{region}`` in it)."""
    sm = ctx.aws.client("sagemaker", region)
    rows = paged(sm, op, key, MaxResults=page_size())
    why_here = why[0] if region == ctx.scope.region else why[1].format(region=region)
    return classify(ctx, kind, region, rows, why_here=why_here, **fields)


def priced(ctx: Context, items: list[Item]) -> list[Item]:
    """``items`` with ``instance_type``, ``count`` and ``per_hour`` filled where the price table knows it
    (endpoints: DescribeEndpoint + DescribeEndpointConfig; running jobs: their Describe)."""
    from provision import costs

    table = costs.load()
    out: list[Item] = []
    for it in items:
        data = dict(it.data)
        itype, count = data.get("instance_type", ""), 1
        use = data.get("use", "")
        if not itype and it.kind in ("endpoints", "training-jobs", "transform-jobs"):
            itype, count = _instances(ctx, it)
        price = table.price(it.region, use, itype) if use in costs.USES and itype else None
        if itype:
            data["instance_type"] = itype
        data["count"] = str(count)
        if price is not None:
            data["per_hour"] = f"{price * count:.3f}"
        out.append(
            Item(
                kind=it.kind,
                region=it.region,
                id=it.id,
                reason=it.reason,
                label=it.label,
                data=tuple(sorted(data.items())),
            )
        )
    return out


def _instances(ctx: Context, it: Item) -> tuple[str, int]:
    from provision.teardown.aws import is_not_found

    sm = ctx.aws.client("sagemaker", it.region)
    try:
        if it.kind == "endpoints":
            d = sm.describe_endpoint(EndpointName=it.id)
            cfg = sm.describe_endpoint_config(EndpointConfigName=d["EndpointConfigName"])
            variants = [v for v in cfg.get("ProductionVariants") or [] if v.get("InstanceType")]
            if not variants:
                return "", 1
            return variants[0]["InstanceType"], sum(int(v.get("InitialInstanceCount") or 1) for v in variants)
        if it.kind == "training-jobs":
            rc = sm.describe_training_job(TrainingJobName=it.id).get("ResourceConfig") or {}
            return rc.get("InstanceType", ""), int(rc.get("InstanceCount") or 1)
        tr = sm.describe_transform_job(TransformJobName=it.id).get("TransformResources") or {}
        return tr.get("InstanceType", ""), int(tr.get("InstanceCount") or 1)
    except Exception as err:
        if is_not_found(err):
            return "", 1
        raise


def age(it: Item, now: dt.datetime | None = None) -> str:
    created = it.get("created")
    if not created:
        return "?"
    try:
        t = dt.datetime.fromisoformat(created)
    except ValueError:
        return "?"
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    s = max(0.0, ((now or dt.datetime.now(dt.UTC)) - t).total_seconds())
    if s < 3600:
        return f"{s / 60:.0f} min"
    if s < 2 * 86400:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:.0f} d"


def per_hour_text(it: Item) -> str:
    if it.get("per_hour"):
        return f"${float(it.get('per_hour')):.3f}"
    if it.kind == "log-groups":
        return "storage only"
    if it.kind in ("endpoint-configs", "models"):
        return "$0 (no charge)"
    if it.get("use"):
        return "no price in the table" + (f" ({it.get('instance_type')})" if it.get("instance_type") else "")
    return "—"
