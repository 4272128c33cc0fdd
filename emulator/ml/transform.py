"""Batch transform: every input object under the S3 prefix → ``<S3OutputPath>/<relative name>.out``.

SplitType Line splits each object into lines (records); BatchStrategy MultiRecord packs as many lines as
fit in MaxPayloadInMB into one request, SingleRecord sends one line per request; the responses are
joined with newlines (AssembleWith Line) or concatenated (None), as SageMaker does.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from moto.core.utils import utcnow

from emulator.ml import channels, hosting
from emulator.ml.cwlogs import LogWriter
from emulator.ml.errors import AlgorithmError

log = logging.getLogger(__name__)
LOG_GROUP = "/aws/sagemaker/TransformJobs"


@dataclass
class TransformState:
    name: str
    status: str = "InProgress"
    failure_reason: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    stop: threading.Event = field(default_factory=threading.Event)


class _Stopped(Exception):
    """StopTransformJob was called."""


def output_key(prefix: str, key: str) -> str:
    """The object's name relative to the input prefix (what SageMaker appends to S3OutputPath)."""
    if prefix.endswith("/"):
        return key[len(prefix) :]
    if key == prefix or "/" not in key:
        return key.rsplit("/", 1)[-1]
    base = prefix.rsplit("/", 1)[0] + "/" if "/" in prefix else ""
    return key[len(base) :]


def _batches(lines: list[bytes], strategy: str, max_bytes: int) -> list[list[bytes]]:
    if strategy == "SingleRecord":
        return [[ln] for ln in lines]
    out: list[list[bytes]] = []
    cur: list[bytes] = []
    size = 0
    for ln in lines:
        if cur and size + len(ln) + 1 > max_bytes:
            out.append(cur)
            cur, size = [], 0
        cur.append(ln)
        size += len(ln) + 1
    if cur:
        out.append(cur)
    return out


def run(account_id: str, region: str, job, model_obj, state: TransformState, closed: threading.Event) -> None:
    """The body of a transform job (runs in a worker thread)."""
    state.start = utcnow()
    writer = LogWriter(account_id, region, LOG_GROUP, f"{state.name}/i-emulator-{int(time.time())}")
    try:
        container = hosting.container_of(model_obj)
        try:
            model = hosting.load(account_id, container.get("Image"), container.get("ModelDataUrl"))
        except ValueError as err:
            raise AlgorithmError(f"Failed to load the model: {err}") from None
        tin, tout = job.transform_input or {}, job.transform_output or {}
        source = (tin.get("DataSource") or {}).get("S3DataSource") or {}
        uri = source.get("S3Uri")
        if not uri:
            raise AlgorithmError("TransformInput.DataSource.S3DataSource.S3Uri is required")
        if tin.get("CompressionType", "None") not in ("None", None):
            raise AlgorithmError(
                f"CompressionType {tin['CompressionType']} is not supported by the embedded AWS"
            )
        split = tin.get("SplitType") or "None"
        if split not in ("None", "Line"):
            raise AlgorithmError(f"SplitType {split} is not supported by the embedded AWS (use Line or None)")
        content_type = tin.get("ContentType")
        accept = tout.get("Accept")
        assemble = tout.get("AssembleWith") or "None"
        strategy = job.batch_strategy or "MultiRecord"
        max_bytes = int(job.max_payload_in_mb or 6) * 1024 * 1024
        out_path = tout.get("S3OutputPath", "").rstrip("/")
        _, prefix = channels.split_s3_uri(uri)
        objects = channels.list_objects(account_id, uri, source.get("S3DataType", "S3Prefix"))
        writer.write(f"Transforming {len(objects)} object(s) from {uri} with model {model.source}")
        for obj in objects:
            if closed.is_set():
                raise AlgorithmError("The embedded AWS was reset while the job ran", client=False)
            if split == "Line":
                lines = [ln for ln in obj.body.splitlines() if ln.strip()]
                requests = [b"\n".join(b) for b in _batches(lines, strategy, max_bytes)]
            else:
                requests = [obj.body]
            parts = []
            for body in requests:
                if state.stop.is_set():
                    raise _Stopped()
                try:
                    answer, _ = model.predict(body, content_type, accept)
                except hosting.RequestError as err:
                    writer.write(f"[ERROR] s3://{obj.bucket}/{obj.key}: {err}")
                    raise AlgorithmError(
                        f"Fail to invoke the model on s3://{obj.bucket}/{obj.key}: {err}. "
                        "See job logs for more information"
                    ) from None
                parts.append(answer)
            if assemble == "Line":
                data = b"".join(p if p.endswith(b"\n") else p + b"\n" for p in parts)
            else:
                data = b"".join(parts)
            target = f"{out_path}/{output_key(prefix, obj.key)}.out"
            channels.put_object(account_id, target, data)
            writer.write(f"Wrote {target} ({len(requests)} request(s))")
        state.status = "Completed"
    except _Stopped:
        writer.write("Transform job stopped (StopTransformJob).")
        state.status = "Stopped"
    except AlgorithmError as err:
        state.failure_reason = str(err)
        state.status = "Failed"
    except Exception as err:  # noqa: BLE001 - a bug fails the job, not the worker
        log.exception("transform job %s crashed", state.name)
        state.failure_reason = f"AlgorithmError: {type(err).__name__}: {err}"
        state.status = "Failed"
    finally:
        state.end = utcnow()
        job.transform_job_status = state.status
        job.transform_end_time = state.end
        job.last_modified_time = state.end
        if state.failure_reason:
            job.failure_reason = state.failure_reason
            writer.write(f"[ERROR] {state.failure_reason}")
        writer.flush()
