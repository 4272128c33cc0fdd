"""The account's password policy: put back as it was before the class's first apply.

One policy per account, and the class's Terraform overwrites it (``aws_iam_account_password_policy``
creates by UpdateAccountPasswordPolicy) and ``terraform destroy`` deletes it
(DeleteAccountPasswordPolicy) — also an owner's policy that was there before the class. The kit
recorded, before the first apply, whether the account had one and what it was
(provision/teardown/ledger.py). After ``terraform destroy`` (and whenever an apply stopped before it
saved left the class's policy outside the state): none before → the policy is deleted; the owner's
before → the owner's is put back. A policy equal to what was there before is never touched.
"""

from __future__ import annotations

import json

from provision.teardown import ledger
from provision.teardown.kinds._account import gone
from provision.teardown.model import Context, Item, Kind, item
from provision.teardown.registry import register

ID = "account-password-policy"


@register
class PasswordPolicy(Kind):
    name = "password-policy"
    title = "The account's password policy, as it was before the class"
    billable = False
    depends_on = {
        "terraform": "terraform destroy deletes the policy its state holds: the owner's is put back after it",
    }
    relist = True  # after terraform destroy: what it deleted may be the owner's policy to put back
    gone_when_deleted = True  # Update/DeleteAccountPasswordPolicy are synchronous

    def _before(self, ctx: Context) -> tuple[bool, dict | None]:
        rec = ledger.load(ctx.scope.state_dir).get("password_policy")
        if not isinstance(rec, dict) or "before" not in rec:
            return False, None
        return True, rec["before"]

    def _differs(self, ctx: Context, region: str) -> tuple[bool, dict | None]:
        recorded, before = self._before(ctx)
        if not recorded or ledger.state_names(ctx.scope.state_dir)["password_policy"]:
            return False, before  # no record, or terraform destroy's to delete first
        now = ledger.password_policy(ctx.aws.client("iam", region))
        return now != before, before

    def list(self, ctx: Context, region: str) -> list[Item]:
        differs, before = self._differs(ctx, region)
        if not differs:
            return []
        why = (
            "the class set the account's password policy (there was none before its first apply): deleted"
            if before is None
            else "the account's password policy differs from the one it had before the class: "
            "the owner's is put back"
        )
        return [item(self.name, region, ID, why, before=json.dumps(before))]

    def delete(self, ctx: Context, it: Item) -> None:
        iam = ctx.aws.client("iam", it.region)
        recorded, before = self._before(ctx)
        if not recorded:
            return
        if before is None:
            gone(lambda: iam.delete_account_password_policy())
        else:
            iam.update_account_password_policy(**before)

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        return {ID} if self._differs(ctx, region)[0] else set()
