"""The teardown's vocabulary: what is in scope (``ClassScope``), one thing to delete (``Item``) and a
resource kind (``Kind``) — a paged lister, a delete, a bulk "what is still there" check, a description
for the receipt and the kinds it must wait for, each with the reason.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TypeVar

if TYPE_CHECKING:
    from provision.teardown.aws import Aws

T = TypeVar("T")


class NotReady(Exception):
    """The delete cannot happen yet (resource busy, still stopping, a dependency still going away).

    The runner retries the delete while it waits for the kind; only if the wait times out is it a failure.
    """


class KindFailed(Exception):
    """A delete that will not succeed by retrying (the message goes into the receipt)."""


@dataclass(frozen=True)
class ClassScope:
    """Everything the teardown may touch, derived from the class's state (never guessed)."""

    class_name: str
    region: str
    account_id: str | None
    tags: dict[str, str] = field(default_factory=dict)
    domain_ids: tuple[str, ...] = ()
    buckets: tuple[str, ...] = ()
    # the SDK's default bucket sagemaker-<region>-<account>: only when the kit created it
    default_bucket: str | None = None
    state_dir: Path | None = None
    # None: every enabled region (ec2:DescribeRegions); a tuple limits the sweep (tests)
    sweep_regions: tuple[str, ...] | None = None
    terraform_destroy: Callable[[], None] | None = None
    terraform_pending: Callable[[], bool] | None = None
    # every managed resource instance the class's Terraform state still holds (the receipt counts each)
    terraform_resources: Callable[[], list[dict]] | None = None
    # [class] dedicated_account = true (with the account id pinned): SageMaker resources without a
    # classroom tag are the class's too (provision/teardown/ownership.py)
    dedicated: bool = False
    # a member account of a class of accounts (provision/accounts): every bucket in the account is the
    # class's too, except one tagged for another class (the account goes back to the pool empty)
    all_buckets: bool = False


@dataclass(frozen=True)
class Item:
    """One resource in scope. ``id`` is unique within (kind, region); ``data`` holds what delete needs."""

    kind: str
    region: str
    id: str
    reason: str
    label: str = ""
    data: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.region, self.id)

    @property
    def name(self) -> str:
        return self.label or self.id

    def get(self, name: str, default: str = "") -> str:
        return dict(self.data).get(name, default)

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "region": self.region,
            "id": self.id,
            "reason": self.reason,
            "label": self.label,
            "data": dict(self.data),
        }

    @classmethod
    def from_json(cls, d: dict) -> Item:
        return cls(
            kind=d["kind"],
            region=d["region"],
            id=d["id"],
            reason=d.get("reason", ""),
            label=d.get("label", ""),
            data=tuple(sorted((d.get("data") or {}).items())),
        )


def item(kind: str, region: str, id: str, reason: str, label: str = "", **data: str) -> Item:
    return Item(
        kind=kind,
        region=region,
        id=id,
        reason=reason,
        label=label,
        data=tuple(sorted((k, str(v)) for k, v in data.items() if v is not None)),
    )


