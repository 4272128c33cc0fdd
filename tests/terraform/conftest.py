"""Fixtures for the Terraform checks: an offline CLI config, and one initialised copy of terraform/.

The copy lives in a temporary directory (so no ``.terraform/`` lands in the repository) and is
initialised once per session, every module and the root, from the provider mirror through a shared
plugin cache (the 700 MB provider is linked, not copied, per module).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from tfhelpers import EXAMPLE_DIRS, MODULE_DIRS, REPO_TERRAFORM, run_tf

from provision import tfrunner


@pytest.fixture(scope="session")
def tf_env(tmp_path_factory) -> dict[str, str]:
    """Environment for offline terraform: a CLI config with the filesystem mirror and a plugin cache."""
    if not shutil.which("terraform"):
        pytest.fail("terraform is not on PATH")
    mirror = tfrunner.find_mirror()
    if mirror is None:
        pytest.fail("no hashicorp/aws provider mirror found; set CLASSROOM_PROVIDER_MIRROR")
    d = tmp_path_factory.mktemp("tf-cli")
    cache = d / "plugin-cache"
    cache.mkdir()
    config = d / "terraformrc"
    config.write_text(tfrunner.render_cli_config(mirror, cache))
    env = dict(os.environ)
    env.update(
        {
            "TF_CLI_CONFIG_FILE": str(config),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
            "AWS_ACCESS_KEY_ID": "offline",
            "AWS_SECRET_ACCESS_KEY": "offline",
        }
    )
    for var in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        env.pop(var, None)
    return env


@pytest.fixture(scope="session")
def tf_tree(tmp_path_factory, tf_env) -> Path:
    """terraform/ copied and initialised (every module, the root and the examples), shared by the session."""
    root = tmp_path_factory.mktemp("tf-tree") / "terraform"
    shutil.copytree(
        REPO_TERRAFORM, root, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", ".terraform.lock.hcl")
    )

    def init(rel: str) -> tuple[str, subprocess.CompletedProcess]:
        return rel, run_tf(["init", "-input=false", "-backend=false", "-no-color"], root / rel, tf_env)

    with ThreadPoolExecutor(max_workers=2) as pool:
        for rel, proc in pool.map(init, MODULE_DIRS + EXAMPLE_DIRS):
            if proc.returncode != 0:
                pytest.fail(f"terraform init failed in {rel}: {proc.stderr.strip()[-600:]}")
    return root


@pytest.fixture(scope="session")
def tf_checks(tf_tree, tf_env) -> dict[tuple[str, str], subprocess.CompletedProcess]:
    """``terraform validate`` of every module, the root and the examples, and ``terraform test`` where
    there are test files, run two at a time (provider start-up dominates; the machine has two cores)."""
    jobs = [("validate", rel) for rel in MODULE_DIRS + EXAMPLE_DIRS]
    jobs += [("test", rel) for rel in MODULE_DIRS if list((tf_tree / rel / "tests").glob("*.tftest.hcl"))]

    def run(job: tuple[str, str]) -> tuple[tuple[str, str], subprocess.CompletedProcess]:
        kind, rel = job
        args = ["validate", "-json", "-no-color"] if kind == "validate" else ["test", "-no-color"]
        return job, run_tf(args, tf_tree / rel, tf_env)

    # the slow terraform tests first, so the two workers finish together
    jobs.sort(key=lambda j: j[0] != "test")
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, jobs))
