"""Ownership-scoped teardown on the embedded AWS: the class's account also holds "another team's"
SageMaker work (untagged, other names, another class's tag, another Studio domain, other regions).
A non-dedicated teardown deletes every class item and not one decoy, and lists the decoys as "not the
class's: left alone" (region, age, $/hour) without counting them; a dedicated one deletes the untagged
ones too, and still never what is tagged for another class."""

from __future__ import annotations

import pytest

from provision.teardown import teardown
from provision.teardown.receipt import format_table
from testkit.teardown import (
    ACCOUNT,
    CLASS_TAGS,
    OTHER,
    REGION,
    ROLE,
    class_clients,
    endpoint,
    make_ctx,
    make_scope,
    studio,
    tuning_job,
)

OTHER_CLASS = [{"Key": "classroom", "Value": "stats202"}]


def _domain_arn_tags(sm, domain: str) -> list[dict]:
    """The tags SageMaker adds by itself to what is created in Studio (AWS doc: "Tag SageMaker AI
    resources created in Studio": sagemaker:domain-arn / sagemaker:user-profile-arn)."""
    arn = sm.describe_domain(DomainId=domain)["DomainArn"]
    profile = arn.replace(":domain/", ":user-profile/") + "/s01"
    return [
        {"Key": "sagemaker:domain-arn", "Value": arn},
        {"Key": "sagemaker:user-profile-arn", "Value": profile},
    ]


@pytest.fixture
def account(client, reset_emulator):
    """The class's resources and the decoys, side by side."""
    sm, sm2, s3, ec2, logs = class_clients(client)
    ours = studio(sm, ec2, profiles=1)
    theirs = studio(sm, ec2, profiles=1, name="team-b")
    s3.create_bucket(Bucket="ml101-models")
    # -- the class's
    endpoint(sm, "rain-xgb")  # tagged endpoint; config + model reached
    endpoint(sm, "studio-ep", tags=_domain_arn_tags(sm, ours))  # made in the class's domain
    endpoint(sm2, "lost-ep")  # tagged, in the wrong region
    sm.create_model(
        ModelName="orphan-model",
        ExecutionRoleArn=ROLE,
        Tags=CLASS_TAGS,
        PrimaryContainer={"Image": "img", "ModelDataUrl": "s3://ml101-models/m.tar.gz"},
    )
    sm.create_notebook_instance(
        NotebookInstanceName="s01-nb", InstanceType="ml.t3.medium", RoleArn=ROLE, Tags=CLASS_TAGS
    )
    tuning_job(sm, "ml101-tune", s3=s3)  # its training jobs carry its tags
    logs.create_log_group(logGroupName="/aws/sagemaker/Endpoints/rain-xgb")
    # -- the decoys ("another team")
    endpoint(sm, "team-b-ep", tags=None)  # untagged, class's region
    endpoint(sm2, "team-b-eu", tags=None)  # untagged, another region
    endpoint(sm, "stats-ep", tags=OTHER_CLASS, tag_all=True)  # another class of the same kit
    endpoint(sm, "team-b-studio", tags=_domain_arn_tags(sm, theirs))  # another Studio domain
    sm.create_notebook_instance(NotebookInstanceName="team-b-nb", InstanceType="ml.t3.medium", RoleArn=ROLE)
    sm2.create_notebook_instance(
        NotebookInstanceName="team-b-nb-eu", InstanceType="ml.t2.medium", RoleArn=ROLE
    )
    sm.create_model(
        ModelName="team-b-model",
        ExecutionRoleArn=ROLE,
        PrimaryContainer={"Image": "img", "ModelDataUrl": "s3://b/m.tar.gz"},
    )
    tuning_job(sm, "team-b-tune", s3=s3, tags=None)
    logs.create_log_group(logGroupName="/aws/sagemaker/Endpoints/team-b-ep")
    _shared_log_streams(sm, logs, ours, theirs)
    return {"sm": sm, "sm2": sm2, "logs": logs, "ours": ours, "theirs": theirs}


def _processing_job(sm, name: str, tags: list | None) -> None:
    sm.create_processing_job(
        ProcessingJobName=name,
        RoleArn=ROLE,
        AppSpecification={"ImageUri": "img"},
        ProcessingResources={
            "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 5}
        },
        **({"Tags": tags} if tags else {}),
    )


