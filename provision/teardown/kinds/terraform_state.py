"""``terraform destroy`` of the class, the very last step: everything Terraform did not create but
that blocks its deletes (apps, profiles' apps, NFS groups, bucket versions) is gone by then.
"""

from __future__ import annotations

from provision.teardown.model import Context, Item, Kind, KindFailed, item
from provision.teardown.registry import register

ID = "terraform"


@register
class TerraformState(Kind):
    name = "terraform"
    title = "terraform destroy of the class (IAM users, groups, budgets, VPC, ...)"
    billable = False
    in_receipt_listing = False  # "is the state empty" is asked of the run's item, not by listing

    @property  # every other kind, computed when the registry asks
    def depends_on(self) -> dict[str, str]:  # type: ignore[override]
        from provision.teardown.registry import kinds

        return {
            n: "terraform destroy runs last: SageMaker leftovers block its deletes (VPC, bucket, domain)"
            for n, k in kinds().items()
            if n != self.name and self.name not in k.depends_on  # those run after it (password policy)
        }

    def _pending(self, ctx: Context) -> bool:
        if ctx.scope.terraform_destroy is None:
            return False
        return ctx.scope.terraform_pending() if ctx.scope.terraform_pending else True

    def list(self, ctx: Context, region: str) -> list[Item]:
        if not self._pending(ctx):
            return []
        return [
            item(
                self.name,
                region,
                ID,
                "resources recorded in the class's Terraform state",
                label=f"terraform state of {ctx.scope.class_name}",
            )
        ]

    def prepare(self, ctx: Context, items: list[Item]) -> None:
        """What an apply stopped before it saved linked to the IAM groups, roles and policies in the
        state (an attached policy, a member) makes their deletes fail: undone first (kinds/_account.py)."""
        if ctx.scope.terraform_destroy is not None:
            from provision.teardown.kinds._account import release_state_entities

            release_state_entities(ctx)

    def delete(self, ctx: Context, it: Item) -> None:
        if ctx.scope.terraform_destroy is None:
            return
        try:
            ctx.scope.terraform_destroy()
        except Exception as err:
            raise KindFailed(
                f"terraform destroy failed: {str(err).splitlines()[0] if str(err) else err!r}"
            ) from err

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        if ctx.scope.terraform_destroy is None or ctx.scope.terraform_pending is None:
            return set()
        return {ID} if ctx.scope.terraform_pending() else set()

    def left(self, ctx: Context, items: list[Item]) -> list[Item]:
        """Every resource instance still in the state is left (what `terraform destroy` must still
        remove), not one "terraform" line: "N left" is then what a listing of the state finds."""
        still = self.remaining(ctx, items)
        if not still or ctx.scope.terraform_resources is None:
            return still
        found = ctx.scope.terraform_resources()
        if not found:
            return still
        return [
            item(
                self.name,
                still[0].region,
                address(r),
                "resource in the class's Terraform state",
                type=r["type"],
                resource_id=r.get("id", ""),
            )
            for r in found
        ]


def address(resource: dict) -> str:
    """``module.x.type.name[key]``, as Terraform prints it."""
    return ".".join(p for p in (resource.get("module", ""), resource["type"], resource["name"]) if p)
