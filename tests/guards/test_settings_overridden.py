"""Issue 18 item 3: every value in the settings file is checked, overridden by the environment or not,
before any call (an overridden bad value used to pass and `up` failed half-way in terraform apply)."""

from __future__ import annotations

import pytest

from kitcore.errors import KitError
from provision import settings


@pytest.fixture(autouse=True)
def _no_env_overrides(monkeypatch):
    for var in ("TARGET", "CLASSROOM_EMULATOR_PORT", "CLASSROOM_PROVIDER_MIRROR"):
        monkeypatch.delenv(var, raising=False)


@pytest.mark.parametrize(
    "toml, env, expected",
    [
        (
            "[emulator]\nport = 70000\n",
            {"CLASSROOM_EMULATOR_PORT": "5000"},
            "line 2: [emulator] port must be",
        ),
        ('[class]\ntarget = "gcp"\n', {"TARGET": "local"}, "line 2: [class] target"),
        (
            '[terraform]\nprovider_mirror = "no/such/dir"\n',
            {"CLASSROOM_PROVIDER_MIRROR": "/tmp"},
            "line 2: [terraform] provider_mirror",
        ),
    ],
)
def test_a_bad_value_in_the_file_is_an_error_even_when_the_environment_overrides_it(
    tmp_path, monkeypatch, toml, env, expected
):
    path = tmp_path / "classroom.toml"
    path.write_text(toml)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(KitError) as err:
        settings.load(path)
    assert str(err.value).startswith(f"{path}: {expected}"), str(err.value)


def test_good_values_are_still_overridden(tmp_path, monkeypatch):
    path = tmp_path / "classroom.toml"
    path.write_text('[class]\ntarget = "local"\n[emulator]\nport = 4566\n')
    monkeypatch.setenv("TARGET", "aws")
    monkeypatch.setenv("CLASSROOM_EMULATOR_PORT", "5000")
    s = settings.load(path)
    assert (s.target, s.emulator_port) == ("aws", 5000)