def _shared_log_streams(sm, logs, ours: str, theirs: str) -> None:
    """Streams in SageMaker's shared groups, named as AWS names them (AWS doc "Log groups and streams
    that Amazon SageMaker AI sends to Amazon CloudWatch Logs"): ``[processing-job-name]/[hostname]-
    [epoch]`` and Studio's ``[domain-id]/[user-profile-name]/[app-type]/[app-name]``. The decoy job's
    name starts with the class job's name (only the part before the first ``/`` names the owner).
    Both tuning jobs' training jobs write their own streams to /aws/sagemaker/TrainingJobs: waited for."""
    import time

    _processing_job(sm, "ml101-prep", CLASS_TAGS)
    _processing_job(sm, "ml101-prep-2", None)  # another team's, untagged
    for group, streams in (
        ("/aws/sagemaker/ProcessingJobs", ["ml101-prep/algo-1-1764000000", "ml101-prep-2/algo-1-1764000000"]),
        ("/aws/sagemaker/studio", [f"{ours}/s01/JupyterLab/default", f"{theirs}/s01/JupyterLab/default"]),
    ):
        logs.create_log_group(logGroupName=group)
        for stream in streams:
            logs.create_log_stream(logGroupName=group, logStreamName=stream)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        streams = _streams(logs, "/aws/sagemaker/TrainingJobs")
        if all(any(s.startswith(f"{t}-") for s in streams) for t in ("ml101-tune", "team-b-tune")):
            return
        time.sleep(0.2)
    raise AssertionError(f"the tuning jobs' training jobs wrote no log streams: {streams}")


def _streams(logs, group: str) -> list[str]:
    try:
        return [s["logStreamName"] for s in logs.describe_log_streams(logGroupName=group)["logStreams"]]
    except logs.exceptions.ResourceNotFoundException:
        return []


def _names(a) -> dict[str, set[str]]:
    sm, sm2, logs = a["sm"], a["sm2"], a["logs"]
    running = sm.list_hyper_parameter_tuning_jobs(StatusEquals="InProgress")[
        "HyperParameterTuningJobSummaries"
    ]
    return {
        "endpoints": {e["EndpointName"] for s in (sm, sm2) for e in s.list_endpoints()["Endpoints"]},
        "configs": {
            c["EndpointConfigName"] for s in (sm, sm2) for c in s.list_endpoint_configs()["EndpointConfigs"]
        },
        "models": {m["ModelName"] for s in (sm, sm2) for m in s.list_models()["Models"]},
        "notebooks": {
            n["NotebookInstanceName"]
            for s in (sm, sm2)
            for n in s.list_notebook_instances()["NotebookInstances"]
        },
        "tuning": {j["HyperParameterTuningJobName"] for j in running},
        "logs": {g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]},
        "domains": {d["DomainId"] for d in sm.list_domains()["Domains"]},
    }


DECOYS = {
    "endpoints": {"team-b-ep", "team-b-eu", "stats-ep", "team-b-studio"},
    "configs": {"team-b-ep-config", "team-b-eu-config", "stats-ep-config", "team-b-studio-config"},
    "models": {"team-b-ep-model", "team-b-eu-model", "stats-ep-model", "team-b-studio-model", "team-b-model"},
    "notebooks": {"team-b-nb", "team-b-nb-eu"},
    "tuning": {"team-b-tune"},
    # the second: SageMaker's shared group, both teams' training jobs write there (left alone)
    "logs": {
        "/aws/sagemaker/Endpoints/team-b-ep",
        "/aws/sagemaker/TrainingJobs",
        "/aws/sagemaker/ProcessingJobs",
        "/aws/sagemaker/studio",
    },
}


