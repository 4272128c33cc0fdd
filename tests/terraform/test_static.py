"""Static checks of terraform/: fmt, validate (every module and the root), checkov, terraform test,
module READMEs, and the settings ↔ root-variables contract."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tfhelpers import EXAMPLE_DIRS, MODULE_DIRS, REPO_TERRAFORM, run_tf

from provision import settings as settings_mod

pytestmark = pytest.mark.terraform

TESTED_DIRS = [d for d in MODULE_DIRS if list((REPO_TERRAFORM / d / "tests").glob("*.tftest.hcl"))]


def _blocks(path: Path, kind: str) -> list[str]:
    return re.findall(rf'^{kind} "([^"]+)"', path.read_text(), flags=re.M)


def test_fmt(tf_env):
    proc = run_tf(["fmt", "-check", "-recursive", "-diff", "-no-color"], REPO_TERRAFORM, tf_env)
    assert proc.returncode == 0, f"terraform fmt would change:\n{proc.stdout}{proc.stderr}"


@pytest.mark.parametrize("module", MODULE_DIRS + EXAMPLE_DIRS)
def test_validate(tf_checks, module):
    proc = tf_checks[("validate", module)]
    result = json.loads(proc.stdout)
    assert result["valid"], [d.get("summary", "") + ": " + d.get("detail", "") for d in result["diagnostics"]]
    assert result["warning_count"] == 0, result["diagnostics"]


def test_bucket_and_studio_modules_have_an_example():
    """terraform-aws-modules' layout: examples/<module>/ is a root that uses ../../modules/<module>."""
    assert {"examples/bucket", "examples/studio"} <= set(EXAMPLE_DIRS)
    for example in EXAMPLE_DIRS:
        module = example.split("/", 1)[1]
        assert f'source = "../../modules/{module}"' in (REPO_TERRAFORM / example / "main.tf").read_text()
        assert (REPO_TERRAFORM / example / "README.md").is_file()


def test_every_module_has_the_standard_files():
    for module in MODULE_DIRS:
        d = REPO_TERRAFORM / module
        for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"):
            assert (d / name).is_file(), f"{module}/{name} is missing"
        assert not list(d.glob("provider*.tf")) and 'provider "' not in (d / "main.tf").read_text(), (
            f"{module} must not configure a provider (the kit's wrapper root does)"
        )


@pytest.mark.parametrize("module", MODULE_DIRS)
def test_variables_are_typed_described_and_readme_lists_inputs_and_outputs(module):
    d = REPO_TERRAFORM / module
    text = (d / "variables.tf").read_text()
    readme = (d / "README.md").read_text()
    for block in re.split(r'(?m)^variable "', text)[1:]:
        name = block.split('"', 1)[0]
        assert re.search(r"^\s+type\s+=", block, flags=re.M), f"{module}: variable {name} has no type"
        described = re.search(r'^\s+description\s+=\s+"\S', block, flags=re.M)
        assert described, f"{module}: variable {name} has no description"
        assert f"`{name}`" in readme, f"{module}/README.md does not document input {name}"
    for name in _blocks(d / "outputs.tf", "output"):
        assert f"`{name}`" in readme, f"{module}/README.md does not document output {name}"


def test_settings_provide_exactly_the_root_variables():
    declared = set(_blocks(REPO_TERRAFORM / "classroom" / "variables.tf", "variable"))
    given = set(settings_mod.Settings().terraform_variables("20260101-0900"))
    assert given == declared


def test_checkov_passes_with_documented_skips_only():
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "checkov"),
            "-d",
            str(REPO_TERRAFORM),
            "--framework",
            "terraform",
            "--skip-download",
            "--compact",
            "-o",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(proc.stdout)
    reports = report if isinstance(report, list) else [report]
    failed = [(c["check_id"], c["resource"]) for r in reports for c in r["results"]["failed_checks"]]
    assert failed == [], failed
    assert sum(r["summary"]["passed"] for r in reports) > 50
    for r in reports:
        for c in r["results"]["skipped_checks"]:
            reason = (c.get("check_result") or {}).get("suppress_comment") or ""
            assert len(reason.strip()) > 20, f"{c['check_id']} on {c['resource']} is skipped without a reason"


@pytest.mark.parametrize("module", TESTED_DIRS)
def test_terraform_test(tf_checks, module):
    proc = tf_checks[("test", module)]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert re.search(r"Success! \d+ passed, 0 failed", proc.stdout), proc.stdout[-1000:]
