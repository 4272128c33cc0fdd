"""Benchmark: the whole classroom root for a class of 100 students on the embedded AWS.

Settings and a 100-line roster are written to a temporary directory, validated by
``provision.settings``, and the root module ``terraform/classroom`` is applied through the kit's
runner (``provision.tfrunner``) to a real emulator process: timed apply, no-change plan, handout
writing, destroy, and a boto3 count of what is left (must be nothing).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import boto3

STUDENTS = 100
STAMP = "20260101-0900"
REPO = Path(__file__).resolve().parents[1]


def _excerpt(message: str, head: int = 600, tail: int = 200) -> str:
    """A long Terraform error, shortened in the middle (its first line holds the cause, often at its end)."""
    return message if len(message) <= head + tail else f"{message[:head]} … {message[-tail:]}"


def _clients(url: str) -> dict:
    kw = {
        "region_name": "us-east-1",
        "endpoint_url": url,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    return {name: boto3.client(name, **kw) for name in ("iam", "s3", "sagemaker", "budgets")}


def _count_class(c: dict, domain_id: str | None) -> dict[str, int]:
    iam, s3, sm, budgets = c["iam"], c["s3"], c["sagemaker"], c["budgets"]
    users = iam.get_paginator("list_users").paginate().build_full_result()["Users"]
    profiles = 0
    if domain_id:
        pages = sm.get_paginator("list_user_profiles").paginate(DomainIdEquals=domain_id)
        profiles = sum(len(p["UserProfiles"]) for p in pages)
    return {
        "users": len(users),
        "groups": len(iam.list_groups()["Groups"]),
        "local policies": len(iam.list_policies(Scope="Local")["Policies"]),
        "buckets": len(s3.list_buckets()["Buckets"]),
        "domains": len(sm.list_domains()["Domains"]),
        "profiles": profiles,
        "budgets": len(budgets.describe_budgets(AccountId="123456789012").get("Budgets", [])),
    }


def run() -> list[dict]:
    from kitcore.errors import KitError
    from provision import embedded, handout, settings
    from provision.tfrunner import Provider, Workspace

    emu = embedded.start()
    c = _clients(emu.url)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench-classroom-") as tmp:
        d = Path(tmp)
        (d / "roster.csv").write_text(
            "user_name,email,display_name\n"
            + "".join(f"student-{i:03d},student{i}@example.org,Student {i}\n" for i in range(STUDENTS))
        )
        (d / "classroom.toml").write_text(
            '[class]\nroster = "roster.csv"\n[budget]\nemail = "teacher@example.org"\n'
        )
        t = time.monotonic()
        st = settings.load(d / "classroom.toml")
        variables = st.terraform_variables(STAMP)
        rows.append(
            {
                "name": f"settings + {STUDENTS}-student roster validated",
                "value": time.monotonic() - t,
                "unit": "s",
                "goal": "<= 1",
                "ok": time.monotonic() - t <= 1,
            }
        )
        ws = Workspace.prepare(
            d / "tf",
            st.class_name,
            Provider("local", st.region, st.tags, emu.url),
            variables,
            module_source=REPO / "terraform" / "classroom",
            stream=False,
        )
        ws.init()

        def timed(label: str, goal_s: float, fn):
            t0 = time.monotonic()
            result = fn()
            seconds = time.monotonic() - t0
            rows.append(
                {
                    "name": label,
                    "value": seconds,
                    "unit": "s",
                    "goal": f"<= {goal_s:g}",
                    "ok": seconds <= goal_s,
                }
            )
            return result

        try:
            timed(f"terraform apply, {STUDENTS} students (users, logins, Studio profiles)", 600, ws.apply)
            outputs = ws.outputs()
            counts = _count_class(c, outputs.get("studio_domain_id"))
            expected = {
                "users": STUDENTS + 1,
                "profiles": STUDENTS + 1,
                "buckets": 2,
                "domains": 1,
                "budgets": 1,
            }
            rows.append(
                {
                    "name": "created as planned (users, profiles, buckets, domain, budget)",
                    "value": ", ".join(f"{k}={counts[k]}" for k in expected),
                    "unit": "",
                    "goal": ", ".join(f"{k}={v}" for k, v in expected.items()),
                    "ok": all(counts[k] == v for k, v in expected.items()),
                }
            )
            changes = timed("terraform plan after apply (must be no change)", 300, ws.plan_has_changes)
            rows.append(
                {
                    "name": "second plan has changes",
                    "value": changes,
                    "unit": "",
                    "goal": "False",
                    "ok": changes is False,
                }
            )
            paths = timed(
                "handouts written (0600 CSV per user)",
                5,
                lambda: handout.write_handouts(d / "class", outputs),
            )
            rows.append(
                {
                    "name": "handout files",
                    "value": len(paths),
                    "unit": "",
                    "goal": str(STUDENTS + 2),
                    "ok": len(paths) == STUDENTS + 2,
                }
            )
        except KitError as err:
            rows.append(
                {
                    "name": "apply/plan failed",
                    "value": _excerpt(str(err)),
                    "unit": "",
                    "goal": None,
                    "ok": False,
                }
            )
        finally:
            try:
                timed(f"terraform destroy, {STUDENTS} students", 600, ws.destroy)
            except KitError as err:
                rows.append(
                    {
                        "name": "terraform destroy failed",
                        "value": _excerpt(str(err)),
                        "unit": "",
                        "goal": None,
                        "ok": False,
                    }
                )
        left = _count_class(c, None)
        total = sum(left.values())
        rows.append(
            {
                "name": "resources left after destroy",
                "value": total,
                "unit": "",
                "goal": "0",
                "ok": total == 0,
            }
        )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
