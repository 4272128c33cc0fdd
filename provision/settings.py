"""Class settings: one TOML file (``classroom.toml``), every value validated before any AWS call.

A missing file means the defaults (class ``ml-class`` in us-east-1 on the embedded AWS, no students).
``classroom init`` writes :func:`example_text`, the same defaults with a comment on every setting.
Environment overrides: ``TARGET`` (local|aws), ``CLASSROOM_EMULATOR_PORT``,
``CLASSROOM_PROVIDER_MIRROR``.

Errors are one line naming the file, the line and the setting, e.g.
``classroom.toml: line 4: [class] region 'us-eest-1' is not a region with SageMaker (e.g. us-east-1)``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import importlib.util
import ipaddress
import json
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, make_dataclass
from pathlib import Path
from typing import Any

import boto3
import jinja2

from kitcore import tags as kit_tags
from kitcore.errors import KitError
from provision import roster
from provision.accounts import config as acc

DEFAULT_FILE = "classroom.toml"
TARGETS = ("local", "aws")

CLASS_NAME_RE = re.compile(r"^[a-z0-9](-?[a-z0-9]){1,30}$")
IAM_NAME_RE = re.compile(r"^[A-Za-z0-9+=,.@_-]{1,64}$")
ALIAS_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
ACCOUNT_RE = re.compile(r"^[0-9]{12}$")
# YYYYMMDD-HHMM-xxxxxx: the minute of the class's first `up` and 6 random characters fixed with it, so
# two classes started in the same minute anywhere get different bucket names and aliases (S3 bucket
# names and account aliases are unique across all of AWS). Stamps of older classes have no suffix.
STAMP_RE = re.compile(r"^[0-9]{8}-[0-9]{4}(-[a-z0-9]{6})?$")
SAMPLE_STAMP = "20260101-0000-abc123"
INSTANCE_TYPE_RE = re.compile(r"^ml\.[a-z0-9-]+\.[a-z0-9]+$")
PREFIX_RE = re.compile(r"^[A-Za-z0-9!_.*'()-][A-Za-z0-9!_.*'()/-]*/$")
BUCKET_PLACEHOLDERS = ("{stamp}", "{class}")
MAX_BUDGET_NOTIFICATIONS = 5  # AWS Budgets: at most five notifications per budget


# -- the declarations: one line per setting ---------------------------------------------------------
#
# A new setting is one ``Setting(...)`` below plus its line in templates/classroom.toml.j2. The
# ``Settings`` class, the defaults ``classroom init`` writes, the reading and type checks, the
# environment overrides and the Terraform variables all come from this table.

_UNSET: Any = object()


class _Reader:
    """Typed access to the parsed TOML with one-line errors that name the line and the setting.

    Checks get the reader: ``r.fail(section, key, message)`` for an error, ``r.values`` for the
    settings read before (declaration order), ``r.base`` for paths, ``r.note()`` / ``r.set()``."""

    def __init__(self, data: dict, text: str, source: str, base: Path):
        self.data, self.source, self.base = data, source, base
        self.lines = text.splitlines()
        self.values: dict[str, Any] = {}
        self.notes: list[str] = []
        self.current: tuple[str, str] = ("", "")  # the setting being read (for _rule's errors)

    def line_of(self, section: str, key: str | None = None) -> int | None:
        current = None
        for i, raw in enumerate(self.lines, start=1):
            line = raw.strip()
            if m := re.match(r"^\[\s*([A-Za-z0-9_-]+)\s*\]", line):
                current = m.group(1)
                if key is None and current == section:
                    return i
                continue
            if key and current == section and re.match(rf"^\"?{re.escape(key)}\"?\s*=", line):
                return i
        return None

    def fail(self, section: str, key: str | None, message: str) -> KitError:
        line = self.line_of(section, key)
        where = f"line {line}: " if line else ""
        name = f"[{section}] {key}" if key else f"[{section}]"
        return KitError(f"{self.source}: {where}{name} {message}")

    def check_known(self) -> None:
        for section, values in self.data.items():
            if section not in DEFAULTS:
                raise self.fail(section, None, f"is not a known section (known: {', '.join(DEFAULTS)})")
            if not isinstance(values, dict):
                raise self.fail(section, None, "must be a table ([section] header)")
            for key in values:
                if key not in DEFAULTS[section]:
                    known = ", ".join(DEFAULTS[section])
                    raise self.fail(section, key, f"is not a known setting (known in [{section}]: {known})")

    def get(self, setting: Setting) -> Any:
        """The file's value (or the default), type-checked against the declaration."""
        section, key, kind = setting.section, setting.key, setting.kind
        value = self.data.get(section, {}).get(key, setting.default)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind in (int, float) and isinstance(value, bool)):
            want = {
                str: "a string",
                bool: "true or false",
                int: "a whole number",
                float: "a number",
                list: "a list",
            }[kind]
            raise self.fail(section, key, f"must be {want}, not {value!r}")
        if kind is list:
            for v in value:
                if setting.item is float and isinstance(v, int) and not isinstance(v, bool):
                    continue
                if not isinstance(v, setting.item) or isinstance(v, bool):
                    kinds = "numbers" if setting.item is float else "strings"
                    raise self.fail(section, key, f"must be a list of {kinds}")
            value = [float(v) if setting.item is float else v for v in value]
        return value

    def note(self, text: str) -> None:
        self.notes.append(text)

    def set(self, attr: str, value: Any) -> None:
        """A value derived by a check (e.g. whether the roster file must exist)."""
        self.values[attr] = value


