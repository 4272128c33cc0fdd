"""The shipped price table (``provision/data/prices.json``): an *estimate* of On-Demand $/hour per
region, use (training, transform, hosting, notebook) and instance type, and of storage per GB-month
(EFS, Studio spaces' volumes, S3), dated and with its sources, plus the free-tier figures the lesson
quotes. Unknown regions or types give ``None``, never a guess.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PRICES = Path(__file__).resolve().parent / "data" / "prices.json"
USES = ("training", "transform", "hosting", "notebook")
STORAGE = ("efs-standard", "studio-space-volume", "s3-standard")  # per_gb_month keys
HOURS_PER_MONTH = 730  # the month AWS's pricing calculator uses for $/hour <-> $/month
GB = 1024**3


@dataclass(frozen=True)
class FreeTier:
    use: str
    hours: float
    instance_types: tuple[str, ...]


@dataclass(frozen=True)
class PriceTable:
    as_of: str
    source: str
    note: str
    per_hour: dict
    free_tier: tuple[FreeTier, ...]
    free_tier_note: str = ""
    per_gb_month: dict = field(default_factory=dict)

    def storage_price(self, region: str, what: str) -> float | None:
        """$ per GB-month of ``what`` (one of STORAGE) in ``region``, or None when the table has none."""
        if what not in STORAGE:
            raise ValueError(f"unknown storage {what!r}")
        value = self.per_gb_month.get(region, {}).get(what)
        return float(value) if value is not None else None

    def price(self, region: str, use: str, instance_type: str) -> float | None:
        """$/instance-hour, or None when the table has no figure for it."""
        if use not in USES:
            raise ValueError(f"unknown use {use!r}")
        value = self.per_hour.get(region, {}).get(use, {}).get(instance_type)
        return float(value) if value is not None else None

    def free(self, use: str) -> FreeTier | None:
        return next((f for f in self.free_tier if f.use == use), None)

    @property
    def caption(self) -> str:
        return f"estimate from the price table of {self.as_of} ({self.source.split(' ')[0]})"


@lru_cache(maxsize=1)
def load(path: Path = PRICES) -> PriceTable:
    data = json.loads(path.read_text())
    free = tuple(
        FreeTier(use, float(v["hours"]), tuple(v["instance_types"]))
        for use, v in data.get("free_tier", {}).items()
        if isinstance(v, dict)
    )
    return PriceTable(
        as_of=data["as_of"],
        source=data["source"],
        note=data.get("note", ""),
        per_hour=data["per_hour"],
        free_tier=free,
        free_tier_note=str(data.get("free_tier", {}).get("note", "")),
        per_gb_month={k: v for k, v in data.get("per_gb_month", {}).items() if isinstance(v, dict)},
    )
