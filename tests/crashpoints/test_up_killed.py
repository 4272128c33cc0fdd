"""Issue 18: `classroom up` killed while `terraform apply` runs leaves what the provider created but
Terraform never saved in its state — IAM users, groups, roles, policies, the account alias, the password
policy, the budget. `classroom down` must find and delete those too (only what is provably the class's:
provision/teardown/ledger.py), its receipt must count them, and another team's things in the same
account must survive: an untagged user in its own group, a user tagged for another class, an untagged
role, a budget and the account's own password policy (which the class's Terraform overwrites and
`terraform destroy` deletes: the kit puts it back)."""

from __future__ import annotations

import json
import signal

import pytest

from testkit.crashpoints import ACCOUNT_KINDS, NOT_IN_STATE, Harness, Point


def _killed_up_then_down(h: Harness, k: int, sig: str) -> dict:
    """`up` killed after Terraform finished its K-th resource; the listing of what it left; `down`."""
    h.reset()
    h.plant_decoys()
    r = h.run("up", kill=(f"terraform:#{k}", sig))
    assert r.code in (-signal.SIGKILL, 130), (r.code, r.out[-2000:], r.err[-2000:])
    before = h.listing()
    point = h.finish_and_check(Point("up", k, sig))
    assert point.ok, point.problem
    assert point.receipt_left == 0 and point.rerun_code == 0
    assert h.decoys_intact() == "", h.decoys_intact()  # (finish_and_check checked it too)
    # the down's plan took every account-level thing the state did not hold (the listing before it)
    planned = {row["kind"]: row["planned"] for row in h.receipt()["kinds"]}
    for kind in ACCOUNT_KINDS:
        if kind == "account-alias":  # the class's in the state: the owner's put back after terraform
            assert planned.get(kind, 0) == before[kind], (kind, planned, before)  # destroy deleted it
        elif kind != "password-policy":  # put back after terraform destroy: planned then, not before
            assert planned.get(kind, 0) == before[NOT_IN_STATE + kind], (kind, planned, before)
    return before


@pytest.mark.terraform
@pytest.mark.slow
@pytest.mark.parametrize(
    "k, sig",
    [
        (3, "KILL"),  # the first save of the state cut short: nothing recorded in it
        (12, "KILL"),  # the state holds groups whose attached policies it does not
        (12, "INT"),  # Ctrl-C: Terraform gets the signal too and saves a partial state
    ],
)
def test_up_killed_mid_apply_then_down_leaves_nothing_of_the_class_and_spares_the_decoys(tmp_path, k, sig):
    h = Harness(tmp_path)
    try:
        before = _killed_up_then_down(h, k, sig)
        if k == 3 and sig == "KILL":  # things were left outside the state (else this proves nothing)
            assert any(before[NOT_IN_STATE + kind] for kind in ACCOUNT_KINDS), before
    finally:
        h.stop()


# the ledger's kinds (provision/teardown/ledger.py) -> the harness's names of them
LEDGER_KINDS = {
    "iam_users": "iam-users",
    "iam_groups": "iam-groups",
    "iam_roles": "iam-roles",
    "iam_policies": "iam-policies",
    "budgets": "budgets",
    "buckets": "buckets",
    "account_alias": "account-alias",
}


@pytest.mark.terraform
@pytest.mark.slow
def test_up_killed_mid_apply_then_up_again_finishes_the_class_and_down_leaves_nothing(tmp_path):
    """The instructor's natural reaction to a killed `up`: run `up` again. What the killed apply
    created but never saved in its state (IAM users, groups, the alias, the budget, ...) must not
    make it fail with EntityAlreadyExists; it ends with the class an uninterrupted `up` makes. Its
    state's names (a real apply against the embedded AWS) are all among the names the kit recorded
    before the apply (provision/teardown/ledger.py mirrors the modules' naming by hand: a drift
    fails here). Then `down` leaves nothing of the class, and another team's things survive."""
    from provision.teardown.ledger import LEDGER_FILE

    h = Harness(tmp_path)
    try:
        h.reset()
        h.plant_decoys()
        r = h.run("up", kill=("terraform:#3", "KILL"))
        assert r.code == -signal.SIGKILL, (r.code, r.out[-2000:], r.err[-2000:])
        left = h.listing()
        assert any(left[NOT_IN_STATE + kind] for kind in ACCOUNT_KINDS), left  # else this proves nothing
        again = h.run("up")
        assert again.code == 0, (again.out[-3000:], again.err[-3000:])
        outputs = json.loads((h.class_dir / "outputs.json").read_text())
        assert outputs["models_bucket"] and outputs.get("studio_domain_id")
        # the class an uninterrupted `up` makes: every account-level thing in the state, none beside it
        listed = h.listing()
        assert {k: v for k, v in listed.items() if k.startswith(NOT_IN_STATE) and v} == {}, listed
        assert listed["domains"] == 1 and listed["iam-users"] == 3, listed  # administrator + 2 students
        recorded = json.loads((h.class_dir / LEDGER_FILE).read_text())
        in_state = h.tf_state_names()  # read here, not by the kit
        for kind, names in ((k, in_state.get(v, set())) for k, v in LEDGER_KINDS.items()):
            assert names, kind  # the class makes at least one of each
            if kind == "account_alias":
                assert names <= set(recorded[kind]["set"]), (names, recorded[kind])
            else:
                assert names <= set(recorded[kind]), (kind, names, recorded[kind])
        point = h.finish_and_check(Point("up-again", 3, "KILL"))
        assert point.ok, point.problem
        assert point.receipt_left == 0 and point.rerun_code == 0
    finally:
        h.stop()


@pytest.mark.terraform
def test_up_on_a_name_that_is_not_the_classes_stops_with_one_error_before_anything_is_created(tmp_path):
    """The account owner's own `Administrators` group (the admin module's group name): the class's
    Terraform would fail on it with EntityAlreadyExists half-way through the apply. `up` says so in
    one `error:` line and creates nothing (provision/teardown/unsaved.py)."""
    h = Harness(tmp_path)
    try:
        h.reset()
        h.plant_decoys()
        h.client("iam").create_group(GroupName="Administrators")
        r = h.run("up")
        assert r.code != 0
        errors = [line for line in r.err.splitlines() if line.strip()]
        assert len(errors) == 1 and errors[0].startswith("error: "), r.err
        assert "IAM group 'Administrators' (it was there before the class's first `up`)" in errors[0]
        things = h.account_things()
        assert not any(things[k] for k in ACCOUNT_KINDS if k != "iam-groups"), things
        assert things["iam-groups"] == {"Administrators"}  # the owner's, untouched
        assert h.listing()["buckets"] == 0 and h.tf_state_resources() == 0
        assert h.decoys_intact() == ""
    finally:
        h.stop()
