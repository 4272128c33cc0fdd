"""``classroom serve``: the web page that asks the class's deployed models, on 127.0.0.1 only."""

from __future__ import annotations

import errno
import logging
import signal
import socket

import click

from provision.errors import KitError

HOST = "127.0.0.1"  # never another interface: the page acts with the instructor's AWS credentials
DEFAULT_PORT = 8080


def check_port(port: int) -> None:
    if not 1 <= port <= 65535:
        raise KitError(f"--port must be between 1 and 65535 (got {port})")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((HOST, port))
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise KitError(f"port {port} on {HOST} is already in use; "
                               "choose another with --port") from None
            raise KitError(f"cannot listen on {HOST}:{port} ({err.strerror})") from None


def _stop(_signum, _frame) -> None:
    raise KeyboardInterrupt


def make_server(settings, port: int):
    """The app for the class on 127.0.0.1:``port`` (0: any free port), AWS clients pointed at its target."""
    from werkzeug.serving import make_server as werkzeug_server

    from provision import classroom
    from provision.web.app import create_app

    classroom.activate(settings)
    classroom.check_account(settings)
    app = create_app(settings, classroom.class_dir(settings))
    return werkzeug_server(HOST, port, app, threaded=True)


@click.command()
@click.option("--port", type=int, default=DEFAULT_PORT, show_default=True, envvar="CLASSROOM_SERVE_PORT",
              help="port on 127.0.0.1")
@click.pass_context
def command(ctx: click.Context, port: int) -> None:
    """Serve the page that asks the deployed models (127.0.0.1 only; Ctrl-C stops it)."""
    from provision.cli import load_settings

    check_port(port)
    settings = load_settings(ctx)
    server = make_server(settings, port)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    click.echo(f"serving class {settings.class_name!r} on http://{HOST}:{server.server_port}/ "
               "(this computer only; Ctrl-C stops it)")
    signal.signal(signal.SIGTERM, _stop)  # `kill PID` stops it as cleanly as Ctrl-C
    try:
        server.serve_forever()  # werkzeug's server returns on Ctrl-C (it swallows KeyboardInterrupt)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    click.echo("\nstopped")
