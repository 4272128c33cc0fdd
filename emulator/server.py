"""Entry point of the embedded AWS process.

    python -m emulator serve --host 127.0.0.1 --port 0 --ready-file PATH [--loopback-only]

Port 0 asks the OS for a free port. Once the server listens, the ready file gets a JSON object
``{"pid": ..., "host": ..., "port": ...}`` (written atomically) so that the parent knows where it
is. The kit's extensions are installed into moto before the first request is served.
"""

from __future__ import annotations

import argparse
import faulthandler
import io
import ipaddress
import json
import os
import signal
import sys
import time
from pathlib import Path


def _write_ready(path: Path, payload: dict) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(payload, fh)
    os.replace(tmp, path)


HEALTH_PATH = "/__classroom/health"
QUOTAS_PATH = "/__classroom/quotas"
KNOBS_PATH = "/__classroom/knobs"  # POST a JSON object: test knobs (emulator/account/s3_policy_race.py)


def _knobs(environ, start_response):
    from emulator.account import s3_policy_race

    try:
        size = int(environ.get("CONTENT_LENGTH") or 0)
        values = json.loads(environ["wsgi.input"].read(size) or b"{}")
        body, status = json.dumps(s3_policy_race.set_knobs(values)).encode(), "200 OK"
    except (KeyError, ValueError, TypeError) as err:
        body, status = json.dumps({"error": f"unknown or bad knob: {err}"}).encode(), "400 Bad Request"
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def with_health(app):
    """Answer ``GET /__classroom/health`` cheaply (moto's /moto-api/data.json walks every backend),
    ``POST /__classroom/knobs`` (test knobs) and ``/__classroom/snapshot/NAME`` (emulator/snapshots.py,
    test-only)."""
    from emulator import snapshots

    def wrapped(environ, start_response):
        if environ.get("PATH_INFO") == QUOTAS_PATH and environ.get("REQUEST_METHOD") in ("POST", "DELETE"):
            # the knob of emulator.account.quotas: set Service Quotas values by name (tests, doctor)
            from emulator.account import quotas

            if environ["REQUEST_METHOD"] == "DELETE":
                quotas.set_overrides(None)
            else:
                length = int(environ.get("CONTENT_LENGTH") or 0)
                quotas.set_overrides(json.loads(environ["wsgi.input"].read(length) or b"{}"))
            start_response("204 No Content", [("Content-Length", "0")])
            return [b""]
        if environ.get("PATH_INFO") == KNOBS_PATH and environ.get("REQUEST_METHOD") == "POST":
            return _knobs(environ, start_response)
        if environ.get("PATH_INFO", "").startswith(snapshots.PATH):  # test-only, off by default
            return snapshots.handle(environ, start_response)
        if environ.get("PATH_INFO") == HEALTH_PATH:
            body = json.dumps({"service": "classroom-embedded-aws", "pid": os.getpid()}).encode()
            start_response(
                "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            )
            return [body]
        return app(environ, start_response)

    return wrapped


#: How long a request with a body from a Go AWS SDK waits, once its body is in, before it is answered.
GO_WRITE_GRACE_ENV = "CLASSROOM_EMULATOR_GO_GRACE_MS"
GO_WRITE_GRACE_MS = 25.0
GO_CLIENT_MARKERS = ("aws-sdk-go", "Go-http-client")


def _grace_seconds() -> float:
    raw = os.environ.get(GO_WRITE_GRACE_ENV, "")
    try:
        return max(0.0, float(raw)) / 1000 if raw else GO_WRITE_GRACE_MS / 1000
    except ValueError:
        return GO_WRITE_GRACE_MS / 1000


def with_go_write_grace(app, grace_s: float | None = None):
    """Answer a Go AWS SDK request only after its sender has finished writing it.

    Terraform's AWS provider (aws-sdk-go-v2 over Go's net/http) sends a request's headers, then its body,
    and only then, in the same writer goroutine, checks the body for extra bytes and closes it. The SDK
    closes the body itself as soon as the response headers arrive, and its closed body then answers that
    check with ``io.EOF`` (smithy-go ``safeWriteToReadCloser.WriteTo``); net/http takes that for a failed
    write and closes the connection under the response being read: the call fails with "decomposing
    response: ... use of closed network connection" although the server answered 200. Real AWS never
    answers inside that window (network round trip); an emulator on the same loaded host does, about
    once in a few thousand calls, so a 100-student apply lost one call per run. The server cannot see
    when the client's writer is done, so it reads the whole body and waits ``grace_s`` before answering
    (only Go clients, only requests with a body: boto3 and body-less calls are not slowed down).
    """
    grace = _grace_seconds() if grace_s is None else grace_s

    def wrapped(environ, start_response):
        agent = environ.get("HTTP_USER_AGENT", "")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if grace > 0 and length > 0 and any(m in agent for m in GO_CLIENT_MARKERS):
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            time.sleep(grace)
        return app(environ, start_response)

    return wrapped


def build_app():
    """The WSGI app: moto's dispatcher with the kit's extensions installed."""
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from emulator import extensions
    from emulator.ml.fastpath import with_invoke_fast_path
    from emulator.serverless.http_api import with_execute_api

    extensions.install()
    moto_app = DomainDispatcherApplication(create_backend_app)
    return with_health(with_execute_api(with_go_write_grace(with_invoke_fast_path(moto_app))))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emulator")
    sub = parser.add_subparsers(dest="cmd", required=True)
    serve = sub.add_parser("serve", help="run the embedded AWS in the foreground")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0)
    serve.add_argument("--ready-file", type=Path)
    serve.add_argument(
        "--loopback-only", action="store_true", help="refuse outgoing connections to non-loopback addresses"
    )
    args = parser.parse_args(argv)

    try:
        if not ipaddress.ip_address(args.host).is_loopback:
            parser.error(f"--host must be a loopback address, got {args.host}")
    except ValueError:
        parser.error(f"--host must be an IP address, got {args.host}")

    if args.loopback_only:
        from emulator import netguard

        netguard.install()

    if args.ready_file:  # EFS file systems' contents beside the ready file (emulator/account/efs_data.py)
        from emulator.account.efs_data import EFS_DIR_ENV

        os.environ.setdefault(EFS_DIR_ENV, str(args.ready_file.resolve().parent / "efs"))

    from werkzeug.serving import make_server

    app = build_app()
    server = make_server(args.host, args.port, app, threaded=True)
    host, port = server.server_address[:2]
    from emulator import serverless

    serverless.set_server_address(host, port, loopback_only=args.loopback_only)

    def _stop(signum, frame):  # noqa: ARG001
        sys.exit(0)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    # `kill -USR1 <pid>` writes every thread's stack to the log: how to see where a request hangs
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    if args.ready_file:
        _write_ready(args.ready_file, {"pid": os.getpid(), "host": host, "port": port})
    print(f"embedded AWS listening on http://{host}:{port}", flush=True)
    server.serve_forever()
