"""``classroom lab``: the students' notebooks offline, with the embedded AWS wired into every kernel.

What a kernel gets (environment variables, inherited from the JupyterLab server):

- ``AWS_ENDPOINT_URL`` (the embedded AWS), ``AWS_DEFAULT_REGION`` / ``AWS_REGION``;
- credentials through an AWS config + credentials file (``AWS_CONFIG_FILE``,
  ``AWS_SHARED_CREDENTIALS_FILE``, ``AWS_PROFILE=classroom-lab``): the class's SageMaker execution
  role, assumed with the student's name as the session name — what Studio gives that student's
  kernels (``arn:aws:sts::<account>:assumed-role/<execution role>/<student>``), so the class's
  guardrails apply to what the notebook creates;
- an HTTPS proxy on 127.0.0.1 (``HTTPS_PROXY``, ``NO_PROXY`` for loopback) that accepts
  ``CONNECT`` only to ``*.amazonaws.com`` and hands the TLS stream, decrypted with a certificate of
  the class's own CA (``AWS_CA_BUNDLE``), to the embedded AWS. Why a proxy and not an endpoint
  variable: SDK v2 and v3 build their STS client with an explicit
  ``endpoint_url=https://sts.<region>.amazonaws.com`` (``sts_regional_endpoint`` in
  ``sagemaker/session.py`` v2 and ``sagemaker/core/helper/session_helper.py`` v3, used by
  ``default_bucket()``, ``account_id()`` and ``get_execution_role()``); an explicit endpoint_url
  wins over ``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_STS`` in botocore, so only the network path can
  be routed. Every other host is refused (403), so nothing leaves the machine;
- a SageMaker SDK config file (``SAGEMAKER_USER_CONFIG_OVERRIDE``) with telemetry off, and
  ``AWS_EC2_METADATA_DISABLED`` (no instance-metadata lookups towards 169.254.169.254).

The lab's files (config, temporary credentials and the CA key, 0600) live in
``<class dir>/lab/``; the notebooks are copied into ``<class dir>/lab/notebooks/`` once and never
overwritten afterwards (a student's edits stay).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import select
import shutil
import socket
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path

from kitcore.errors import KitError
from kitcore.statedir import PROJECT_ROOT, ensure_dir, write_private

NOTEBOOKS = PROJECT_ROOT / "notebooks"
LESSON_NOTEBOOKS = ("rainfall", "credit", "spam")
PROFILE = "classroom-lab"
AWS_SUFFIX = ".amazonaws.com"
TELEMETRY_OPT_OUT = """SchemaVersion: '1.0'
SageMaker:
  PythonSDK:
    Modules:
      TelemetryOptOut: true
