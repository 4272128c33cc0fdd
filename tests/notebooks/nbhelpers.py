"""Helpers for the notebook tests (imported as ``nbhelpers``): run a notebook in a real kernel with a
network guard as its first cell, and read its metric cells back."""

from __future__ import annotations

import ast
from pathlib import Path

from provision import lab

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "lesson"
STUDENT = "student-ada"
RUNNER_BUCKET = "sm-models-nb-test"  # the class's models bucket: the job runner's data go there
# the first cell of every executed notebook: the kernel refuses non-loopback connections, so a
# request that would leave 127.0.0.1 fails the notebook (emulator/netguard.py)
GUARD = (
    "import sys\n"
    f"sys.path.insert(0, {str(ROOT)!r})\n"
    "from emulator import netguard\n"
    "netguard.install()\n"
    "sys.path.pop(0)"
)


def run_notebook(
    source: Path, the_lab, workdir: Path, parameters: dict, kernel: str = "python3", env: dict | None = None
):
    """Execute ``source`` (a jupytext .py or an .ipynb) with the guard cell first; returns the
    executed notebook."""
    import nbformat

    workdir.mkdir(parents=True, exist_ok=True)
    nb_path = source if source.suffix == ".ipynb" else lab.to_ipynb(source, workdir / f"{source.stem}.ipynb")
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(GUARD))
    guarded = workdir / f"{source.stem}-guarded.ipynb"
    nbformat.write(nb, guarded)
    return lab.execute(
        guarded,
        env if env is not None else the_lab.kernel_env(),
        workdir,
        kernel=kernel,
        parameters=parameters,
    )


def cell_values(nb, tag: str) -> list:
    """The value each cell tagged ``tag`` ended with (its text/plain result, read back as Python)."""
    out = []
    for cell in nb.cells:
        if tag in cell.get("metadata", {}).get("tags", []):
            results = [o for o in cell.get("outputs", []) if o.get("output_type") == "execute_result"]
            assert results, f"cell tagged {tag} has no result"
            out.append(ast.literal_eval(results[-1]["data"]["text/plain"]))
    return out


def stdout_of(nb) -> str:
    return "".join(
        o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stdout"
    )
