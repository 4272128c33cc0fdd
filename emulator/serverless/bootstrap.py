"""The Lambda runtime inside one worker process (one "execution environment").

Run by the emulator as ``<kit venv python> -I bootstrap.py`` with a clean environment: this file imports
nothing from the kit, and it removes the kit's own source folders from ``sys.path`` before the handler
is imported, so a function sees its code folder (``LAMBDA_TASK_ROOT``, first on ``sys.path`` as in AWS's
runtime) and the venv's libraries (boto3, as AWS's Python runtime provides it), never the emulator.

Protocol with the emulator (``emulator/serverless/lambda_runtime.py``): one JSON request per line on
stdin; every answer is one line on stdout that carries a per-process token, so whatever the handler
prints (stdout and stderr are the same pipe, like the function's log stream) is never mistaken for it.

Behaviour follows AWS's Python runtime interface client (aws-lambda-python-runtime-interface-client,
``bootstrap.py``): the handler's module is imported once at init ("Init Duration"), an import failure
answers every invoke with ``Runtime.ImportModuleError``, a missing handler with
``Runtime.HandlerNotFound``, an exception with ``{errorMessage, errorType, requestId, stackTrace}``, a
result json.dumps cannot encode with ``Runtime.MarshalError``; the root logger writes
``[LEVEL]\\t<time>\\t<request id>\\t<message>``.
"""

import importlib
import json
import logging
import os
import sys
import time
import traceback

TOKEN = os.environ.pop("_KIT_LAMBDA_TOKEN", "")
HIDE = [p for p in os.environ.pop("_KIT_LAMBDA_HIDE", "").split(os.pathsep) if p]
_out = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
_in = sys.stdin
_request_id = ""


_PREFIX = os.path.realpath(sys.prefix)


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + os.sep)


def _hidden(path: str) -> bool:
    """The kit's source folders; never the interpreter's own (a virtualenv inside the checkout, as
    ``make setup`` makes it, must stay: the runtime's boto3 lives there)."""
    real = os.path.realpath(path or ".")
    return not _inside(real, _PREFIX) and any(_inside(real, h) for h in HIDE)


def _isolate() -> None:
    """Drop the kit's folders (and an editable install's finder for them) from the import system."""
    sys.path[:] = [p for p in sys.path if p and "__editable__" not in p and not _hidden(p)]
    sys.meta_path[:] = [
        f
        for f in sys.meta_path
        if "editable" not in type(f).__name__.lower() and "editable" not in getattr(f, "__name__", "").lower()
    ]
    sys.path_importer_cache.clear()


def _loopback_only() -> None:
    """Same rule as the emulator's ``--loopback-only`` (emulator/netguard.py), for the function's process."""
    if os.environ.pop("_KIT_LAMBDA_LOOPBACK_ONLY", "") != "1":
        return
    import ipaddress
    import socket

    original = socket.socket.connect

    def allowed(address) -> bool:
        if isinstance(address, (str, bytes)):
            return True
        host = address[0]
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            try:
                infos = socket.getaddrinfo(host, None)
            except OSError:
                return False
            return bool(infos) and all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos)

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not allowed(address):
            raise ConnectionRefusedError(f"blocked a connection to a non-loopback address: {address!r}")
        return original(self, address)

    socket.socket.connect = connect


def _send(message: dict) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    _out.write(TOKEN + " " + json.dumps(message) + "\n")
    _out.flush()


def _error(err: BaseException, error_type: str | None = None, message: str | None = None) -> dict:
    tb = traceback.extract_tb(err.__traceback__)
    return {
        "errorMessage": message if message is not None else str(err),
        "errorType": error_type or type(err).__name__,
        "requestId": _request_id,
        "stackTrace": traceback.format_list(tb),
    }


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = _request_id
        return True


def _logging() -> None:
    handler = logging.StreamHandler(sys.stdout)
    fmt = logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S"
    )
    fmt.converter = time.gmtime
    handler.setFormatter(fmt)
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)


class Context:
    """The ``context`` argument (AWS's LambdaContext attributes)."""

    def __init__(self, request: dict) -> None:
        env = os.environ
        self.aws_request_id = request["id"]
        self.invoked_function_arn = request.get("arn", "")
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline_ms = int(request["deadline_ms"])

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def _init():
    """Import the handler once; returns (handler or None, error or None)."""
    spec = os.environ.get("_HANDLER", "")
    module_name, _, fn_name = spec.rpartition(".")
    if not module_name or not fn_name:
        return None, {
            "errorMessage": f"Bad handler '{spec}': not enough values to unpack (expected 2, got 1)",
            "errorType": "Runtime.MalformedHandlerName",
            "requestId": "",
            "stackTrace": [],
        }
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as err:
        return None, {
            "errorMessage": f"Unable to import module '{module_name}': {err}",
            "errorType": "Runtime.ImportModuleError",
            "requestId": "",
            "stackTrace": [],
        }
    except SyntaxError as err:
        return None, {
            "errorMessage": f"Syntax error in module '{module_name}': {err}",
            "errorType": "Runtime.UserCodeSyntaxError",
            "requestId": "",
            "stackTrace": [],
        }
    except Exception as err:  # noqa: BLE001 - module-level code failed: reported on every invoke
        return None, _error(err)
    handler = getattr(module, fn_name, None)
    if handler is None:
        return None, {
            "errorMessage": f"Handler '{fn_name}' missing on module '{module_name}'",
            "errorType": "Runtime.HandlerNotFound",
            "requestId": "",
            "stackTrace": [],
        }
    return handler, None


def _log_error(error: dict) -> None:
    trace = "".join(error.get("stackTrace") or [])
    text = f"[ERROR] {error['errorType']}: {error['errorMessage']}"
    if trace:
        text += "\nTraceback (most recent call last):\n" + trace.rstrip("\n")
    print(text, flush=True)


def main() -> None:
    global _request_id
    _isolate()
    _loopback_only()
    root = os.environ.get("LAMBDA_TASK_ROOT", "")
    if root:
        sys.path.insert(0, root)
        os.chdir(root)
    _logging()
    started = time.perf_counter()
    handler, init_error = _init()
    if init_error:
        _log_error(init_error)
    _send({"init_ms": (time.perf_counter() - started) * 1000})
    for line in _in:
        if not line.strip():
            continue
        request = json.loads(line)
        _request_id = request["id"]
        if init_error:
            _send({"error": dict(init_error, requestId=_request_id)})
            continue
        try:
            result = handler(request["event"], Context(request))
        except Exception as err:  # noqa: BLE001 - the function's error, in AWS's shape
            error = _error(err)
            _log_error(error)
            _send({"error": error})
            continue
        try:
            payload = json.dumps(result)
        except (TypeError, ValueError) as err:
            error = {
                "errorMessage": f"Unable to marshal response: {err}",
                "errorType": "Runtime.MarshalError",
                "requestId": _request_id,
                "stackTrace": [],
            }
            _log_error(error)
            _send({"error": error})
            continue
        _send({"ok": payload})
        _request_id = ""


if __name__ == "__main__":
    main()
