"""Studio user profiles of the class's domains (one per student, made by Terraform or by hand)."""

from __future__ import annotations

from provision.teardown.model import Context, Item, Kind, item
from provision.teardown.registry import register
from provision.teardown.studio import per_domain, studio_delete


@register
class UserProfiles(Kind):
    name = "user-profiles"
    title = "SageMaker Studio user profiles"
    depends_on = {
        "studio-apps": "DeleteUserProfile refuses while the profile has apps that are not Deleted",
        "spaces": "a private space belongs to its owner's profile; the profile cannot go before it",
    }

    def _profiles(self, ctx: Context, region: str, domains: list[str]) -> list[dict]:
        return per_domain(ctx, region, "list_user_profiles", "UserProfiles", domains, kind=self.name)

    def list(self, ctx: Context, region: str) -> list[Item]:
        return [
            item(
                self.name,
                region,
                f"{p['DomainId']}/{p['UserProfileName']}",
                f"user profile in the class's domain {p['DomainId']}",
                label=p["UserProfileName"],
                domain=p["DomainId"],
                profile=p["UserProfileName"],
                status=p.get("Status", ""),
            )
            for p in self._profiles(ctx, region, list(ctx.domain_ids()))
        ]

    def delete(self, ctx: Context, it: Item) -> None:
        if it.get("status") == "Deleting":
            return
        sm = ctx.aws.client("sagemaker", it.region)
        studio_delete(
            lambda: sm.delete_user_profile(DomainId=it.get("domain"), UserProfileName=it.get("profile"))
        )

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        domains = sorted({it.get("domain") for it in items})
        return {f"{p['DomainId']}/{p['UserProfileName']}" for p in self._profiles(ctx, region, domains)}
