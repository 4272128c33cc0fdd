"""EC2 DescribeRegions as AWS answers it for a new account, replacing moto's handler.

moto 5.2.5 (``RegionsAndZonesBackend.regions``) returns every region of every partition — GovCloud and
China included — whether or not ``AllRegions`` is set, and marks af-south-1 and eu-south-1 as
"opt-in-not-required". Real AWS, for an account of the ``aws`` partition:

- "Regions launched before March 20, 2019 are enabled by default [...] Regions launched after March
  20, 2019 are disabled by default" (AWS Account Management Reference Guide, "Enable or disable AWS
  Regions in your account", https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html).
  The 17 default regions are listed in ``DEFAULT_REGIONS``; every other region of the partition (from
  botocore's endpoints data, ``Session().get_available_regions("ec2")``) is opt-in and, for a new
  account, "not-opted-in".
- DescribeRegions lists only the regions enabled for the account unless ``AllRegions=true``
  ("AllRegions: Indicates whether to display all Regions, including Regions that are disabled for your
  account", EC2 API Reference, DescribeRegions). Named regions (``RegionNames``) follow the same rule.
- "You can't describe or access the Regions of one type of account from another" (AWS Regions and
  Availability Zones, https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html):
  GovCloud and China regions are never listed.
- Filters ``endpoint``, ``opt-in-status`` and ``region-name`` are applied (values may use ``*``).

The emulator has no region opt-in API, so an opt-in region is always "not-opted-in" here.
"""

from __future__ import annotations

import fnmatch
from functools import cache

from boto3 import Session
from moto.core.responses import ActionResult
from moto.ec2.models.availability_zones_and_regions import Region
from moto.ec2.responses import EC2Response

# Regions launched before 2019-03-20: enabled by default, cannot be disabled (see the module docstring).
DEFAULT_REGIONS = frozenset(
    {
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "ca-central-1",
        "sa-east-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "eu-central-1",
        "eu-north-1",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-southeast-1",
        "ap-southeast-2",
    }
)
ENABLED_BY_DEFAULT = "opt-in-not-required"
NOT_OPTED_IN = "not-opted-in"


def opt_in_status(region: str) -> str:
    """A new account's opt-in status for a region of the ``aws`` partition."""
    return ENABLED_BY_DEFAULT if region in DEFAULT_REGIONS else NOT_OPTED_IN


@cache
def partition_regions() -> tuple[Region, ...]:
    """Every region of the ``aws`` partition botocore knows for EC2, with its new-account status."""
    names = Session().get_available_regions("ec2")
    return tuple(Region(n, f"ec2.{n}.amazonaws.com", opt_in_status(n)) for n in sorted(names))


def select(region_names: list[str], all_regions: bool, filters: dict[str, list[str]]) -> list[Region]:
    """The regions DescribeRegions returns for these parameters."""
    out = []
    for r in partition_regions():
        if not all_regions and r.opt_in_status == NOT_OPTED_IN:
            continue
        if region_names and r.name not in region_names:
            continue
        values = {"region-name": r.name, "endpoint": r.endpoint, "opt-in-status": r.opt_in_status}
        if all(
            any(fnmatch.fnmatchcase(values.get(key, ""), pattern) for pattern in patterns)
            for key, patterns in filters.items()
            if key in values
        ):
            out.append(r)
    return out


def describe_regions(self: EC2Response) -> ActionResult:
    """EC2 DescribeRegions (RegionNames, AllRegions, Filters) for an account of the aws partition."""
    self.error_on_dryrun()
    names = self._get_param("RegionNames", [])
    all_regions = str(self._get_param("AllRegions", "false")).lower() == "true"
    filters = {k: list(v) for k, v in self._filters_from_querystring().items()}
    return ActionResult({"Regions": select(names, all_regions, filters)})


def install() -> None:
    """Replace moto's DescribeRegions handler (EC2Response inherits it from its regions mixin)."""
    EC2Response.describe_regions = describe_regions  # type: ignore[method-assign]
