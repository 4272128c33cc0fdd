"""Issue 18 item 8, a sample of crash points in `make test` (the full sweep: `make bench`,
bench/bench_crashpoints.py): `classroom down` of a class with two students and student leftovers,
as a real process, killed (SIGKILL, then SIGINT in the re-run) at moments that used to go wrong — right
after a notebook instance's delete was accepted, and in the middle of `terraform destroy` — then run
again: the receipt's "N left" equals an independent listing (boto3 + the Terraform state file) and
nothing of the class is left."""

from __future__ import annotations

import signal

import pytest

from testkit.crashpoints import Harness, Point


@pytest.mark.terraform
def test_down_killed_twice_then_rerun_leaves_nothing(tmp_path):
    h = Harness(tmp_path)
    try:
        h.fresh_class()
        before = h.listing()
        assert before["notebook-instances/us-east-1"] == 1 and before["terraform-state"] > 0
        # SIGKILL right after DeleteNotebookInstance was accepted: the progress file still has it
        r = h.run("down", "--yes", kill=("sagemaker:DeleteNotebookInstance#1", "KILL"))
        assert r.code == -signal.SIGKILL, (r.code, r.out[-2000:], r.err[-2000:])
        assert (h.class_dir / "teardown-progress.json").exists()
        # Ctrl-C (SIGINT to the process group) after Terraform destroyed its 5th resource
        r = h.run("down", "--yes", kill=("terraform:#5", "INT"))
        assert r.code == 130 and "interrupted" in r.err, (r.code, r.out[-2000:], r.err[-2000:])
        # Terraform finishes what it has in flight on SIGINT (how much is left depends on timing)
        assert h.tf_state_resources() < before["terraform-state"]
        point = h.finish_and_check(Point("down", "DeleteNotebookInstance, then terraform", "KILL, INT"))
        assert point.ok, point.problem
        assert point.receipt_left == 0 and point.rerun_code == 0
    finally:
        h.stop()
