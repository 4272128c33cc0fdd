"""`classroom status`: what runs now with $/hour from the shipped, dated price table."""

from __future__ import annotations

from teardown_helpers import ROLE, make_ctx, make_scope, studio

from provision import costs
from provision.status import collect, format_status


def test_price_table_is_dated_sourced_and_never_guesses():
    table = costs.load()
    assert table.as_of == "2026-11-23" and "aws.amazon.com/sagemaker/pricing" in table.source
    assert "ESTIMATE" in table.note
    assert table.price("us-east-1", "hosting", "ml.m5.xlarge") == 0.23
    assert table.price("us-east-1", "hosting", "ml.p5.48xlarge") is None
    assert table.price("ap-south-2", "training", "ml.m5.xlarge") is None
    assert table.free("training").hours == 50 and table.free("hosting").hours == 125


def test_status_lists_running_things_with_cost_per_hour(client, reset_emulator, td_state):
    sm, ec2 = client("sagemaker"), client("ec2")
    domain = studio(sm, ec2, profiles=1)
    sm.create_notebook_instance(NotebookInstanceName="nb-t3", InstanceType="ml.t3.medium", RoleArn=ROLE)
    sm.create_notebook_instance(NotebookInstanceName="nb-big", InstanceType="ml.p3.2xlarge", RoleArn=ROLE)
    ctx = make_ctx(make_scope(td_state, domain_ids=(domain,)))
    st = collect(ctx)
    by_name = {r.name: r for r in st.running}
    assert by_name["nb-t3"].per_hour == 0.05
    assert by_name["nb-big"].per_hour is None  # not in the table: said so, not guessed
    assert by_name["group-project/JupyterLab/default"].per_hour == 0.05  # the space's app
    assert "student-00/JupyterServer/default" not in by_name  # the free "system" instance
    text = format_status(st, "ml101")
    assert "total ≈ $0.10/hour" in text and "1 item(s) without a price are not included" in text
    assert "no price in the table" in text and "of 50 h" in text and "of 250 h" in text
