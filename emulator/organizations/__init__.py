"""AWS Organizations additions for a class of accounts (issue 17).

moto 5.2.5 already has what the kit needs of Organizations itself — CreateAccount (which also creates
the member's ``OrganizationAccountAccessRole`` trusting the management account), OUs, MoveAccount,
policies and attachments — and STS AssumeRole into another account id: the assumed role's access key
is resolved to the member account on every request, and every backend is keyed by account, so a
member's buckets, users and endpoints are its own (tests/accounts/test_emulator_org.py proves both).

What it lacks, added here: service control policies having an effect on requests (``enforce``, using
the evaluation in ``scp``); the AdministratorAccess policy on the access role CreateAccount makes
(Organizations user guide, "Accessing member accounts": the role "grants full administrative
permissions in the member account"; moto creates it without any policy, so the IAM enforcement would
deny the management account everything there); and DeleteOrganizationalUnit's refusal of an OU that
still holds accounts or OUs (botocore model: OrganizationalUnitNotEmptyException; moto deletes it).

And one speed fix that a class of accounts needs: moto finds the account of every request's access
key by looking at the IAM backend of every account in every partition — and looking creates the
missing ones, each loading ~1,600 AWS managed policies (≈1 s). With a new member account that is 6
backends (≈5-7 s) on the next request of anyone; here only the backends that exist are looked at
(a key can only be in one of them), so the answer is the same.
"""

from __future__ import annotations


def install() -> None:
    from emulator.organizations import enforce

    enforce.install()
    _refuse_deleting_non_empty_ous()
    _find_access_keys_in_existing_backends()
    _access_role_is_administrator()


ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"


def _access_role_is_administrator() -> None:
    from moto.iam.models import iam_backends
    from moto.organizations.models import OrganizationsBackend

    original = OrganizationsBackend.create_account
    if getattr(original, "_kit", False):
        return

    def create_account(self, **kwargs):
        status = original(self, **kwargs)
        account_id = status["CreateAccountStatus"]["AccountId"]
        role = kwargs.get("RoleName") or "OrganizationAccountAccessRole"
        iam_backends[account_id]["global"].attach_role_policy(ADMINISTRATOR_ACCESS, role)
        return status

    create_account._kit = True  # type: ignore[attr-defined]
    OrganizationsBackend.create_account = create_account  # type: ignore[method-assign]


def _find_access_keys_in_existing_backends() -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.iam import models as iam_models

    if getattr(iam_models.get_account_id_from, "_kit", False):
        return

    def get_account_id_from(access_key: str) -> str:
        for account_id, account in list(iam_models.iam_backends.items()):
            for backend in list(dict.values(account)):  # existing partitions only: never create one
                if access_key in backend.access_keys:
                    return account_id
        return DEFAULT_ACCOUNT_ID

    get_account_id_from._kit = True  # type: ignore[attr-defined]
    iam_models.get_account_id_from = get_account_id_from


def _refuse_deleting_non_empty_ous() -> None:
    from moto.core.exceptions import JsonRESTError
    from moto.organizations.models import OrganizationsBackend

    original = OrganizationsBackend.delete_organizational_unit
    if getattr(original, "_kit", False):
        return

    def delete_organizational_unit(self, **kwargs):
        ou_id = kwargs["OrganizationalUnitId"]
        self.get_organizational_unit_by_id(ou_id)  # OrganizationalUnitNotFoundException first
        if any(a.parent_id == ou_id for a in self.accounts) or any(
            getattr(o, "parent_id", None) == ou_id for o in self.ou
        ):
            raise JsonRESTError(
                "OrganizationalUnitNotEmptyException",
                "The specified OU is not empty. Move all accounts to another root or OU, "
                "and delete all child OUs, then try the operation again.",
            )
        return original(self, **kwargs)

    delete_organizational_unit._kit = True  # type: ignore[attr-defined]
    OrganizationsBackend.delete_organizational_unit = delete_organizational_unit  # type: ignore[method-assign]
