"""Pure logic of the account extension: status timing, paging tokens, policy evaluation, retention."""

from __future__ import annotations

import pytest
from moto.ec2.models import ec2_backends
from moto.efs.models import efs_backends
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import SageMakerModelBackend, sagemaker_backends

from emulator.account import paging
from emulator.account.lifecycle import Delays, Lifecycle
from emulator.account.studio import StudioMixin
from emulator.iam.policy import evaluate, parse


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_transition_needs_the_delay_and_a_client_to_have_seen_it():
    clock = FakeClock()
    life = Lifecycle("Pending", clock=clock)
    life.move("Pending", "InService", 0.5)
    clock.now += 10  # long past the delay, but nobody has looked yet
    assert life.peek() == "Pending"  # internal checks do not count as seeing it
    assert life.observe() == "Pending"  # the first look always shows the intermediate status
    assert life.observe() == "InService"
    life.move("Deleting", "Deleted", 0.5)
    assert life.observe() == "Deleting"
    clock.now += 0.4
    assert life.observe() == "Deleting"  # seen, but the delay has not passed
    clock.now += 0.2
    assert life.observe() == "Deleted" and life.settled_for() == 0.0
    clock.now += 7
    assert life.settled_for() == pytest.approx(7)


def test_zero_delay_moves_at_once():
    life = Lifecycle("Pending")
    life.move("Pending", "InService", 0)
    assert life.peek() == "InService"


def test_delays_from_env(monkeypatch):
    monkeypatch.setenv("KIT_EMULATOR_APP_PENDING_S", "2.5")
    monkeypatch.setenv("KIT_EMULATOR_STUDIO_DELAY_S", "not-a-number")
    monkeypatch.setenv("KIT_EMULATOR_APP_DELETING_S", "-3")
    d = Delays.from_env()
    assert (d.app_pending_s, d.studio_s, d.app_deleting_s, d.app_retention_s) == (2.5, 0.0, 0.0, 900.0)


def test_paging_tokens():
    items = list(range(25))
    first, token = paging.page(items, None, None)
    assert first == list(range(10)) and token
    second, token = paging.page(items, None, token)
    third, last = paging.page(items, None, token)
    assert second == list(range(10, 20)) and third == list(range(20, 25)) and last is None
    assert paging.page(items, 100, None) == (items, None)
    for bad_size in (0, 101):
        with pytest.raises(ValidationError):
            paging.page(items, bad_size, None)
    for bad_token in ("garbage", paging.encode_token(3)[:-2] + "!!", "a2l0LXBhZ2U6eA=="):
        with pytest.raises(ValidationError):
            paging.page(items, None, bad_token)
    with pytest.raises(ValidationError):
        paging.sort_items([], "x", "Sideways")


def _policy(*statements: dict, name: str = "p"):
    return parse({"Version": "2012-10-17", "Statement": list(statements)}, name, "user")


def _decide(policies, action, resource="*", ctx=None) -> str:
    return evaluate(policies, action, resource, ctx or {}).decision


def test_policy_evaluation():
    allow_s3 = _policy({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"})
    deny_delete = _policy({"Effect": "Deny", "Action": "s3:Delete?bject", "Resource": "*"}, name="deny")
    assert _decide([allow_s3], "s3:GetObject", "arn:aws:s3:::b/k") == "allowed"
    assert _decide([allow_s3], "s3:GetObject", "arn:aws:s3:::bb/k") == "implicitDeny"
    result = evaluate([allow_s3, deny_delete], "s3:DeleteObject", "arn:aws:s3:::b/k", {})
    assert result.decision == "explicitDeny"
    assert [(p.source_id, p.source_type) for p, _ in result.denied_by] == [("deny", "user")]
    not_action = _policy({"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::secret/*"})
    assert _decide([not_action], "s3:GetObject", "arn:aws:s3:::b/k") == "allowed"
    assert _decide([not_action], "iam:CreateUser") == "implicitDeny"
    assert _decide([not_action], "s3:GetObject", "arn:aws:s3:::secret/k") == "implicitDeny"
    dot = _policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::a.b/*"})
    assert _decide([dot], "s3:GetObject", "arn:aws:s3:::aXb/k") == "implicitDeny"
    single = parse({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}, "s", "role")
    assert _decide([single], "anything:AtAll") == "allowed"


class _StudioOnly(StudioMixin, SageMakerModelBackend):
    @property
    def _url_module(self):
        import moto.sagemaker.urls

        return moto.sagemaker.urls


def test_deleted_apps_are_dropped_after_the_retention_time():
    account, region = "000000000043", "us-east-1"
    try:
        backend = _StudioOnly(region, account)
        backend.studio_delays = Delays(app_pending_s=0, app_deleting_s=0, app_retention_s=0, studio_s=0)
        ec2 = ec2_backends[account][region]
        vpc = ec2.get_default_vpc()
        subnet = ec2.describe_subnets(filters={"vpc-id": [vpc.id]})[0]
        domain_id = backend.create_domain("n", "IAM", {}, [subnet.id], vpc.id)["DomainId"]
        backend.create_user_profile(domain_id, "alice")
        backend.create_app(domain_id, "JupyterServer", "default", user_profile_name="alice")
        assert [a["Status"] for a in backend.list_apps()[0]] == ["InService"]
        backend.delete_app(domain_id, "JupyterServer", "default", user_profile_name="alice")
        assert backend.list_apps()[0] == []  # retention 0: gone as soon as it is Deleted
        backend.studio_delays = Delays(app_pending_s=0, app_deleting_s=0, app_retention_s=900, studio_s=0)
        backend.create_app(domain_id, "JupyterServer", "default", user_profile_name="alice")
        backend.delete_app(domain_id, "JupyterServer", "default", user_profile_name="alice")
        assert [a["Status"] for a in backend.list_apps()[0]] == ["Deleted"]  # kept a while, like AWS
        backend.delete_user_profile(domain_id, "alice")
        backend.delete_domain(domain_id, {"HomeEfsFileSystem": "Delete"})
        assert backend.domains == {} and efs_backends[account][region].file_systems_by_id == {}
    finally:
        for backends in (sagemaker_backends, ec2_backends, efs_backends):
            backends.pop(account, None)
