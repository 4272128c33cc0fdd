"""Real Terraform (hashicorp/aws 5.100.0 from the offline mirror) applies, re-plans with no changes
and destroys a Studio domain with three user profiles, a budget and an IAM user on the embedded AWS.

The configuration is ``testkit/terraform/account/main.tf`` (bench/bench_emulator_account.py applies it
too). Terraform runs as a subprocess with its
own CLI config (a filesystem mirror, no registry), checkpoint calls disabled, and every provider
endpoint pointing at the emulator.
"""

from __future__ import annotations

import subprocess

import pytest
from botocore.exceptions import ClientError

from testkit import terraform_run

pytestmark = [pytest.mark.terraform, pytest.mark.slow]

ACCOUNT = "123456789012"
PROFILES = ["student-1", "student-2", "student-3"]


@pytest.fixture(scope="module")
def tf(tmp_path_factory, emulator):
    """``tf("apply", ...)`` runs terraform in a private copy of the configuration."""
    if not terraform_run.available():
        pytest.fail(f"terraform and the provider mirror at {terraform_run.MIRROR} are required for this test")
    work = tmp_path_factory.mktemp("tf-account")
    env = terraform_run.prepare(work, terraform_run.ACCOUNT_CONFIG, emulator.url)

    def run(*args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            ["terraform", f"-chdir={work}", *args, "-no-color"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if proc.returncode not in ok:
            raise AssertionError(
                f"terraform {args[0]} exited {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
            )
        return proc

    run("init", "-input=false")
    return run


def _managed_groups(ec2, domain_arn: str) -> list[dict]:
    return ec2.describe_security_groups(
        Filters=[{"Name": "tag:ManagedByAmazonSageMakerResource", "Values": [domain_arn]}]
    )["SecurityGroups"]


def test_apply_plan_destroy_domain_profiles_budget_user(tf, account_clients):
    sm, iam, efs, ec2 = (account_clients(s) for s in ("sagemaker", "iam", "efs", "ec2"))
    budgets = account_clients("budgets")

    tf("apply", "-auto-approve", "-input=false")
    domain_id = tf("output", "-raw", "domain_id").stdout.strip()
    domain = sm.describe_domain(DomainId=domain_id)
    assert domain["Status"] == "InService"
    profiles = sm.list_user_profiles(DomainIdEquals=domain_id)["UserProfiles"]
    assert sorted(p["UserProfileName"] for p in profiles) == PROFILES
    [fs] = efs.describe_file_systems(FileSystemId=domain["HomeEfsFileSystemId"])["FileSystems"]
    assert fs["NumberOfMountTargets"] == 2
    assert len(_managed_groups(ec2, domain["DomainArn"])) == 2
    budget_arn = f"arn:aws:budgets::{ACCOUNT}:budget/tfacct-budget"
    assert budgets.list_tags_for_resource(ResourceARN=budget_arn)["ResourceTags"] == [
        {"Key": "Purpose", "Value": "test"}
    ]
    [note] = budgets.describe_notifications_for_budget(AccountId=ACCOUNT, BudgetName="tfacct-budget")[
        "Notifications"
    ]
    subscribers = budgets.describe_subscribers_for_notification(
        AccountId=ACCOUNT, BudgetName="tfacct-budget", Notification=note
    )["Subscribers"]
    assert subscribers == [{"SubscriptionType": "EMAIL", "Address": "teacher@example.com"}]
    assert iam.get_login_profile(UserName="tfacct-admin")["LoginProfile"]["PasswordResetRequired"] is True

    # a second plan sees no difference between the configuration and what the emulator reports
    plan = tf("plan", "-detailed-exitcode", "-input=false", ok=(0, 2))
    assert plan.returncode == 0, plan.stdout[-3000:]

    # deleting in the wrong order fails on the emulator with AWS's error codes
    with pytest.raises(ClientError) as err:
        sm.delete_domain(DomainId=domain_id, RetentionPolicy={"HomeEfsFileSystem": "Delete"})
    assert err.value.response["Error"]["Code"] == "ResourceInUse"
    with pytest.raises(ClientError) as err:
        iam.delete_user(UserName="tfacct-admin")
    assert err.value.response["Error"]["Code"] == "DeleteConflict"

    tf("destroy", "-auto-approve", "-input=false")
    with pytest.raises(ClientError) as err:
        sm.describe_domain(DomainId=domain_id)
    assert err.value.response["Error"]["Code"] == "ResourceNotFound"
    assert sm.list_user_profiles()["UserProfiles"] == []
    assert sm.list_domains()["Domains"] == []
    # retention_policy Delete: the home EFS, its mount targets and both NFS groups are gone
    assert efs.describe_file_systems()["FileSystems"] == []
    assert _managed_groups(ec2, domain["DomainArn"]) == []
    assert budgets.describe_budgets(AccountId=ACCOUNT).get("Budgets", []) == []
    assert iam.list_users()["Users"] == []
    assert iam.list_roles()["Roles"] == []
    state = tf("state", "list", ok=(0, 1)).stdout.split()
    assert [s for s in state if not s.startswith("data.")] == []
