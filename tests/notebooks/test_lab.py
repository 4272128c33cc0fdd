"""`classroom lab`: every kernel reaches the embedded AWS only, and the SageMaker SDK's own first
cells — ``Session().default_bucket()`` and ``get_execution_role()`` — answer locally in SDK v3 (the
kit's) and SDK v2 (what most tutorials use), without patching either SDK.

Both SDKs call STS at an explicit ``https://sts.<region>.amazonaws.com`` (``sts_regional_endpoint``),
which overrides AWS_ENDPOINT_URL; the lab routes that through its HTTPS proxy. Each kernel's first
cell refuses non-loopback connections (emulator/netguard.py), so a request that would leave
127.0.0.1 fails the notebook — the control test shows it does without the lab's environment."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError
from nbhelpers import ROOT, STUDENT, run_notebook, stdout_of

from provision import lab

pytestmark = pytest.mark.slow  # real kernels; the SDK v2 kernel's virtualenv is built once (about 2 min)

V2 = "2.257.7"  # the last SDK v2 on the index (notes: sagemaker-sdk-and-algorithms.md)
FIRST_CELLS = {
    "v3": (
        "from sagemaker.core.helper.session_helper import Session, get_execution_role\n"
        "session = Session()\n"
        "bucket, role = session.default_bucket(), get_execution_role(session)\n"
    ),
    "v2": (
        "import sagemaker\n"
        "assert sagemaker.__version__.startswith('2.'), sagemaker.__version__\n"
        "session = sagemaker.Session()\n"
        "bucket, role = session.default_bucket(), sagemaker.get_execution_role()\n"
    ),
}


def _first_cells_notebook(path: Path, sdk: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("EXPECTED_ROLE = None", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(FIRST_CELLS[sdk]),
        nbformat.v4.new_code_cell(
            "print('bucket', bucket)\nprint('role', role)\n"
            "assert bucket == 'sagemaker-us-east-1-123456789012', bucket\n"
            "assert role == EXPECTED_ROLE, role\n"
            "import boto3\n"
            "print('identity', boto3.client('sts').get_caller_identity()['Arn'])\n"
            "boto3.client('s3').head_bucket(Bucket=bucket)"
        ),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def test_sdk_v3_first_cells_answer_locally(lab_env, client, tmp_path):
    nb = run_notebook(
        _first_cells_notebook(tmp_path / "v3.ipynb", "v3"),
        lab_env,
        tmp_path,
        {"EXPECTED_ROLE": lab_env.role_arn},
    )
    out = stdout_of(nb)
    role_name = lab_env.role_arn.rsplit("/", 1)[1]
    # the kernel runs as Studio's kernels do: the execution role, in a session named after the student
    assert f"identity arn:aws:sts::123456789012:assumed-role/{role_name}/{STUDENT}" in out
    assert "sts.us-east-1.amazonaws.com" in lab_env.proxy.served and lab_env.proxy.refused == []
    # default_bucket() created the SDK's bucket in the embedded AWS (teardown's sdk_default_bucket kind)
    client("s3").head_bucket(Bucket="sagemaker-us-east-1-123456789012")


def test_without_the_lab_the_sdk_leaves_the_machine(emulator, lesson_class, tmp_path):
    """The control: with only `classroom env`'s variables, default_bucket() calls STS on AWS's host and
    the kernel's guard refuses it — the failure the issue reports, and proof the guard works."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(emulator.env("us-east-1"))
    env["SAGEMAKER_USER_CONFIG_OVERRIDE"] = str(tmp_path / "none.yaml")
    (tmp_path / "none.yaml").write_text(lab.TELEMETRY_OPT_OUT)
    with pytest.raises(CellExecutionError) as err:
        run_notebook(
            _first_cells_notebook(tmp_path / "v3.ipynb", "v3"),
            None,
            tmp_path,
            {"EXPECTED_ROLE": "x"},
            env=env,
        )
    # botocore wraps the guard's refusal: the SDK went for AWS's own STS host
    assert 'Could not connect to the endpoint URL: "https://sts.us-east-1.amazonaws.com/"' in str(err.value)


def _install_sdk_v2(py: Path, pins: Path) -> subprocess.CompletedProcess:
    """``sagemaker==V2`` and ipykernel into the venv of ``py``: with the kit venv's uv when `make setup`
    installed it (seconds instead of pip's minutes; pip's configuration passed on as tools/install.py
    does), else (or when uv fails) with the venv's own pip."""
    packages = ["-c", str(pins), f"sagemaker=={V2}", "ipykernel"]
    uv = Path(sys.executable).with_name("uv")
    if uv.is_file():
        from tools.install import pip_config, uv_options

        args, env = uv_options(pip_config())
        cmd = [str(uv), "pip", "install", "--quiet", "--python", str(py), *args, *packages]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env={**os.environ, **env})
        if done.returncode == 0:
            return done
    cmd = [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", *packages]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="session")
def sdk_v2_kernel(tmp_path_factory):
    """A kernel with SageMaker SDK v2 (never installed into the kit's venv): a virtualenv in the
    kit's cache, built once from the package index (``sagemaker==2.257.7 ipykernel`` with the versions
    pinned in tests/fixtures/sdk-v2-constraints.txt)."""
    import hashlib

    from jobs.data import cache_root

    pins = ROOT / "tests" / "fixtures" / "sdk-v2-constraints.txt"  # `pip freeze` of such a venv
    venv = cache_root() / f"sdk-v2-{V2}-{hashlib.sha256(pins.read_bytes()).hexdigest()[:8]}-venv"
    py = venv / "bin" / "python"
    if not (venv / ".complete").exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        pip = _install_sdk_v2(py, pins)
        if pip.returncode != 0:
            pytest.skip(
                f"cannot install SageMaker SDK v2 from the package index: {pip.stderr.strip()[-300:]}"
            )
        (venv / ".complete").touch()
    spec = tmp_path_factory.mktemp("kernels") / "kernels" / "sagemaker-v2"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [str(py), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": f"SageMaker SDK {V2}",
                "language": "python",
            }
        )
    )
    os.environ["JUPYTER_PATH"] = str(spec.parent.parent)
    return "sagemaker-v2"


