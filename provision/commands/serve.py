"""``classroom serve``: the web page that asks the class's deployed models, on 127.0.0.1 only."""

from __future__ import annotations

import errno
import logging
import signal
import socket

import click

from kitcore.errors import KitError

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
                raise KitError(
                    f"port {port} on {HOST} is already in use; choose another with --port"
                ) from None
            raise KitError(f"cannot listen on {HOST}:{port} ({err.strerror})") from None


def _stop(_signum, _frame) -> None:
    raise KeyboardInterrupt


def make_server(settings, port: int, runtime=None):
    """The app for the class on 127.0.0.1:``port`` (0: any free port), AWS clients pointed at its target.

    ``runtime``: what the page asks the models with (default: sagemaker-runtime InvokeEndpoint)."""
    from werkzeug.serving import make_server as werkzeug_server

    from provision import classroom
    from provision.web.app import create_app

    classroom.activate(settings)
    classroom.check_account(settings)
    app = create_app(settings, classroom.class_dir(settings), runtime=runtime)
    return werkzeug_server(HOST, port, app, threaded=True)


def deploy_apis(settings):
    """``--via api``: the endpoint-api module for every live class endpoint (web/api_backend.py)."""
    import boto3

    from provision import classroom
    from provision.endpoints import class_endpoints, class_scope
    from provision.web import api_backend

    emu = classroom.activate(settings)
    classroom.check_account(settings)
    sm = boto3.client("sagemaker", region_name=settings.region)
    live = [
        e for e in class_endpoints(sm, class_scope(settings)) if e.status == "InService" and not e.expired()
    ]
    if not live:
        raise KitError(
            "no endpoint of the class is in service: `classroom deploy JOB` first, "
            "then `classroom serve --via api`"
        )
    return api_backend.deploy(settings, live, emu.url if emu else None)


@click.command()
@click.option(
    "--port",
    type=int,
    default=DEFAULT_PORT,
    show_default=True,
    envvar="CLASSROOM_SERVE_PORT",
    help="port on 127.0.0.1",
)
@click.option(
    "--via",
    type=click.Choice(["sdk", "api"]),
    default="sdk",
    show_default=True,
    help="sdk: the page calls InvokeEndpoint; api: through the blog's HTTP API + Lambda "
    "(terraform/modules/endpoint-api, applied per endpoint now and destroyed on exit)",
)
@click.pass_context
def command(ctx: click.Context, port: int, via: str) -> None:
    """Serve the page that asks the deployed models (127.0.0.1 only; Ctrl-C stops it)."""
    from provision.cli import load_settings

    check_port(port)
    settings = load_settings(ctx)
    apis = None
    runtime = None
    if via == "api":
        from provision.web.api_backend import ApiRuntime

        click.echo("applying terraform/modules/endpoint-api for each live endpoint (about a minute each)")
        apis = deploy_apis(settings)
        runtime = ApiRuntime(apis.urls)
        for name, url in apis.urls.items():
            click.echo(f"  {name}: POST {url}")
    try:
        server = make_server(settings, port, runtime=runtime)
    except BaseException:
        if apis:
            apis.destroy()
        raise
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    click.echo(
        f"serving class {settings.class_name!r} on http://{HOST}:{server.server_port}/ "
        "(this computer only; Ctrl-C stops it)"
    )
    signal.signal(signal.SIGTERM, _stop)  # `kill PID` stops it as cleanly as Ctrl-C
    try:
        server.serve_forever()  # werkzeug's server returns on Ctrl-C (it swallows KeyboardInterrupt)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if apis:
            click.echo("\ndestroying the endpoint APIs")
            apis.destroy()
    click.echo("\nstopped")
