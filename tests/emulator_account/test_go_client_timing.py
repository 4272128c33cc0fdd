"""The embedded AWS must not answer a Go SDK request while its sender may still be finishing the write.

Terraform's AWS provider (aws-sdk-go-v2 on Go's net/http) writes a request's headers, then its body,
then, in the same goroutine, reads the (by then possibly closed) body once more and closes it. When the
response arrives first, the SDK has already closed the body, the extra read returns ``io.EOF``,
net/http takes it for a write error and closes the connection while the caller reads the response:
"decomposing response: ... use of closed network connection" on a 200 answer. An emulator on the same
loaded host answered inside that window about once in a few thousand calls (one AddUserToGroup or
DeleteLoginProfile lost per 100-student apply/destroy). The server now answers such requests only
``GO_WRITE_GRACE_MS`` after their body is in (see ``emulator.server.with_go_write_grace``).

The first test speaks HTTP the way Go does (headers and body in two writes, a new connection, the Go
SDK's User-Agent) to the real emulator process and measures how soon the answer comes. Before the
fix the fastest of five answers came within a few milliseconds.
"""

from __future__ import annotations

import io
import socket
import time

import pytest

from emulator import server

GO_AGENT = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.11.4 terraform-provider-aws/5.100.0 "
    "aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.23.10 api/iam#1.42.0"
)
AUTH = (
    "AWS4-HMAC-SHA256 Credential=testing/20261123/us-east-1/iam/aws4_request, "
    "SignedHeaders=content-length;content-type;host;x-amz-date, Signature=0"
)


def _go_like_call(port: int, body: str) -> tuple[float, bytes]:
    """One IAM call written the way Go does it: (seconds from last body byte to first answer byte, answer)."""
    payload = body.encode()
    head = (
        f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: {GO_AGENT}\r\n"
        f"Content-Length: {len(payload)}\r\nAuthorization: {AUTH}\r\n"
        "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
        "Accept-Encoding: gzip\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(head)
        time.sleep(0.002)  # Go flushes the headers before it copies the body
        sock.sendall(payload)
        sent = time.monotonic()
        first = sock.recv(65536)
        waited = time.monotonic() - sent
        answer = first
        while chunk := sock.recv(65536):
            answer += chunk
    return waited, answer


def test_go_sdk_request_is_answered_after_the_write_grace(client, emulator, reset_emulator):
    iam = client("iam")
    iam.create_group(GroupName="go-timing")
    users = [f"go-timing-{i}" for i in range(5)]
    for user in users:
        iam.create_user(UserName=user)

    waits = []
    for user in users:
        waited, answer = _go_like_call(
            emulator.port, f"Action=AddUserToGroup&GroupName=go-timing&UserName={user}&Version=2010-05-08"
        )
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), answer[:300]
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        assert len(body) == length and b"<AddUserToGroupResponse" in body
        waits.append(waited)

    # the answer never comes inside the window in which Go may still be finishing its write
    assert min(waits) >= 0.8 * server.GO_WRITE_GRACE_MS / 1000, waits
    members = [u["UserName"] for u in iam.get_group(GroupName="go-timing")["Users"]]
    assert sorted(members) == users

    for user in users:
        iam.remove_user_from_group(GroupName="go-timing", UserName=user)
        iam.delete_user(UserName=user)
    iam.delete_group(GroupName="go-timing")
    assert iam.list_users()["Users"] == [] and iam.list_groups()["Groups"] == []


def _call(agent: str, body: bytes) -> tuple[bytes, list[float]]:
    seen: dict[str, bytes] = {}

    def inner(environ, start_response):
        seen["body"] = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response("200 OK", [])
        return [b""]

    slept: list[float] = []
    environ = {
        "HTTP_USER_AGENT": agent,
        "CONTENT_LENGTH": str(len(body)) if body else "",
        "wsgi.input": io.BytesIO(body),
    }
    app_ = server.with_go_write_grace(inner, grace_s=0.025)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(server.time, "sleep", slept.append)
        app_(environ, lambda status, headers: None)
    return seen["body"], slept


@pytest.mark.parametrize(
    ("agent", "body", "expect_wait"),
    [
        (GO_AGENT, b"Action=DeleteLoginProfile&UserName=a", True),
        ("Go-http-client/1.1", b"{}", True),
        ("Boto3/1.44.5 md/Botocore#1.44.5 ua/2.1 os/linux", b"Action=DeleteLoginProfile&UserName=a", False),
        (GO_AGENT, b"", False),  # nothing written after the headers: nothing to wait for
    ],
)
def test_only_go_requests_with_a_body_wait_and_the_body_reaches_the_app(agent, body, expect_wait):
    seen, slept = _call(agent, body)
    assert seen == body
    assert slept == ([0.025] if expect_wait else [])


def test_grace_setting_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv(server.GO_WRITE_GRACE_ENV, "0")
    assert server._grace_seconds() == 0
    monkeypatch.setenv(server.GO_WRITE_GRACE_ENV, "40")
    assert server._grace_seconds() == pytest.approx(0.04)
    monkeypatch.setenv(server.GO_WRITE_GRACE_ENV, "soon")
    assert server._grace_seconds() == server.GO_WRITE_GRACE_MS / 1000