Check = Callable[[Any, _Reader], Any]


@dataclass(frozen=True)
class Setting:
    """One setting: where it lives in classroom.toml, its default, how it is checked and used."""

    section: str
    key: str
    default: Any  # what `classroom init` writes and a missing line means
    attr: str  # the Settings attribute
    check: Check | None = None  # (value, reader) -> the value kept; raises reader.fail(...)
    kind: type = str  # the TOML type: str, bool, int, float or list
    item: type | None = None  # a list's item type: str or float
    optional: bool = False  # "" (after strip) means None and skips the check
    env: str | None = None  # an environment variable that overrides the file
    env_check: Callable[[str], Any] | None = None
    tf: str | None = None  # the terraform/classroom variable it feeds
    to_tf: Callable[[Any, str], Any] | None = None  # (settings, stamp) -> the variable; default: attr
    attr_default: Any = _UNSET  # Settings()'s default when it is not derived from ``default``

    def settings_default(self) -> Any:
        if self.attr_default is not _UNSET:
            return self.attr_default
        if self.kind is list:
            return tuple(self.default)
        if self.optional and not str(self.default).strip():
            return None
        return self.default

    def read(self, r: _Reader) -> Any:
        value = r.get(self)
        if self.optional:
            value = value.strip() or None
        # the file's value is checked even when the environment overrides it (issue 18 item 3): a bad
        # value must not wait, unnoticed, for the day the variable is not set
        if value is not None and self.check:
            value = self.check(value, r)
        env_value = os.environ.get(self.env) if self.env else None
        if env_value:
            return self.env_check(env_value) if self.env_check else env_value
        return value


def _rule(test: Callable[[Any], bool], message: str) -> Check:
    """A check that fails with ``message`` (formatted with ``v``, the value) unless ``test(value)``."""

    def check(value: Any, r: _Reader) -> Any:
        if not test(value):
            raise r.fail(*r.current, message.format(v=value))
        return value

    return check


def _between(low: float, high: float | None, message: str) -> Check:
    return _rule(lambda v: low <= v and (high is None or v <= high), message)


def _class_name(name: str, r: _Reader) -> str:
    if not CLASS_NAME_RE.match(name):
        raise r.fail(
            "class",
            "name",
            f"{name!r} must be 2-31 lowercase letters, digits and single hyphens, "
            "starting and ending with a letter or digit",
        )
    return name


