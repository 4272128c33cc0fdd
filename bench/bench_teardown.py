"""Teardown of a 100-student class on the embedded AWS: 100 user profiles each with a running app,
a shared space with its app, 20 endpoints (with configs and models) in the class's region and 5 in a
second region, a notebook instance, a bucket with 1,200 object versions and delete markers, a tuning
job and SageMaker log groups — all made through boto3 as students would. Measures the teardown's wall
time and AWS API calls per deleted resource (goals: <= 30 s, <= 1.5 calls/resource).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from testkit import aws
from testkit import teardown as h

STUDENTS = 100
ENDPOINTS_HERE, ENDPOINTS_THERE = 20, 5


def run() -> list[dict]:
    from provision import embedded
    from provision.teardown import Aws, Context, teardown

    emu = embedded.start()
    os.environ.update(emu.env(h.REGION))

    sm, sm2, s3, ec2, logs = h.class_clients(aws.clients(emu.url))
    t0 = time.monotonic()
    domain = h.studio(sm, ec2, profiles=STUDENTS)
    h.versioned_bucket(s3, "ml101-models", versions=1200, markers=150)
    # made in Studio: tag propagation puts the class's tags on the endpoint, its config and its model
    # (untagged configs of tagged endpoints cost a DescribeEndpoint + DescribeEndpointConfig each:
    # tests/teardown/test_ownership.py)
    for i in range(ENDPOINTS_HERE):
        h.endpoint(sm, f"student-{i:02d}-ep", tag_all=True)
    for i in range(ENDPOINTS_THERE):
        h.endpoint(sm2, f"lost-{i:02d}-ep", tag_all=True)
    sm.create_notebook_instance(
        NotebookInstanceName="instructor-nb", InstanceType="ml.t3.medium", RoleArn=h.ROLE, Tags=h.CLASS_TAGS
    )
    # SageMaker's shared groups: not provably the class's, listed as left alone (no delete)
    for g in ("/aws/sagemaker/TrainingJobs", "/aws/sagemaker/studio"):
        logs.create_log_group(logGroupName=g)
    for i in range(ENDPOINTS_HERE):  # each endpoint's own group comes with it
        logs.create_log_group(logGroupName=f"/aws/sagemaker/Endpoints/student-{i:02d}-ep")
    h.tuning_job(sm, "rain-tuning", s3=s3)
    setup_s = time.monotonic() - t0

    with tempfile.TemporaryDirectory() as tmp:
        # sweep_regions=None: every region ec2:DescribeRegions reports, as `classroom down` does
        scope = h.make_scope(Path(tmp), domain_ids=(domain,), buckets=("ml101-models",), sweep_regions=None)
        # the waits `classroom down` uses for TARGET=local
        ctx = Context.for_target(Aws(), scope, "local")
        t1 = time.monotonic()
        out = teardown(ctx, log=lambda _: None)
        wall = time.monotonic() - t1
    deleted = sum(r["deleted"] for r in out.receipt["kinds"])
    calls = ctx.aws.count()
    per = calls / deleted if deleted else float("inf")
    versions_calls = ctx.aws.count("DeleteObjects") + ctx.aws.count("ListObjectVersions")
    # the fixed cost of the sweep: listing endpoints and notebook instances in regions with nothing there
    empty_sweep = sum(1 for c in ctx.aws.calls if c.region not in (h.REGION, h.OTHER))
    rest = (calls - empty_sweep) / deleted if deleted else float("inf")
    return [
        {
            "name": "setup (students' leftovers via boto3)",
            "value": round(setup_s, 2),
            "unit": "s",
            "goal": None,
            "ok": None,
        },
        {
            "name": "regions swept (every enabled region)",
            "value": len(out.plan.regions),
            "unit": "",
            "goal": None,
            "ok": None,
        },
        {
            "name": f"teardown wall time, {STUDENTS}-student class",
            "value": round(wall, 2),
            "unit": "s",
            "goal": "<= 30",
            "ok": wall <= 30,
        },
        {"name": "resources deleted", "value": deleted, "unit": "", "goal": None, "ok": None},
        {
            "name": "AWS API calls (plan + deletes + waits + receipt)",
            "value": calls,
            "unit": "",
            "goal": None,
            "ok": None,
        },
        {
            "name": "API calls per deleted resource",
            "value": round(per, 3),
            "unit": "calls",
            "goal": "<= 1.5",
            "ok": per <= 1.5,
        },
        {
            "name": "of which: sweep of the regions with nothing in them (fixed cost)",
            "value": empty_sweep,
            "unit": "",
            "goal": None,
            "ok": None,
        },
        {
            "name": "API calls per deleted resource, without that fixed cost",
            "value": round(rest, 3),
            "unit": "calls",
            "goal": None,
            "ok": None,
        },
        {
            "name": "of which S3 version listing/batch deletes (1,350 versions)",
            "value": versions_calls,
            "unit": "",
            "goal": None,
            "ok": None,
        },
        {
            "name": "receipt: resources left",
            "value": out.receipt["remaining_total"],
            "unit": "",
            "goal": "0",
            "ok": out.receipt["remaining_total"] == 0,
        },
    ]
