"""Issue 18 item 6: pre-flight failures that need no emulator (Terraform missing, a provider mirror
without the provider) are reported before the embedded AWS is started — not after, leaving it running."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CLASSROOM = str(Path(sys.executable).parent / "classroom")


@pytest.mark.parametrize(
    "env_extra, says",
    [
        ({"CLASSROOM_TERRAFORM": "/nonexistent/terraform"}, "CLASSROOM_TERRAFORM=/nonexistent/terraform"),
        ({"CLASSROOM_PROVIDER_MIRROR": "{empty}"}, "holds no registry.terraform.io/hashicorp/aws provider"),
    ],
)
def test_up_reports_a_missing_tool_before_starting_the_emulator(tmp_path, env_extra, says):
    state = tmp_path / "state"
    empty = tmp_path / "empty-mirror"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CLASSROOM_", "TARGET"))}
    env["CLASSROOM_STATE_DIR"] = str(state)
    env.update({k: v.replace("{empty}", str(empty)) for k, v in env_extra.items()})
    try:
        proc = subprocess.run(
            [CLASSROOM, "up"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=180
        )
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert proc.returncode == 1 and len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
        assert says in lines[0], lines
        assert not (state / "emulator" / "server.json").exists(), "the embedded AWS was started"
    finally:
        subprocess.run(
            [CLASSROOM, "emulator", "stop"], capture_output=True, env=env, cwd=tmp_path, timeout=60
        )