def _region(region: str, r: _Reader) -> str:
    if region not in sagemaker_regions():
        raise r.fail("class", "region", f"{region!r} is not a region with SageMaker (e.g. us-east-1)")
    missing = lesson_image_gaps(region)
    if missing:
        raise r.fail(
            "class",
            "region",
            f"{region!r} has no {' or '.join(missing)} image (the SageMaker "
            "SDK's image config), so the lesson cannot run there; pick e.g. "
            "us-east-1",
        )
    return region


def _target_env(value: str) -> str:
    if value not in TARGETS:
        raise KitError(f"TARGET={value} is not valid: use TARGET=local (embedded AWS) or TARGET=aws")
    return value


def _roster(value: str, r: _Reader) -> Path | None:
    setting = value.strip()
    path = (r.base / setting).resolve() if setting else None
    # The default name may be absent (a class without students yet); any other name must exist.
    required = bool(setting) and setting != DEFAULTS["class"]["roster"]
    if required and path is not None and not path.is_file():
        raise r.fail("class", "roster", f"file {path} does not exist")
    if path is not None and not required and not path.exists():
        r.note(f"no roster file {path}: the class has no students")
    r.set("roster_required", required)
    return path


def _pgp_key(key: str, r: _Reader) -> str:
    if not key.startswith("keybase:"):
        try:
            base64.b64decode("".join(key.split()), validate=True)
        except (binascii.Error, ValueError):
            raise r.fail("admin", "pgp_key", "must be a base64 PGP public key or keybase:<user>") from None
    return key


def _account_alias(alias: str, r: _Reader) -> str:
    if alias != "auto":
        if not ALIAS_RE.match(alias) or "--" in alias or alias.isdigit():
            raise r.fail(
                "admin",
                "account_alias",
                f"{alias!r} must be 3-63 lowercase letters, digits and "
                'single hyphens, not all digits (or "auto", or "")',
            )
    elif len(r.values["class_name"]) > 62 - len(SAMPLE_STAMP):
        raise r.fail("class", "name", "is too long for the automatic account alias (<name>-<stamp>)")
    return alias


def _bucket_template(key: str) -> Check:
    def check(template: str, r: _Reader) -> str:
        if "{stamp}" not in template:
            raise r.fail("buckets", key, f"{template!r} must contain {{stamp}} so every class gets new names")
        rest = template
        for ph in BUCKET_PLACEHOLDERS:
            rest = rest.replace(ph, "")
        if "{" in rest or "}" in rest:
            raise r.fail("buckets", key, f"{template!r}: only {{stamp}} and {{class}} may be used")
        sample = template.replace("{stamp}", SAMPLE_STAMP).replace("{class}", r.values["class_name"])
        if problem := bucket_name_problem(sample):
            raise r.fail("buckets", key, f"gives bucket names like {sample!r}: {problem}")
        return template

    return check


def _instructor(name: str, r: _Reader) -> str:
    if p := roster.user_name_problem(name):
        raise r.fail("studio", "instructor_profile", p.replace("user name", "profile name"))
    return name


def _instance_types(key: str) -> Check:
    def check(types: list[str], r: _Reader) -> tuple[str, ...]:
        if not types:
            raise r.fail("guardrails", key, "must list at least one instance type")
        for t in types:
            if not INSTANCE_TYPE_RE.match(t):
                raise r.fail(
                    "guardrails", key, f"holds {t!r}, not a SageMaker instance type like ml.m5.xlarge"
                )
        return tuple(dict.fromkeys(types))

    return check


def _notebook_types(types: list[str], r: _Reader) -> tuple[str, ...]:
    types = _instance_types("notebook_instance_types")(types, r)
    default_type = r.values["studio_default_instance_type"]
    if r.values["studio_enabled"] and default_type not in types:
        raise r.fail(
            "studio",
            "default_instance_type",
            f"{default_type!r} is not in [guardrails] notebook_instance_types: Studio apps would be denied",
        )
    return types


