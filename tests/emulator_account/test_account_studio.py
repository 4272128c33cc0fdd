"""Studio user profiles, apps and spaces on the embedded AWS behave like AWS (boto3, real process)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.usefixtures("cleanup_studio")


def _code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return exc.value.response["Error"]["Code"]


def _app(domain: str, profile: str, name: str = "default", app_type: str = "JupyterServer"):
    return {"DomainId": domain, "UserProfileName": profile, "AppType": app_type, "AppName": name}


# --- user profiles --------------------------------------------------------------------------------
def test_user_profile_create_describe_update_delete(sm, domain):
    arn = sm.create_user_profile(
        DomainId=domain, UserProfileName="alice", Tags=[{"Key": "team", "Value": "a"}]
    )["UserProfileArn"]
    assert arn == f"arn:aws:sagemaker:us-east-1:123456789012:user-profile/{domain}/alice"
    desc = sm.describe_user_profile(DomainId=domain, UserProfileName="alice")
    assert desc["Status"] == "InService" and desc["UserProfileArn"] == arn
    assert desc["HomeEfsFileSystemUid"].isdigit()
    assert "UserSettings" not in desc  # never set: no empty placeholder

    sm.update_user_profile(
        DomainId=domain,
        UserProfileName="alice",
        UserSettings={"ExecutionRole": "arn:aws:iam::123456789012:role/other"},
    )
    desc = sm.describe_user_profile(DomainId=domain, UserProfileName="alice")
    assert desc["UserSettings"]["ExecutionRole"].endswith("role/other")
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "a"}]

    sm.delete_user_profile(DomainId=domain, UserProfileName="alice")
    with pytest.raises(ClientError) as err:
        sm.describe_user_profile(DomainId=domain, UserProfileName="alice")
    assert _code(err) == "ResourceNotFound"
    assert sm.list_user_profiles(DomainIdEquals=domain)["UserProfiles"] == []


def test_user_profile_errors(sm, domain):
    with pytest.raises(ClientError) as err:
        sm.create_user_profile(DomainId="d-doesnotexist1", UserProfileName="alice")
    assert _code(err) == "ResourceNotFound"
    with pytest.raises(ClientError) as err:
        sm.create_user_profile(DomainId=domain, UserProfileName="bad_name!")
    assert _code(err) == "ValidationException"
    sm.create_user_profile(DomainId=domain, UserProfileName="alice")
    with pytest.raises(ClientError) as err:
        sm.create_user_profile(DomainId=domain, UserProfileName="alice")
    assert _code(err) == "ResourceInUse"
    for call in (sm.describe_user_profile, sm.delete_user_profile, sm.update_user_profile):
        with pytest.raises(ClientError) as err:
            call(DomainId=domain, UserProfileName="nobody")
        assert _code(err) == "ResourceNotFound"
    assert [p["UserProfileName"] for p in sm.list_user_profiles()["UserProfiles"]] == ["alice"]


def test_list_user_profiles_pages_ten_by_default_and_filters(sm, make_domain):
    d1, d2 = make_domain("one"), make_domain("two")
    for i in range(23):
        sm.create_user_profile(DomainId=d1, UserProfileName=f"student-{i:02d}")
    sm.create_user_profile(DomainId=d2, UserProfileName="teacher")

    first = sm.list_user_profiles(DomainIdEquals=d1)
    assert len(first["UserProfiles"]) == 10 and first["NextToken"]
    names = []
    for page in sm.get_paginator("list_user_profiles").paginate(DomainIdEquals=d1):
        names += [p["UserProfileName"] for p in page["UserProfiles"]]
    assert names == [f"student-{i:02d}" for i in range(23)]  # CreationTime, Ascending

    assert len(sm.list_user_profiles(MaxResults=100)["UserProfiles"]) == 24
    assert [
        p["UserProfileName"] for p in sm.list_user_profiles(UserProfileNameContains="teach")["UserProfiles"]
    ] == ["teacher"]
    desc = sm.list_user_profiles(DomainIdEquals=d1, SortOrder="Descending", MaxResults=2)["UserProfiles"]
    assert [p["UserProfileName"] for p in desc] == ["student-22", "student-21"]
    with pytest.raises(ClientError) as err:
        sm.list_user_profiles(MaxResults=101)
    assert _code(err) == "ValidationException"
    with pytest.raises(ClientError) as err:
        sm.list_user_profiles(NextToken="not-a-token")
    assert _code(err) == "ValidationException"


# --- apps -----------------------------------------------------------------------------------------
def test_app_goes_pending_to_in_service_and_deleting_to_deleted(sm, domain, wait_for):
    sm.create_user_profile(DomainId=domain, UserProfileName="ann")
    arn = sm.create_app(**_app(domain, "ann"))["AppArn"]
    assert arn.endswith(f"app/{domain}/ann/jupyterserver/default")
    seen = wait_for(lambda: sm.describe_app(**_app(domain, "ann"))["Status"], "InService")
    assert seen == ["Pending", "InService"]

    sm.delete_app(**_app(domain, "ann"))
    seen = wait_for(lambda: sm.describe_app(**_app(domain, "ann"))["Status"], "Deleted")
    assert seen == ["Deleting", "Deleted"]
    # a Deleted app is still listed (and described) for a while, as on AWS
    listed = sm.list_apps(UserProfileNameEquals="ann")["Apps"]
    assert [(a["AppName"], a["Status"]) for a in listed] == [("default", "Deleted")]
    with pytest.raises(ClientError) as err:
        sm.delete_app(**_app(domain, "ann"))
    assert _code(err) == "ResourceNotFound"
    # the name can be used again once the old app is Deleted
    sm.create_app(**_app(domain, "ann"))
    assert sm.describe_app(**_app(domain, "ann"))["Status"] == "Pending"


def test_app_errors(sm, domain, wait_for):
    sm.create_user_profile(DomainId=domain, UserProfileName="ben")
    with pytest.raises(ClientError) as err:  # neither profile nor space
        sm.create_app(DomainId=domain, AppType="JupyterServer", AppName="default")
    assert _code(err) == "ValidationException"
    with pytest.raises(ClientError) as err:
        sm.create_app(**_app(domain, "ben", app_type="NotAnApp"))
    assert _code(err) == "ValidationException"
    with pytest.raises(ClientError) as err:
        sm.create_app(**_app(domain, "nobody"))
    assert _code(err) == "ResourceNotFound"
    with pytest.raises(ClientError) as err:
        sm.describe_app(**_app(domain, "ben"))
    assert _code(err) == "ResourceNotFound"

    sm.create_app(**_app(domain, "ben"))
    with pytest.raises(ClientError) as err:  # same app again while it exists
        sm.create_app(**_app(domain, "ben"))
    assert _code(err) == "ResourceInUse"
    with pytest.raises(ClientError) as err:  # only an InService app can be deleted
        sm.delete_app(**_app(domain, "ben"))
    assert _code(err) == "ResourceInUse"
    wait_for(lambda: sm.describe_app(**_app(domain, "ben"))["Status"], "InService")
    with pytest.raises(ClientError) as err:
        sm.list_apps(UserProfileNameEquals="ben", SpaceNameEquals="s")
    assert _code(err) == "ValidationException"


def test_list_apps_pages_and_filters(sm, domain):
    sm.create_user_profile(DomainId=domain, UserProfileName="cid")
    sm.create_user_profile(DomainId=domain, UserProfileName="dan")
    for i in range(12):
        sm.create_app(**_app(domain, "cid", name=f"kg-{i:02d}", app_type="KernelGateway"))
    sm.create_app(**_app(domain, "dan"))
    page = sm.list_apps(UserProfileNameEquals="cid")
    assert len(page["Apps"]) == 10 and page["NextToken"]
    pages = sm.get_paginator("list_apps").paginate(UserProfileNameEquals="cid")
    all_apps = [a for p in pages for a in p["Apps"]]
    assert len(all_apps) == 12
    bob = sm.list_apps(UserProfileNameEquals="dan")["Apps"]
    assert [(a["UserProfileName"], a["AppType"]) for a in bob] == [("dan", "JupyterServer")]


# --- wrong-order deletes ----------------------------------------------------------------------------
def test_profile_cannot_be_deleted_while_apps_are_not_deleted(sm, domain, wait_for):
    sm.create_user_profile(DomainId=domain, UserProfileName="eve")
    sm.create_app(**_app(domain, "eve"))
    with pytest.raises(ClientError) as err:  # app Pending
        sm.delete_user_profile(DomainId=domain, UserProfileName="eve")
    assert _code(err) == "ResourceInUse"
    assert "App(s) are associated with it" in err.value.response["Error"]["Message"]

    wait_for(lambda: sm.describe_app(**_app(domain, "eve"))["Status"], "InService")
    sm.delete_app(**_app(domain, "eve"))
    with pytest.raises(ClientError) as err:  # app still Deleting (nobody has seen it finish)
        sm.delete_user_profile(DomainId=domain, UserProfileName="eve")
    assert _code(err) == "ResourceInUse"

    wait_for(lambda: sm.describe_app(**_app(domain, "eve"))["Status"], "Deleted")
    sm.delete_user_profile(DomainId=domain, UserProfileName="eve")
    assert sm.list_user_profiles(DomainIdEquals=domain)["UserProfiles"] == []


def test_profile_cannot_be_deleted_while_it_owns_a_space(sm, domain):
    sm.create_user_profile(DomainId=domain, UserProfileName="alice")
    sm.create_space(
        DomainId=domain,
        SpaceName="alice-space",
        OwnershipSettings={"OwnerUserProfileName": "alice"},
        SpaceSharingSettings={"SharingType": "Private"},
    )
    with pytest.raises(ClientError) as err:
        sm.delete_user_profile(DomainId=domain, UserProfileName="alice")
    assert _code(err) == "ResourceInUse"
    sm.delete_space(DomainId=domain, SpaceName="alice-space")
    sm.delete_user_profile(DomainId=domain, UserProfileName="alice")
    assert sm.list_spaces(DomainIdEquals=domain)["Spaces"] == []
    assert sm.list_user_profiles(DomainIdEquals=domain)["UserProfiles"] == []


def test_domain_cannot_be_deleted_while_profiles_or_spaces_exist(sm, make_domain):
    domain = make_domain("to-delete")
    sm.create_user_profile(DomainId=domain, UserProfileName="alice")
    sm.create_space(DomainId=domain, SpaceName="shared")
    with pytest.raises(ClientError) as err:
        sm.delete_domain(DomainId=domain)
    assert _code(err) == "ResourceInUse"
    sm.delete_user_profile(DomainId=domain, UserProfileName="alice")
    with pytest.raises(ClientError) as err:  # the space is still there
        sm.delete_domain(DomainId=domain)
    assert _code(err) == "ResourceInUse"
    sm.delete_space(DomainId=domain, SpaceName="shared")
    sm.delete_domain(DomainId=domain, RetentionPolicy={"HomeEfsFileSystem": "Delete"})
    with pytest.raises(ClientError) as err:
        sm.describe_domain(DomainId=domain)
    assert _code(err) == "ResourceNotFound"


# --- spaces ---------------------------------------------------------------------------------------
def test_space_lifecycle_and_space_apps(sm, domain, wait_for):
    sm.create_user_profile(DomainId=domain, UserProfileName="alice")
    arn = sm.create_space(
        DomainId=domain,
        SpaceName="lab",
        SpaceDisplayName="Lab",
        OwnershipSettings={"OwnerUserProfileName": "alice"},
        SpaceSharingSettings={"SharingType": "Shared"},
        SpaceSettings={"AppType": "JupyterLab"},
    )["SpaceArn"]
    assert arn.endswith(f"space/{domain}/lab")
    desc = sm.describe_space(DomainId=domain, SpaceName="lab")
    assert desc["Status"] == "InService" and desc["OwnershipSettings"]["OwnerUserProfileName"] == "alice"
    summary = sm.list_spaces(DomainIdEquals=domain)["Spaces"][0]
    assert summary["SpaceSharingSettingsSummary"] == {"SharingType": "Shared"}
    assert summary["OwnershipSettingsSummary"] == {"OwnerUserProfileName": "alice"}
    sm.update_space(DomainId=domain, SpaceName="lab", SpaceDisplayName="Lab 2")
    assert sm.describe_space(DomainId=domain, SpaceName="lab")["SpaceDisplayName"] == "Lab 2"

    space_app = {"DomainId": domain, "SpaceName": "lab", "AppType": "JupyterLab", "AppName": "default"}
    sm.create_app(**space_app)
    wait_for(lambda: sm.describe_app(**space_app)["Status"], "InService")
    assert [a["SpaceName"] for a in sm.list_apps(SpaceNameEquals="lab")["Apps"]] == ["lab"]
    with pytest.raises(ClientError) as err:
        sm.delete_space(DomainId=domain, SpaceName="lab")
    assert _code(err) == "ResourceInUse"
    sm.delete_app(**space_app)
    wait_for(lambda: sm.describe_app(**space_app)["Status"], "Deleted")
    sm.delete_space(DomainId=domain, SpaceName="lab")
    with pytest.raises(ClientError) as err:
        sm.describe_space(DomainId=domain, SpaceName="lab")
    assert _code(err) == "ResourceNotFound"


def test_space_errors_and_paging(sm, domain):
    with pytest.raises(ClientError) as err:  # owner must exist
        sm.create_space(DomainId=domain, SpaceName="x", OwnershipSettings={"OwnerUserProfileName": "nobody"})
    assert _code(err) == "ResourceNotFound"
    with pytest.raises(ClientError) as err:  # sharing needs an owner
        sm.create_space(DomainId=domain, SpaceName="x", SpaceSharingSettings={"SharingType": "Private"})
    assert _code(err) == "ValidationException"
    for i in range(11):
        sm.create_space(DomainId=domain, SpaceName=f"space-{i:02d}")
    with pytest.raises(ClientError) as err:
        sm.create_space(DomainId=domain, SpaceName="space-00")
    assert _code(err) == "ResourceInUse"
    first = sm.list_spaces()
    assert len(first["Spaces"]) == 10
    second = sm.list_spaces(NextToken=first["NextToken"])
    assert [s["SpaceName"] for s in second["Spaces"]] == ["space-10"] and "NextToken" not in second
    assert [s["SpaceName"] for s in sm.list_spaces(SpaceNameContains="-07")["Spaces"]] == ["space-07"]


# --- tags -----------------------------------------------------------------------------------------
def test_tags_on_profile_space_and_app_arns(sm, client, domain):
    p_arn = sm.create_user_profile(DomainId=domain, UserProfileName="fay")["UserProfileArn"]
    s_arn = sm.create_space(DomainId=domain, SpaceName="lab", Tags=[{"Key": "k", "Value": "1"}])["SpaceArn"]
    a_arn = sm.create_app(**_app(domain, "fay"))["AppArn"]

    def custom(arn: str) -> list[tuple[str, str]]:  # without SageMaker's own sagemaker:* tags
        return sorted(
            (t["Key"], t["Value"])
            for t in sm.list_tags(ResourceArn=arn)["Tags"]
            if not t["Key"].startswith("sagemaker:")
        )

    # a space is inside its domain: SageMaker tags it with the domain (emulator/account/studio_tags.py);
    # the default JupyterServer app (the Studio UI) is not tagged (AWS doc "Automatic tag propagation")
    domain_arn = sm.describe_domain(DomainId=domain)["DomainArn"]
    assert {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=s_arn)["Tags"]} == {
        "k": "1",
        "sagemaker:domain-arn": domain_arn,
    }
    assert sm.list_tags(ResourceArn=a_arn)["Tags"] == []
    for arn in (p_arn, s_arn, a_arn):
        sm.add_tags(ResourceArn=arn, Tags=[{"Key": "k", "Value": "2"}, {"Key": "course", "Value": "ml"}])
        # AddTags replaces an existing key's value, it does not add a second tag with that key
        assert custom(arn) == [("course", "ml"), ("k", "2")]
        sm.delete_tags(ResourceArn=arn, TagKeys=["k"])
        assert custom(arn) == [("course", "ml")]
    with pytest.raises(ClientError) as err:
        sm.list_tags(ResourceArn=p_arn.replace("fay", "nobody"))
    assert _code(err) == "ResourceNotFound"

    tagging = client("resourcegroupstaggingapi")
    found = tagging.get_resources(TagFilters=[{"Key": "course", "Values": ["ml"]}])["ResourceTagMappingList"]
    assert sorted(r["ResourceARN"] for r in found) == sorted([p_arn, s_arn, a_arn])
