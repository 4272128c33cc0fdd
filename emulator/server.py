"""Entry point of the embedded AWS process.

    python -m emulator serve --host 127.0.0.1 --port 0 --ready-file PATH [--loopback-only]

Port 0 asks the OS for a free port. Once the server listens, the ready file gets a JSON object
``{"pid": ..., "host": ..., "port": ...}`` (written atomically) so that the parent knows where it
is. The kit's extensions are installed into moto before the first request is served.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import signal
import sys
from pathlib import Path


def _write_ready(path: Path, payload: dict) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(payload, fh)
    os.replace(tmp, path)


HEALTH_PATH = "/__classroom/health"


def with_health(app):
    """Answer ``GET /__classroom/health`` cheaply (moto's /moto-api/data.json walks every backend)."""

    def wrapped(environ, start_response):
        if environ.get("PATH_INFO") == HEALTH_PATH:
            body = json.dumps({"service": "classroom-embedded-aws", "pid": os.getpid()}).encode()
            start_response("200 OK", [("Content-Type", "application/json"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        return app(environ, start_response)

    return wrapped


def build_app():
    """The WSGI app: moto's dispatcher with the kit's extensions installed."""
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from emulator import extensions

    extensions.install()
    return with_health(DomainDispatcherApplication(create_backend_app))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emulator")
    sub = parser.add_subparsers(dest="cmd", required=True)
    serve = sub.add_parser("serve", help="run the embedded AWS in the foreground")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0)
    serve.add_argument("--ready-file", type=Path)
    serve.add_argument("--loopback-only", action="store_true",
                       help="refuse outgoing connections to non-loopback addresses")
    args = parser.parse_args(argv)

    try:
        if not ipaddress.ip_address(args.host).is_loopback:
            parser.error(f"--host must be a loopback address, got {args.host}")
    except ValueError:
        parser.error(f"--host must be an IP address, got {args.host}")

    if args.loopback_only:
        from emulator import netguard

        netguard.install()

    from werkzeug.serving import make_server

    app = build_app()
    server = make_server(args.host, args.port, app, threaded=True)
    host, port = server.server_address[:2]

    def _stop(signum, frame):  # noqa: ARG001
        sys.exit(0)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    if args.ready_file:
        _write_ready(args.ready_file, {"pid": os.getpid(), "host": host, "port": port})
    print(f"embedded AWS listening on http://{host}:{port}", flush=True)
    server.serve_forever()