def _thresholds(thresholds: list[float], r: _Reader) -> tuple[float, ...]:
    if not 1 <= len(thresholds) <= MAX_BUDGET_NOTIFICATIONS:
        raise r.fail(
            "budget",
            "thresholds_usd",
            f"must hold 1 to {MAX_BUDGET_NOTIFICATIONS} amounts "
            "(AWS Budgets allows five notifications per budget)",
        )
    if any(t <= 0 for t in thresholds) or len(set(thresholds)) != len(thresholds):
        raise r.fail("budget", "thresholds_usd", "must hold distinct amounts above 0")
    return tuple(thresholds)


#: ``[reaper] ends_at = ""``: the class ends at this local hour on the day of its first ``up``
EVENING_HOUR = 21
ENDS_AT_HHMM_RE = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


def _ends_at(value: str, r: _Reader) -> str:
    """``[reaper] ends_at``: "HH:MM" (local time on the class day) or an ISO 8601 time with its zone."""
    if ENDS_AT_HHMM_RE.match(value):
        return value
    try:
        at = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise r.fail(
            "reaper",
            "ends_at",
            f'{value!r} must be "" (the evening of the class day), a local time "HH:MM" or an ISO 8601 time',
        ) from None
    if at.tzinfo is None:
        raise r.fail("reaper", "ends_at", f"{value!r} must say its time zone (e.g. +01:00 or Z)")
    return value


def reaper_ends_at(value: str | None, stamp: str) -> str:
    """When the class is over, in UTC (``2026-12-06T20:00:00Z``), for the class first set up at ``stamp``.

    None / "" means the evening (21:00, this computer's time zone) of the class day, "HH:MM" that local
    time on the class day; either moves to the next day when it would be less than an hour after the
    first ``up`` (a class set up late in the evening). An ISO 8601 time is taken as it is."""
    check_stamp(stamp)
    value = (value or "").strip()
    if value and not ENDS_AT_HHMM_RE.match(value):
        at = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    else:
        hour, minute = (int(x) for x in value.split(":")) if value else (EVENING_HOUR, 0)
        # the stamp's minute (YYYYMMDD-HHMM, then the random suffix that keeps names unique)
        start = dt.datetime.strptime(stamp[:13], "%Y%m%d-%H%M").replace(tzinfo=dt.UTC).astimezone()
        at = start.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if at < start + dt.timedelta(hours=1):
            at += dt.timedelta(days=1)
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _port_env(value: str) -> int:
    if not value.isdigit() or not 0 <= int(value) <= 65535:
        raise KitError(f"CLASSROOM_EMULATOR_PORT={value} is not a port number (0-65535; 0 = any free port)")
    return int(value)


def _dedicated(value: bool, r: _Reader) -> bool:
    if value and not r.values.get("expected_account_id"):
        raise r.fail(
            "class",
            "dedicated_account",
            "needs expected_account_id: a dedicated account's "
            "untagged SageMaker resources are deleted too, so the "
            "account must be pinned",
        )
    return value


def _provider_mirror(mirror: str, r: _Reader) -> str:
    path = (r.base / Path(mirror).expanduser()).resolve()
    if not path.is_dir():
        raise r.fail("terraform", "provider_mirror", f"{path} is not a directory")
    return str(path)


