"""Issue 18 item 7: `train` writes its SageMaker SDK config under the state folder
(CLASSROOM_STATE_DIR), not into the checkout's .classroom/cache."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_sdk_config_goes_to_the_state_folder(tmp_path):
    state = tmp_path / "state"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "CLASSROOM_", "SAGEMAKER_USER_CONFIG"))
    }
    env["CLASSROOM_STATE_DIR"] = str(state)
    code = (
        "import os, jobs.sdk as s; s.prepare_environment(); "
        "print(os.environ['SAGEMAKER_USER_CONFIG_OVERRIDE'])"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    path = Path(proc.stdout.strip())
    assert path.is_relative_to(state.resolve()), path
    assert path.is_file() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not path.is_relative_to(ROOT)
