"""Permissions on the embedded AWS (issue 13): the permission matrix of a real class, the mutation test
over the execution role's statements, and what enforcement costs per request.

- The classroom root is applied by Terraform (2 students, the administrator with an access key); the
  matrix (``testkit/iam_matrix.py``) is printed as a table and every cell is asserted against its
  expected value (a row per cell: ok only when the actual value is the expected one).
- Mutation test: each statement of the execution role's policy is deleted in turn and the role's
  lesson path runs (train, tune, deploy, invoke, transform, Studio app, the SDK's role check); a
  statement whose deletion breaks nothing is reported (goal: every statement needed). The same over
  the Students group's statements (``lesson-access``, ``studio-access``) against the student's cells.
- Latency: p50 of ``sagemaker:ListModels`` signed by a student-like IAM user (IAMUserChangePassword
  plus a policy with a conditional deny) on this emulator and on a second one started with
  ``CLASSROOM_EMULATOR_IAM=off``, calls interleaved (goal: <= 1 ms added at p50).

``CLASSROOM_BENCH_QUICK=1``: latency only with 100 calls each, no Terraform.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import boto3
from botocore.config import Config

REGION = "us-east-1"
STAMP = "20260101-0900"
ROSTER = "user_name,email\nada,ada@example.org\ngrace,grace@example.org\n"
REPO_TERRAFORM = Path(__file__).resolve().parents[1] / "terraform"


def _quick() -> bool:
    return os.environ.get("CLASSROOM_BENCH_QUICK", "") not in ("", "0")


POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["sagemaker:List*", "sagemaker:Describe*"], "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": ["sagemaker:CreateEndpointConfig", "sagemaker:CreateTrainingJob"],
                "Resource": "*",
                "Condition": {
                    "ForAnyValue:StringNotLike": {"sagemaker:InstanceTypes": ["ml.m5.xlarge", "ml.m4.xlarge"]}
                },
            },
        ],
    }
)


def _student_client(url: str):
    """A user like a student (IAMUserChangePassword + a policy with a conditional deny) and its client."""
    cfg = Config(retries={"max_attempts": 1})
    boot = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    iam = boto3.client("iam", region_name=REGION, endpoint_url=url, config=cfg, **boot)
    iam.create_user(UserName="bench-student")
    iam.attach_user_policy(
        UserName="bench-student", PolicyArn="arn:aws:iam::aws:policy/IAMUserChangePassword"
    )
    iam.put_user_policy(UserName="bench-student", PolicyName="lesson", PolicyDocument=POLICY)
    key = iam.create_access_key(UserName="bench-student")["AccessKey"]
    return boto3.client(
        "sagemaker",
        region_name=REGION,
        endpoint_url=url,
        config=cfg,
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )


def _latency(on_url: str, off_url: str, calls: int) -> dict:
    """p50 of the same call signed by the same kind of user, on an emulator that enforces IAM and on
    one started with CLASSROOM_EMULATOR_IAM=off (interleaved, so both see the same machine load)."""
    clients = {"enforced": _student_client(on_url), "off": _student_client(off_url)}
    for c in clients.values():
        for _ in range(20):
            c.list_models()  # warm up (connections, the reference table, the policy cache)
    timings: dict[str, list[float]] = {k: [] for k in clients}
    for _ in range(calls):
        for name, c in clients.items():
            t = time.perf_counter()
            c.list_models()
            timings[name].append((time.perf_counter() - t) * 1000)
    return {k: statistics.median(v) for k, v in timings.items()}


def _decision_ms(calls: int = 2000) -> float:
    """The enforcement step alone, in this process: moto's backends, a student-like user, the hook
    called as moto calls it for one SageMaker ListModels request (mean per call)."""
    from moto.iam.models import iam_backends

    from emulator.iam import enforce, sar

    sar.services()
    iam = iam_backends["123456789012"]["aws"]
    iam.create_user("us-east-1", "bench-decision")
    key = iam.create_access_key("bench-decision")
    iam.put_user_policy("bench-decision", "lesson", POLICY)

    class Request:
        headers = {
            "Authorization": f"AWS4-HMAC-SHA256 Credential={key.access_key_id}/20261206/{REGION}/"
            "sagemaker/aws4_request, SignedHeaders=host, Signature=0",
            "Content-Type": "application/x-amz-json-1.1",
        }
        uri, body, querystring, data = "http://127.0.0.1/", "{}", {}, {}
        current_account, region, boto3_service_name = "123456789012", REGION, "sagemaker"
        response_headers: dict = {}

        def _get_action(self) -> str:
            return "ListModels"

    kind = type("IAMRequest", (), {})
    req = Request()
    try:
        enforce.authorize(req, kind)
        t = time.perf_counter()
        for _ in range(calls):
            enforce.authorize(req, kind)
        return (time.perf_counter() - t) / calls * 1000
    finally:
        iam.delete_access_key(key.access_key_id, "bench-decision")
        iam.delete_user_policy("bench-decision", "lesson")
        iam.delete_user("bench-decision")


def _start_off_emulator(tmp: Path):
    from testkit import aws

    return aws.serve(tmp, {"CLASSROOM_EMULATOR_IAM": "off"})


def _mutation_rows(label: str, mutations: dict[str, list[str]], what: str) -> list[dict]:
    """A row per deleted statement (ok: something failed) and the count."""
    rows = [
        {
            "name": f"{label}: without {sid}",
            "value": failed[0][:90] if failed else "nothing failed",
            "unit": "",
            "goal": "fails",
            "ok": bool(failed),
        }
        for sid, failed in mutations.items()
    ]
    caught = sum(1 for f in mutations.values() if f)
    rows.append(
        {
            "name": f"{label}: statements whose deletion {what}",
            "value": f"{caught}/{len(mutations)}",
            "unit": "",
            "goal": "all",
            "ok": caught == len(mutations),
        }
    )
    return rows


def _class_rows(url: str) -> list[dict]:
    from provision import settings
    from provision.tfrunner import Provider, Workspace
    from testkit import iam_matrix

    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        (tmp / "roster.csv").write_text(ROSTER)
        (tmp / "classroom.toml").write_text(
            '[class]\nroster = "roster.csv"\n[admin]\ncreate_access_key = true\n'
        )
        st = settings.load(tmp / "classroom.toml")
        ws = Workspace.prepare(
            tmp / "tf",
            st.class_name,
            Provider("local", st.region, st.tags, url),
            st.terraform_variables(STAMP),
            module_source=REPO_TERRAFORM / "classroom",
            stream=False,
        )
        ws.init()
        ws.apply()
        acct = iam_matrix.ClassAccount(url, ws.outputs())
        try:
            cells = iam_matrix.permission_matrix(acct)
            print(iam_matrix.format_matrix(cells), flush=True)
            for c in cells:
                rows.append(
                    {
                        "name": f"iam matrix: {c.principal} / {c.action}",
                        "value": c.actual,
                        "unit": "",
                        "goal": c.expected,
                        "ok": c.ok,
                    }
                )
            t0 = time.monotonic()
            failures = iam_matrix.exercise_role(acct, "bench")
            rows.append(
                {
                    "name": "iam: execution role runs the lesson path (failures)",
                    "value": len(failures),
                    "unit": "",
                    "goal": "0",
                    "ok": not failures,
                }
            )
            rows.append(
                {
                    "name": "iam: execution role lesson path wall time",
                    "value": time.monotonic() - t0,
                    "unit": "s",
                    "goal": "-",
                    "ok": True,
                }
            )
            rows += _mutation_rows("iam mutation", iam_matrix.mutation_test(acct), "fails the lesson path")
            # the Students group's statements against the student's cells of the matrix
            rows += _mutation_rows(
                "iam students mutation", iam_matrix.students_mutation_test(acct), "changes a student cell"
            )
            actual, detail = iam_matrix.default_bucket_under_role(acct)
            rows.append(
                {
                    "name": "iam: SDK default_bucket() under the execution role",
                    "value": actual,
                    "unit": "",
                    "goal": "allowed",
                    "ok": actual == "allowed",
                }
            )
        finally:
            acct.cleanup()
            s3 = acct.client("s3")
            for b in s3.list_buckets()["Buckets"]:
                if b["Name"].startswith("sagemaker-"):
                    s3.delete_bucket(Bucket=b["Name"])
            ws.destroy()
    return rows


def run() -> list[dict]:
    from provision import embedded

    emu = embedded.start()
    try:
        rows: list[dict] = []
        with tempfile.TemporaryDirectory() as d:
            proc, off_url = _start_off_emulator(Path(d))
            try:
                p50 = _latency(emu.url, off_url, 100 if _quick() else 500)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
        added = p50["enforced"] - p50["off"]
        decision = _decision_ms()
        rows.append(
            {
                "name": "iam: the enforcement decision alone (in-process, mean per request)",
                "value": decision,
                "unit": "ms",
                "goal": "<= 1",
                "ok": decision <= 1.0,
            }
        )
        rows.append(
            {
                "name": "iam: ListModels p50 signed by a student-like user, IAM enforced",
                "value": p50["enforced"],
                "unit": "ms",
                "goal": "-",
                "ok": True,
            }
        )
        rows.append(
            {
                "name": "iam: the same with CLASSROOM_EMULATOR_IAM=off",
                "value": p50["off"],
                "unit": "ms",
                "goal": "-",
                "ok": True,
            }
        )
        # over HTTP on a shared machine the difference is within the noise; the decision row above is the
        # cost itself
        rows.append(
            {
                "name": "iam: enforcement cost per request over HTTP (p50 difference)",
                "value": added,
                "unit": "ms",
                "goal": "<= 1",
                "ok": added <= 1.0,
            }
        )
        if not _quick():
            rows += _class_rows(emu.url)
        return rows
    finally:
        embedded.stop()
