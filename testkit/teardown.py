"""For the teardown tests and bench/bench_teardown.py: a class scope on the embedded AWS, leftovers
made directly through boto3 the way a student would make them (never by the kit), and faults injected
into real boto3 clients."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from provision.teardown import Aws, ClassScope, Context
from testkit import aws
from testkit.aws import ACCOUNT, IMAGE, REGION

OTHER = "eu-west-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/classroom-sagemaker"
# what makes a student's resource the class's: Studio's tag propagation copies the domain's and
# profile's tags (Terraform's default_tags) onto it; the kit's jobs add them too
CLASS_TAGS = [{"Key": "classroom", "Value": "ml101"}, {"Key": "managed-by", "Value": "classroom-kit"}]


def make_scope(state: Path, **kw) -> ClassScope:
    base = dict(
        class_name="ml101",
        region=REGION,
        account_id=ACCOUNT,
        tags={"classroom": "ml101"},
        state_dir=state,
        sweep_regions=(REGION, OTHER, "us-west-2"),
    )
    base.update(kw)
    return ClassScope(**base)


def make_ctx(scope: ClassScope, hooks=None, max_attempts: int = 4) -> Context:
    return Context(
        aws=Aws(max_attempts=max_attempts, hooks=hooks, record_params=True),
        scope=scope,
        poll_initial_s=0.05,
        poll_max_s=0.5,
        wait_timeout_s=30,
        workers=8,
    )


def endpoint(
    sm, name: str, bucket: str = "ml101-models", tags: list | None = CLASS_TAGS, tag_all: bool = False
) -> None:
    """A student's endpoint of the class ml101 (testkit.aws.endpoint with the class's role, bucket and
    tags); ``tags=None``: another team's endpoint."""
    aws.endpoint(sm, name, role=ROLE, bucket=bucket, tags=tags, tag_all=tag_all)


def versioned_bucket(s3, name: str, versions: int = 1200, markers: int = 150) -> None:
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    keys = versions // 2
    with ThreadPoolExecutor(max_workers=8) as pool:
        for round_ in range(2):  # two versions of every key
            list(
                pool.map(
                    lambda i, r=round_: s3.put_object(
                        Bucket=name, Key=f"data/part-{i:04d}.csv", Body=f"{r},{i}\n".encode()
                    ),
                    range(keys),
                )
            )
        list(pool.map(lambda i: s3.delete_object(Bucket=name, Key=f"data/part-{i:04d}.csv"), range(markers)))


def tuning_job(sm, name: str, bucket: str = "ml101-models", s3=None, tags: list | None = CLASS_TAGS) -> None:
    """A tuning job that keeps running until stopped (XGBoost, 100,000 rounds, data in ``bucket``);
    its training jobs carry its tags (as on AWS)."""
    if s3 is not None:
        rows = "\n".join(f"{(i % 7) * 0.5 + 1},{i % 7},{(i * 3) % 11},{i % 5}" for i in range(200)) + "\n"
        for channel in ("train", "validation"):
            s3.put_object(Bucket=bucket, Key=f"{channel}/data.csv", Body=rows.encode())
    channels = [
        {
            "ChannelName": ch,
            "ContentType": "text/csv",
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{bucket}/{ch}/"}},
        }
        for ch in ("train", "validation")
    ]
    sm.create_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name,
        **({"Tags": tags} if tags else {}),
        HyperParameterTuningJobConfig={
            "Strategy": "Random",
            "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "validation:rmse"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 4, "MaxParallelTrainingJobs": 1},
            "ParameterRanges": {
                "ContinuousParameterRanges": [{"Name": "eta", "MinValue": "0.1", "MaxValue": "0.5"}]
            },
        },
        TrainingJobDefinition={
            "StaticHyperParameters": {"num_round": "100000", "objective": "reg:squarederror"},
            "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
            "RoleArn": ROLE,
            "InputDataConfig": channels,
            "OutputDataConfig": {"S3OutputPath": f"s3://{bucket}/output/"},
            "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 5},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        },
    )


def studio(sm, ec2, profiles: int = 15, name: str = "ml101") -> str:
    """A domain (as Terraform makes it) with ``profiles`` student profiles, each running an app,
    and a shared space with its own app — all made by hand through boto3."""
    domain = aws.domain(sm, name, ROLE, aws.network(ec2))
    users = [f"student-{i:02d}" for i in range(profiles)]
    for user in users:
        sm.create_user_profile(DomainId=domain, UserProfileName=user)
    aws.studio_apps(sm, domain, users, "group-project")
    return domain


