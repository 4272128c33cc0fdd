"""Helpers the permission-enforcement tests import (beside them, as tests/*/…helpers.py are)."""

from __future__ import annotations

import json

ACCOUNT = "123456789012"
REGION = "us-east-1"


def doc(*statements: dict) -> str:
    """An IAM policy document holding ``statements``."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
