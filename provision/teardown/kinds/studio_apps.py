"""Studio apps (JupyterServer, KernelGateway, JupyterLab, CodeEditor...) of every user profile and
space in the class's domains: delete, then wait until each is ``Deleted`` (that can take minutes).
"""

from __future__ import annotations

from provision.teardown.model import Context, Item, Kind, item
from provision.teardown.registry import register
from provision.teardown.studio import per_domain, studio_delete

GONE = ("Deleted",)


def _app_id(a: dict) -> str:
    owner = f"space:{a['SpaceName']}" if a.get("SpaceName") else f"user:{a.get('UserProfileName', '')}"
    return f"{a['DomainId']}/{owner}/{a['AppType']}/{a['AppName']}"


@register
class StudioApps(Kind):
    name = "studio-apps"
    title = "SageMaker Studio apps (deleted until status Deleted; billed per instance-hour)"
    depends_on: dict[str, str] = {}

    def _apps(self, ctx: Context, region: str, domains: list[str]) -> list[dict]:
        apps = per_domain(ctx, region, "list_apps", "Apps", domains, kind=self.name)
        return [a for a in apps if a.get("Status") not in GONE]

    def list(self, ctx: Context, region: str) -> list[Item]:
        out = []
        for a in self._apps(ctx, region, list(ctx.domain_ids())):
            owner = a.get("SpaceName") or a.get("UserProfileName", "")
            out.append(
                item(
                    self.name,
                    region,
                    _app_id(a),
                    f"Studio app of {owner} in the class's domain {a['DomainId']}",
                    label=f"{owner}/{a['AppType']}/{a['AppName']}",
                    domain=a["DomainId"],
                    app_type=a["AppType"],
                    app_name=a["AppName"],
                    profile=a.get("UserProfileName") if not a.get("SpaceName") else None,
                    space=a.get("SpaceName"),
                    status=a.get("Status", ""),
                    instance_type=(a.get("ResourceSpec") or {}).get("InstanceType"),
                )
            )
        return out

    def delete(self, ctx: Context, it: Item) -> None:
        if it.get("status") == "Deleting":
            return
        owner = {"SpaceName": it.get("space")} if it.get("space") else {"UserProfileName": it.get("profile")}
        sm = ctx.aws.client("sagemaker", it.region)
        studio_delete(
            lambda: sm.delete_app(
                DomainId=it.get("domain"), AppType=it.get("app_type"), AppName=it.get("app_name"), **owner
            )
        )

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        domains = sorted({it.get("domain") for it in items})
        return {_app_id(a) for a in self._apps(ctx, region, domains)}