def test_sdk_v2_first_cells_answer_locally_under_the_lab(lab_env, client, tmp_path, sdk_v2_kernel):
    env = lab_env.kernel_env()
    nb = run_notebook(
        _first_cells_notebook(tmp_path / "v2.ipynb", "v2"),
        lab_env,
        tmp_path,
        {"EXPECTED_ROLE": lab_env.role_arn},
        kernel=sdk_v2_kernel,
        env=env,
    )
    out = stdout_of(nb)
    assert "bucket sagemaker-us-east-1-123456789012" in out and f"role {lab_env.role_arn}" in out
    assert "sts.us-east-1.amazonaws.com" in lab_env.proxy.served and lab_env.proxy.refused == []


def test_proxy_refuses_anything_but_aws(lab_env):
    for target in (
        b"CONNECT pypi.org:443 HTTP/1.1\r\nHost: pypi.org:443\r\n\r\n",
        b"GET http://example.org/ HTTP/1.1\r\nHost: example.org\r\n\r\n",
        b"CONNECT sts.amazonaws.com:80 HTTP/1.1\r\n\r\n",
    ):
        with socket.create_connection(("127.0.0.1", lab_env.proxy.port), timeout=10) as s:
            s.sendall(target)
            assert s.recv(100).startswith(b"HTTP/1.1 403")
    assert lab_env.proxy.refused == ["pypi.org:443", "http://example.org/", "sts.amazonaws.com:80"]


def _classroom(args, state_dir, **kw):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["CLASSROOM_STATE_DIR"] = str(state_dir)
    return subprocess.run(
        [str(Path(sys.executable).parent / "classroom"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=state_dir,
        **kw,
    )


@pytest.fixture
def cli_class(state_dir, lesson_class):
    """The lesson class where the CLI's default settings look for it (class ml-class)."""
    import shutil

    cdir = state_dir / "classes" / "ml-class"
    shutil.rmtree(cdir, ignore_errors=True)
    shutil.copytree(lesson_class, cdir)
    yield cdir
    shutil.rmtree(cdir, ignore_errors=True)


def test_cli_execute_and_errors(emulator, cli_class, state_dir, tmp_path):
    nb = _first_cells_notebook(tmp_path / "first.ipynb", "v3")
    nbformat.write(nbformat.read(nb, as_version=4), nb)
    bad = _classroom(["lab", "--student", "nobody", "--execute", str(nb)], state_dir, timeout=300)
    lines = bad.stderr.strip().splitlines()
    assert bad.returncode == 1 and len(lines) == 1 and lines[0].startswith("error: no student 'nobody'")
    # EXPECTED_ROLE stays None: the role assertion fails inside the kernel → one error line
    failed = _classroom(["lab", "--execute", str(nb)], state_dir, timeout=300)
    assert failed.returncode == 1 and "error: " in failed.stderr and "AssertionError" in failed.stderr


def test_cli_starts_jupyterlab_with_the_wired_environment(emulator, cli_class, state_dir):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env_token = {"JUPYTER_TOKEN": "lab-test-token"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"CLASSROOM_STATE_DIR": str(state_dir), **env_token})
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "classroom"), "lab", "--no-browser", "--port", str(port)],
        env=env,
        cwd=state_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        contents = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                req = urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/contents", headers={"Authorization": "token lab-test-token"}
                )
                contents = json.load(urllib.request.urlopen(req, timeout=5))
                break
            except OSError:
                time.sleep(1)
        assert contents is not None, proc.stderr.read() if proc.poll() is not None else "no answer"
        names = sorted(c["name"] for c in contents["content"])
        assert names == ["credit.ipynb", "rainfall.ipynb", "spam.ipynb"]
        # the server's environment, which every kernel inherits
        server = [p for p in Path("/proc").glob("[0-9]*") if _child_of(p, proc.pid)]
        environ = dict(
            kv.split("=", 1) for kv in (server[0] / "environ").read_text().split("\0") if "=" in kv
        )
        assert environ["AWS_ENDPOINT_URL"] == emulator.url and environ["AWS_PROFILE"] == lab.PROFILE
        assert environ["HTTPS_PROXY"].startswith("http://127.0.0.1:") and "AWS_ACCESS_KEY_ID" not in environ
        assert (cli_class / "lab" / "credentials").stat().st_mode & 0o777 == 0o600
        assert (cli_class / "lab" / "tls" / "ca-key.pem").stat().st_mode & 0o777 == 0o600
    finally:
        children = [p for p in Path("/proc").glob("[0-9]*") if _child_of(p, proc.pid)]
        proc.terminate()
        proc.wait(timeout=60)
    # `classroom lab` took JupyterLab down with it
    deadline = time.monotonic() + 30
    while any(p.exists() for p in children) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not any("jupyterlab" in _cmdline(p) for p in children)


def _cmdline(proc_dir: Path) -> str:
    try:
        return (proc_dir / "cmdline").read_text()
    except OSError:  # the process is gone
        return ""


def _child_of(proc_dir: Path, pid: int) -> bool:
    try:
        stat = (proc_dir / "stat").read_text()
    except OSError:
        return False
    return int(stat.rsplit(")", 1)[1].split()[1]) == pid
