"""Studio lifecycle configurations on the embedded AWS (moto 5.2.5 has none of the operations).

The rules checked here come from the botocore model (sagemaker 2017-07-24: name pattern, content
length 1..16384, the four app types, ResourceInUse on a duplicate create) and the API reference of
DeleteStudioLifecycleConfig ("You must also remove the Lifecycle Configuration from UserSettings in
all Domains and UserProfiles")."""

from __future__ import annotations

import base64
import time

import pytest
from botocore.exceptions import ClientError

SCRIPT = base64.b64encode(b"#!/bin/bash\necho hello\n").decode()


def _code(err) -> str:
    return err.value.response["Error"]["Code"]


@pytest.fixture
def lcc(sm):
    made: list[str] = []

    def make(name: str, app_type: str = "JupyterLab", **kw) -> str:
        arn = sm.create_studio_lifecycle_config(
            StudioLifecycleConfigName=name,
            StudioLifecycleConfigContent=SCRIPT,
            StudioLifecycleConfigAppType=app_type,
            **kw,
        )["StudioLifecycleConfigArn"]
        made.append(name)
        return arn

    yield make
    for name in made:
        try:
            sm.delete_studio_lifecycle_config(StudioLifecycleConfigName=name)
        except ClientError as err:
            assert err.response["Error"]["Code"] == "ResourceNotFound"
    assert sm.list_studio_lifecycle_configs()["StudioLifecycleConfigs"] == []


def test_create_describe_tags_delete(sm, lcc):
    arn = lcc("copy-notebooks", Tags=[{"Key": "classroom", "Value": "ml-class"}])
    assert arn == "arn:aws:sagemaker:us-east-1:123456789012:studio-lifecycle-config/copy-notebooks"
    d = sm.describe_studio_lifecycle_config(StudioLifecycleConfigName="copy-notebooks")
    assert (
        d["StudioLifecycleConfigArn"],
        d["StudioLifecycleConfigContent"],
        d["StudioLifecycleConfigAppType"],
    ) == (arn, SCRIPT, "JupyterLab")
    assert d["CreationTime"] and d["LastModifiedTime"]
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "classroom", "Value": "ml-class"}]
    sm.add_tags(ResourceArn=arn, Tags=[{"Key": "managed-by", "Value": "classroom-kit"}])
    assert len(sm.list_tags(ResourceArn=arn)["Tags"]) == 2
    sm.delete_studio_lifecycle_config(StudioLifecycleConfigName="copy-notebooks")
    with pytest.raises(ClientError) as err:
        sm.describe_studio_lifecycle_config(StudioLifecycleConfigName="copy-notebooks")
    assert _code(err) == "ResourceNotFound"
    with pytest.raises(ClientError) as err:
        sm.delete_studio_lifecycle_config(StudioLifecycleConfigName="copy-notebooks")
    assert _code(err) == "ResourceNotFound"


def test_bad_input_and_duplicates(sm, lcc):
    lcc("one")
    with pytest.raises(ClientError) as err:
        lcc("one")
    assert _code(err) == "ResourceInUse"
    for kw in (
        {"StudioLifecycleConfigName": "-bad"},
        {"StudioLifecycleConfigAppType": "Canvas"},
        {"StudioLifecycleConfigContent": "x" * 16385},
    ):
        args = {
            "StudioLifecycleConfigName": "two",
            "StudioLifecycleConfigContent": SCRIPT,
            "StudioLifecycleConfigAppType": "JupyterLab",
            **kw,
        }
        with pytest.raises(ClientError) as err:
            sm.create_studio_lifecycle_config(**args)
        assert _code(err) == "ValidationException", kw


def test_list_pages_filters_and_sorts(sm, lcc):
    for i in range(12):
        lcc(f"cfg-{i:02d}", app_type="JupyterLab" if i % 3 else "CodeEditor")
    first = sm.list_studio_lifecycle_configs()
    assert len(first["StudioLifecycleConfigs"]) == 10 and first["NextToken"]
    rest = sm.list_studio_lifecycle_configs(NextToken=first["NextToken"])
    assert len(rest["StudioLifecycleConfigs"]) == 2 and "NextToken" not in rest
    paged = [
        c["StudioLifecycleConfigName"]
        for p in sm.get_paginator("list_studio_lifecycle_configs").paginate(PaginationConfig={"PageSize": 5})
        for c in p["StudioLifecycleConfigs"]
    ]
    assert paged == [f"cfg-{i:02d}" for i in range(12)]  # default: CreationTime, Ascending
    code = sm.list_studio_lifecycle_configs(AppTypeEquals="CodeEditor")["StudioLifecycleConfigs"]
    assert [c["StudioLifecycleConfigName"] for c in code] == ["cfg-00", "cfg-03", "cfg-06", "cfg-09"]
    named = sm.list_studio_lifecycle_configs(NameContains="cfg-1", SortBy="Name", SortOrder="Descending")
    assert [c["StudioLifecycleConfigName"] for c in named["StudioLifecycleConfigs"]] == ["cfg-11", "cfg-10"]


def test_in_use_by_a_domain_cannot_be_deleted(sm, lcc, network):
    arn = lcc("attached")
    vpc, subnets = network
    lab_settings = {
        "LifecycleConfigArns": [arn],
        "DefaultResourceSpec": {"LifecycleConfigArn": arn, "InstanceType": "ml.t3.medium"},
    }
    domain = sm.create_domain(
        DomainName="lcc-domain",
        AuthMode="IAM",
        VpcId=vpc,
        SubnetIds=subnets,
        DefaultUserSettings={
            "ExecutionRole": "arn:aws:iam::123456789012:role/studio",
            "JupyterLabAppSettings": lab_settings,
        },
    )["DomainId"]
    settings = sm.describe_domain(DomainId=domain)["DefaultUserSettings"]["JupyterLabAppSettings"]
    assert settings["LifecycleConfigArns"] == [arn]
    with pytest.raises(ClientError) as err:
        sm.delete_studio_lifecycle_config(StudioLifecycleConfigName="attached")
    assert _code(err) == "ResourceInUse" and domain in str(err.value)
    sm.delete_domain(DomainId=domain, RetentionPolicy={"HomeEfsFileSystem": "Delete"})
    deadline = time.monotonic() + 15
    while domain in [d["DomainId"] for d in sm.list_domains()["Domains"]] and time.monotonic() < deadline:
        time.sleep(0.1)
    sm.delete_studio_lifecycle_config(StudioLifecycleConfigName="attached")


def test_tagging_api_lists_it(account_clients, lcc):
    arn = lcc("tagged", Tags=[{"Key": "classroom", "Value": "lcc-class"}])
    tagging = account_clients("resourcegroupstaggingapi")
    found = tagging.get_resources(TagFilters=[{"Key": "classroom", "Values": ["lcc-class"]}])
    assert [r["ResourceARN"] for r in found["ResourceTagMappingList"]] == [arn]
