"""Real Terraform against the embedded AWS, for tests and benchmarks: a private working folder with
the offline provider mirror (no registry), checkpoint calls off, every provider endpoint on the
emulator (the configuration takes it as ``var.endpoint``)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

MIRROR = Path("/opt/tf-plugins")
#: a Studio domain with three user profiles, a budget and an IAM user (tests/emulator_account,
#: bench/bench_emulator_account.py)
ACCOUNT_CONFIG = Path(__file__).resolve().parent / "terraform" / "account" / "main.tf"
CLI_CONFIG = f"""provider_installation {{
  filesystem_mirror {{
    path    = "{MIRROR}"
    include = ["registry.terraform.io/hashicorp/*"]
  }}
  direct {{
    exclude = ["registry.terraform.io/hashicorp/*"]
  }}
}}
"""


def available() -> bool:
    """terraform on PATH and the provider mirror present."""
    return shutil.which("terraform") is not None and MIRROR.is_dir()


def prepare(work: Path, config: Path, endpoint: str) -> dict[str, str]:
    """``config`` copied into ``work`` as main.tf with a CLI config of its own; the environment to run
    ``terraform -chdir=<work>`` with (no AWS_* or TF_* of this process)."""
    shutil.copy(config, work / "main.tf")
    (work / "cli.tfrc").write_text(CLI_CONFIG)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
    env.update(
        {
            "TF_CLI_CONFIG_FILE": str(work / "cli.tfrc"),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
            "AWS_MAX_ATTEMPTS": "1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "TF_VAR_endpoint": endpoint,
        }
    )
    return env
