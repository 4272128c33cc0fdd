"""Lambda execution for the embedded AWS without Docker: Python functions run in worker processes.

moto 5.2.5 runs a function's code only in Docker (``LambdaFunction._invoke_lambda``), and there is no
Docker here. ``install()`` replaces ``LambdaFunction.invoke`` — the one method every path goes through
(the Invoke API, InvokeAsync, EventBridge targets, the HTTP API of ``emulator.serverless.http_api``,
schedules) — with this module's runtime:

- the function's zip (moto keeps it as ``code_bytes``, also when it came from S3) is unpacked once per
  code hash; a worker process runs ``bootstrap.py`` with the kit venv's Python in isolated mode (``-I``)
  and a clean environment: the code folder first on ``sys.path``, the kit's own folders removed, boto3
  importable (AWS's Python runtimes include it);
- the environment is AWS's (``_HANDLER``, ``AWS_LAMBDA_FUNCTION_*``, ``AWS_REGION``, ``LAMBDA_TASK_ROOT``,
  the log group and stream) plus the function's variables, credentials of an STS session of the
  function's role, and ``AWS_ENDPOINT_URL`` = this emulator;
- a worker is one execution environment: it serves one request at a time and is reused while warm
  (module-level state survives, as on AWS), so the first invoke is a cold start ("Init Duration");
- logs go to CloudWatch Logs as AWS writes them: group ``/aws/lambda/<name>``, one stream per
  environment ``YYYY/MM/DD/[$LATEST]<hex>``, ``START`` / ``END`` / ``REPORT`` lines per request;
- errors in AWS's shape: ``X-Amz-Function-Error: Unhandled`` and ``{errorMessage, errorType,
  requestId, stackTrace}``; a request that runs past the function's timeout kills its environment and
  answers ``Sandbox.Timedout`` "RequestId: <id> Error: Task timed out after N.NN seconds";
- ``InvocationType=Event`` answers 202 at once and runs the function in the background;
  ``DryRun`` answers 204.

Memory: ``MemorySize`` is reported (REPORT line, ``AWS_LAMBDA_FUNCTION_MEMORY_SIZE``) and the worker's
peak resident memory is measured, but not limited. Not done: container images, non-Python runtimes
(``InvalidRuntimeException``), layers, async retries and destinations, reserved concurrency limits.

Knobs (read by the emulator process): ``KIT_EMULATOR_LAMBDA_IDLE_S`` (how long an idle environment is
kept warm, default 300 s), ``KIT_EMULATOR_LAMBDA_MAX`` (concurrent executions, default 8; more wait).
"""

from __future__ import annotations

import atexit
import base64
import datetime as dt
import json
import logging
import math
import os
import queue
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from moto.core.exceptions import JsonRESTError

from emulator.ml.cwlogs import LogWriter

log = logging.getLogger(__name__)

BOOTSTRAP = Path(__file__).with_name("bootstrap.py")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
INIT_TIMEOUT_S = 10.0  # AWS: the init phase is limited to 10 s for on-demand functions
_state: dict[str, Any] = {"base_url": "", "root": None, "loopback_only": False}
_lock = threading.Lock()
_idle: dict[tuple, list[Worker]] = {}
_all: set[Worker] = set()
_slots: threading.BoundedSemaphore | None = None
_background: ThreadPoolExecutor | None = None


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def set_base_url(url: str) -> None:
    """Where the functions' SDK calls go (``AWS_ENDPOINT_URL``): this emulator."""
    _state["base_url"] = url


def base_url() -> str:
    return _state["base_url"] or f"http://127.0.0.1:{os.environ.get('MOTO_PORT', '5000')}"


def set_loopback_only(on: bool) -> None:
    _state["loopback_only"] = on