"""


# -- the class's CA and per-host certificates ------------------------------------------------------


class CertificateAuthority:
    """A CA made for this class's lab (key 0600 in the lab folder) that signs one certificate per
    AWS host name the kernels ask for (SNI); kernels trust this CA only (``AWS_CA_BUNDLE``)."""

    def __init__(self, folder: Path) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        self.folder = ensure_dir(folder)
        self.ca_file = self.folder / "ca.pem"
        key_file = self.folder / "ca-key.pem"
        self._x509, self._hashes, self._ser, self._ec, self._oid = x509, hashes, serialization, ec, NameOID
        now = dt.datetime.now(dt.UTC)
        if key_file.exists() and self.ca_file.exists():
            self.key = serialization.load_pem_private_key(key_file.read_bytes(), None)
            self.cert = x509.load_pem_x509_certificate(self.ca_file.read_bytes())
            if self.cert.not_valid_after_utc > now + dt.timedelta(days=1):
                self._leaf_key = ec.generate_private_key(ec.SECP256R1())
                self._contexts: dict[str, ssl.SSLContext] = {}
                self._lock = threading.Lock()
                return
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "classroom-kit lab CA (offline)")])
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=90))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
            )
            .sign(self.key, hashes.SHA256())
        )
        write_private(
            key_file,
            self.key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode(),
        )
        write_private(self.ca_file, self.cert.public_bytes(serialization.Encoding.PEM).decode())
        self._leaf_key = ec.generate_private_key(ec.SECP256R1())
        self._contexts = {}
        self._lock = threading.Lock()

    def context_for(self, host: str) -> ssl.SSLContext:
        """A server-side TLS context whose certificate names ``host`` (made once per host)."""
        with self._lock:
            if host in self._contexts:
                return self._contexts[host]
            x509, hashes, ser = self._x509, self._hashes, self._ser
            now = dt.datetime.now(dt.UTC)
            cert = (
                x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(self._oid.COMMON_NAME, host)]))
                .issuer_name(self.cert.subject)
                .public_key(self._leaf_key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(minutes=5))
                .not_valid_after(now + dt.timedelta(days=30))
                .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .sign(self.key, hashes.SHA256())
            )
            leaf = self.folder / "hosts" / f"{host}.pem"
            ensure_dir(leaf.parent)
            write_private(
                leaf,
                cert.public_bytes(ser.Encoding.PEM).decode()
                + self._leaf_key.private_bytes(
                    ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption()
                ).decode(),
            )
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(leaf)
            self._contexts[host] = ctx
            return ctx


# -- the proxy -------------------------------------------------------------------------------------


@dataclass
class AwsProxy:
    """HTTPS proxy on 127.0.0.1: ``CONNECT <x>.amazonaws.com:443`` is answered with a TLS server (the
    class CA's certificate for that host) whose decrypted stream goes to the embedded AWS; anything
    else is refused with 403. ``served`` and ``refused`` record the host names, for the tests."""

    upstream_port: int
    ca: CertificateAuthority
    host: str = "127.0.0.1"
    port: int = 0
    served: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def start(self) -> AwsProxy:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((self.host, self.port))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        threading.Thread(target=self._accept, name="lab-aws-proxy", daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self._stop.set()
        try:
            self._sock.close()
        except OSError:
            pass

    def __enter__(self) -> AwsProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                head += chunk
            method, _, rest = head.split(b"\r\n", 1)[0].decode("latin-1").partition(" ")
            target = rest.split(" ", 1)[0]
            hostname, _, port = target.rpartition(":")
            if method != "CONNECT" or port != "443" or not hostname.lower().endswith(AWS_SUFFIX):
                self.refused.append(target)
                conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return
            hostname = hostname.lower()
            self.served.append(hostname)
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            tls = self.ca.context_for(hostname).wrap_socket(conn, server_side=True)
            up = socket.create_connection((self.host, self.upstream_port), timeout=600)
            self._pipe(tls, up)
        except (OSError, ssl.SSLError, ValueError):
            pass
        finally:
            conn.close()

    @staticmethod
    def _pipe(tls: ssl.SSLSocket, up: socket.socket) -> None:
        try:
            while True:
                ready = [tls] if tls.pending() else select.select([tls, up], [], [], 600)[0]
                if not ready:
                    return
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (up if s is tls else tls).sendall(data)
        finally:
            up.close()


# -- the kernel environment ------------------------------------------------------------------------


def students(class_dir: Path) -> list[str]:
    """Student user names from the class's handouts (not the administrator's, not the roll-up)."""
    folder = class_dir / "handouts"
    names = []
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        if path.name == "all-students.csv":
            continue
        with path.open(newline="") as f:
            for row in csv.DictReader(f):
                if row.get("Display name") != "instructor" and row.get("User name"):
                    names.append(row["User name"])
    return names


def choose_student(class_dir: Path, wanted: str | None) -> str:
    names = students(class_dir)
    if not names:
        raise KitError(
            f"no student handouts in {class_dir / 'handouts'}: add students to the roster and run "
            "`make up` first"
        )
    if wanted is None:
        return names[0]
    if wanted not in names:
        raise KitError(f"no student {wanted!r} in this class's handouts (students: {', '.join(names)})")
    return wanted


@dataclass
class Lab:
    folder: Path
    env: dict[str, str]
    student: str
    role_arn: str
    proxy: AwsProxy

    def kernel_env(self) -> dict[str, str]:
        """This process's environment with the lab's AWS settings (and no other AWS credentials)."""
        base = {
            k: v
            for k, v in os.environ.items()
            if not (
                k.startswith("AWS_") or k.lower() in ("https_proxy", "http_proxy", "no_proxy", "all_proxy")
            )
        }
        return {**base, **self.env}


def assume_execution_role(role_arn: str, student: str) -> dict[str, str]:
    """Temporary credentials of the execution role for the student's session (as Studio does)."""
    import boto3

    try:
        c = boto3.client("sts").assume_role(RoleArn=role_arn, RoleSessionName=student, DurationSeconds=43200)
    except Exception as err:  # noqa: BLE001 - botocore ClientError or connection errors
        raise KitError(f"cannot assume the execution role {role_arn} for {student}: {err}") from None
    return c["Credentials"]


