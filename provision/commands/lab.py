"""``classroom lab``: JupyterLab on 127.0.0.1 with the lesson's notebooks, every kernel wired to the
embedded AWS as one of the class's students (see provision/lab.py for what a kernel gets).

``--execute NOTEBOOK`` runs notebooks top to bottom in the same kernel environment without opening
JupyterLab (a check before class, and what the tests do).
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import click

from kitcore.errors import KitError


def _stop(_signum, _frame) -> None:
    raise KeyboardInterrupt


@click.command()
@click.option(
    "--student",
    default=None,
    help="the student whose kernels these are (default: the first in the class's handouts)",
)
@click.option("--port", type=int, default=8888, show_default=True, help="JupyterLab's port on 127.0.0.1")
@click.option(
    "--notebooks",
    "notebooks_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="the folder JupyterLab opens (default: <class dir>/lab/notebooks; the lesson's "
    "notebooks are copied there once, never over an edited copy)",
)
@click.option("--no-browser", is_flag=True, help="do not open a browser")
@click.option(
    "--execute",
    "execute",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True),
    help="run this notebook (.ipynb or jupytext .py) in the lab's kernel environment and exit",
)
@click.option("--kernel", default="python3", show_default=True, help="kernel for --execute")
@click.pass_context
def command(
    ctx: click.Context,
    student: str | None,
    port: int,
    notebooks_dir: str | None,
    no_browser: bool,
    execute: tuple[str, ...],
    kernel: str,
) -> None:
    """The lesson's notebooks offline: JupyterLab with the embedded AWS wired into every kernel."""
    from provision import classroom, lab
    from provision.cli import load_settings
    from provision.commands.serve import check_port

    settings = load_settings(ctx)
    if settings.target != "local":
        raise KitError(
            "`classroom lab` is the offline class (TARGET=local); on AWS the notebooks are in "
            "each student's Studio"
        )
    if not execute:
        check_port(port)
        command_line = lab.jupyterlab_command(port, Path("."), not no_browser)  # JupyterLab installed?
    emu = classroom.activate(settings)
    cdir = classroom.class_dir(settings)
    outputs = classroom.read_outputs(settings)
    if not outputs:
        raise KitError(f"class {settings.class_name!r} has no outputs yet: run `make up` first")
    the_lab = lab.prepare(cdir, outputs, emu.url, settings.region, student)
    env = the_lab.kernel_env()
    try:
        if execute:
            for path in map(Path, execute):
                source = (
                    path
                    if path.suffix == ".ipynb"
                    else lab.to_ipynb(path, the_lab.folder / "executed" / f"{path.stem}.ipynb")
                )
                out = the_lab.folder / "executed" / f"{path.stem}.out.ipynb"
                click.echo(f"running {path} as {the_lab.student} …", err=True)
                try:
                    nb = lab.execute(source, env, path.resolve().parent, kernel=kernel)
                except Exception as err:  # noqa: BLE001 - nbclient's CellExecutionError and kernel errors
                    first = str(err).strip().splitlines()
                    raise KitError(f"{path} failed: {first[-1] if first else type(err).__name__}") from None
                import nbformat

                nbformat.write(nb, out)
                click.echo(f"{path}: ran to the end ({out})")
            return
        folder = Path(notebooks_dir) if notebooks_dir else the_lab.folder / "notebooks"
        lab.copy_notebooks(folder)
        command_line = lab.jupyterlab_command(port, folder.resolve(), not no_browser)
        click.echo(
            f"JupyterLab for {the_lab.student} on http://127.0.0.1:{port}/ (notebooks: {folder}); "
            "Ctrl-C stops it",
            err=True,
        )
        proc = subprocess.Popen(command_line, env=env)
        signal.signal(signal.SIGTERM, _stop)  # `kill` stops JupyterLab (and its kernels) too
        try:
            proc.wait()
        except KeyboardInterrupt:
            proc.terminate()  # JupyterLab shuts its kernels down on SIGTERM
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    finally:
        the_lab.proxy.stop()
