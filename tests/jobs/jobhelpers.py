"""Helpers shared by the job-runner tests (imported as ``jobhelpers``)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def write_message(folder: Path, n: int, subject: str, body: str, html: bool = False) -> Path:
    """One RFC 822 message named like the corpus: NNNNN.<md5 of its bytes>."""
    ctype = "text/html" if html else "text/plain"
    raw = f"From: a@example.org\nSubject: {subject}\nContent-Type: {ctype}\n\n{body}\n".encode()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{n:05d}.{hashlib.md5(raw).hexdigest()}"
    path.write_bytes(raw)
    return path


HAM_WORDS = [
    "meeting",
    "project",
    "schedule",
    "review",
    "code",
    "release",
    "patch",
    "kernel",
    "build",
    "team",
]
SPAM_WORDS = ["free", "money", "winner", "offer", "click", "credit", "cheap", "viagra", "cash", "prize"]


def leftovers(client) -> dict[str, list[str]]:
    """Every endpoint, endpoint config and model the emulator still has."""
    sm = client("sagemaker")
    return {
        "endpoints": [e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]],
        "configs": [c["EndpointConfigName"] for c in sm.list_endpoint_configs()["EndpointConfigs"]],
        "models": [m["ModelName"] for m in sm.list_models()["Models"]],
    }


NOTHING = {"endpoints": [], "configs": [], "models": []}


def class_dir_with_outputs(tmp_path: Path, account) -> Path:
    """A class folder whose outputs.json names the account's bucket and role (what `make up` leaves)."""
    import json

    cdir = tmp_path / "class"
    cdir.mkdir()
    (cdir / "outputs.json").write_text(
        json.dumps({"models_bucket": account.bucket, "execution_role_arn": account.role_arn})
    )
    return cdir