S = Setting
SETTINGS: tuple[Setting, ...] = (
    S("class", "name", "ml-class", "class_name", _class_name, tf="class_name"),
    S("class", "region", "us-east-1", "region", _region),
    S(
        "class",
        "target",
        "local",
        "target",
        _rule(lambda v: v in TARGETS, "{v!r} must be local (embedded AWS) or aws"),
        env="TARGET",
        env_check=_target_env,
    ),
    S(
        "class",
        "expected_account_id",
        "",
        "expected_account_id",
        _rule(ACCOUNT_RE.match, "{v!r} must be a 12-digit AWS account id"),
        optional=True,
    ),
    # teardown: untagged SageMaker resources of the swept regions are the class's too
    S("class", "dedicated_account", False, "dedicated_account", _dedicated, kind=bool),
    S("class", "roster", "roster.csv", "roster_path", _roster, attr_default=None),
    S(
        "class",
        "max_students",
        100,
        "max_students",
        _between(1, 1000, "must be between 1 and 1000"),
        kind=int,
    ),
    S(
        "admin",
        "user_name",
        "administrator",
        "admin_user_name",
        _rule(IAM_NAME_RE.match, "{v!r} must be 1-64 letters, digits and +=,.@_-"),
        tf="admin_user_name",
    ),
    S(
        "admin",
        "create_access_key",
        False,
        "admin_create_access_key",
        kind=bool,
        tf="admin_create_access_key",
    ),
    S("admin", "pgp_key", "", "pgp_key", _pgp_key, optional=True, tf="pgp_key"),
    S(
        "admin",
        "account_alias",
        "auto",
        "account_alias",
        _account_alias,
        optional=True,
        tf="account_alias",
        to_tf=lambda s, stamp: s.alias_for(stamp),
    ),
    S(
        "admin",
        "manage_password_policy",
        True,
        "manage_password_policy",
        kind=bool,
        tf="manage_password_policy",
    ),
    S(
        "buckets",
        "models",
        "sm-models-{stamp}",
        "models_bucket_template",
        _bucket_template("models"),
        tf="models_bucket_name",
        to_tf=lambda s, stamp: s.bucket_names(stamp)[0],
    ),
    S(
        "buckets",
        "share",
        "public-share-{stamp}",
        "share_bucket_template",
        _bucket_template("share"),
        tf="share_bucket_name",
        to_tf=lambda s, stamp: s.bucket_names(stamp)[1],
    ),
    S(
        "buckets",
        "public_prefix",
        "share/",
        "share_public_prefix",
        _rule(
            PREFIX_RE.match,
            '{v!r} must be a key prefix ending in "/" and not starting with "/" (e.g. "share/")',
        ),
        tf="share_public_prefix",
    ),
    # 0: no lifecycle configuration (the default). A class's buckets live days and teardown empties
    # them, and the provider waits ~55 s for each lifecycle configuration to read back stable (see
    # terraform/modules/bucket/README.md): opt in with a number of days.
    S(
        "buckets",
        "noncurrent_version_days",
        0,
        "noncurrent_version_days",
        _between(0, None, "must be 0 (no lifecycle rule) or more"),
        kind=int,
        tf="noncurrent_version_expiration_days",
        to_tf=lambda s, stamp: s.noncurrent_version_days or None,
    ),
    S("studio", "enabled", True, "studio_enabled", kind=bool, tf="create_studio"),
    S(
        "studio",
        "idle_timeout_minutes",
        60,
        "studio_idle_timeout_minutes",
        _between(60, 525600, "must be between 60 and 525600 (SageMaker's range)"),
        kind=int,
        tf="studio_idle_timeout_minutes",
    ),
    S(
        "studio",
        "default_instance_type",
        "ml.t3.medium",
        "studio_default_instance_type",
        _rule(INSTANCE_TYPE_RE.match, "{v!r} is not an instance type like ml.t3.medium"),
        tf="studio_default_instance_type",
    ),
    S(
        "studio",
        "instructor_profile",
        "instructor",
        "instructor_profile",
        _instructor,
        optional=True,
        tf="instructor_profile_name",
        to_tf=lambda s, stamp: s.instructor_profile if s.studio_enabled else None,
    ),
    S(
        "guardrails",
        "notebook_instance_types",
        ["ml.t3.medium", "ml.t2.medium"],
        "notebook_instance_types",
        _notebook_types,
        kind=list,
        item=str,
        tf="notebook_instance_types",
    ),
    S(
        "guardrails",
        "training_instance_types",
        ["ml.m4.xlarge", "ml.m5.xlarge"],
        "training_instance_types",
        _instance_types("training_instance_types"),
        kind=list,
        item=str,
        tf="training_instance_types",
    ),
    S(
        "guardrails",
        "hosting_instance_types",
        ["ml.m4.xlarge", "ml.m5.xlarge"],
        "hosting_instance_types",
        _instance_types("hosting_instance_types"),
        kind=list,
        item=str,
        tf="hosting_instance_types",
    ),
    S(
        "guardrails",
        "apply_to_instructor",
        False,
        "guardrails_apply_to_instructor",
        kind=bool,
        tf="guardrails_apply_to_instructor",
    ),
    S(
        "budget",
        "email",
        "",
        "budget_email",
        _rule(roster.EMAIL_RE.match, "{v!r} is not an e-mail address"),
        optional=True,
        tf="budget_email",
    ),
    S(
        "budget",
        "limit_usd",
        10,
        "budget_limit_usd",
        _rule(lambda v: v > 0, "must be more than 0"),
        kind=float,
        tf="budget_limit_usd",
        attr_default=10,
    ),
    S(
        "budget",
        "thresholds_usd",
        [1, 5, 10],
        "budget_thresholds_usd",
        _thresholds,
        kind=list,
        item=float,
        tf="budget_thresholds_usd",
    ),
    S("reaper", "enabled", True, "reaper_enabled", kind=bool, tf="reaper_enabled"),
    S(
        "reaper",
        "ends_at",
        "",
        "reaper_ends_at",
        _ends_at,
        optional=True,
        tf="reaper_ends_at",
        to_tf=lambda s, stamp: reaper_ends_at(s.reaper_ends_at, stamp),
    ),
    # a class of accounts (provision/accounts; the checks are in provision/accounts/config.py)
    S("class", "accounts", "single", "accounts_mode", acc.check_mode),
    S("accounts", "email", "", "accounts_email", acc.check_email),
    S("accounts", "team_size", 0, "accounts_team_size", acc.check_team_size, kind=int),
    S(
        "accounts",
        "allowed_regions",
        [],
        "accounts_allowed_regions",
        acc.check_allowed_regions,
        kind=list,
        item=str,
    ),
    S("accounts", "cleaned_ou", "classroom-cleaned", "accounts_cleaned_ou", acc.check_cleaned_ou),
    S(
        "accounts",
        "access_role",
        "OrganizationAccountAccessRole",
        "accounts_access_role",
        acc.check_access_role,
    ),
    S("accounts", "parallel", 4, "accounts_parallel", acc.check_parallel, kind=int),
    S("accounts", "close_on_down", False, "accounts_close_on_down", acc.check_close, kind=bool),
    S(
        "emulator",
        "port",
        0,
        "emulator_port",
        _between(0, 65535, "must be a port number 0-65535 (0 = any free port)"),
        kind=int,
        env="CLASSROOM_EMULATOR_PORT",
        env_check=_port_env,
    ),
    S(
        "terraform",
        "provider_mirror",
        "",
        "provider_mirror",
        _provider_mirror,
        optional=True,
        env="CLASSROOM_PROVIDER_MIRROR",
    ),
)
del S

