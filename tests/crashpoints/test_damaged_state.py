"""Found by the crash-point sweep: SIGKILL while Terraform writes terraform.tfstate leaves it empty
(the local backend truncates, then writes). The teardown must not read that as "nothing in the
state": the receipt counts it as left, and the damaged file is replaced by Terraform's own backup
(terraform.tfstate.backup, the previous snapshot) before `terraform destroy` / `apply` run."""

from __future__ import annotations

import json

from provision import tfrunner
from provision.teardown.scope import scope_from_files

STATE = {
    "version": 4,
    "resources": [
        {"mode": "managed", "type": "aws_iam_user", "name": "u", "instances": [{"attributes": {"id": "u1"}}]}
    ],
}


def test_an_empty_state_file_is_pending_and_counted_not_empty(tmp_path):
    tf = tmp_path / "terraform"
    tf.mkdir()
    (tf / "terraform.tfstate").write_text("")
    scope = scope_from_files(
        class_name="c1", region="us-east-1", class_dir=tmp_path, terraform_destroy=lambda: None
    )
    assert scope.terraform_pending() is True
    assert len(scope.terraform_resources()) >= 1


def test_a_damaged_state_is_restored_from_terraforms_backup(tmp_path):
    tf = tmp_path / "terraform"
    tf.mkdir()
    (tf / "terraform.tfstate").write_text('{"version": 4, "resou')
    (tf / "terraform.tfstate.backup").write_text(json.dumps(STATE))
    assert tfrunner.repair_state(tf) is True
    assert json.loads((tf / "terraform.tfstate").read_text()) == STATE
    assert list(tf.glob("terraform.tfstate.damaged-*"))  # kept for a person to look at
    assert tfrunner.repair_state(tf) is False  # a good state is left alone


def test_a_first_state_cut_short_is_set_aside_only_when_the_names_were_recorded(tmp_path):
    """No backup: the kill came while the first apply saved its state the first time. With the names
    recorded before that apply (provision/teardown/ledger.py) the teardown finds what it created without
    the state; without them it is an error (nothing would say what that apply made)."""
    import pytest

    from kitcore.errors import KitError

    tf = tmp_path / "terraform"
    tf.mkdir()
    (tf / "terraform.tfstate").write_text("")
    with pytest.raises(KitError, match="no usable backup"):
        tfrunner.repair_state(tf)
    assert tfrunner.repair_state(tf, names_recorded=True) is True
    assert not (tf / "terraform.tfstate").exists() and list(tf.glob("terraform.tfstate.damaged-*"))
