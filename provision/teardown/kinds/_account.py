"""Shared by the account-level kinds (IAM users, groups, roles, policies, the alias, the password
policy, the budget): which recorded names are the class's and not in its Terraform state
(``provision/teardown/ledger.py`` says why each proof holds), and IAM deletes in the order AWS
demands (DeleteUser/DeleteGroup/DeleteRole/DeletePolicy answer DeleteConflict while a login profile,
access key, group membership, attached or inline policy, instance profile or policy version is left:
IAM API reference, "DeleteUser" ... "DeletePolicy").
"""

from __future__ import annotations

from typing import Any

from provision.teardown import ledger
from provision.teardown.aws import error_code, is_not_found, paged
from provision.teardown.model import Context, Item, Kind, item
from provision.teardown.ownership import CLASS_TAG, class_value

NOT_IN_STATE = "not in the class's Terraform state (created by an apply that was stopped before it saved)"


def unrecorded(ctx: Context, kind: str) -> dict[str, dict]:
    """The names of ``kind`` the ledger proves may be the class's and its Terraform state does not hold."""
    owned = ledger.owned_names(ctx.scope.state_dir, kind)
    if not owned:
        return {}
    in_state = ledger.state_names(ctx.scope.state_dir).get(kind, set())
    return {n: r for n, r in owned.items() if n not in in_state}


def tags_of(pages: list[dict]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in pages}


def tagged_items(
    ctx: Context,
    kind: str,
    region: str,
    listed: list[dict],
    name_key: str,
    wanted: dict[str, dict],
    tags: Any,
    what: str,
    proof: str = ", named in the class's record",
    **data_keys: str,
) -> list[Item]:
    """Among ``listed``, the wanted names that carry ``classroom=<class>``; a wanted name without the
    tag is somebody else's (e.g. recorded, deleted, made again by another team): left alone."""
    mine = class_value(ctx)
    out: list[Item] = []
    for row in listed:
        name = row[name_key]
        if name not in wanted:
            continue
        extra = {k: str(row[v]) for k, v in data_keys.items() if row.get(v)}
        have = tags(name, row)
        if have.get(CLASS_TAG) == mine:
            out.append(
                item(
                    kind,
                    region,
                    name,
                    f"{what} tagged {CLASS_TAG}={mine}{proof}; {NOT_IN_STATE}",
                    **extra,
                )
            )
        else:
            ctx.left_alone(
                item(
                    kind,
                    region,
                    name,
                    f"{what} named like the class's, but not tagged {CLASS_TAG}={mine}",
                    **extra,
                )
            )
    return out


class RecordedIam(Kind):
    """An IAM kind whose items are names the class recorded before its apply and that carry the class
    tag (users, roles, customer-managed policies): one listing, one tag look-up and one delete per kind,
    declared by the subclass."""

    billable = False
    gone_when_deleted = True  # DeleteUser/DeleteRole/DeletePolicy are synchronous (IAM API reference)
    record = ""  # the ledger's key, e.g. "iam_users"
    list_op, list_key, list_params = "", "", {}  # the IAM listing: operation, result key, parameters
    name_field = ""  # the name in a listed row, e.g. "UserName"
    what = ""  # the item's noun in the plan and the receipt
    data: dict[str, str] = {}  # item data taken from the listed row, e.g. {"arn": "Arn"}

    def _rows(self, iam: Any) -> list[dict]:
        return paged(iam, self.list_op, self.list_key, **self.list_params)

    def tags(self, iam: Any, name: str, row: dict) -> dict[str, str]:
        raise NotImplementedError

    def remove(self, iam: Any, it: Item) -> None:
        raise NotImplementedError

    def list(self, ctx: Context, region: str) -> list[Item]:
        wanted = unrecorded(ctx, self.record)
        if not wanted:
            return []
        iam = ctx.aws.client("iam", region)
        rows = [r for r in self._rows(iam) if r[self.name_field] in wanted]
        return tagged_items(
            ctx,
            self.name,
            region,
            rows,
            self.name_field,
            wanted,
            lambda n, row: self.tags(iam, n, row),
            self.what,
            **self.data,
        )

    def delete(self, ctx: Context, it: Item) -> None:
        self.remove(ctx.aws.client("iam", it.region), it)

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        listed = {r[self.name_field] for r in self._rows(ctx.aws.client("iam", region))}
        return listed & {it.id for it in items}