def first(calls, operation: str) -> int:
    return next(i for i, c in enumerate(calls) if c.operation == operation)


def last(calls, operation: str) -> int:
    return max(i for i, c in enumerate(calls) if c.operation == operation)


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_):
        yield self._body


class _Http:
    def __init__(self, status: int) -> None:
        self.status_code = status
        self.headers: dict = {}
        self.content = b""


class Faults:
    """Inject faults the emulator cannot produce into real boto3 clients (botocore event hooks).

    - ``send``-level faults replace the HTTP answer, so botocore's own adaptive retries see them;
    - ``call``-level faults bypass botocore's retries, so the kit's own retry loop must cope;
    - ``interrupt`` raises KeyboardInterrupt (Ctrl-C / a crash) at that call.
    """

    def __init__(self) -> None:
        self.rules: list[dict] = []
        self.seen: set[str] = set()

    def add(
        self,
        operation: str,
        fault: str,
        times: int = 1,
        after: int = 0,
        code: str = "",
        answer: dict | None = None,
        once_seen: str = "",
    ) -> Faults:
        """``fault``: interrupt | throttle | 5xx | deny | answer (a made-up successful response);
        ``once_seen``: only after a call of that operation went by."""
        self.rules.append(
            {
                "op": operation,
                "fault": fault,
                "left": times,
                "skip": after,
                "fired": 0,
                "code": code,
                "answer": answer,
                "once_seen": once_seen,
            }
        )
        return self

    def fired(self, operation: str) -> int:
        return sum(r["fired"] for r in self.rules if r["op"] == operation)

    def hooks(self):
        return [("before-call", self._before_call), ("before-send", self._before_send)]

    def _take(self, op: str, level: str) -> dict | None:
        for r in self.rules:
            is_send = r["fault"].startswith("send-")
            armed = not r["once_seen"] or r["once_seen"] in self.seen
            if r["op"] == op and r["left"] > 0 and armed and (is_send == (level == "send")):
                if r["skip"] > 0:
                    r["skip"] -= 1
                    return None
                r["left"] -= 1
                r["fired"] += 1
                return r
        return None

    def _before_call(self, model=None, **_):
        r = self._take(model.name, "call")
        self.seen.add(model.name)
        if r is None:
            return None
        if r["fault"] == "interrupt":
            raise KeyboardInterrupt(f"injected at {model.name}")
        if r["fault"] == "answer":
            return _Http(200), {**r["answer"], "ResponseMetadata": {"HTTPStatusCode": 200}}
        status, code = {
            "throttle": (400, "ThrottlingException"),
            "5xx": (500, "InternalFailure"),
            "deny": (400, r["code"] or "AccessDeniedException"),
        }[r["fault"]]
        return _Http(status), {
            "Error": {"Code": code, "Message": f"injected {r['fault']}"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }

    def _before_send(self, request=None, event_name: str = "", **_):
        from botocore.awsrequest import AWSResponse

        r = self._take(event_name.rsplit(".", 1)[-1], "send")
        if r is None:
            return None
        if r["fault"] == "send-throttle":
            body = b'{"__type":"ThrottlingException","message":"Rate exceeded"}'
            return AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.1"}, _Raw(body))
        return AWSResponse(request.url, 503, {}, _Raw(b""))


def class_clients(client) -> tuple:
    """(SageMaker here, SageMaker in OTHER, S3, EC2, Logs): what the leftover scenarios are made with."""
    return client("sagemaker"), client("sagemaker", OTHER), client("s3"), client("ec2"), client("logs")


def small_class(client) -> dict:
    """A small version of the leftover scenario for the fault tests (one of each kind)."""
    sm, sm2, s3, ec2, logs = class_clients(client)
    domain = studio(sm, ec2, profiles=2)
    versioned_bucket(s3, "ml101-models", versions=40, markers=5)
    endpoint(sm, "rain-xgb")
    endpoint(sm2, "wrong-region-ep")
    sm.create_notebook_instance(
        NotebookInstanceName="nb", InstanceType="ml.t3.medium", RoleArn=ROLE, Tags=CLASS_TAGS
    )
    logs.create_log_group(logGroupName="/aws/sagemaker/Endpoints/rain-xgb")
    client("logs", OTHER).create_log_group(logGroupName="/aws/sagemaker/Endpoints/wrong-region-ep")
    tuning_job(sm, "rain-tuning", s3=s3)
    return {"domain": domain, "buckets": ("ml101-models",)}