def prepare(class_dir: Path, outputs: dict, emulator_url: str, region: str, student: str | None) -> Lab:
    """Write the lab's config files, start the AWS proxy and return the kernels' environment.

    The caller's process must already point at the embedded AWS (``classroom.activate``)."""
    from provision.commands.train import _output

    name = choose_student(class_dir, student)
    role = _output(outputs, "execution_role_arn")
    if not role:
        raise KitError("this class has no execution role yet: run `make up` first")
    folder = ensure_dir(class_dir / "lab")
    creds = assume_execution_role(role, name)
    write_private(
        folder / "credentials",
        f"[{PROFILE}]\naws_access_key_id = {creds['AccessKeyId']}\n"
        f"aws_secret_access_key = {creds['SecretAccessKey']}\naws_session_token = {creds['SessionToken']}\n",
    )
    write_private(
        folder / "config", f"[profile {PROFILE}]\nregion = {region}\nendpoint_url = {emulator_url}\n"
    )
    write_private(folder / "sagemaker-config.yaml", TELEMETRY_OPT_OUT)
    ca = CertificateAuthority(folder / "tls")
    upstream = int(emulator_url.rsplit(":", 1)[1].rstrip("/"))
    proxy = AwsProxy(upstream_port=upstream, ca=ca).start()
    loopback = "127.0.0.1,localhost,::1"
    env = {
        "AWS_CONFIG_FILE": str(folder / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(folder / "credentials"),
        "AWS_PROFILE": PROFILE,
        "AWS_ENDPOINT_URL": emulator_url,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_CA_BUNDLE": str(ca.ca_file),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_MAX_ATTEMPTS": "2",
        "HTTPS_PROXY": proxy.url,
        "https_proxy": proxy.url,
        "NO_PROXY": loopback,
        "no_proxy": loopback,
        "SAGEMAKER_USER_CONFIG_OVERRIDE": str(folder / "sagemaker-config.yaml"),
        "SAGEMAKER_SUPPRESS_V2_WARNING": "1",
    }
    return Lab(folder=folder, env=env, student=name, role_arn=role, proxy=proxy)


# -- the notebooks ---------------------------------------------------------------------------------


def notebook_sources(names: tuple[str, ...] = LESSON_NOTEBOOKS) -> list[Path]:
    return [NOTEBOOKS / f"{n}.py" for n in names]


def to_ipynb(source: Path, dest: Path) -> Path:
    """The .ipynb of a jupytext percent-format notebook (outputs empty)."""
    import jupytext

    nb = jupytext.read(source)
    for i, cell in enumerate(nb.cells):  # stable ids: the same text gives the same bytes (no re-upload)
        cell["id"] = f"{source.stem}-{i:02d}"
    dest.parent.mkdir(parents=True, exist_ok=True)
    jupytext.write(nb, dest, fmt="ipynb")
    os.chmod(dest, 0o600)  # may sit in the state folder, where every file is private
    return dest


def copy_notebooks(dest: Path) -> list[Path]:
    """Generate the lesson's notebooks into ``dest``; a notebook already there is left alone (it may
    hold a student's edits), as the Studio lifecycle configuration does."""
    ensure_dir(dest)
    out = []
    for src in notebook_sources():
        target = dest / f"{src.stem}.ipynb"
        if not target.exists():
            to_ipynb(src, target)
        out.append(target)
    return out


def execute(
    notebook: Path,
    env: dict[str, str],
    cwd: Path,
    kernel: str = "python3",
    timeout: int = 900,
    parameters: dict | None = None,
):
    """Run a notebook top to bottom in a fresh kernel with ``env`` (nbclient); returns the executed
    notebook. ``parameters`` replace the cell tagged ``parameters`` (papermill's convention)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    if parameters:
        inject_parameters(nb, parameters)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name=kernel, resources={"metadata": {"path": str(cwd)}}
    )
    client.execute(env=env, cwd=str(cwd))  # kwargs go to the kernel manager's start_kernel
    return nb


def inject_parameters(nb, parameters: dict) -> None:
    """Add an ``injected-parameters`` cell after the ``parameters`` cell (papermill's way)."""
    import nbformat

    lines = [f"{k} = {v!r}" for k, v in parameters.items()]
    cell = nbformat.v4.new_code_cell("# injected parameters\n" + "\n".join(lines))
    cell.metadata["tags"] = ["injected-parameters"]
    for i, c in enumerate(nb.cells):
        if "parameters" in c.get("metadata", {}).get("tags", []):
            nb.cells.insert(i + 1, cell)
            return
    raise KitError("the notebook has no cell tagged 'parameters'")


def jupyterlab_command(port: int, notebooks: Path, open_browser: bool) -> list[str]:
    import sys

    if shutil.which("jupyter-lab", path=str(Path(sys.executable).parent)) is None:
        try:
            import jupyterlab  # noqa: F401
        except ImportError:
            raise KitError(
                "JupyterLab is not installed: pip install -c constraints.txt -e '.[lab]' "
                "(about 180 MB more in the virtualenv)"
            ) from None
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--ServerApp.root_dir={notebooks}",
        "--ServerApp.port_retries=0",
    ]
    # offline: JupyterLab's extension manager would ask PyPI (the proxy refuses it anyway)
    cmd.append("--LabApp.extension_manager=readonly")
    if not open_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers: Jupyter refuses root without it
        cmd.append("--allow-root")
    return cmd


def build(dest: Path = NOTEBOOKS / "build") -> list[Path]:
    """``make notebooks``: (re)generate every lesson notebook's .ipynb into ``dest``."""
    return [to_ipynb(src, ensure_dir(dest) / f"{src.stem}.ipynb") for src in notebook_sources()]


if __name__ == "__main__":
    for path in build():
        print(path)