def class_tagged(
    ctx: Context,
    kind: str,
    region: str,
    rows: list[dict],
    name_key: str,
    state_kind: str,
    tags: Any,
    what: str,
    **data_keys: str,
) -> list[Item]:
    """The reaper's and the notebooks' resources (function, schedule, topic, log group, lifecycle
    configuration) that the state does not hold: named ``<class>-…`` like the kit names them (which only
    narrows the search) and tagged ``classroom=<class>`` (the proof: the provider's default_tags go on
    their create calls). Only for a class that recorded its names before an apply (ledger.py)."""
    if not ledger.load(ctx.scope.state_dir):
        return []
    in_state = ledger.state_names(ctx.scope.state_dir)[state_kind]
    prefix = f"{class_value(ctx)}-"
    wanted = {
        r[name_key]: {}
        for r in rows
        if r[name_key] not in in_state and r[name_key].rsplit("/", 1)[-1].startswith(prefix)
    }
    return tagged_items(ctx, kind, region, rows, name_key, wanted, tags, what, proof="", **data_keys)


class ClassTagged(Kind):
    """A kind of the reaper's and the notebooks' resources found by ``class_tagged`` (named ``<class>-…``,
    tagged ``classroom=<class>``, not in the state): one listing, tag proof, delete and present ids,
    declared by the subclass (its service, listing, name field, tags call and delete call)."""

    billable = False
    gone_when_deleted = True  # each of these deletes is synchronous (the subclass says which)
    service = ""  # the boto3 client, e.g. "lambda"
    record = ""  # the ledger's kind in the state, e.g. "lambda_functions"
    name_field = ""  # the name in a listed row
    what = ""  # the item's noun in the plan and the receipt
    data: dict[str, str] = {}  # item data taken from the listed row, e.g. {"arn": "TopicArn"}

    def rows(self, client: Any) -> list[dict]:
        raise NotImplementedError

    def tags(self, client: Any, name: str, row: dict) -> dict[str, str]:
        raise NotImplementedError

    def remove(self, client: Any, it: Item) -> None:
        raise NotImplementedError

    def list(self, ctx: Context, region: str) -> list[Item]:
        client = ctx.aws.client(self.service, region)
        return class_tagged(
            ctx,
            self.name,
            region,
            self.rows(client),
            self.name_field,
            self.record,
            lambda n, row: self.tags(client, n, row),
            self.what,
            **self.data,
        )

    def delete(self, ctx: Context, it: Item) -> None:
        client = ctx.aws.client(self.service, it.region)
        gone(lambda: self.remove(client, it))

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        listed = {r[self.name_field] for r in self.rows(ctx.aws.client(self.service, region))}
        return listed & {it.id for it in items}


def gone(call: Any) -> None:
    """``call()``; "does not exist" is success (deleted already)."""
    try:
        call()
    except Exception as err:
        if not is_not_found(err):
            raise


def conflict(err: Exception) -> bool:
    return error_code(err) == "DeleteConflict"


