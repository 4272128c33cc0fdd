"""`classroom down --yes` without -v (what `make demo` runs) prints the plan as counts by kind and a
receipt of the kinds that had anything; the full plan and every row stay in teardown-receipt.json."""

from __future__ import annotations

from provision.teardown.model import Item
from provision.teardown.plan import Plan, format_plan
from provision.teardown.receipt import format_table


def _plan() -> Plan:
    items = [
        Item("buckets", "us-east-1", f"b{i}", "bucket in the class's Terraform outputs") for i in range(2)
    ]
    items.append(Item("domain", "us-east-1", "d-1", "the class's Studio domain", label="ml-class"))
    alone = [Item("log-groups", "us-east-1", "/aws/sagemaker/TrainingJobs", "no classroom tag")]
    return Plan(
        items=items, regions=["us-east-1", "eu-west-1"], left_alone=alone, warnings=["eu-west-1: timeout"]
    )


def _receipt(failed: bool = False) -> dict:
    def row(kind, planned, deleted, failed_=()):
        return {"kind": kind, "planned": planned, "deleted": deleted, "failed": list(failed_),
                "skipped": "", "error": "", "remaining": []}  # fmt: skip

    kinds = [row("endpoints", 0, 0), row("domain", 1, 1), row("buckets", 2, 1 if failed else 2)]
    if failed:
        kinds[2]["failed"] = [{"name": "b1", "region": "us-east-1", "error": "BucketNotEmpty"}]
    return {
        "class": "ml-class",
        "account": "123456789012",
        "region": "us-east-1",
        "kinds": kinds,
        "ok": not failed,
        "remaining_total": 0,
        "kinds_with_problems": int(failed),
        "unchecked_regions": [],
        "rechecked": [{"kind": "buckets", "region": "us-east-1", "how": "listed again in full"}],
        "left_alone": [
            {
                "kind": "log-groups",
                "name": "/aws/x",
                "region": "us-east-1",
                "age": "4 min",
                "per_hour": None,
                "why": "no classroom tag",
            }
        ],  # fmt: skip
    }


def test_brief_plan_is_counts_by_kind_and_keeps_warnings():
    full = format_plan(_plan(), "ml-class").splitlines()
    brief = format_plan(_plan(), "ml-class", brief=True).splitlines()
    assert brief[0] == (
        "Teardown plan for class 'ml-class': 3 item(s); swept regions: 2 (buckets 2, domain 1)"
    )
    assert brief[1].startswith("Not the class's: left alone: 1 (log-groups 1;")
    assert brief[2] == "  ? sweep: eu-west-1: timeout (skipped; check that region by hand)"
    assert len(brief) == 3 < len(full) and any("WHY IN SCOPE" in line for line in full)


def test_brief_receipt_has_the_kinds_that_had_anything():
    brief = format_table(_receipt(), brief=True).splitlines()
    assert [line.split()[0] for line in brief[2:4]] == ["domain", "buckets"]
    assert not any(line.startswith("endpoints") for line in brief)
    assert brief[-1] == "0 left: nothing in scope remains"
    assert "checked:" not in "\n".join(brief) and "checked:" in format_table(_receipt())
    assert len(brief) < len(format_table(_receipt()).splitlines())
    # a failure keeps its row and note in the brief receipt
    failed = format_table(_receipt(failed=True), brief=True)
    assert "BucketNotEmpty" in failed and "1 kind(s) with problems" in failed


def test_a_brief_receipt_of_a_rerun_that_found_nothing_prints_one_line_per_nothing():
    """Found by the crash points: `down --yes` run again after everything was gone crashed (exit 1)
    printing an empty brief table (max() of one int)."""
    from provision.teardown.receipt import format_table

    empty = {"kind": "endpoints", "planned": 0, "deleted": 0, "failed": [], "skipped": "", "error": ""}
    receipt = {
        "class": "c1",
        "account": "123456789012",
        "region": "us-east-1",
        "kinds": [{**empty, "remaining": []}],
        "remaining_total": 0,
        "kinds_with_problems": 0,
        "unchecked_regions": [],
        "ok": True,
    }
    text = format_table(receipt, brief=True)
    assert "(nothing)" in text and text.endswith("0 left: nothing in scope remains")