# section -> key -> default: what `classroom init` writes (and what a missing line means)
DEFAULTS: dict[str, dict[str, Any]] = {}
for _s in SETTINGS:
    DEFAULTS.setdefault(_s.section, {})[_s.key] = _s.default
del _s


class _SettingsMethods:
    """What the validated settings of one class answer besides their values."""

    @property
    def tags(self) -> dict[str, str]:
        """The kit's tags, put on every resource through the provider's default_tags."""
        return kit_tags.class_tags(self.class_name)

    @property
    def budget_enabled(self) -> bool:
        return bool(self.budget_email)

    @property
    def accounts(self) -> acc.AccountsConfig:
        """``[class] accounts`` and ``[accounts]``: one account, or one per student / team."""
        return acc.AccountsConfig.of(self)

    # -- derived names -----------------------------------------------------------------------------

    def bucket_names(self, stamp: str) -> tuple[str, str]:
        """(models bucket, share bucket) for ``stamp``, checked against S3's naming rules."""
        check_stamp(stamp)
        names = []
        for setting, template in (
            ("[buckets] models", self.models_bucket_template),
            ("[buckets] share", self.share_bucket_template),
        ):
            name = template.replace("{stamp}", stamp).replace("{class}", self.class_name)
            if problem := bucket_name_problem(name):
                raise KitError(f"{self.source}: {setting} gives bucket name {name!r}: {problem}")
            names.append(name)
        if names[0] == names[1]:
            raise KitError(f"{self.source}: [buckets] models and share give the same name {names[0]!r}")
        return names[0], names[1]

    def alias_for(self, stamp: str) -> str | None:
        """The account alias to set (``auto``: ``<class name>-<stamp>``), or None to leave it alone."""
        if not self.account_alias:
            return None
        if self.account_alias != "auto":
            return self.account_alias
        check_stamp(stamp)
        return f"{self.class_name}-{stamp}"

    def students(self) -> list[roster.Student]:
        """The validated roster (empty when no roster file is configured or present)."""
        if self.roster_path is None or (not self.roster_required and not self.roster_path.exists()):
            return []
        reserved = {self.admin_user_name: "the administrator ([admin] user_name)"}
        if self.studio_enabled and self.instructor_profile:
            reserved[self.instructor_profile] = (
                "the instructor's Studio profile ([studio] instructor_profile)"
            )
        return roster.load(self.roster_path, self.max_students, reserved=reserved)

    def terraform_variables(self, stamp: str) -> dict[str, Any]:
        """Every input of terraform/classroom (the declared ``tf`` names), the roster parsed and validated."""
        check_stamp(stamp)
        variables: dict[str, Any] = {"stamp": stamp}
        for s in SETTINGS:
            if s.tf:
                value = s.to_tf(self, stamp) if s.to_tf else getattr(self, s.attr)
                variables[s.tf] = list(value) if isinstance(value, tuple) else value
        variables["students"] = roster.as_terraform(self.students())
        variables["reaper_package_path"] = None  # the kit zips the reaper just before Terraform runs
        variables["notebooks"] = {}  # the lesson's .ipynb files: `classroom up` fills them in (Studio on)
        # a class of accounts sets it in its member accounts (provision/accounts/members.py)
        variables["execution_role_without_studio"] = False
        return variables


