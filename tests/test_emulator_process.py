"""The embedded AWS runs as its own process, bound to loopback, reachable through AWS APIs."""

import socket

import pytest

from emulator import netguard


def test_emulator_answers_s3_and_sagemaker(client, reset_emulator):
    s3 = client("s3")
    s3.create_bucket(Bucket="probe-bucket")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["probe-bucket"]
    s3.delete_bucket(Bucket="probe-bucket")
    assert s3.list_buckets()["Buckets"] == []
    assert client("sagemaker").list_endpoints()["Endpoints"] == []


def test_emulator_binds_loopback_only(emulator):
    assert emulator.host == "127.0.0.1"
    with open(f"/proc/{emulator.pid}/cmdline", "rb") as fh:
        argv = fh.read().split(b"\0")
    assert b"--loopback-only" in argv


def test_test_run_refuses_non_loopback_connections():
    assert netguard._installed
    with socket.socket() as s, pytest.raises(netguard.NonLoopbackConnection):
        s.connect(("192.0.2.1", 443))  # TEST-NET-1: never routed, refused before any packet
