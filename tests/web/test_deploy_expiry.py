"""`classroom deploy` and the expiry sweep on the embedded AWS, with real trained models."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil

import pytest
from web_helpers import boto, sagemaker_names, web_settings

from kitcore.errors import KitError
from kitcore.times import now_utc
from provision import classroom
from provision.commands.deploy import deploy_here
from provision.endpoints import class_endpoints, class_scope
from provision.expiry import remove_expired, sweep_before_command


def test_deploy_extend_expire_and_scope(trained_class, settings, emulator, aws_env):
    sm = boto("sagemaker", emulator)
    before = sagemaker_names(sm)
    name, expires, extended = deploy_here(settings, "rainfall", 5)
    assert not extended
    [ep] = [e for e in class_endpoints(sm, class_scope(settings)) if e.name == name]
    assert ep.job == "rainfall" and ep.status == "InService"
    assert 4 * 60 < ep.seconds_left() <= 5 * 60
    assert ep.tags["classroom"] == "webclass" and ep.tags["classroom-class"] == "webclass"

    # deploying the same job again only extends the live endpoint
    name2, expires2, extended2 = deploy_here(settings, "rainfall", 20)
    assert (name2, extended2) == (name, True)
    [ep] = [e for e in class_endpoints(sm, class_scope(settings)) if e.name == name]
    assert 19 * 60 < ep.seconds_left() <= 20 * 60

    # another class (same account and region) deploys too: the sweep of one never touches the other
    other = web_settings("otherclass")
    other_dir = classroom.class_dir(other)
    shutil.copytree(trained_class / "jobs", other_dir / "jobs")
    try:
        other_name, _, _ = deploy_here(other, "rainfall", 1)
        assert other_name != name
        assert remove_expired(settings, sm) == []  # nothing expired yet
        later = now_utc() + dt.timedelta(minutes=30)
        assert remove_expired(settings, sm, now=later) == [name]
        left = sagemaker_names(sm)
        assert name not in left["endpoints"] | left["configs"] | left["models"]
        assert other_name in left["endpoints"]
        assert remove_expired(other, sm, now=later) == [other_name]
    finally:
        shutil.rmtree(other_dir, ignore_errors=True)
    assert sagemaker_names(sm) == before


def test_deploy_refuses_bad_input_before_creating_anything(trained_class, emulator, aws_env):
    sm = boto("sagemaker", emulator)
    before = sagemaker_names(sm)
    never_trained = web_settings("emptyclass")
    cases = [
        (never_trained, "spam", 5, "has not been trained yet"),
        (web_settings(), "nosuchjob", 5, "unknown job 'nosuchjob'"),
        (web_settings(), "spam", 0, "--minutes must be between 1 and 1440"),
        (web_settings(), "spam", 100_000, "--minutes must be between 1 and 1440"),
    ]
    for s, job, minutes, message in cases:
        with pytest.raises(KitError) as err:
            deploy_here(s, job, minutes)
        assert message in str(err.value)
        assert "\n" not in str(err.value)
    assert sagemaker_names(sm) == before


def test_the_sweep_before_each_command(trained_class, settings, emulator, aws_env, monkeypatch, tmp_path):
    """What the CLI group runs before a command: removes expired endpoints, never raises."""
    sm = boto("sagemaker", emulator)
    before = sagemaker_names(sm)
    name = deploy_here(settings, "spam", 1)[0]
    assert sweep_before_command(settings) == []
    assert sweep_before_command(settings, now=now_utc() + dt.timedelta(minutes=2)) == [name]
    assert sagemaker_names(sm) == before
    # no embedded AWS running for this state directory: nothing to do, no error
    monkeypatch.setenv("CLASSROOM_STATE_DIR", str(tmp_path))
    assert sweep_before_command(settings) == []
    # a real account without credentials (and no network in tests): logged, not raised
    for var in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert sweep_before_command(dataclasses.replace(settings, target="aws")) == []
