"""What the class's Terraform may create, recorded in the class's state folder BEFORE each apply
(``created-names.json``), with what the account already had.

Why: a `terraform apply` killed mid-way (SIGKILL, a crash, a closed laptop) leaves resources that the
provider created but Terraform never wrote into its state — IAM users, groups, roles and policies, the
account alias, the password policy, the budget. ``terraform destroy`` does not know them. The teardown's
account-level kinds (``kinds/iam_*.py``, ``account_alias``, ``password_policy``, ``budgets``) find them
through this record, and delete only what it proves is the class's (the account may hold other
people's work, issue 12):

- a name is the class's only if it did NOT exist when it was first recorded (``existed: false``): a
  name that existed before the class's first apply is somebody else's, whatever it looks like;
- IAM users, roles and customer-managed policies must also carry the tag ``classroom=<class>`` (the
  provider's ``default_tags``; CreateUser/CreateRole/CreatePolicy take ``Tags``);
- IAM groups take no tags (CreateGroup has no Tags parameter, botocore iam-2010-05-08): the record is
  the proof — the group names are recorded before the apply and only if the account had no such group;
- the budget: its name ``<class>-<stamp>`` (the stamp has 6 random characters) recorded before the apply;
- the account alias: only while it still equals the alias the class set;
- the password policy (one per account): the policy the account had before the class's first apply is
  recorded; teardown deletes the policy only if there was none, else puts the owner's back.

A name already recorded keeps its first record (the class made it then; a later `up` sees it existing
because the class made it). The record is removed by a teardown that ends with 0 left.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kitcore.aws import paged

LEDGER_FILE = "created-names.json"

# the modules' group names (terraform/modules/admin-access and students: variable group_name's
# default; terraform/classroom does not override them)
ADMIN_GROUP = "Administrators"
STUDENTS_GROUP = "Students"

# password policy fields: GetAccountPasswordPolicy's answer -> UpdateAccountPasswordPolicy's parameter
POLICY_FIELDS = (
    "MinimumPasswordLength",
    "RequireSymbols",
    "RequireNumbers",
    "RequireUppercaseCharacters",
    "RequireLowercaseCharacters",
    "AllowUsersToChangePassword",
    "MaxPasswordAge",
    "PasswordReusePrevention",
    "HardExpiry",
)
OPTIONAL_COUNTS = ("MaxPasswordAge", "PasswordReusePrevention")


def planned_names(variables: dict[str, Any]) -> dict[str, list[str]]:
    """The names of what ``terraform/classroom`` creates with these variables (account-level things
    only: what teardown cannot find by the class's tags alone)."""
    cls = variables["class_name"]
    users = [variables["admin_user_name"], *sorted(variables.get("students") or {})]
    roles = []
    if variables.get("create_studio", True):
        roles.append(f"{cls}-sagemaker-execution")  # terraform/classroom: module "studio"
    if variables.get("reaper_enabled", True):
        roles.append(f"{cls}-reaper-fn")  # terraform/modules/reaper: "${var.name}-fn"
    return {
        "iam_users": users,
        "iam_groups": [ADMIN_GROUP, STUDENTS_GROUP],
        "iam_roles": roles,
        "iam_policies": [f"{cls}-instance-type-guardrail"],  # module "guardrails"
        "budgets": [f"{cls}-{variables['stamp']}"] if variables.get("budget_email") else [],
        "buckets": [
            b for b in (variables.get("models_bucket_name"), variables.get("share_bucket_name")) if b
        ],
    }


def load(class_dir: Path | None) -> dict:
    if class_dir is None:
        return {}
    try:
        data = json.loads((Path(class_dir) / LEDGER_FILE).read_text())
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def owned_names(class_dir: Path | None, kind: str) -> dict[str, dict]:
    """name -> record, for the names of ``kind`` the class may own (recorded as not existing before)."""
    return {n: r for n, r in (load(class_dir).get(kind) or {}).items() if not r.get("existed")}


def password_policy(iam: Any) -> dict | None:
    """The account's password policy (the parameters UpdateAccountPasswordPolicy takes), or None."""
    try:
        got = iam.get_account_password_policy()["PasswordPolicy"]
    except Exception as err:
        from kitcore.aws import error_code

        if error_code(err) == "NoSuchEntity":
            return None
        raise
    # MaxPasswordAge / PasswordReusePrevention: absent (or 0) when not set; AWS accepts only >= 1
    return {k: got[k] for k in POLICY_FIELDS if k in got and (got[k] or k not in OPTIONAL_COUNTS)}


def record(class_dir: Path, variables: dict[str, Any], session: Any, region: str, account: str) -> Path:
    """Before an apply: add the names this apply may create, each with whether it exists now (a name
    recorded earlier keeps its record), and — once — the account's alias and password policy."""
    from kitcore.statedir import write_json

    iam = session.client("iam", region_name=region)
    data = load(class_dir)
    names = planned_names(variables)
    existing = listers(session, region, account)
    for kind, wanted in names.items():
        have = data.setdefault(kind, {})
        new = [n for n in wanted if n not in have]
        if not new:
            continue
        present = existing[kind]()
        for n in new:
            have[n] = {"existed": n in present}
    if "account_alias" not in data:
        data["account_alias"] = {"before": iam.list_account_aliases().get("AccountAliases") or [], "set": []}
    alias = variables.get("account_alias")
    if alias and alias not in data["account_alias"]["set"] and alias not in data["account_alias"]["before"]:
        data["account_alias"]["set"].append(alias)  # every alias the class set (a changed one too)
    if "password_policy" not in data and variables.get("manage_password_policy", True):
        data["password_policy"] = {"before": password_policy(iam)}
    return write_json(Path(class_dir) / LEDGER_FILE, data)


def listers(session: Any, region: str, account: str) -> dict[str, Callable[[], set[str]]]:
    """For each kind of ``planned_names``: a call that lists the names the account has now."""
    iam = session.client("iam", region_name=region)
    return {
        "iam_users": lambda: {u["UserName"] for u in paged(iam, "list_users", "Users")},
        "iam_groups": lambda: {g["GroupName"] for g in paged(iam, "list_groups", "Groups")},
        "iam_roles": lambda: {r["RoleName"] for r in paged(iam, "list_roles", "Roles")},
        "iam_policies": lambda: {
            p["PolicyName"] for p in paged(iam, "list_policies", "Policies", Scope="Local")
        },
        "budgets": lambda: _budget_names(session, account),
        "buckets": lambda: {
            b["Name"] for b in session.client("s3", region_name=region).list_buckets().get("Buckets") or []
        },
    }


def _budget_names(session: Any, account: str) -> set[str]:
    budgets = session.client("budgets", region_name="us-east-1")
    return {b["BudgetName"] for b in paged(budgets, "describe_budgets", "Budgets", AccountId=account)}


def clear(class_dir: Path | None) -> None:
    if class_dir is not None:
        (Path(class_dir) / LEDGER_FILE).unlink(missing_ok=True)


def state_names(class_dir: Path | None) -> dict[str, set[str]]:
    """What the class's Terraform state files hold, by the ledger's kinds (read here, no Terraform
    run): those are ``terraform destroy``'s to delete, not the account-level kinds'."""
    attr = {
        "aws_iam_user": ("iam_users", "name"),
        "aws_iam_group": ("iam_groups", "name"),
        "aws_iam_role": ("iam_roles", "name"),
        "aws_iam_policy": ("iam_policies", "name"),
        "aws_budgets_budget": ("budgets", "name"),
        "aws_s3_bucket": ("buckets", "bucket"),
        "aws_iam_account_alias": ("account_alias", "account_alias"),
        "aws_iam_account_password_policy": ("password_policy", "id"),
        "aws_lambda_function": ("lambda_functions", "function_name"),
        "aws_cloudwatch_event_rule": ("event_rules", "name"),
        "aws_sns_topic": ("sns_topics", "name"),
        "aws_cloudwatch_log_group": ("function_log_groups", "name"),
        "aws_sagemaker_studio_lifecycle_config": ("studio_lifecycle_configs", "studio_lifecycle_config_name"),
    }
    # the provider's ID of a user, group and role is its name (internal/service/iam: d.SetId): an
    # instance saved tainted with its ID alone (see state_links) is still the state's
    id_is_name = {"aws_iam_user", "aws_iam_group", "aws_iam_role"}
    out: dict[str, set[str]] = {kind: set() for kind, _ in attr.values()}
    for t, a in _state_instances(class_dir):
        if t in attr:
            kind, key = attr[t]
            name = a.get(key) or (a.get("id") if t in id_is_name else None)
            if name:
                out[kind].add(str(name))
    return out


def _state_instances(class_dir: Path | None) -> Iterator[tuple[str, dict]]:
    """(resource type, attributes) of every managed instance in the class's Terraform state files; a
    damaged file is skipped (what it holds cannot be read; the kinds look at AWS alone)."""
    if class_dir is None:
        return
    for f in sorted(Path(class_dir).rglob("*.tfstate")):
        try:
            data = json.loads(f.read_text())
        except (OSError, ValueError):
            continue
        for res in data.get("resources", []):
            if res.get("mode") == "managed":
                for inst in res.get("instances", []):
                    yield res.get("type"), inst.get("attributes") or {}


def state_links(class_dir: Path | None) -> dict[str, set]:
    """The IAM groups, roles and policies the class's Terraform state holds, and the links between
    them it holds (attachments, memberships, inline policies): what ``terraform destroy`` will undo."""
    out: dict[str, set] = {
        k: set()
        for k in ("groups", "roles", "policies", "attached", "members", "inline_group", "inline_role")
    }
    for t, a in _state_instances(class_dir):
        # A create interrupted after the provider set the ID but before it read the resource back
        # (SIGINT cancels the provider's context; terraform-plugin-sdk v2 then saves the instance
        # tainted with its ID and no computed attributes) holds `id` but `arn: null`. The provider's
        # IDs are the group's and role's name and the policy's ARN (internal/service/iam/group.go,
        # role.go, policy.go: d.SetId), so the ID stands in for the missing attribute.
        if t == "aws_iam_group":
            out["groups"].add(a.get("name") or a.get("id"))
        elif t == "aws_iam_role":
            out["roles"].add(a.get("name") or a.get("id"))
        elif t == "aws_iam_policy":
            out["policies"].add(a.get("arn") or a.get("id"))
        elif t == "aws_iam_group_policy_attachment":
            out["attached"].add(("group", a.get("group"), a.get("policy_arn")))
        elif t == "aws_iam_role_policy_attachment":
            out["attached"].add(("role", a.get("role"), a.get("policy_arn")))
        elif t == "aws_iam_user_group_membership":
            out["members"] |= {(a.get("user"), g) for g in a.get("groups") or []}
        elif t == "aws_iam_group_policy":
            out["inline_group"].add((a.get("group"), a.get("name")))
        elif t == "aws_iam_role_policy":
            out["inline_role"].add((str(a.get("role")), a.get("name")))
    for k in ("groups", "roles", "policies"):
        out[k].discard(None)  # an instance with neither (no API call can name it) is Terraform's
    return out
