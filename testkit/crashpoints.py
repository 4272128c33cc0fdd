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


DECOY_GROUPS = ("OtherTeam",)
DECOY_ALIAS = "other-team-alias"
DECOY_PASSWORD_POLICY = {
    "MinimumPasswordLength": 21,
    "RequireSymbols": True,
    "RequireNumbers": True,
    "RequireUppercaseCharacters": False,
    "RequireLowercaseCharacters": True,
    "AllowUsersToChangePassword": False,
    "MaxPasswordAge": 77,
    "PasswordReusePrevention": 3,
}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
# account-level kinds: counted in the listing as totals, and apart as those not in the Terraform state
ACCOUNT_KINDS = (
    "lambda-functions",
    "sns-topics",
    "event-rules",
    "function-log-groups",
    "studio-lifecycle-configs",
    "iam-users",
    "iam-groups",
    "iam-roles",
    "iam-policies",
    "account-alias",
    "password-policy",
    "budgets",
)
NOT_IN_STATE = "not-in-state/"


def _all(client, operation: str, key: str, **params) -> list[dict]:
    return [x for page in client.get_paginator(operation).paginate(**params) for x in page.get(key) or []]


def spawn(argv: list[str], **options) -> subprocess.Popen:
    """``argv`` as a command typed in a terminal: its own process group (Ctrl-C reaches Terraform too)
    with SIGINT's default action, whatever this process has. A harness started in the background by
    a non-interactive shell (``cmd &``, ``nohup``) ignores SIGINT, and an ignored signal stays ignored
    across exec: the kit, a Python program, would then never see its Ctrl-C and every SIGINT point would
    run to its end, not interrupted."""
    return subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_default_sigint,
        **options,
    )


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@dataclass
class Run:
    args: list[str]
    code: int
    out: str
    err: str
    seconds: float
    calls: int = 0
    names: list[str] = field(default_factory=list)  # each call's name, in order (the call log)

    def reached(self, k: int | str) -> bool:
        """Whether this run made its K-th call (K as the knob takes it: N, or NAME#N), i.e. whether
        the knob fired."""
        if isinstance(k, int) or str(k).isdigit():
            return self.calls >= int(k)
        prefix, _, n = str(k).rpartition("#")
        return sum(1 for name in self.names if name.startswith(prefix)) >= int(n)


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
    seconds: float = 0.0  # the killed run, the re-runs and the listings

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
        # the emulator `classroom up` starts may save and restore its state (emulator/snapshots.py)
        self.env["CLASSROOM_TEST_EMULATOR_SNAPSHOTS"] = "1"
        for keep in ("CLASSROOM_PROVIDER_MIRROR", "CLASSROOM_TERRAFORM"):
            if os.environ.get(keep):
                self.env[keep] = os.environ[keep]
        self.class_dir = self.state / "classes" / CLASS
        # the account's password policy before the class (plant_decoys sets one): None = none
        self.password_policy_before: dict | None = None
        self.decoys_planted = False
        self._clients: dict[tuple[str, str, str], object] = {}

    # -- processes ---------------------------------------------------------------------------------

    def run(self, *args: str, kill: tuple[int | str, str] | None = None, timeout: float = 900) -> Run:
        env = dict(self.env)
        log = self.workdir / "calls.log"
        log.unlink(missing_ok=True)
        env["CLASSROOM_TEST_CALL_LOG"] = str(log)
        if kill:
            env["CLASSROOM_TEST_KILL_AFTER_CALL"] = f"{kill[0]}:{kill[1]}"
        started = time.monotonic()
        proc = spawn([CLASSROOM, *args], cwd=self.workdir, env=env)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
        except BaseException:  # the harness itself stopped (Ctrl-C, SIGTERM): its kit run goes too
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        names = [line.split(" ", 1)[-1] for line in log.read_text().splitlines()] if log.exists() else []
        # a killed group may leave a Terraform child behind for a moment: wait for the group to end
        for _ in range(100):
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        return Run(list(args), proc.returncode, out, err, time.monotonic() - started, len(names), names)

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
        """A boto3 client on the class's embedded AWS, made once per (address, service, region): every
        kill point lists the account with some twenty of them."""
        key = (self.url(), service, region)
        if key not in self._clients:
            self._clients[key] = aws.clients(key[0])(service, region)
        return self._clients[key]

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
        n["terraform-state"] = self.tf_state_resources()
        in_state = self.tf_state_names()
        for kind, names in self.account_things().items():
            n[kind] = len(names)
            n[f"{NOT_IN_STATE}{kind}"] = len(names - in_state.get(kind, set()))
        return n

    # -- account-level things: the class's, told apart from the decoys of "another team" -----------

    def account_things(self) -> dict[str, set[str]]:
        """The class's IAM users, groups, roles and policies, alias, password policy and budget, found
        here independently of the kit: users, roles and policies by the tag classroom=<class>, groups
        by not being a decoy (groups take no tags), the alias by the class's stamp, the budget by its
        name, the password policy when it is not what the account had before the class."""
        iam = self.client("iam")

        def tagged(rows, tags_of) -> set[str]:
            return {name for name, key in rows if tags_of(key).get("classroom") == CLASS}

        users = tagged(
            ((u["UserName"], u["UserName"]) for u in _all(iam, "list_users", "Users")),
            lambda n: {t["Key"]: t["Value"] for t in iam.list_user_tags(UserName=n)["Tags"]},
        )
        roles = tagged(
            ((r["RoleName"], r["RoleName"]) for r in _all(iam, "list_roles", "Roles")),
            lambda n: {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=n)["Tags"]},
        )
        policies = tagged(
            ((p["PolicyName"], p["Arn"]) for p in _all(iam, "list_policies", "Policies", Scope="Local")),
            lambda a: {t["Key"]: t["Value"] for t in iam.list_policy_tags(PolicyArn=a)["Tags"]},
        )
        groups = {g["GroupName"] for g in _all(iam, "list_groups", "Groups")} - set(DECOY_GROUPS)
        try:
            stamp = json.loads((self.class_dir / "class.json").read_text()).get("stamp", "")
        except FileNotFoundError:
            stamp = ""
        aliases = {a for a in iam.list_account_aliases()["AccountAliases"] if a == f"{CLASS}-{stamp}"}
        try:
            policy = iam.get_account_password_policy()["PasswordPolicy"]
            policy = {k: policy[k] for k in DECOY_PASSWORD_POLICY if k in policy}
        except iam.exceptions.NoSuchEntityException:
            policy = None
        try:
            budgets = self.client("budgets").describe_budgets(AccountId=ACCOUNT).get("Budgets", [])
        except Exception:  # noqa: BLE001 - moto answers NotFound when there is none
            budgets = []
        lam = self.client("lambda")
        functions = {f["FunctionName"] for f in _all(lam, "list_functions", "Functions")}
        topics = {t["TopicArn"].rsplit(":", 1)[-1] for t in _all(self.client("sns"), "list_topics", "Topics")}
        rules = {r["Name"] for r in self.client("events").list_rules(NamePrefix=CLASS).get("Rules", [])}
        fn_logs = {
            g["logGroupName"]
            for g in self.client("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/")["logGroups"]
        }
        lccs = {
            c["StudioLifecycleConfigName"]
            for c in self.client("sagemaker")
            .list_studio_lifecycle_configs()
            .get("StudioLifecycleConfigs", [])
        }
        return {
            "lambda-functions": {f for f in functions if f.startswith(CLASS)},
            "sns-topics": {t for t in topics if t.startswith(CLASS)},
            "event-rules": rules,
            "function-log-groups": {g for g in fn_logs if g.startswith(f"/aws/lambda/{CLASS}")},
            "studio-lifecycle-configs": {c for c in lccs if c.startswith(CLASS)},
            "iam-users": users,
            "iam-groups": groups,
            "iam-roles": roles,
            "iam-policies": policies,
            "account-alias": aliases,
            "password-policy": {"policy"} if policy != self.password_policy_before else set(),
            "budgets": {b["BudgetName"] for b in budgets if b["BudgetName"].startswith(f"{CLASS}-")},
        }

    def tf_state_names(self) -> dict[str, set[str]]:
        """The account-level things the class's Terraform state file holds (read here)."""
        path = self.class_dir / "terraform" / "terraform.tfstate"
        try:
            data = json.loads(path.read_text())
        except (FileNotFoundError, ValueError):
            return {}
        kinds = {
            "aws_iam_user": ("iam-users", "name"),
            "aws_iam_group": ("iam-groups", "name"),
            "aws_iam_role": ("iam-roles", "name"),
            "aws_iam_policy": ("iam-policies", "name"),
            "aws_iam_account_alias": ("account-alias", "account_alias"),
            "aws_budgets_budget": ("budgets", "name"),
            "aws_s3_bucket": ("buckets", "bucket"),
            "aws_lambda_function": ("lambda-functions", "function_name"),
            "aws_sns_topic": ("sns-topics", "name"),
            "aws_cloudwatch_event_rule": ("event-rules", "name"),
            "aws_cloudwatch_log_group": ("function-log-groups", "name"),
            "aws_sagemaker_studio_lifecycle_config": (
                "studio-lifecycle-configs",
                "studio_lifecycle_config_name",
            ),
        }
        out: dict[str, set[str]] = {}
        for r in data.get("resources", []):
            if r.get("mode") != "managed":
                continue
            if r["type"] == "aws_iam_account_password_policy" and r.get("instances"):
                out["password-policy"] = {"policy"}
            if r["type"] in kinds:
                kind, key = kinds[r["type"]]
                for inst in r.get("instances", []):
                    out.setdefault(kind, set()).add(inst["attributes"].get(key))
        return out

    def plant_decoys(self) -> None:
        """Another team's things in the same account, made before the class's first `up`: an
        untagged IAM user in its own group, a user tagged for another class, an untagged role, a
        budget, the account's password policy and its alias. None of them may be touched (the policy
        and the alias, which the class's overwrite, are put back)."""
        self.run("emulator", "start", timeout=120)
        iam = self.client("iam")
        iam.create_group(GroupName=DECOY_GROUPS[0])
        iam.create_user(UserName="other-team-user")
        iam.create_login_profile(UserName="other-team-user", Password="Other-Team-1!pass")
        iam.add_user_to_group(GroupName=DECOY_GROUPS[0], UserName="other-team-user")
        iam.create_user(UserName="other-class-user", Tags=[{"Key": "classroom", "Value": "other-class"}])
        iam.create_role(RoleName="other-team-role", AssumeRolePolicyDocument=json.dumps(TRUST))
        iam.update_account_password_policy(**DECOY_PASSWORD_POLICY)
        iam.create_account_alias(AccountAlias=DECOY_ALIAS)  # the class's overwrites it: put back at down
        self.password_policy_before = dict(DECOY_PASSWORD_POLICY)
        self.decoys_planted = True
        self.client("budgets").create_budget(
            AccountId=ACCOUNT,
            Budget={
                "BudgetName": "other-team-budget",
                "BudgetLimit": {"Amount": "50", "Unit": "USD"},
                "TimeUnit": "MONTHLY",
                "BudgetType": "COST",
            },
        )

    def decoys_intact(self) -> str:
        """ "" when every decoy is as it was made, else what is missing or changed."""
        iam = self.client("iam")
        problems = []
        users = {u["UserName"] for u in _all(iam, "list_users", "Users")}
        for u in ("other-team-user", "other-class-user"):
            if u not in users:
                problems.append(f"user {u} deleted")
        if "other-team-user" in users:
            members = {u["UserName"] for u in iam.get_group(GroupName=DECOY_GROUPS[0])["Users"]}
            if "other-team-user" not in members:
                problems.append("other-team-user left its group")
        if "other-team-role" not in {r["RoleName"] for r in _all(iam, "list_roles", "Roles")}:
            problems.append("role other-team-role deleted")
        try:
            got = iam.get_account_password_policy()["PasswordPolicy"]
            changed = {k: (got.get(k), v) for k, v in DECOY_PASSWORD_POLICY.items() if got.get(k) != v}
            if changed:
                problems.append(f"the owner's password policy changed: {changed}")
        except iam.exceptions.NoSuchEntityException:
            problems.append("the owner's password policy deleted")
        if (aliases := iam.list_account_aliases()["AccountAliases"]) != [DECOY_ALIAS]:
            problems.append(f"the owner's account alias is not back: {aliases}")
        budgets = self.client("budgets").describe_budgets(AccountId=ACCOUNT).get("Budgets", [])
        if "other-team-budget" not in {b["BudgetName"] for b in budgets}:
            problems.append("budget other-team-budget deleted")
        return "; ".join(problems)

    @staticmethod
    def receipt_view(listed: dict[str, int]) -> int:
        """What the receipt's "N left" must equal: every kind the teardown deletes itself, every
        resource in the Terraform state, and the account-level things (IAM, alias, password policy,
        budget) the state does not hold (an apply stopped before it saved) — those in the state are
        counted through it."""
        return sum(v for k, v in listed.items() if k not in ACCOUNT_KINDS)

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
            point.problem = (
                f"after the re-run (exit {point.rerun_code}) still left: {left}; its last lines: "
                f"{(r.out + r.err)[-600:]}"
            )
        elif self.decoys_planted and (damage := self.decoys_intact()):
            point.problem = f"another team's things were touched: {damage}"
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
        self.password_policy_before = None
        self.decoys_planted = False
        for name in ("outputs.json", "teardown-progress.json", "teardown-receipt.json", "created-names.json"):
            (self.class_dir / name).unlink(missing_ok=True)
        for f in (self.class_dir / "terraform").glob("terraform.tfstate*"):
            f.unlink()
        shutil.rmtree(self.class_dir / "handouts", ignore_errors=True)

    # -- snapshots: set the class up once, start every kill point from the same account ---------------

    def _emulator(self, path: str, method: str) -> dict:
        import urllib.request

        req = urllib.request.Request(f"{self.url()}{path}", method=method)
        with urllib.request.urlopen(req, timeout=120) as resp:
            return json.loads(resp.read())

    def save(self, name: str = "class") -> None:
        """Save the embedded AWS's whole state and the class's state folder (Terraform's working
        directory without its provider plug-ins, which never change)."""
        import shutil

        self._emulator(f"/__classroom/snapshot/{name}", "POST")
        dest = self.workdir / f"snapshot-{name}"
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(self.class_dir, dest, ignore=shutil.ignore_patterns(".terraform", "logs"))

    def restore(self, name: str = "class") -> None:
        """The account and the class's state folder exactly as ``save`` saw them."""
        import shutil

        self._emulator(f"/__classroom/snapshot/{name}", "PUT")
        for path in sorted(self.class_dir.rglob("*"), reverse=True):
            rel = path.relative_to(self.class_dir).parts
            if ".terraform" in rel or rel[0] == "logs":
                continue
            if path.is_dir() and not path.is_symlink():
                if not any(path.iterdir()):
                    path.rmdir()
            else:
                path.unlink()
        shutil.copytree(self.workdir / f"snapshot-{name}", self.class_dir, dirs_exist_ok=True)

    def crash_point_saved(self, k: int | str, sig: str, name: str = "class") -> Point:
        """`classroom down` of the saved class killed after its K-th call, then finished and checked."""
        point = Point("down", k, sig)
        self.restore(name)
        r = self.run("down", "--yes", kill=(k, sig))
        return self._stopped(self.finish_and_check(point), r)

    def crash_point(self, command: str, k: int | str, sig: str) -> Point:
        """A fresh class (for `down`), or none (for `up`); the command killed after its K-th call."""
        point = Point(command, k, sig)
        self.reset()
        if command == "down":
            self.fresh_class()
            r = self.run("down", "--yes", kill=(k, sig))
        else:
            self.plant_decoys()  # another team's user, role, budget and password policy: must survive
            r = self.run("up", kill=(k, sig))
        if command == "up" and (self.class_dir / "outputs.json").exists():
            # an `up` that finished (or got far enough) may have students now: add their leftovers
            try:
                self.student_leftovers()
            except Exception:  # noqa: BLE001 - the domain or bucket may not exist yet: that is fine
                pass
        return self._stopped(self.finish_and_check(point), r)

    @staticmethod
    def _stopped(point: Point, r: Run) -> Point:
        """``point`` (checked) with whether the killed run stopped: a signal sent (the run made its K-th call)
        must end it — SIGKILL at once, SIGINT with exit 130 (what the kit answers to Ctrl-C); a run
        that went on to its end was not interrupted at that point at all. A K beyond the calls this
        run made (fewer polls than the uninterrupted run) sends nothing: a plain run, not a problem."""
        point.killed = r.code in (-signal.SIGKILL, 130, -signal.SIGINT)
        if r.reached(point.k) and not point.killed:
            why = f"SIG{point.sig} after call {point.k} did not stop it (exit {r.code}, {r.calls} calls)"
            point.problem = "; ".join(x for x in (why, point.problem) if x)
        return point

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
