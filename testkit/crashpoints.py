"""Crash points, with real processes (issue 18 item 8): run `classroom up` / `classroom down` as a
real process, kill it (SIGINT like Ctrl-C, or SIGKILL) after its K-th AWS call (the kit's test-only
knob, provision/testhooks.py), run `classroom down` again, and check with an independent listing —
boto3 against the embedded AWS and the class's Terraform state file read here — that nothing of the
class is left and that the receipt's "N left" matched that listing.

Used by tests/crashpoints/test_crashpoints.py (a few points) and bench/bench_crashpoints.py (the sweep).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from testkit import aws
from testkit.aws import ACCOUNT, REGION

CLASSROOM = str(Path(sys.executable).parent / "classroom")
CLASS = "crash-test"
OTHER = "eu-west-1"

SETTINGS = f"""
[class]
name = "{CLASS}"
region = "{REGION}"
target = "local"
roster = "roster.csv"

[budget]
email = "teacher@example.com"
"""
ROSTER = "user_name,email\nstudent-a,a@example.com\nstudent-b,b@example.com\n"


@dataclass
class Run:
    args: list[str]
    code: int
    out: str
    err: str
    seconds: float
    calls: int = 0


@dataclass
class Point:
    command: str
    k: int | str
    sig: str
    killed: bool = False
    rerun_code: int | None = None
    receipt_left: int | None = None
    listed: dict = field(default_factory=dict)
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


class Harness:
    """One class on one embedded AWS in ``workdir`` (its own state folder)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.state = workdir / "state"
        (workdir / "classroom.toml").write_text(SETTINGS)
        (workdir / "roster.csv").write_text(ROSTER)
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AWS_", "CLASSROOM_", "TARGET", "KIT_EMULATOR_"))
        }
        self.env["CLASSROOM_STATE_DIR"] = str(self.state)
        for keep in ("CLASSROOM_PROVIDER_MIRROR", "CLASSROOM_TERRAFORM"):
            if os.environ.get(keep):
                self.env[keep] = os.environ[keep]
        self.class_dir = self.state / "classes" / CLASS

    # -- processes ---------------------------------------------------------------------------------

    def run(self, *args: str, kill: tuple[int | str, str] | None = None, timeout: float = 900) -> Run:
        env = dict(self.env)
        log = self.workdir / "calls.log"
        log.unlink(missing_ok=True)
        env["CLASSROOM_TEST_CALL_LOG"] = str(log)
        if kill:
            env["CLASSROOM_TEST_KILL_AFTER_CALL"] = f"{kill[0]}:{kill[1]}"
        started = time.monotonic()
        # its own process group, like a command typed in a terminal: Ctrl-C reaches Terraform too
        proc = subprocess.Popen(
            [CLASSROOM, *args],
            cwd=self.workdir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
        calls = len(log.read_text().splitlines()) if log.exists() else 0
        # a killed group may leave a Terraform child behind for a moment: wait for the group to end
        for _ in range(100):
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        return Run(list(args), proc.returncode, out, err, time.monotonic() - started, calls)

    def must(self, *args: str) -> Run:
        r = self.run(*args)
        if r.code != 0:
            raise AssertionError(
                f"classroom {' '.join(args)} failed ({r.code}):\n{r.out[-3000:]}\n{r.err[-3000:]}"
            )
        return r

    def stop(self) -> None:
        self.run("emulator", "stop", timeout=60)

    # -- AWS ---------------------------------------------------------------------------------------

    def url(self) -> str:
        info = json.loads((self.state / "emulator" / "server.json").read_text())
        return f"http://127.0.0.1:{info['port']}"

    def client(self, service: str, region: str = REGION):
        return aws.clients(self.url())(service, region)

    def student_leftovers(self) -> None:
        """What students leave: an endpoint here and one in the wrong region (each with config and
        model), a notebook instance, a Studio app of each student and a shared space with an app,
        objects in the models bucket, a SageMaker log group."""
        outputs = json.loads((self.class_dir / "outputs.json").read_text())
        role, bucket = outputs["execution_role_arn"], outputs["models_bucket"]
        domain = outputs.get("studio_domain_id")
        for region, name in ((REGION, "student-a-ep"), (OTHER, "lost-ep")):
            # made in Studio: the domain's tag propagation puts the class's tag on it (its config and
            # model are the class's through it) — the teardown deletes only what is the class's
            aws.endpoint(
                self.client("sagemaker", region),
                name,
                role=role,
                bucket=bucket,
                tags=[{"Key": "classroom", "Value": CLASS}],
            )
        sm = self.client("sagemaker")
        sm.create_notebook_instance(
            NotebookInstanceName="student-b-nb",
            InstanceType="ml.t3.medium",
            RoleArn=role,
            Tags=[{"Key": "classroom", "Value": CLASS}],
        )
        if domain:
            aws.studio_apps(sm, domain, ["student-a", "student-b"], "group-work")
        s3 = self.client("s3")
        for i in range(3):
            s3.put_object(Bucket=bucket, Key=f"student-a/part-{i}.csv", Body=b"1,2\n")
        self.client("logs").create_log_group(logGroupName="/aws/sagemaker/Endpoints/student-a-ep")

    def tf_state_resources(self) -> int:
        """Managed resource instances in the class's Terraform state file (read here, not by the kit)."""
        path = self.class_dir / "terraform" / "terraform.tfstate"
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            return 0
        except ValueError:  # damaged (a Terraform run killed while writing it): something is left
            return 1
        return sum(
            len(r.get("instances", [])) for r in data.get("resources", []) if r.get("mode") == "managed"
        )

    def listing(self) -> dict[str, int]:
        """Everything of the class that exists, counted per kind, by boto3 and the state file."""
        n: dict[str, int] = {}
        for region in (REGION, OTHER):
            sm = self.client("sagemaker", region)
            n[f"endpoints/{region}"] = len(sm.list_endpoints()["Endpoints"])
            n[f"endpoint-configs/{region}"] = len(sm.list_endpoint_configs()["EndpointConfigs"])
            n[f"models/{region}"] = len(sm.list_models()["Models"])
            n[f"notebook-instances/{region}"] = len(sm.list_notebook_instances()["NotebookInstances"])
        sm = self.client("sagemaker")
        domains = [d for d in sm.list_domains()["Domains"] if d.get("Status") != "Deleted"]
        n["domains"] = len(domains)
        n["user-profiles"] = n["spaces"] = n["studio-apps"] = 0
        for d in domains:
            did = d["DomainId"]
            n["user-profiles"] += len(sm.list_user_profiles(DomainIdEquals=did)["UserProfiles"])
            n["spaces"] += len(sm.list_spaces(DomainIdEquals=did)["Spaces"])
            n["studio-apps"] += sum(
                1
                for a in sm.list_apps(DomainIdEquals=did)["Apps"]
                if a.get("Status") not in ("Deleted", "Failed")
            )
        n["jobs"] = sum(
            len(sm.list_training_jobs(StatusEquals=s)["TrainingJobSummaries"])
            for s in ("InProgress", "Stopping")
        )
        n["buckets"] = len(self.client("s3").list_buckets()["Buckets"])
        n["log-groups"] = len(
            self.client("logs").describe_log_groups(logGroupNamePrefix="/aws/sagemaker/")["logGroups"]
        )
        n["efs"] = sum(
            1
            for f in self.client("efs").describe_file_systems()["FileSystems"]
            if f.get("LifeCycleState") != "deleted"
        )
        groups = self.client("ec2").describe_security_groups()["SecurityGroups"]
        n["nfs-security-groups"] = sum(1 for g in groups if g["GroupName"] != "default")
        iam = self.client("iam")
        n["iam-users"] = len(iam.list_users()["Users"])
        n["iam-groups"] = len(iam.list_groups()["Groups"])
        n["iam-roles"] = len(iam.list_roles()["Roles"])
        n["iam-policies"] = len(iam.list_policies(Scope="Local")["Policies"])
        n["account-alias"] = len(iam.list_account_aliases()["AccountAliases"])
        try:
            iam.get_account_password_policy()
            n["password-policy"] = 1
        except iam.exceptions.NoSuchEntityException:
            n["password-policy"] = 0
        try:
            n["budgets"] = len(self.client("budgets").describe_budgets(AccountId=ACCOUNT).get("Budgets", []))
        except Exception:  # noqa: BLE001 - moto answers NotFound when there is none
            n["budgets"] = 0
        n["terraform-state"] = self.tf_state_resources()
        return n

    @staticmethod
    def receipt_view(listed: dict[str, int]) -> int:
        """What the receipt's "N left" must equal: the kinds the teardown deletes itself, plus every
        resource in the Terraform state (IAM, budget, alias ... are counted through the state)."""
        outside = (
            "iam-users",
            "iam-groups",
            "iam-roles",
            "iam-policies",
            "account-alias",
            "password-policy",
            "budgets",
        )
        return sum(v for k, v in listed.items() if k not in outside)

    def receipt(self) -> dict:
        return json.loads((self.class_dir / "teardown-receipt.json").read_text())

    # -- one crash point ---------------------------------------------------------------------------

    def fresh_class(self) -> None:
        self.must("up")
        self.student_leftovers()

    def finish_and_check(self, point: Point, max_reruns: int = 3) -> Point:
        """Re-run `classroom down --yes` until it says 0 left (each receipt checked against the
        listing), then check that nothing of the class is left at all."""
        for _ in range(max_reruns):
            (self.class_dir / "teardown-receipt.json").unlink(missing_ok=True)
            r = self.run("down", "--yes")
            point.rerun_code = r.code
            if not (self.class_dir / "teardown-receipt.json").exists():
                point.problem = f"the re-run wrote no receipt (exit {r.code}): {(r.out + r.err)[-600:]}"
                return point
            receipt = self.receipt()
            listed = self.listing()
            expected = self.receipt_view(listed)
            point.receipt_left, point.listed = receipt["remaining_total"], listed
            if receipt["remaining_total"] != expected:
                point.problem = (
                    f"receipt says {receipt['remaining_total']} left, the listing finds {expected}: {listed}"
                )
                return point
            if r.code == 0:
                break
        left = {k: v for k, v in point.listed.items() if v}
        if left or point.rerun_code != 0:
            point.problem = f"after the re-run (exit {point.rerun_code}) still left: {left}"
        return point

    def reset(self) -> None:
        """Start the next point from an empty account, whatever the last one left (so that one
        failing point does not spoil the ones after it)."""
        import shutil

        try:
            url = self.url()
        except FileNotFoundError:
            return
        aws.reset(url, timeout=60)
        for name in ("outputs.json", "teardown-progress.json", "teardown-receipt.json"):
            (self.class_dir / name).unlink(missing_ok=True)
        for f in (self.class_dir / "terraform").glob("terraform.tfstate*"):
            f.unlink()
        shutil.rmtree(self.class_dir / "handouts", ignore_errors=True)

    def crash_point(self, command: str, k: int | str, sig: str) -> Point:
        """A fresh class (for `down`), or none (for `up`); the command killed after its K-th call."""
        point = Point(command, k, sig)
        self.reset()
        if command == "down":
            self.fresh_class()
            r = self.run("down", "--yes", kill=(k, sig))
        else:
            r = self.run("up", kill=(k, sig))
        point.killed = r.code in (-signal.SIGKILL, 130, -signal.SIGINT)
        if command == "up" and (self.class_dir / "outputs.json").exists():
            # an `up` that finished (or got far enough) may have students now: add their leftovers
            try:
                self.student_leftovers()
            except Exception:  # noqa: BLE001 - the domain or bucket may not exist yet: that is fine
                pass
        return self.finish_and_check(point)

    def count_calls(self, command: str) -> int:
        """How many AWS calls an uninterrupted run makes (the sweep goes up to that)."""
        if command == "down":
            self.fresh_class()
            r = self.run("down", "--yes")
        else:
            r = self.run("up")
            calls = r.calls
            self.student_leftovers()
            self.must("down", "--yes")
            return calls
        assert r.code == 0, r.out[-2000:] + r.err[-2000:]
        return r.calls
