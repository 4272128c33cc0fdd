"""The layers point one way: provision/ -> jobs/ -> kitcore/ (docs: kitcore/__init__.py).

Read from the source (the AST of every module, imports inside functions included), so a lazy import
counts as much as one at the top."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_packages(package: str) -> dict[str, set[str]]:
    """{module path: top-level packages it imports}, for every module of ``package``."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize(
    "package, forbidden",
    [
        ("jobs", {"provision"}),
        ("kitcore", {"provision", "jobs", "emulator"}),
    ],
)
def test_layers_import_only_downwards(package, forbidden):
    modules = imported_packages(package)
    assert modules, f"no modules found in {package}/"
    wrong = {m: sorted(names & forbidden) for m, names in modules.items() if names & forbidden}
    assert not wrong, f"{package}/ must not import {sorted(forbidden)}: {wrong}"


def test_the_check_sees_a_lazy_import(tmp_path, monkeypatch):
    """The walker finds an import inside a function (the way jobs/ used to reach provision/)."""
    pkg = tmp_path / "fakepkg"
    pkg.mkdir()
    (pkg / "m.py").write_text("def f():\n    from provision.settings import load\n    return load\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert imported_packages("fakepkg") == {"fakepkg/m.py": {"provision"}}
