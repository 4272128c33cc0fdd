"""The organization side of a class of accounts: the management account, the pool, account moves.

Everything here runs with the management account's credentials (or a delegated administrator's):
- :func:`check_management` — the caller must be the organization's management account; on the
  embedded AWS an organization is created when there is none (a fresh emulator has none);
- :func:`ensure_scp_enabled` — SCPs are a policy type that must be enabled on the root;
- :func:`ensure_ou` — the "cleaned" OU (the pool) is shared by every class and outlives them;
- :func:`allocate` — an account for a member: its recorded account, else one from the pool (an
  ACTIVE account in the cleaned OU), else CreateAccount with ``IamUserAccessToBilling=ALLOW`` (so
  the member's IAM users see billing without the root-user console switch); then moved into the
  class's OU and tagged;
- :func:`release` — back to the cleaned OU (tags removed), or closed when asked (CloseAccount is
  irreversible for 90 days and AWS limits it to a few percent of the accounts per month).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from kitcore.errors import KitError
from provision.teardown.aws import error_code, with_retries

TAG_CLASS = "classroom"
TAG_MEMBER = "classroom-member"
TAG_MANAGED = "managed-by"


@dataclass
class Org:
    client: Any  # boto3 organizations client (management account)
    root_id: str
    management_id: str


def check_management(client: Any, caller: str, target: str) -> Org:
    """The organization, if ``caller`` is its management account; otherwise one clear error."""
    try:
        org = client.describe_organization()["Organization"]
    except Exception as err:
        if error_code(err) != "AWSOrganizationsNotInUseException":
            raise
        if target != "local":
            raise KitError(
                f"account {caller} is not in an AWS Organization: a class of accounts needs "
                "the management account of an organization (with all features)"
            ) from None
        # the embedded AWS starts empty: give it an organization like a real management account has
        org = client.create_organization(FeatureSet="ALL")["Organization"]
    if org["MasterAccountId"] != caller:
        raise KitError(
            f"account {caller} is a member of organization {org['Id']}, not its management "
            f"account ({org['MasterAccountId']}): run `up` with the management account's "
            "credentials (or a delegated administrator's)"
        )
    if org.get("FeatureSet", "ALL") != "ALL":
        raise KitError(
            f"organization {org['Id']} has only consolidated billing; service control policies "
            "need all features enabled"
        )
    root = client.list_roots()["Roots"][0]
    return Org(client=client, root_id=root["Id"], management_id=caller)


def ensure_scp_enabled(org: Org, target: str) -> None:
    root = org.client.list_roots()["Roots"][0]
    types = {t["Type"]: t["Status"] for t in root.get("PolicyTypes", [])}
    if types.get("SERVICE_CONTROL_POLICY") == "ENABLED":
        return
    if target != "local":
        raise KitError(
            "service control policies are not enabled in your organization; enable them once "
            f"(aws organizations enable-policy-type --root-id {org.root_id} "
            "--policy-type SERVICE_CONTROL_POLICY) and run `up` again"
        )
    org.client.enable_policy_type(RootId=org.root_id, PolicyType="SERVICE_CONTROL_POLICY")


def find_ou(org: Org, name: str, parent: str | None = None) -> str | None:
    pages = org.client.get_paginator("list_organizational_units_for_parent")
    for page in pages.paginate(ParentId=parent or org.root_id):
        for ou in page["OrganizationalUnits"]:
            if ou["Name"] == name:
                return ou["Id"]
    return None


def ensure_ou(org: Org, name: str) -> str:
    """The OU called ``name`` under the root, created if missing (the pool; never deleted by the kit)."""
    found = find_ou(org, name)
    if found:
        return found
    return org.client.create_organizational_unit(
        ParentId=org.root_id, Name=name, Tags=[{"Key": TAG_MANAGED, "Value": "classroom-kit"}]
    )["OrganizationalUnit"]["Id"]


def accounts_in(org: Org, parent: str) -> list[dict]:
    out: list[dict] = []
    for page in org.client.get_paginator("list_accounts_for_parent").paginate(ParentId=parent):
        out.extend(page["Accounts"])
    return out


def parent_of(org: Org, account_id: str) -> str:
    return org.client.list_parents(ChildId=account_id)["Parents"][0]["Id"]


def tags_of(org: Org, account_id: str) -> dict[str, str]:
    tags = org.client.list_tags_for_resource(ResourceId=account_id).get("Tags", [])
    return {t["Key"]: t["Value"] for t in tags}


def _move(org: Org, account_id: str, dest: str) -> None:
    src = parent_of(org, account_id)
    if src != dest:
        with_retries(
            lambda: org.client.move_account(
                AccountId=account_id, SourceParentId=src, DestinationParentId=dest
            )
        )


def _create(
    org: Org, name: str, email: str, role: str, tags: dict[str, str], timeout_s: float, poll_s: float
) -> str:
    status = with_retries(
        lambda: org.client.create_account(
            Email=email,
            AccountName=name,
            RoleName=role,
            IamUserAccessToBilling="ALLOW",
            Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
        )
    )["CreateAccountStatus"]
    deadline = time.monotonic() + timeout_s
    while status["State"] == "IN_PROGRESS":
        if time.monotonic() > deadline:
            raise KitError(
                f"account {name} was still being created after {timeout_s:.0f} s "
                f"(request {status['Id']}); run `up` again later"
            )
        time.sleep(poll_s)
        status = org.client.describe_create_account_status(CreateAccountRequestId=status["Id"])[
            "CreateAccountStatus"
        ]
    if status["State"] != "SUCCEEDED":
        raise KitError(
            f"AWS could not create account {name} ({email}): {status.get('FailureReason', status['State'])}"
        )
    return status["AccountId"]


def allocate(
    org: Org,
    *,
    class_name: str,
    member: str,
    account_name: str,
    email: str,
    role: str,
    class_ou: str,
    cleaned_ou: str,
    recorded: str | None,
    timeout_s: float = 1800,
    poll_s: float = 5.0,
) -> tuple[str, str]:
    """(account id, how): ``recorded`` | ``pool`` | ``created``; the account ends in ``class_ou``."""
    tags = {TAG_CLASS: class_name, TAG_MEMBER: member, TAG_MANAGED: "classroom-kit"}
    if recorded:
        account_id, how = recorded, "recorded"
    else:
        account_id, how = "", ""
        for acct in accounts_in(org, cleaned_ou):
            if acct.get("Status") != "ACTIVE":
                continue
            if tags_of(org, acct["Id"]).get(TAG_CLASS):
                continue  # taken by another class that has not moved it yet
            account_id, how = acct["Id"], "pool"
            break
        if not account_id:
            account_id = _create(org, account_name, email, role, tags, timeout_s, poll_s)
            how = "created"
    org.client.tag_resource(ResourceId=account_id, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    _move(org, account_id, class_ou)
    return account_id, how


def release(org: Org, account_id: str, cleaned_ou: str, close: bool) -> str:
    """Return a torn-down account to the pool (or close it); says what was done."""
    org.client.untag_resource(ResourceId=account_id, TagKeys=[TAG_CLASS, TAG_MEMBER])
    if close:
        try:
            org.client.close_account(AccountId=account_id)
        except Exception as err:
            if error_code(err) != "AccountAlreadyClosedException":
                raise
        _move(org, account_id, cleaned_ou)  # the class OU must be empty to be deleted
        return "closed"
    _move(org, account_id, cleaned_ou)
    return "returned to the cleaned OU"