def test_a_non_dedicated_teardown_deletes_every_class_item_and_not_one_decoy(account, td_state):
    a = account
    ctx = make_ctx(make_scope(td_state, domain_ids=(a["ours"],), buckets=("ml101-models",)))
    lines: list[str] = []
    out = teardown(ctx, log=lines.append)
    text = "\n".join(lines)
    assert out.ok, text

    left = _names(a)
    for what, decoys in DECOYS.items():
        assert left[what] == decoys, (what, left[what])  # every decoy is there, nothing of the class
    assert left["domains"] == {a["theirs"]}

    # the plan: why each is the class's; the decoys apart, with region, age and $/hour
    reasons = {(it.kind, it.id): it.reason for it in out.plan.items}
    assert "tagged classroom=ml101" in reasons[("endpoints", "rain-xgb")]
    assert f"made in the class's Studio domain {a['ours']}" in reasons[("endpoints", "studio-ep")]
    assert reasons[("endpoint-configs", "rain-xgb-config")] == "config of the class's endpoint rain-xgb"
    assert reasons[("models", "studio-ep-model")] == "model of the class's endpoint studio-ep"
    assert reasons[("log-groups", "/aws/sagemaker/Endpoints/rain-xgb")].startswith("log group of")
    assert ("endpoints", "lost-ep") in reasons and ("notebook-instances", "s01-nb") in reasons
    alone = {(it.kind, it.region, it.id): it for it in out.plan.left_alone}
    assert alone[("endpoints", REGION, "team-b-ep")].reason.startswith("no classroom tag")
    assert alone[("endpoints", REGION, "stats-ep")].reason == "tagged classroom=stats202 (another class)"
    assert (
        alone[("endpoints", REGION, "team-b-studio")].reason
        == f"made in another Studio domain ({a['theirs']})"
    )
    assert alone[("endpoints", OTHER, "team-b-eu")].get("per_hour") == ""  # no eu-west-1 price: never guessed
    assert alone[("endpoints", REGION, "team-b-ep")].get("per_hour") == "0.230"
    assert alone[("notebook-instances", REGION, "team-b-nb")].get("per_hour") == "0.050"
    assert ("tuning-jobs", REGION, "team-b-tune") in alone
    assert "Not the class's: left alone" in text and "team-b-eu" in text and "$0.230" in text
    assert not any(it.kind == "endpoints" and it.id.startswith("team-b") for it in out.plan.items)

    # the receipt lists them again, and they do not count: exit code 0
    kinds_alone = {(x["kind"], x["name"]) for x in out.receipt["left_alone"]}
    assert ("endpoints", "team-b-ep") in kinds_alone and ("notebook-instances", "team-b-nb-eu") in kinds_alone
    assert all(x["age"] != "?" for x in out.receipt["left_alone"])
    assert out.receipt["ok"] and out.receipt["remaining_total"] == 0
    assert "not the class's: left alone" in format_table(out.receipt)
    # no call ever named a decoy in a delete or stop (a stream's group is shared: its name is not one)
    touched = {
        str(v)
        for c in ctx.aws.calls
        if c.operation.startswith(("Delete", "Stop"))
        for k, v in (c.params or {}).items()
        if not (c.operation == "DeleteLogStream" and k == "logGroupName")
    }
    assert not {n for group in DECOYS.values() for n in group} & touched

    # SageMaker's shared log groups: exactly the class's streams are gone, every other team's stay
    training = _streams(a["logs"], "/aws/sagemaker/TrainingJobs")
    assert not [s for s in training if s.startswith("ml101-tune-")], training
    assert [s for s in training if s.startswith("team-b-tune-")], training
    assert _streams(a["logs"], "/aws/sagemaker/ProcessingJobs") == ["ml101-prep-2/algo-1-1764000000"]
    assert _streams(a["logs"], "/aws/sagemaker/studio") == [f"{a['theirs']}/s01/JupyterLab/default"]
    assert "ml101-prep-2/algo-1-1764000000" not in touched
    assert reasons[("log-streams", "/aws/sagemaker/ProcessingJobs:ml101-prep/algo-1-1764000000")] == (
        "log stream of the class's processing job ml101-prep (tagged classroom=ml101) in SageMaker's "
        "shared group /aws/sagemaker/ProcessingJobs"
    )
    assert any(
        k == "log-streams" and i.startswith("/aws/sagemaker/TrainingJobs:ml101-tune-") for k, i in reasons
    )