@dataclass
class Context:
    """What a kind needs while it runs: the AWS clients, the scope and the wait settings."""

    aws: Aws
    scope: ClassScope
    poll_initial_s: float = 0.5
    poll_max_s: float = 20.0
    wait_timeout_s: float = 45 * 60
    workers: int = 8
    _domains: tuple[str, ...] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # read-only answers shared by the kinds of one listing pass (plan or receipt); None outside one
    _memo: dict | None = field(default=None, repr=False)
    _memo_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # (kind, region) -> how that listing was answered, when not by listing (see ``note``)
    _notes: dict = field(default_factory=dict, repr=False)
    # item key -> status seen by the wait's listing just before a retried delete (``see``/``take_seen``)
    _seen: dict = field(default_factory=dict, repr=False)
    # what a listing pass saw that is not the class's (``left_alone``): listed, never deleted
    _alone: dict = field(default_factory=dict, repr=False)

    @classmethod
    def for_target(cls, aws: Aws, scope: ClassScope, target: str) -> Context:
        """The waits of `classroom down`: the embedded AWS (``target`` local) answers at once, so poll
        fast and give up sooner; AWS takes minutes (a notebook instance stops in about five)."""
        if target == "local":
            return cls(aws=aws, scope=scope, poll_initial_s=0.1, poll_max_s=2.0, wait_timeout_s=300)
        return cls(aws=aws, scope=scope, poll_initial_s=5.0, poll_max_s=30.0, wait_timeout_s=45 * 60)

    def left_alone(self, it: Item) -> None:
        """Record a resource a kind listed that is not the class's (the plan and receipt show it)."""
        with self._memo_lock:
            self._alone.setdefault(it.key, it)

    def alone(self) -> list[Item]:
        with self._memo_lock:
            return list(self._alone.values())

    def see(self, key: tuple[str, str, str], status: str) -> None:
        """Remember the status a wait's listing showed, for the delete retried right after it."""
        with self._memo_lock:
            self._seen[key] = status

    def take_seen(self, key: tuple[str, str, str]) -> str | None:
        """The status the last listing showed (once), or None: then the delete asks AWS itself."""
        with self._memo_lock:
            return self._seen.pop(key, None)

    def begin_pass(self) -> None:
        """Start a listing pass: kinds asking the same read-only question get one AWS call."""
        with self._memo_lock:
            self._memo = {}
            self._notes = {}
            self._alone = {}

    @property
    def in_pass(self) -> bool:
        return self._memo is not None

    def note(self, kind: str, region: str, how: str) -> None:
        """Record how a kind's listing in a region was answered (the receipt prints it)."""
        with self._memo_lock:
            self._notes[(kind, region)] = how

    def notes(self) -> dict[tuple[str, str], str]:
        with self._memo_lock:
            return dict(self._notes)

    def end_pass(self) -> None:
        """End the pass: every later question goes to AWS again (deletes need fresh answers)."""
        with self._memo_lock:
            self._memo = None

    def cached(self, key: tuple, fetch: Callable[[], T]) -> T:
        """``fetch()``, shared within a listing pass (e.g. DescribeDomain asked by three kinds listing in
        parallel: the first asks, the others wait for its answer). A failed fetch is not remembered."""
        with self._memo_lock:
            if self._memo is None:
                return fetch()
            memo = self._memo
            slot = memo.setdefault(key, [threading.Lock(), False, None])
        with slot[0]:
            if not slot[1]:
                slot[2], slot[1] = fetch(), True
            return slot[2]  # type: ignore[no-any-return]

    def domain_ids(self) -> tuple[str, ...]:
        """The class's Studio domains: those in its state, plus those tagged with all its tags (so a
        lost or empty outputs.json does not hide the domain). Listed once per Context."""
        from provision.teardown.aws import paged

        with self._lock:
            if self._domains is None:
                found = list(self.scope.domain_ids)
                if self.scope.tags:
                    sm = self.aws.client("sagemaker", self.scope.region)
                    for d in paged(sm, "list_domains", "Domains", MaxResults=100):
                        if d["DomainId"] in found or d.get("Status") == "Deleting":
                            continue
                        try:
                            tags = sm.list_tags(ResourceArn=d["DomainArn"])["Tags"]
                        except Exception:  # a domain whose tags we cannot read is not ours to delete
                            continue
                        have = {t["Key"]: t["Value"] for t in tags}
                        if all(have.get(k) == v for k, v in self.scope.tags.items()):
                            found.append(d["DomainId"])
                self._domains = tuple(dict.fromkeys(found))
            return self._domains

    def sweep_regions(self) -> list[str]:
        if self.scope.sweep_regions is not None:
            regions = list(self.scope.sweep_regions)
        else:
            ec2 = self.aws.client("ec2", self.scope.region)
            # DescribeRegions without AllRegions lists only the regions enabled for the account
            regions = [r["RegionName"] for r in ec2.describe_regions()["Regions"]]
        if self.scope.region not in regions:
            regions.insert(0, self.scope.region)
        return sorted(set(regions), key=lambda r: (r != self.scope.region, r))


class Kind:
    """A resource kind. Subclasses set the class attributes and implement ``list`` and ``delete``."""

    name: ClassVar[str]
    title: ClassVar[str]  # the receipt's description
    depends_on: ClassVar[dict[str, str]] = {}  # kind name -> why it must be gone first
    billable: ClassVar[bool] = True  # listed again in the receipt and by `classroom status`
    sweep: ClassVar[bool] = False  # listed in every enabled region, not only the class's
    relist: ClassVar[bool] = False  # list again just before deleting (things that appear meanwhile)
    in_receipt_listing: ClassVar[bool] = True  # False: the receipt checks the run's items instead
    # True: AWS documents the delete as synchronous (a successful call means gone), so the runner does
    # not poll for it; only items whose delete was not ready yet are waited for. The receipt lists the
    # kind again anyway (or looks its items up), so nothing is taken on trust in the final answer.
    gone_when_deleted: ClassVar[bool] = False

    def regions(self, ctx: Context, sweep: list[str]) -> list[str]:
        return sweep if self.sweep else [ctx.scope.region]

    def list(self, ctx: Context, region: str) -> list[Item]:
        """Every resource of this kind in scope in ``region`` (paging through every page)."""
        raise NotImplementedError

    def relist_items(self, ctx: Context, region: str) -> list[Item]:
        """For ``relist`` kinds: what appeared since the plan and needs a delete (default: ``list``)."""
        return self.list(ctx, region)

    def expand(self, ctx: Context, items: list[Item]) -> list[Item]:
        """Extra items of other kinds that come with these (e.g. a swept endpoint's config and model)."""
        return []

    def prepare(self, ctx: Context, items: list[Item]) -> None:
        """Runs once before the parallel deletes of this kind (e.g. revoke mutual SG rules)."""

    def delete(self, ctx: Context, it: Item) -> None:
        """Start deleting (or stopping) one item. Already gone counts as success. May raise NotReady."""
        raise NotImplementedError

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        """Ids of this kind that still exist in ``region`` (used to wait until gone)."""
        return {it.id for it in self.list(ctx, region)}

    def left(self, ctx: Context, items: list[Item]) -> list[Item]:
        """For the receipt: what is left of ``items``, one entry per thing left (default: ``remaining``)."""
        return self.remaining(ctx, items)

    def remaining(self, ctx: Context, items: list[Item]) -> list[Item]:
        """The subset of ``items`` that still exists: one listing per region, not one call per item."""
        left: list[Item] = []
        for region in sorted({it.region for it in items}):
            mine = [it for it in items if it.region == region]
            present = self.present_ids(ctx, region, mine)
            left.extend(it for it in mine if it.id in present)
        return left