Settings = make_dataclass(
    "Settings",
    [(s.attr, Any, field(default=s.settings_default())) for s in SETTINGS]
    + [
        ("roster_required", bool, field(default=False)),
        ("source", str, field(default="defaults")),
        ("notes", tuple, field(default=())),
    ],
    bases=(_SettingsMethods,),
    frozen=True,
)
Settings.__module__ = __name__
Settings.__doc__ = "The validated settings of one class: one attribute per declaration in SETTINGS."


# -- rules ---------------------------------------------------------------------------------------------


def check_stamp(stamp: str) -> None:
    if not isinstance(stamp, str) or not STAMP_RE.match(stamp):
        raise KitError(f"class stamp {stamp!r} is not YYYYMMDD-HHMM-xxxxxx")


def bucket_name_problem(name: str) -> str | None:
    """Why S3 would refuse ``name`` as a general-purpose bucket name, or None.

    Dots are refused too although S3 allows them: HTTPS (virtual-hosted style) breaks on them.
    """
    if not 3 <= len(name) <= 63:
        return "a bucket name has 3-63 characters"
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*[a-z0-9]", name):
        return "only lowercase letters, digits and hyphens, starting and ending with a letter or digit"
    try:
        ipaddress.IPv4Address(name)
        return "a bucket name must not look like an IP address"
    except ValueError:
        pass
    for prefix in ("xn--", "sthree-", "amzn-s3-demo-"):
        if name.startswith(prefix):
            return f"S3 reserves the prefix {prefix!r}"
    for suffix in ("-s3alias", "--ol-s3", "--x-s3", "--table-s3"):
        if name.endswith(suffix):
            return f"S3 reserves the suffix {suffix!r}"
    return None


