"""Every list is paged (cloud-nuke stops at 10 profiles), and `terraform destroy` is the very last
step — skipped, and reported, when something it depends on could not be deleted."""

from __future__ import annotations

from kitcore import aws as core_aws
from provision.teardown import teardown
from testkit.teardown import Faults, endpoint, make_ctx, make_scope, studio


def test_small_pages_still_find_everything(client, reset_emulator, td_state, monkeypatch):
    sm, ec2 = client("sagemaker"), client("ec2")
    domain = studio(sm, ec2, profiles=15)
    for i in range(7):
        endpoint(sm, f"ep-{i}")
    monkeypatch.setattr(core_aws, "PAGE_SIZE", 4)
    ctx = make_ctx(make_scope(td_state, domain_ids=(domain,), sweep_regions=("us-east-1",)))
    out = teardown(ctx, log=lambda _: None)
    assert out.ok, out.receipt
    planned = {r["kind"]: r["planned"] for r in out.receipt["kinds"]}
    assert planned["user-profiles"] == 15 and planned["studio-apps"] == 16 and planned["endpoints"] == 7
    sizes = [c.params.get("MaxResults") for c in ctx.aws.calls if c.operation == "ListUserProfiles"]
    assert sizes and set(sizes) == {4}
    # 15 profiles in pages of 4: the plan alone needed 4 pages
    tokens = [c for c in ctx.aws.calls if c.operation == "ListUserProfiles" and c.params.get("NextToken")]
    assert len(tokens) >= 3
    assert sm.list_user_profiles(DomainIdEquals=domain)["UserProfiles"] == []


def test_terraform_destroy_runs_last_or_not_at_all(client, reset_emulator, td_state):
    sm = client("sagemaker")
    endpoint(sm, "ep")
    destroyed: list[int] = []
    state = {"pending": True}

    def destroy() -> None:  # when the kit asked for `terraform destroy` (the real one: test_up_down.py)
        destroyed.append(len(ctx.aws.calls))
        state["pending"] = False

    scope = make_scope(
        td_state,
        sweep_regions=("us-east-1",),
        terraform_destroy=destroy,
        terraform_pending=lambda: state["pending"],
    )
    # an endpoint that cannot be deleted: everything that waits for it, terraform included, is skipped
    ctx = make_ctx(scope, hooks=Faults().add("DeleteEndpoint", "deny", times=100).hooks())
    out = teardown(ctx, log=lambda _: None)
    rows = {r["kind"]: r for r in out.receipt["kinds"]}
    assert destroyed == [] and rows["terraform"]["skipped"].startswith("waits for")
    assert rows["terraform"]["remaining"] and not out.ok

    ctx = make_ctx(scope)
    out = teardown(ctx, log=lambda _: None)
    assert out.ok, out.receipt
    deletes = [i for i, c in enumerate(ctx.aws.calls) if c.operation.startswith(("Delete", "Stop"))]
    assert len(destroyed) == 1 and destroyed[0] > max(deletes)