def delete_user(iam: Any, name: str) -> None:
    """DeleteUser, after what AWS requires to be gone first (only when it answers DeleteConflict)."""
    try:
        iam.delete_user(UserName=name)
        return
    except Exception as err:
        if is_not_found(err):
            return
        if not conflict(err):
            raise
    gone(lambda: iam.delete_login_profile(UserName=name))
    for k in paged(iam, "list_access_keys", "AccessKeyMetadata", UserName=name):
        gone(lambda k=k: iam.delete_access_key(UserName=name, AccessKeyId=k["AccessKeyId"]))
    for p in paged(iam, "list_user_policies", "PolicyNames", UserName=name):
        gone(lambda p=p: iam.delete_user_policy(UserName=name, PolicyName=p))
    for p in paged(iam, "list_attached_user_policies", "AttachedPolicies", UserName=name):
        gone(lambda p=p: iam.detach_user_policy(UserName=name, PolicyArn=p["PolicyArn"]))
    for g in paged(iam, "list_groups_for_user", "Groups", UserName=name):
        gone(lambda g=g: iam.remove_user_from_group(UserName=name, GroupName=g["GroupName"]))
    for d in paged(iam, "list_mfa_devices", "MFADevices", UserName=name):
        gone(lambda d=d: iam.deactivate_mfa_device(UserName=name, SerialNumber=d["SerialNumber"]))
    for c in paged(iam, "list_signing_certificates", "Certificates", UserName=name):
        gone(lambda c=c: iam.delete_signing_certificate(UserName=name, CertificateId=c["CertificateId"]))
    for s in paged(iam, "list_ssh_public_keys", "SSHPublicKeys", UserName=name):
        gone(lambda s=s: iam.delete_ssh_public_key(UserName=name, SSHPublicKeyId=s["SSHPublicKeyId"]))
    for c in iam.list_service_specific_credentials(UserName=name).get("ServiceSpecificCredentials") or []:
        gone(
            lambda c=c: iam.delete_service_specific_credential(
                UserName=name, ServiceSpecificCredentialId=c["ServiceSpecificCredentialId"]
            )
        )
    gone(lambda: iam.delete_user(UserName=name))


def delete_group(iam: Any, name: str) -> None:
    """DeleteGroup, after its members and policies (AWS: DeleteConflict while any is left)."""
    try:
        members = paged(iam, "get_group", "Users", GroupName=name)
    except Exception as err:
        if is_not_found(err):
            return
        raise
    for u in members:
        gone(lambda u=u: iam.remove_user_from_group(GroupName=name, UserName=u["UserName"]))
    for p in paged(iam, "list_group_policies", "PolicyNames", GroupName=name):
        gone(lambda p=p: iam.delete_group_policy(GroupName=name, PolicyName=p))
    for p in paged(iam, "list_attached_group_policies", "AttachedPolicies", GroupName=name):
        gone(lambda p=p: iam.detach_group_policy(GroupName=name, PolicyArn=p["PolicyArn"]))
    gone(lambda: iam.delete_group(GroupName=name))


def delete_role(iam: Any, name: str) -> None:
    """DeleteRole, after its policies and instance profiles (AWS: DeleteConflict while any is left)."""
    try:
        inline = paged(iam, "list_role_policies", "PolicyNames", RoleName=name)
    except Exception as err:
        if is_not_found(err):
            return
        raise
    for p in inline:
        gone(lambda p=p: iam.delete_role_policy(RoleName=name, PolicyName=p))
    for p in paged(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name):
        gone(lambda p=p: iam.detach_role_policy(RoleName=name, PolicyArn=p["PolicyArn"]))
    for ip in paged(iam, "list_instance_profiles_for_role", "InstanceProfiles", RoleName=name):
        gone(
            lambda ip=ip: iam.remove_role_from_instance_profile(
                RoleName=name, InstanceProfileName=ip["InstanceProfileName"]
            )
        )
    gone(lambda: iam.delete_role(RoleName=name))


def delete_policy(iam: Any, arn: str) -> None:
    """DeletePolicy, after detaching it everywhere and deleting its other versions (AWS: DeleteConflict)."""
    try:
        entities = iam.list_entities_for_policy(PolicyArn=arn)
    except Exception as err:
        if is_not_found(err):
            return
        raise
    pages = [entities]
    while pages[-1].get("IsTruncated"):
        pages.append(iam.list_entities_for_policy(PolicyArn=arn, Marker=pages[-1]["Marker"]))
    for page in pages:
        for g in page.get("PolicyGroups") or []:
            gone(lambda g=g: iam.detach_group_policy(GroupName=g["GroupName"], PolicyArn=arn))
        for u in page.get("PolicyUsers") or []:
            gone(lambda u=u: iam.detach_user_policy(UserName=u["UserName"], PolicyArn=arn))
        for r in page.get("PolicyRoles") or []:
            gone(lambda r=r: iam.detach_role_policy(RoleName=r["RoleName"], PolicyArn=arn))
    for v in paged(iam, "list_policy_versions", "Versions", PolicyArn=arn):
        if not v.get("IsDefaultVersion"):
            gone(lambda v=v: iam.delete_policy_version(PolicyArn=arn, VersionId=v["VersionId"]))
    gone(lambda: iam.delete_policy(PolicyArn=arn))


