"""Fixtures for the teardown tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def td_state(tmp_path) -> Path:
    d = tmp_path / "class"
    d.mkdir(mode=0o700)
    return d
