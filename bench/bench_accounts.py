"""A class of accounts on the embedded AWS (issue 17).

1. Teardown parallelism vs wall time: N member accounts (Organizations CreateAccount), each with what a
   student leaves behind (2 endpoints with their configs and models, a kit bucket with 40 objects),
   torn down by `classroom down`'s cross-account teardown (provision/accounts/down.py) with 1, 4 and 8
   accounts at a time (the leftovers are made again before each run): wall time, API calls per deleted
   resource, class receipt.
2. `up` and `down` of an N-account per-student class with real Terraform (Studio and budget off, as in
   the test): wall time of each, resources per account, API calls per deleted resource of the teardown.

N = 30. ``CLASSROOM_BENCH_QUICK=1``: N = 6 for (1) with 1, 3 and 6 at a time, N = 3 for (2).
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3

from testkit.aws import REGION, endpoint

ACCOUNTS = 30
ROLE = "OrganizationAccountAccessRole"
JOB_ROLE = "bench-execution"
SAGEMAKER_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def _quick() -> bool:
    return os.environ.get("CLASSROOM_BENCH_QUICK", "") not in ("", "0")


def _settings(folder: Path, name: str, n: int, parallel: int):
    from provision import settings as settings_mod

    (folder / "roster.csv").write_text(
        "user_name,email\n" + "".join(f"s{i:02d},s{i:02d}@school.example\n" for i in range(n))
    )
    (folder / "classroom.toml").write_text(
        f'[class]\nname = "{name}"\naccounts = "per-student"\n[accounts]\n'
        f'email = "aws+{{account}}@school.example"\nparallel = {parallel}\n'
        '[admin]\naccount_alias = ""\n[studio]\nenabled = false\n'
    )
    return settings_mod.load(folder / "classroom.toml")


def _leftovers(url: str, account: str, bucket: str) -> None:
    from provision.accounts.state import member_session

    s = member_session(account, ROLE, REGION)
    sm, s3 = s.client("sagemaker", endpoint_url=url), s.client("s3", endpoint_url=url)
    if bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=bucket)
    for i in range(40):
        s3.upload_fileobj(io.BytesIO(b"x" * 100), bucket, f"data/{i}.csv")
    # the models' role must trust SageMaker (CreateModel: "Could not assume role" otherwise, as on AWS);
    # the access role trusts the management account only. Made once per account, kept between runs.
    iam = s.client("iam", endpoint_url=url)
    if JOB_ROLE not in {r["RoleName"] for r in iam.list_roles()["Roles"]}:
        iam.create_role(RoleName=JOB_ROLE, AssumeRolePolicyDocument=json.dumps(SAGEMAKER_TRUST))
    for i in range(2):
        endpoint(sm, f"ep-{i}", role=f"arn:aws:iam::{account}:role/{JOB_ROLE}", bucket=bucket)


def _teardown_parallelism(n: int, widths: tuple[int, ...]) -> list[dict]:
    from kitcore.statedir import write_json
    from provision import classroom, embedded
    from provision.accounts import down as down_mod
    from provision.accounts import org as org_mod
    from provision.accounts import state

    emu = embedded.start()
    os.environ.update(emu.env(REGION))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = _settings(Path(tmp), "benchtd", n, 1)
        orgs = boto3.client("organizations", region_name=REGION)
        org = org_mod.check_management(orgs, "123456789012", "local")
        org_mod.ensure_scp_enabled(org, "local")
        cleaned = org_mod.ensure_ou(org, settings.accounts.cleaned_ou)
        class_ou = orgs.create_organizational_unit(ParentId=org.root_id, Name="benchtd")[
            "OrganizationalUnit"
        ]["Id"]
        t0 = time.monotonic()
        members = {}
        for i in range(n):
            acct, _how = org_mod.allocate(
                org,
                class_name="benchtd",
                member=f"s{i:02d}",
                account_name=f"benchtd-s{i:02d}",
                email=f"aws+benchtd-s{i:02d}@school.example",
                role=ROLE,
                class_ou=class_ou,
                cleaned_ou=cleaned,
                recorded=None,
                poll_s=0.05,
            )
            members[f"s{i:02d}"] = acct
        create_s = time.monotonic() - t0
        rows.append(
            {
                "name": f"{n} member accounts created (CreateAccount + MoveAccount)",
                "value": round(create_s, 2),
                "unit": "s",
                "goal": None,
                "ok": None,
            }
        )
        classroom.save_class_state(
            settings, {"account_id": "123456789012", "management_account_id": "123456789012"}
        )
        for width in widths:
            data = {
                "mode": "per-student",
                "class_ou": class_ou,
                "cleaned_ou": cleaned,
                "members": {
                    m: {"account_id": a, "how": "created", "students": [m]} for m, a in members.items()
                },
            }
            state.save(settings, data)
            for m, a in members.items():
                orgs.move_account(
                    AccountId=a, SourceParentId=org_mod.parent_of(org, a), DestinationParentId=class_ou
                )
                write_json(state.member_dir(settings, m) / "outputs.json", {"models_bucket": f"bench-{a}"})
            with ThreadPoolExecutor(max_workers=4) as pool:
                list(pool.map(lambda ma: _leftovers(emu.url, ma[1], f"bench-{ma[1]}"), members.items()))
            t1 = time.monotonic()
            receipt = down_mod.down(settings, log=lambda _: None, workers=width)
            wall = time.monotonic() - t1
            deleted = sum(r.get("deleted", 0) for r in receipt["accounts"])
            calls = sum(r.get("api_calls", 0) for r in receipt["accounts"])
            rows += [
                {
                    "name": f"teardown of {n} accounts, {width} at a time: wall time",
                    "value": round(wall, 2),
                    "unit": "s",
                    "goal": None,
                    "ok": None,
                },
                {
                    "name": f"  {width} at a time: API calls per deleted resource ({deleted} deleted)",
                    "value": round(calls / deleted, 3) if deleted else None,
                    "unit": "calls",
                    "goal": None,
                    "ok": None,
                },
                {
                    "name": f"  {width} at a time: class receipt, resources left",
                    "value": receipt["remaining_total"],
                    "unit": "",
                    "goal": "0",
                    "ok": receipt["ok"] and receipt["remaining_total"] == 0,
                },
            ]
    embedded.stop()
    return rows


def _up_down(n: int) -> list[dict]:
    from provision import embedded
    from provision.accounts import down as down_mod
    from provision.accounts import up as up_mod
    from provision.tfrunner import resources_in_state

    with tempfile.TemporaryDirectory() as tmp:
        settings = _settings(Path(tmp), "benchud", n, 4)
        t0 = time.monotonic()
        results = up_mod.up(settings, log=lambda _: None)
        up_s = time.monotonic() - t0
        from provision.accounts import state

        per_account = [
            len(resources_in_state(state.member_dir(settings, r.member) / "terraform" / "terraform.tfstate"))
            for r in results
        ]
        t1 = time.monotonic()
        receipt = down_mod.down(settings, log=lambda _: None)
        down_s = time.monotonic() - t1
        deleted = sum(r.get("deleted", 0) for r in receipt["accounts"])
        calls = sum(r.get("api_calls", 0) for r in receipt["accounts"])
    embedded.stop()
    return [
        {
            "name": f"up of a {n}-account class (org layer + accounts + Terraform, 4 at a time)",
            "value": round(up_s, 1),
            "unit": "s",
            "goal": None,
            "ok": None,
        },
        {
            "name": "  Terraform resources per member account",
            "value": max(per_account),
            "unit": "",
            "goal": None,
            "ok": None,
        },
        {
            "name": f"down of the {n}-account class (teardown + pool + org layer)",
            "value": round(down_s, 1),
            "unit": "s",
            "goal": None,
            "ok": None,
        },
        {
            "name": "  teardown API calls per deleted resource (Terraform's own calls not counted)",
            "value": round(calls / deleted, 3) if deleted else None,
            "unit": "calls",
            "goal": None,
            "ok": None,
        },
        {
            "name": "  class receipt: resources left",
            "value": receipt["remaining_total"],
            "unit": "",
            "goal": "0",
            "ok": receipt["ok"] and receipt["remaining_total"] == 0,
        },
    ]


def run() -> list[dict]:
    if _quick():
        return _teardown_parallelism(6, (1, 3, 6)) + _up_down(3)
    return _teardown_parallelism(ACCOUNTS, (1, 4, 8)) + _up_down(ACCOUNTS)