def release_state_entities(ctx: Context) -> int:
    """Before ``terraform destroy``: undo what an apply stopped before it saved attached to the IAM
    groups, roles and policies the state holds — a managed policy attached, a member added, an inline
    policy put, none of them in the state. Terraform does not know them, and AWS refuses DeleteGroup,
    DeleteRole and DeletePolicy while they are there (DeleteConflict): the destroy would fail on every
    re-run. (Users need nothing: the modules set ``force_destroy``, so the provider removes what a user
    has.) Links the state holds are left to Terraform. Returns how many links were undone."""
    held = ledger.state_links(ctx.scope.state_dir)
    if not (held["groups"] or held["roles"] or held["policies"]):
        return 0
    iam = ctx.aws.client("iam", ctx.scope.region)
    undone = 0

    def undo(call: Any) -> None:
        nonlocal undone
        gone(call)
        undone += 1

    for g in sorted(held["groups"]):
        try:
            members = paged(iam, "get_group", "Users", GroupName=g)
        except Exception as err:
            if is_not_found(err):
                continue
            raise
        for u in members:
            if (u["UserName"], g) not in held["members"]:
                undo(lambda u=u, g=g: iam.remove_user_from_group(GroupName=g, UserName=u["UserName"]))
        for p in paged(iam, "list_attached_group_policies", "AttachedPolicies", GroupName=g):
            if ("group", g, p["PolicyArn"]) not in held["attached"]:
                undo(lambda p=p, g=g: iam.detach_group_policy(GroupName=g, PolicyArn=p["PolicyArn"]))
        for name in paged(iam, "list_group_policies", "PolicyNames", GroupName=g):
            if (g, name) not in held["inline_group"]:
                undo(lambda name=name, g=g: iam.delete_group_policy(GroupName=g, PolicyName=name))
    for r in sorted(held["roles"]):
        try:
            attached = paged(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=r)
        except Exception as err:
            if is_not_found(err):
                continue
            raise
        for p in attached:
            if ("role", r, p["PolicyArn"]) not in held["attached"]:
                undo(lambda p=p, r=r: iam.detach_role_policy(RoleName=r, PolicyArn=p["PolicyArn"]))
        for name in paged(iam, "list_role_policies", "PolicyNames", RoleName=r):
            if (r, name) not in held["inline_role"]:
                undo(lambda name=name, r=r: iam.delete_role_policy(RoleName=r, PolicyName=name))
    for arn in sorted(held["policies"]):
        try:
            page = iam.list_entities_for_policy(PolicyArn=arn)
        except Exception as err:
            if is_not_found(err):
                continue
            raise
        pages = [page]
        while pages[-1].get("IsTruncated"):
            pages.append(iam.list_entities_for_policy(PolicyArn=arn, Marker=pages[-1]["Marker"]))
        for pg in pages:
            for g in pg.get("PolicyGroups") or []:
                if ("group", g["GroupName"], arn) not in held["attached"]:
                    undo(
                        lambda g=g, arn=arn: iam.detach_group_policy(GroupName=g["GroupName"], PolicyArn=arn)
                    )
            for r in pg.get("PolicyRoles") or []:
                if ("role", r["RoleName"], arn) not in held["attached"]:
                    undo(lambda r=r, arn=arn: iam.detach_role_policy(RoleName=r["RoleName"], PolicyArn=arn))
            for u in pg.get("PolicyUsers") or []:
                undo(lambda u=u, arn=arn: iam.detach_user_policy(UserName=u["UserName"], PolicyArn=arn))
    return undone
