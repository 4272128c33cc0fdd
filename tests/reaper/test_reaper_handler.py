"""The reaper's code against the embedded AWS's real SageMaker, SNS and SQS (called in-process here;
tests/reaper/test_reaper_scheduled.py runs it as the deployed Lambda on its schedule).

Ownership is the one of ``classroom down`` and the expiry sweep: only what carries the class tag
(``classroom=<class>``) and the apps of the class's own domain; another class's endpoint in the same
account, and an untagged one, are never touched even when their ``expires-at`` has passed.
"""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from kitcore.aws import delete_endpoint_with_parts, ignore_not_found
from provision.reaper import handler
from provision.reaper.package import build_package
from testkit import aws as testkit_aws

ROLE = "arn:aws:iam::123456789012:role/reaper-test-sagemaker"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
PAST = (NOW - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
FUTURE = (NOW + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def aws(emulator):
    return testkit_aws.clients(emulator.url, attempts=2)


def _endpoint(sm, name: str, tags: dict[str, str]) -> None:
    tag_list = [{"Key": k, "Value": v} for k, v in tags.items()]
    testkit_aws.endpoint(sm, name, role=ROLE, bucket="reaper-none", tags=tag_list)


def _names(sm) -> dict[str, set[str]]:
    return {
        "endpoints": {e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]},
        "configs": {c["EndpointConfigName"] for c in sm.list_endpoint_configs()["EndpointConfigs"]},
        "models": {m["ModelName"] for m in sm.list_models()["Models"]},
        "notebooks": {n["NotebookInstanceName"] for n in sm.list_notebook_instances()["NotebookInstances"]},
    }


def _cleanup(sm, before: dict[str, set[str]]) -> None:
    now = _names(sm)
    for name in now["endpoints"] - before["endpoints"]:
        delete_endpoint_with_parts(sm, name)
    now = _names(sm)
    for name in now["configs"] - before["configs"]:
        sm.delete_endpoint_config(EndpointConfigName=name)
    for name in now["models"] - before["models"]:
        sm.delete_model(ModelName=name)
    for name in now["notebooks"] - before["notebooks"]:
        for _ in range(300):  # Stopping and Deleting take a moment, as on AWS
            found = ignore_not_found(
                lambda name=name: sm.describe_notebook_instance(NotebookInstanceName=name)
            )
            if found is None:
                break
            if found["NotebookInstanceStatus"] == "InService":
                sm.stop_notebook_instance(NotebookInstanceName=name)
            elif found["NotebookInstanceStatus"] in ("Stopped", "Failed"):
                sm.delete_notebook_instance(NotebookInstanceName=name)
            time.sleep(0.1)
    assert _names(sm) == before


def test_expired_class_endpoints_only(aws):
    sm = aws("sagemaker")
    before = _names(sm)
    env = {"CLASS_NAME": "reapclass", "CLASS_TAGS": json.dumps({"classroom": "reapclass"}), "ENDS_AT": FUTURE}
    try:
        _endpoint(sm, "reap-expired", {"classroom": "reapclass", "expires-at": PAST})
        _endpoint(sm, "reap-live", {"classroom": "reapclass", "expires-at": FUTURE})
        _endpoint(sm, "reap-forever", {"classroom": "reapclass"})
        _endpoint(sm, "other-expired", {"classroom": "otherclass", "expires-at": PAST})
        _endpoint(sm, "untagged-expired", {"expires-at": PAST})
        summary = handler.run(env=env, now=NOW, sm=sm)
        assert summary["removed"] == [
            "endpoint reap-expired",
            "endpoint-config reap-expired-config",
            "model reap-expired-model",
        ]
        assert summary["errors"] == [] and summary["class_over"] is False and summary["class"] == "reapclass"
        left = _names(sm)["endpoints"] - before["endpoints"]
        assert left == {"reap-live", "reap-forever", "other-expired", "untagged-expired"}
        # a second run finds nothing more to do
        assert handler.run(env=env, now=NOW, sm=sm)["removed"] == []
    finally:
        _cleanup(sm, before)


def test_after_the_class_everything_billable_and_a_mail(aws):
    sm, sns, sqs = aws("sagemaker"), aws("sns"), aws("sqs")
    before = _names(sm)
    topic = sns.create_topic(Name="reaper-test-topic")["TopicArn"]
    queue = sqs.create_queue(QueueName="reaper-test-mail")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
    )
    env = {
        "CLASS_NAME": "reapclass",
        "CLASS_TAGS": json.dumps({"classroom": "reapclass"}),
        "ENDS_AT": PAST,
        "TOPIC_ARN": topic,
    }
    try:
        _endpoint(sm, "reap-live", {"classroom": "reapclass", "expires-at": FUTURE})
        _endpoint(sm, "other-live", {"classroom": "otherclass"})
        for name, tag in (("reap-notebook", "reapclass"), ("other-notebook", "otherclass")):
            sm.create_notebook_instance(
                NotebookInstanceName=name,
                InstanceType="ml.t3.medium",
                RoleArn=ROLE,
                Tags=[{"Key": "classroom", "Value": tag}],
            )
        for _ in range(100):
            statuses = {
                n["NotebookInstanceName"]: n["NotebookInstanceStatus"]
                for n in sm.list_notebook_instances()["NotebookInstances"]
            }
            if statuses.get("reap-notebook") == "InService":
                break
            time.sleep(0.1)
        first = handler.run(env=env, now=NOW, sm=sm, sns=sns)
        assert first["class_over"] is True and first["notified"] is True
        assert "endpoint reap-live" in first["removed"] and first["stopped"] == [
            "notebook-instance reap-notebook"
        ]
        for _ in range(100):
            if (
                sm.describe_notebook_instance(NotebookInstanceName="reap-notebook")["NotebookInstanceStatus"]
                == "Stopped"
            ):
                break
            time.sleep(0.1)
        second = handler.run(env=env, now=NOW, sm=sm, sns=sns)
        assert second["removed"] == ["notebook-instance reap-notebook"]
        left = _names(sm)
        assert "other-live" in left["endpoints"] and "other-notebook" in left["notebooks"]
        assert "reap-live" not in left["endpoints"]
        mails = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"]
        bodies = [m["Body"] for m in mails]
        assert len(bodies) == 2 and "removed endpoint reap-live" in bodies[0]
        assert "stopped notebook-instance reap-notebook" in bodies[0]
    finally:
        _cleanup(sm, before)
        sns.delete_topic(TopicArn=topic)
        sqs.delete_queue(QueueUrl=queue)