def test_a_dedicated_teardown_deletes_the_untagged_too_but_never_another_class(account, td_state):
    a = account
    ctx = make_ctx(make_scope(td_state, domain_ids=(a["ours"],), buckets=("ml101-models",), dedicated=True))
    lines: list[str] = []
    out = teardown(ctx, log=lines.append)
    text = "\n".join(lines)
    assert out.ok, text
    assert "dedicated_account = true" in text.splitlines()[1]
    reasons = {(it.kind, it.id): it.reason for it in out.plan.items}
    assert "in scope because [class] dedicated_account = true" in reasons[("endpoints", "team-b-ep")]
    assert (
        "in scope because [class] dedicated_account = true" in reasons[("notebook-instances", "team-b-nb-eu")]
    )
    left = _names(a)
    assert left["endpoints"] == {"stats-ep"} and left["configs"] == {"stats-ep-config"}
    assert left["models"] == {"stats-ep-model"}
    assert left["notebooks"] == set() and left["tuning"] == set() and left["logs"] == set()
    assert [(x["kind"], x["name"]) for x in out.receipt["left_alone"]] == [
        ("endpoints", "stats-ep"),
        ("endpoint-configs", "stats-ep-config"),
        ("models", "stats-ep-model"),
    ]


@pytest.mark.parametrize("existed", [False, True])
def test_the_sdk_default_bucket_goes_only_when_the_class_made_it(client, reset_emulator, td_state, existed):
    """class.json records at the first `up` whether sagemaker-<region>-<account> existed; a bucket the
    account had before the class is never touched."""
    from kitcore.statedir import write_json
    from provision.teardown.scope import scope_from_files

    s3 = client("s3")
    name = "sagemaker-us-east-1-123456789012"
    s3.create_bucket(Bucket=name)  # Session().default_bucket() in a notebook
    s3.put_object(Bucket=name, Key="notebook/data.csv", Body=b"1,2\n")
    write_json(
        td_state / "class.json",
        {
            "account_id": "123456789012",
            "sdk_default_bucket_name": name,
            "sdk_default_bucket_existed": existed,
        },
    )
    scope = scope_from_files(
        class_name="ml101",
        region=REGION,
        class_dir=td_state,
        tags={"classroom": "ml101"},
        sweep_regions=(REGION,),
    )
    out = teardown(make_ctx(scope), log=lambda _: None)
    assert out.ok, out.receipt
    left = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert (name in left) is existed
    if existed:
        s3.delete_object(Bucket=name, Key="notebook/data.csv")
        s3.delete_bucket(Bucket=name)
    else:
        reasons = [it.reason for it in out.plan.items if it.kind == "sdk-default-bucket"]
        assert reasons == [
            "the SDK's default bucket: it did not exist before the class's first `up`, "
            "so the class's notebooks made it"
        ]