# The images the lesson jobs use: linear-learner (version 1) and XGBoost (jobs/sdk.py XGBOOST_VERSION),
# training and serving.
LESSON_IMAGES = (
    ("linear-learner", None, "1"),
    ("xgboost", "training", "1.7-1"),
    ("xgboost", "inference", "1.7-1"),
)


@functools.cache
def _image_registries() -> dict[tuple[str, str | None, str], frozenset[str]]:
    """Regions of each lesson image, read from the SageMaker SDK's own image config (the JSON files
    ``sagemaker.core.image_uris.retrieve`` reads: sagemaker-core ``image_uri_config/<algorithm>.json``),
    located without importing the SDK (importing it takes seconds)."""
    spec = importlib.util.find_spec("sagemaker")
    roots = list(spec.submodule_search_locations or []) if spec else []
    out: dict[tuple[str, str | None, str], frozenset[str]] = {}
    for algorithm, scope, version in LESSON_IMAGES:
        for root in roots:
            path = Path(root) / "core" / "image_uri_config" / f"{algorithm}.json"
            if path.is_file():
                config = json.loads(path.read_text())
                config = config[scope] if scope else config
                out[(algorithm, scope, version)] = frozenset(config["versions"][version]["registries"])
                break
        else:
            raise KitError(f"the SageMaker SDK's image config for {algorithm} is not installed (make setup)")
    return out


def lesson_image_gaps(region: str) -> list[str]:
    """The lesson images missing in ``region`` (empty: the lesson can run there)."""
    gaps = []
    for (algorithm, scope, version), regions in _image_registries().items():
        if region not in regions:
            name = f"{algorithm} {version}" + (f" ({scope})" if scope else "")
            if name not in gaps:
                gaps.append(name)
    return gaps


def lesson_regions() -> list[str]:
    """Regions with SageMaker and every image the lesson uses."""
    return [r for r in sagemaker_regions() if not lesson_image_gaps(r)]


def sagemaker_regions() -> list[str]:
    """Commercial regions that offer SageMaker (from botocore's bundled endpoint data; no call).

    Read once per process: every Session parses botocore's endpoints.json again (~0.3-0.5 s of CPU),
    and a command reads the settings twice (the expired-endpoint sweep, then the command) with up to
    two region checks each."""
    return list(_sagemaker_regions())


@functools.cache
def _sagemaker_regions() -> tuple[str, ...]:
    return tuple(boto3.session.Session().get_available_regions("sagemaker"))


def _from_data(data: dict, text: str, source: str, base: Path) -> Settings:
    r = _Reader(data, text, source, base)
    r.check_known()
    for s in SETTINGS:
        r.current = (s.section, s.key)
        r.values[s.attr] = s.read(r)
    if not r.values["budget_email"]:
        r.note("no [budget] email set: the cost budget and its alerts are skipped")
    return Settings(**r.values, source=source, notes=tuple(r.notes))


def load(path: Path | None = None) -> Settings:
    """Read and validate the class settings (``path`` or ./classroom.toml; missing file: defaults)."""
    explicit = path is not None
    path = Path(path) if path is not None else Path(DEFAULT_FILE)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if explicit:
            raise KitError(
                f"settings file {path} does not exist (`classroom init` writes an example)"
            ) from None
        return _from_data({}, "", "defaults", Path.cwd())
    except (OSError, UnicodeDecodeError) as err:
        raise KitError(f"settings file {path} cannot be read ({err})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise KitError(f"{path}: not valid TOML: {err}") from None
    return _from_data(data, text, str(path), path.resolve().parent)


def example_text() -> str:
    """A commented example of every setting, with the defaults (``classroom init``)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("provision", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )

    def toml(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(value, list):
            return "[" + ", ".join(toml(v) for v in value) + "]"
        return str(value)

    env.filters["toml"] = toml
    return env.get_template("classroom.toml.j2").render(d=DEFAULTS)
