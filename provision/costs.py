"""The shipped price table (``provision/data/prices.json``): an *estimate* of On-Demand $/hour per
region, use (training, transform, hosting, notebook) and instance type, dated and with its source,
plus the free-tier figures the lesson quotes. Unknown regions or types give ``None``, never a guess.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PRICES = Path(__file__).resolve().parent / "data" / "prices.json"
USES = ("training", "transform", "hosting", "notebook")


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
    )