def test_package_is_deterministic_and_standalone(tmp_path):
    """The zip holds the handler and the kitcore modules it needs, and imports with nothing else of the
    kit on the path (python -I, only the unpacked zip and the venv's boto3), as in Lambda."""
    import subprocess
    import sys
    import zipfile

    a, b = build_package(tmp_path / "a.zip"), build_package(tmp_path / "b.zip")
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as zf:
        assert "handler.py" in zf.namelist() and "kitcore/aws.py" in zf.namelist()
        zf.extractall(tmp_path / "task")
    probe = (
        "import sys; sys.path[:] = [p for p in sys.path if '__editable__' not in p]; "
        "sys.meta_path[:] = [f for f in sys.meta_path if 'Editable' not in getattr(f, '__name__', '')]; "
        "sys.path.insert(0, '.'); import handler; "
        "assert 'provision' not in sys.modules and 'jobs' not in sys.modules, sorted(sys.modules); "
        "print(handler.kit_tags.EXPIRES, handler.__file__)"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", probe],
        cwd=tmp_path / "task",
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["expires-at", str(tmp_path / "task" / "handler.py")]


def test_after_the_class_the_apps_of_the_class_domain_stop(aws):
    """Studio apps of the class's domain are deleted (= stopped) after ends_at; another domain's stay."""
    sm, ec2 = aws("sagemaker"), aws("ec2")
    net = testkit_aws.network(ec2, "10.9.0.0/16")
    domains = {}
    for name in ("reapclass", "otherclass"):
        domains[name] = testkit_aws.domain(sm, name, ROLE, net)
        sm.create_user_profile(DomainId=domains[name], UserProfileName="student-01")
        sm.create_app(
            DomainId=domains[name], UserProfileName="student-01", AppType="JupyterServer", AppName="default"
        )

    def in_service(domain: str) -> list[dict]:
        return [
            a for a in sm.list_apps(DomainIdEquals=domain)["Apps"] if a["Status"] in ("InService", "Pending")
        ]

    env = {
        "CLASS_NAME": "reapclass",
        "CLASS_TAGS": json.dumps({"classroom": "reapclass"}),
        "ENDS_AT": PAST,
        "DOMAIN_ID": domains["reapclass"],
    }

    def settle(domain: str) -> None:  # Pending → InService (AWS refuses to delete a Pending app)
        for _ in range(200):
            apps = sm.list_apps(DomainIdEquals=domain)["Apps"]
            if apps and all(a["Status"] not in ("Pending", "Deleting") for a in apps):
                return
            time.sleep(0.1)

    for domain in domains.values():
        settle(domain)
    try:
        summary = handler.run(env=env, now=NOW, sm=sm)
        assert summary["errors"] == []
        assert summary["stopped"] == ["studio-app JupyterServer/default of student-01"]
        assert in_service(domains["reapclass"]) == [] and len(in_service(domains["otherclass"])) == 1
    finally:
        for domain in domains.values():
            settle(domain)
            for app in in_service(domain):
                sm.delete_app(
                    DomainId=domain,
                    UserProfileName="student-01",
                    AppType=app["AppType"],
                    AppName=app["AppName"],
                )
            for _ in range(100):
                if not [a for a in sm.list_apps(DomainIdEquals=domain)["Apps"] if a["Status"] != "Deleted"]:
                    break
                time.sleep(0.1)
            sm.delete_user_profile(DomainId=domain, UserProfileName="student-01")
            for _ in range(100):
                if not sm.list_user_profiles(DomainIdEquals=domain)["UserProfiles"]:
                    break
                time.sleep(0.1)
            sm.delete_domain(DomainId=domain, RetentionPolicy={"HomeEfsFileSystem": "Delete"})
        for _ in range(100):
            if not [d for d in sm.list_domains()["Domains"] if d["DomainId"] in domains.values()]:
                break
            time.sleep(0.1)
        assert not [d for d in sm.list_domains()["Domains"] if d["DomainId"] in domains.values()]