# --- the tags SageMaker adds by itself: made by the embedded AWS, never written by the test -------------
def _kernel_client(aws_env, sts, session: str):
    """A SageMaker client with what a Studio kernel of ``session`` holds: the execution role, assumed in
    a session named after the user profile (as ``classroom lab`` gives each student's kernels)."""
    import boto3

    creds = sts.assume_role(RoleArn=ROLE, RoleSessionName=session)["Credentials"]
    return boto3.client(
        "sagemaker",
        region_name=REGION,
        endpoint_url=aws_env.url,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def test_ownership_from_the_tags_sagemaker_adds_to_what_a_studio_kernel_creates(
    aws_env, client, reset_emulator, td_state
):
    """AWS doc "Tagging SageMaker AI resources" (AWS generated tags): what Studio creates with the
    execution role gets sagemaker:domain-arn and sagemaker:user-profile-arn; with TagPropagation the
    domain's custom tags too ("Custom tag propagation"). The kernels' requests below carry no tags at
    all: every tag the teardown reads was added by the embedded AWS (emulator/account/studio_tags.py)."""
    import json

    sm, ec2, iam, sts = client("sagemaker"), client("ec2"), client("iam"), client("sts")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sagemaker.amazonaws.com"},
                "Action": "sts:AssumeRole",
            },
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "sts:AssumeRole",
            },
        ],
    }
    iam.create_role(RoleName="classroom-sagemaker", AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(
        RoleName="classroom-sagemaker",
        PolicyName="studio",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["sagemaker:*", "iam:PassRole"], "Resource": "*"}
                ],
            }
        ),
    )
    ours = studio(sm, ec2, profiles=1)  # profile student-00, its app, the space group-project and its app
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
    theirs = sm.create_domain(
        DomainName="team-b",
        AuthMode="IAM",
        DefaultUserSettings={"ExecutionRole": ROLE},
        SubnetIds=[subnet],
        VpcId=vpc,
    )["DomainId"]
    sm.create_user_profile(DomainId=theirs, UserProfileName="tb-01")
    ours_arn = sm.describe_domain(DomainId=ours)["DomainArn"]

    def tags(arn: str) -> dict[str, str]:
        return {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]}

    # Studio's own resources: the space and its app carry the domain (and the space); the default
    # JupyterServer app that serves the Studio UI is not tagged
    space_app = next(
        a for a in sm.list_apps(DomainIdEquals=ours)["Apps"] if a.get("SpaceName") == "group-project"
    )
    space = sm.describe_space(DomainId=ours, SpaceName="group-project")
    app_arn = sm.describe_app(
        DomainId=ours, SpaceName="group-project", AppType=space_app["AppType"], AppName="default"
    )["AppArn"]
    assert tags(app_arn) == {"sagemaker:domain-arn": ours_arn, "sagemaker:space-arn": space["SpaceArn"]}
    assert tags(space["SpaceArn"])["sagemaker:domain-arn"] == ours_arn
    server = sm.describe_app(
        DomainId=ours, UserProfileName="student-00", AppType="JupyterServer", AppName="default"
    )
    assert tags(server["AppArn"]) == {}

    # what kernels create, with no Tags in the request
    endpoint(_kernel_client(aws_env, sts, "student-00"), "kernel-ep", tags=None)  # the class's student
    endpoint(_kernel_client(aws_env, sts, "tb-01"), "team-b-kernel-ep", tags=None)  # another domain's
    endpoint(_kernel_client(aws_env, sts, "someone"), "script-ep", tags=None)  # no Studio profile: no tags
    ep = sm.describe_endpoint(EndpointName="kernel-ep")["EndpointArn"]
    profile_arn = sm.describe_user_profile(DomainId=ours, UserProfileName="student-00")["UserProfileArn"]
    assert tags(ep) == {"sagemaker:domain-arn": ours_arn, "sagemaker:user-profile-arn": profile_arn}
    assert tags(sm.describe_endpoint(EndpointName="script-ep")["EndpointArn"]) == {}

    # custom tag propagation: the domain's tags reach what its kernels create once it is ENABLED
    sm.add_tags(ResourceArn=ours_arn, Tags=CLASS_TAGS)
    model = _kernel_client(aws_env, sts, "student-00").create_model(
        ModelName="kernel-model",
        ExecutionRoleArn=ROLE,
        PrimaryContainer={"Image": "img", "ModelDataUrl": "s3://ml101-models/m.tar.gz"},
    )["ModelArn"]
    assert "classroom" not in tags(model)  # TagPropagation is DISABLED by default
    sm.update_domain(DomainId=ours, TagPropagation="ENABLED")
    model2 = _kernel_client(aws_env, sts, "student-00").create_model(
        ModelName="kernel-model-2",
        ExecutionRoleArn=ROLE,
        PrimaryContainer={"Image": "img", "ModelDataUrl": "s3://ml101-models/m.tar.gz"},
    )["ModelArn"]
    assert tags(model2) == {
        "classroom": "ml101",
        "managed-by": "classroom-kit",
        "sagemaker:domain-arn": ours_arn,
        "sagemaker:user-profile-arn": profile_arn,
    }

    # the teardown, not dedicated: what the class's kernels made goes, proven by those tags alone
    ctx = make_ctx(make_scope(td_state, domain_ids=(ours,), sweep_regions=(REGION,)))
    out = teardown(ctx, log=lambda _: None)
    assert out.ok, out.receipt
    reasons = {(it.kind, it.id): it.reason for it in out.plan.items}
    assert reasons[("endpoints", "kernel-ep")].endswith(
        f"made in the class's Studio domain {ours} (tag sagemaker:domain-arn)"
    )
    assert "tagged classroom=ml101" in reasons[("models", "kernel-model-2")]
    assert f"made in the class's Studio domain {ours}" in reasons[("models", "kernel-model")]
    alone = {(it.kind, it.id): it.reason for it in out.plan.left_alone}
    assert alone[("endpoints", "team-b-kernel-ep")] == f"made in another Studio domain ({theirs})"
    assert alone[("endpoints", "script-ep")].startswith("no classroom tag")
    assert {e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]} == {"team-b-kernel-ep", "script-ep"}
    assert {m["ModelName"] for m in sm.list_models()["Models"]} == {
        "team-b-kernel-ep-model",
        "script-ep-model",
    }
