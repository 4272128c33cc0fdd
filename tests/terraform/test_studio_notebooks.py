"""terraform/modules/studio-notebooks applied to the embedded AWS: the notebooks land under the share
prefix, the JupyterLab lifecycle configuration exists, and its script — run here twice as JupyterLab
would at two app starts, with a fresh home — copies the notebooks in and never overwrites a student's
edited copy. Then destroy, and nothing is left."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tfhelpers import REPO_TERRAFORM

from provision import lab
from provision.tfrunner import Provider, Workspace

pytestmark = pytest.mark.terraform
BUCKET = "public-share-20260101-0900"
TAGS = {"classroom": "nb-class", "managed-by": "classroom-kit"}


def test_notebooks_module_apply_script_destroy(emulator, client, reset_emulator, tmp_path):
    s3, sm = client("s3"), client("sagemaker")
    s3.create_bucket(Bucket=BUCKET)
    built = lab.build(tmp_path / "build")  # the lesson's .ipynb, as `classroom up` generates them
    notebooks = {p.name: str(p) for p in built}
    variables = {"name": "nb-class-copy-notebooks", "bucket": BUCKET, "notebooks": notebooks}
    ws = Workspace.prepare(
        tmp_path / "tf",
        "nb-class",
        Provider("local", "us-east-1", TAGS, emulator.url),
        variables,
        module_source=REPO_TERRAFORM / "modules" / "studio-notebooks",
        stream=False,
    )
    ws.init()
    ws.apply()
    try:
        out = ws.outputs()
        arn = out["lifecycle_config_arn"]
        d = sm.describe_studio_lifecycle_config(StudioLifecycleConfigName="nb-class-copy-notebooks")
        assert d["StudioLifecycleConfigArn"] == arn and d["StudioLifecycleConfigAppType"] == "JupyterLab"
        script = base64.b64decode(d["StudioLifecycleConfigContent"]).decode()
        assert script == out["script"]
        assert {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]} == TAGS
        keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"])
        assert keys == [
            "share/notebooks/credit.ipynb",
            "share/notebooks/rainfall.ipynb",
            "share/notebooks/spam.ipynb",
        ]
        assert not ws.plan_has_changes()

        # two app starts: the first copies, the second keeps the student's edit and restores a deleted one
        home = tmp_path / "home"
        home.mkdir()
        run = _start_app(script, home, emulator.url)
        folder = home / "lesson"
        assert sorted(p.name for p in folder.iterdir()) == ["credit.ipynb", "rainfall.ipynb", "spam.ipynb"]
        assert (folder / "spam.ipynb").read_bytes() == Path(notebooks["spam.ipynb"]).read_bytes()
        assert run.stdout.count("copied ") == 3
        (folder / "rainfall.ipynb").write_text('{"edited": "by the student"}')
        (folder / "credit.ipynb").unlink()
        run = _start_app(script, home, emulator.url)
        assert (folder / "rainfall.ipynb").read_text() == '{"edited": "by the student"}'
        assert (folder / "credit.ipynb").read_bytes() == Path(notebooks["credit.ipynb"]).read_bytes()
        assert "kept " in run.stdout and "copied credit.ipynb" in run.stdout
        # a notebook that cannot be fetched does not fail the app's start
        s3.delete_object(Bucket=BUCKET, Key="share/notebooks/spam.ipynb")
        (folder / "spam.ipynb").unlink()
        run = _start_app(script, home, emulator.url)
        assert run.returncode == 0 and "could not copy spam.ipynb" in run.stdout
        assert not list(folder.glob(".*.part"))
    finally:
        ws.destroy()
    assert sm.list_studio_lifecycle_configs()["StudioLifecycleConfigs"] == []
    versions = s3.list_object_versions(Bucket=BUCKET)
    live = [v["Key"] for v in versions.get("Versions", []) if v.get("IsLatest")]
    assert live == []
    s3.delete_bucket(Bucket=BUCKET)


def _start_app(script: str, home: Path, url: str) -> subprocess.CompletedProcess:
    """Run the lifecycle script as JupyterLab does at app start: bash, the space user's HOME, the
    execution role's credentials — here the embedded AWS, and no AWS CLI (boto3 fallback)."""
    path = tmp_bin = home.parent / "bin"
    tmp_bin.mkdir(exist_ok=True)
    python = tmp_bin / "python3"
    if not python.exists():
        python.symlink_to(sys.executable)
    env = {
        "HOME": str(home),
        "PATH": f"{path}:/usr/bin:/bin",
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    assert shutil.which("aws", path=env["PATH"]) is None
    return subprocess.run(
        ["bash", "-c", script],
        env={**env, "LANG": os.environ.get("LANG", "C.UTF-8")},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
