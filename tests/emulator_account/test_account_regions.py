"""EC2 DescribeRegions on the embedded AWS answers as AWS does for a new account: the 17 default
regions enabled, every opt-in region "not-opted-in" and listed only with AllRegions=true, no GovCloud or
China regions. These calls create nothing, so there is nothing to delete afterwards.
"""

from __future__ import annotations

import inspect

import pytest
from boto3 import Session
from moto.core.responses import ActionResult
from moto.core.utils import method_names_from_class
from moto.ec2.models.availability_zones_and_regions import Region, RegionsAndZonesBackend
from moto.ec2.responses import EC2Response

from emulator.account import regions

OPT_IN = (
    "af-south-1",
    "ap-east-1",
    "me-south-1",
    "eu-south-1",
    "ap-southeast-3",
    "il-central-1",
    "ca-west-1",
    "mx-central-1",
)


@pytest.fixture
def ec2(client):
    return client("ec2")


def _names(resp: dict) -> list[str]:
    return sorted(r["RegionName"] for r in resp["Regions"])


def test_default_listing_is_only_the_enabled_regions(ec2):
    listed = ec2.describe_regions()["Regions"]
    assert sorted(r["RegionName"] for r in listed) == sorted(regions.DEFAULT_REGIONS)
    assert {r["OptInStatus"] for r in listed} == {"opt-in-not-required"}
    for name in OPT_IN:
        assert name not in {r["RegionName"] for r in listed}
    assert not [r for r in listed if r["RegionName"].startswith(("us-gov-", "cn-"))]
    east = next(r for r in listed if r["RegionName"] == "us-east-1")
    assert east["Endpoint"] == "ec2.us-east-1.amazonaws.com"


def test_all_regions_shows_opt_in_regions_as_not_opted_in(ec2):
    listed = {r["RegionName"]: r["OptInStatus"] for r in ec2.describe_regions(AllRegions=True)["Regions"]}
    for name in OPT_IN:
        assert listed[name] == "not-opted-in", name
    for name in regions.DEFAULT_REGIONS:
        assert listed[name] == "opt-in-not-required", name
    # every region botocore knows for the aws partition, and none of another partition
    assert set(listed) == set(Session().get_available_regions("ec2"))


def test_region_names_and_filters(ec2):
    assert _names(ec2.describe_regions(RegionNames=["eu-west-1", "af-south-1"])) == ["eu-west-1"]
    assert _names(ec2.describe_regions(RegionNames=["af-south-1"], AllRegions=True)) == ["af-south-1"]
    not_opted = ec2.describe_regions(
        AllRegions=True, Filters=[{"Name": "opt-in-status", "Values": ["not-opted-in"]}]
    )
    assert set(OPT_IN) <= set(_names(not_opted))
    assert not set(_names(not_opted)) & regions.DEFAULT_REGIONS
    eu = ec2.describe_regions(Filters=[{"Name": "region-name", "Values": ["eu-*"]}])
    assert _names(eu) == ["eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3"]


# --- the moto 5.2.5 internals regions.py relies on, exercised in-process -------------------------------
def test_moto_internals_for_describe_regions(monkeypatch):
    # the handler we replace lives on EC2Response (through its regions mixin) and is found by name
    assert "describe_regions" in method_names_from_class(EC2Response)
    monkeypatch.setattr(EC2Response, "describe_regions", EC2Response.describe_regions)  # restored after
    regions.install()
    assert EC2Response.describe_regions is regions.describe_regions
    for name in ("error_on_dryrun", "_get_param", "_filters_from_querystring"):
        assert callable(getattr(EC2Response, name)), name
    # moto's Region object, serialized by attribute name (RegionName, Endpoint, OptInStatus)
    assert list(inspect.signature(Region.__init__).parameters)[1:] == ["name", "endpoint", "opt_in_status"]
    r = Region("af-south-1", "ec2.af-south-1.amazonaws.com", "not-opted-in")
    assert (r.name, r.endpoint, r.opt_in_status) == (
        "af-south-1",
        "ec2.af-south-1.amazonaws.com",
        "not-opted-in",
    )
    assert ActionResult({"Regions": [r]}).result == {"Regions": [r]}
    # the moto behaviour this module corrects (if moto fixes it, this module may become unnecessary)
    moto_status = {r.name: r.opt_in_status for r in RegionsAndZonesBackend.regions}
    assert moto_status["af-south-1"] == "opt-in-not-required"
    assert "us-gov-west-1" in moto_status


def test_select_is_pure_and_ordered():
    assert [r.name for r in regions.select([], False, {})] == sorted(regions.DEFAULT_REGIONS)
    assert regions.opt_in_status("me-south-1") == "not-opted-in"
    assert regions.opt_in_status("ap-northeast-3") == "opt-in-not-required"