class InvalidRequestContentException(JsonRESTError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("InvalidRequestContentException", message)


class InvalidRuntimeException(JsonRESTError):
    code = 502

    def __init__(self, message: str) -> None:
        super().__init__("InvalidRuntimeException", message)


# --- code folders ----------------------------------------------------------------------------------
def _root() -> Path:
    with _lock:
        if _state["root"] is None:
            _state["root"] = Path(tempfile.mkdtemp(prefix="kit-lambda-"))
            atexit.register(shutdown)
        return _state["root"]


def code_dir(fn) -> Path:
    """The function's code, unpacked once per code hash (read-only for the function, like /var/task)."""
    digest = getattr(fn, "code_sha_256", "") or uuid.uuid4().hex
    safe = "".join(c if c.isalnum() else "_" for c in digest)[:80]
    target = _root() / safe
    if target.is_dir():
        return target
    tmp = _root() / f".{safe}.{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    import io

    with zipfile.ZipFile(io.BytesIO(fn.code_bytes)) as zf:
        zf.extractall(tmp)
    try:
        tmp.rename(target)
    except OSError:  # unpacked concurrently by another request
        shutil.rmtree(tmp, ignore_errors=True)
    return target


# --- credentials -----------------------------------------------------------------------------------
def _role_credentials(fn) -> dict[str, str]:
    """An STS session of the function's execution role (what AWS hands the runtime)."""
    try:
        from moto.sts.models import sts_backends

        role = sts_backends[fn.account_id]["aws"].assume_role(
            region_name=fn.region,
            role_session_name=fn.function_name[:64],
            role_arn=fn.role,
            policy="",
            duration=43200,
            external_id="",
        )
        return {
            "AWS_ACCESS_KEY_ID": role.access_key_id,
            "AWS_SECRET_ACCESS_KEY": role.secret_access_key,
            "AWS_SESSION_TOKEN": role.session_token,
        }
    except Exception:  # noqa: BLE001 - any key works against the emulator when IAM is not enforced
        log.debug("no STS session for %s", fn.function_name, exc_info=True)
        return {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
        }


# --- logs ------------------------------------------------------------------------------------------
def _allows(document: Any, action: str) -> bool:
    import fnmatch

    doc = json.loads(document) if isinstance(document, str) else (document or {})
    statements = doc.get("Statement", [])
    for st in [statements] if isinstance(statements, dict) else statements:
        actions = st.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if st.get("Effect") == "Allow" and any(fnmatch.fnmatch(action.lower(), a.lower()) for a in actions):
            return True
    return False


def may_create_log_group(fn) -> bool:
    """Whether the function's role may create its log group (AWSLambdaBasicExecutionRole does).

    Lambda creates ``/aws/lambda/<name>`` at the first log line only when the role allows
    ``logs:CreateLogGroup``; without it and without the group the logs are dropped (Lambda developer
    guide, "Sending Lambda function logs to CloudWatch Logs")."""
    try:
        from moto.iam.models import iam_backends

        role = iam_backends[fn.account_id]["aws"].get_role_by_arn(fn.role)
    except Exception:  # noqa: BLE001 - unknown role: be generous (IAM is not enforced by moto)
        return True
    docs = list((role.policies or {}).values())
    for policy in (getattr(role, "managed_policies", None) or {}).values():
        versions = [v for v in getattr(policy, "versions", []) if getattr(v, "is_default_version", False)]
        docs.append(versions[0].document if versions else getattr(policy, "document", "{}"))
    return any(_allows(d, "logs:CreateLogGroup") for d in docs)


class FunctionLogs(LogWriter):
    """The function's log stream; the group is created only when the role may (else lines are dropped)."""

    def __init__(self, fn, group: str, stream: str) -> None:
        super().__init__(fn.account_id, fn.region, group, stream)
        self.fn = fn

    def _ensure(self) -> None:
        if self._ready:
            return
        from moto.logs.models import logs_backends

        backend = logs_backends[self.account_id][self.region]
        if self.group not in backend.groups and not may_create_log_group(self.fn):
            raise LookupError(f"log group {self.group} does not exist and the role may not create it")
        super()._ensure()


# --- one execution environment ---------------------------------------------------------------------
def _key(fn) -> tuple:
    return (fn.function_arn, getattr(fn, "code_sha_256", ""), fn.last_modified)


class Worker:
    """One execution environment: a bootstrap process, its log stream, one request at a time."""

    def __init__(self, fn) -> None:
        self.key = _key(fn)
        self.fn_name = fn.function_name
        self.version = str(fn.version or "$LATEST")
        self.memory = int(fn.memory_size or 128)
        now = dt.datetime.now(dt.UTC)
        self.group = f"/aws/lambda/{fn.function_name}"
        self.stream = f"{now:%Y/%m/%d}/[{self.version}]{uuid.uuid4().hex}"
        self.logs = FunctionLogs(fn, self.group, self.stream)
        self.token = secrets.token_hex(16)
        self.messages: queue.Queue = queue.Queue()
        self.last_used = time.monotonic()
        self.invocations = 0
        self.tail: list[str] = []
        env = {k: str(v) for k, v in (fn.environment_vars or {}).items()}
        env.update(
            {
                "PATH": "/usr/local/bin:/usr/bin:/bin",
                "LANG": "en_US.UTF-8",
                "TZ": ":UTC",
                "LAMBDA_TASK_ROOT": str(code_dir(fn)),
                "LAMBDA_RUNTIME_DIR": str(BOOTSTRAP.parent),
                "_HANDLER": fn.handler or "",
                "AWS_EXECUTION_ENV": f"AWS_Lambda_{fn.run_time}",
                "AWS_LAMBDA_FUNCTION_NAME": fn.function_name,
                "AWS_LAMBDA_FUNCTION_VERSION": self.version,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.memory),
                "AWS_LAMBDA_LOG_GROUP_NAME": self.group,
                "AWS_LAMBDA_LOG_STREAM_NAME": self.stream,
                "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
                "AWS_REGION": fn.region,
                "AWS_DEFAULT_REGION": fn.region,
                "AWS_ENDPOINT_URL": base_url(),
                "AWS_MAX_ATTEMPTS": "2",
                "_KIT_LAMBDA_TOKEN": self.token,
                "_KIT_LAMBDA_HIDE": str(PROJECT_ROOT),
            }
        )
        if _state["loopback_only"]:
            env["_KIT_LAMBDA_LOOPBACK_ONLY"] = "1"
        env.update(_role_credentials(fn))
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-u", str(BOOTSTRAP)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=env["LAMBDA_TASK_ROOT"],
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
            start_new_session=True,
        )
        self.reader = threading.Thread(target=self._read, name=f"lambda-{fn.function_name}", daemon=True)
        self.reader.start()
        try:
            first = self.messages.get(timeout=INIT_TIMEOUT_S)
        except queue.Empty:
            first = None
        self.init_ms = first.get("init_ms", 0.0) if isinstance(first, dict) else 0.0
        self.spawn_ms = (time.perf_counter() - started) * 1000
        self.cold = True
        if first is None:
            self.kill()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            at = line.find(self.token)
            if at >= 0:
                if line[:at].strip():
                    self._log(line[:at])
                try:
                    self.messages.put(json.loads(line[at + len(self.token) :]))
                except ValueError:
                    self.messages.put(
                        {"error": {"errorMessage": "bad runtime answer", "errorType": "Runtime.Unknown"}}
                    )
                continue
            self._log(line.rstrip("\n"))
        self.messages.put(None)  # the process ended

    def _log(self, text: str) -> None:
        self.logs.write(text)
        self.tail.append(text)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def max_memory_mb(self) -> int:
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return max(1, int(line.split()[1]) // 1024)
        except (OSError, ValueError, IndexError):
            pass
        return 0

    def kill(self) -> None:
        try:
            self.proc.kill()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        with _lock:
            _all.discard(self)
        self.logs.flush()

    def run(self, event: Any, request_id: str, arn: str, timeout_s: float) -> tuple[str | None, dict | None]:
        """Run one request; returns (payload, error)."""
        self.tail = []
        self._log(f"START RequestId: {request_id} Version: {self.version}")
        started = time.perf_counter()
        deadline_ms = int(time.time() * 1000 + timeout_s * 1000)
        status = ""
        msg: Any = None
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write(
                json.dumps({"id": request_id, "event": event, "arn": arn, "deadline_ms": deadline_ms}) + "\n"
            )
            self.proc.stdin.flush()
            msg = self.messages.get(timeout=timeout_s)
        except queue.Empty:
            status = "timeout"
        except (OSError, ValueError):
            msg = None
        duration = (time.perf_counter() - started) * 1000
        memory = self.max_memory_mb()
        if status == "timeout":
            self.kill_quietly()
            stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            self._log(f"{stamp} {request_id} Task timed out after {timeout_s:.2f} seconds")
            error: dict | None = {
                "errorType": "Sandbox.Timedout",
                "errorMessage": f"RequestId: {request_id} Error: Task timed out after "
                f"{timeout_s:.2f} seconds",
            }
            payload = None
        elif msg is None:
            status = "error"
            code = self.proc.poll()
            error = {
                "errorType": "Runtime.ExitError",
                "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: "
                f"exit status {code}",
            }
            payload = None
        else:
            error, payload = msg.get("error"), msg.get("ok")
        self._log(f"END RequestId: {request_id}")
        report = (
            f"REPORT RequestId: {request_id}\tDuration: {duration:.2f} ms\t"
            f"Billed Duration: {max(1, math.ceil(duration))} ms\tMemory Size: {self.memory} MB\t"
            f"Max Memory Used: {memory} MB"
        )
        if self.cold:
            report += f"\tInit Duration: {self.init_ms:.2f} ms"
        if status:
            report += f"\tStatus: {status}"
        self._log(report)
        self.logs.flush()
        self.cold = False
        self.invocations += 1
        self.last_used = time.monotonic()
        return payload, error

    def kill_quietly(self) -> None:
        try:
            os.killpg(self.proc.pid, 9)
        except OSError:
            pass
        self.kill()


# --- the pool of environments ----------------------------------------------------------------------
def _slots_sem() -> threading.BoundedSemaphore:
    global _slots
    with _lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(max(1, int(_env_float("KIT_EMULATOR_LAMBDA_MAX", 8))))
            threading.Thread(target=_expire_idle, name="lambda-idle", daemon=True).start()
        return _slots


def _acquire(fn) -> Worker:
    key = _key(fn)
    with _lock:
        stack = _idle.get(key, [])
        while stack:
            worker = stack.pop()
            if worker.alive():
                return worker
    worker = Worker(fn)
    with _lock:
        _all.add(worker)
    return worker


def _release(worker: Worker) -> None:
    if not worker.alive():
        return
    with _lock:
        _idle.setdefault(worker.key, []).append(worker)


def _expire_idle() -> None:
    while True:
        time.sleep(5)
        keep_s = _env_float("KIT_EMULATOR_LAMBDA_IDLE_S", 300)
        now = time.monotonic()
        stale: list[Worker] = []
        with _lock:
            for key, stack in list(_idle.items()):
                fresh = [w for w in stack if now - w.last_used < keep_s and w.alive()]
                stale += [w for w in stack if w not in fresh]
                if fresh:
                    _idle[key] = fresh
                else:
                    del _idle[key]
        for w in stale:
            w.kill()


def shutdown() -> None:
    """Stop every environment and remove the unpacked code (at exit)."""
    with _lock:
        workers = list(_all)
        _idle.clear()
    for w in workers:
        w.kill()
    if _state["root"] is not None:
        shutil.rmtree(_state["root"], ignore_errors=True)


def warm_environments(function_name: str | None = None) -> int:
    with _lock:
        return sum(
            len(s) for k, s in _idle.items() if function_name is None or k[0].endswith(f":{function_name}")
        )


# --- invoking --------------------------------------------------------------------------------------
def _check_runtime(fn) -> None:
    runtime = fn.run_time or ""
    if getattr(fn, "package_type", "Zip") != "Zip" or not runtime.startswith("python3"):
        raise InvalidRuntimeException(
            f"The embedded AWS runs Python (python3.x) zip functions only; {fn.function_name} is "
            f"{getattr(fn, 'package_type', 'Zip')} / {runtime or 'no runtime'}"
        )


def run(fn, event: Any, request_id: str | None = None) -> tuple[str | None, dict | None, str]:
    """Run ``fn`` once with ``event`` (already decoded JSON). Returns (payload, error, log tail)."""
    _check_runtime(fn)
    request_id = request_id or str(uuid.uuid4())
    slots = _slots_sem()
    with slots:
        worker = _acquire(fn)
        if not worker.alive():
            worker.kill()
            return (
                None,
                {
                    "errorType": "Runtime.ExitError",
                    "errorMessage": f"RequestId: {request_id} Error: Runtime exited during init",
                },
                "\n".join(worker.tail),
            )
        try:
            payload, error = worker.run(event, request_id, fn.function_arn, float(fn.timeout or 3))
        finally:
            _release(worker)
    return payload, error, "\n".join(worker.tail)


def _header(headers: Any, name: str, default: str = "") -> str:
    if not headers:
        return default
    for k, v in dict(headers).items():
        if k.lower() == name.lower():
            return v
    return default


def _background_pool() -> ThreadPoolExecutor:
    global _background
    with _lock:
        if _background is None:
            _background = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lambda-event")
        return _background


def invoke_event(fn, event: Any) -> None:
    """``InvocationType=Event``: queue the request (the caller gets 202 at once)."""
    _check_runtime(fn)

    def go() -> None:
        try:
            _payload, error, _tail = run(fn, event)
            if error:
                log.info("async invoke of %s failed: %s", fn.function_name, error.get("errorType"))
        except Exception:  # noqa: BLE001 - a background invoke must never take the server down
            log.exception("async invoke of %s failed", fn.function_name)

    _background_pool().submit(go)


def patched_invoke(self, body: Any, request_headers: Any, response_headers: Any) -> bytes:
    """Replacement for moto's ``LambdaFunction.invoke`` (same signature, same callers)."""
    raw = body.decode("utf-8") if isinstance(body, bytes) else body
    if isinstance(raw, str):
        try:
            event = json.loads(raw) if raw.strip() else {}
        except ValueError as err:
            raise InvalidRequestContentException(f"Could not parse request body into json: {err}") from None
    else:
        event = raw if raw is not None else {}
    kind = _header(request_headers, "X-Amz-Invocation-Type", "RequestResponse")
    response_headers["X-Amz-Executed-Version"] = "$LATEST"
    if kind == "DryRun":
        _check_runtime(self)
        return b""
    if kind == "Event":
        invoke_event(self, event)
        return b""
    payload, error, tail = run(self, event)
    if _header(request_headers, "X-Amz-Log-Type") == "Tail":
        response_headers["x-amz-log-result"] = base64.b64encode(tail.encode("utf-8")[-4096:]).decode()
    if error:
        response_headers["x-amz-function-error"] = "Unhandled"
        return json.dumps(error).encode("utf-8")
    return (payload or "null").encode("utf-8")


def install() -> None:
    from moto.awslambda.models import LambdaFunction

    LambdaFunction.invoke = patched_invoke  # type: ignore[method-assign]
