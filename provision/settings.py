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
import ipaddress
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import jinja2

from provision import roster
from provision.errors import KitError

DEFAULT_FILE = "classroom.toml"
MANAGED_BY = "classroom-kit"
TARGETS = ("local", "aws")

CLASS_NAME_RE = re.compile(r"^[a-z0-9](-?[a-z0-9]){1,30}$")
IAM_NAME_RE = re.compile(r"^[A-Za-z0-9+=,.@_-]{1,64}$")
ALIAS_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
ACCOUNT_RE = re.compile(r"^[0-9]{12}$")
STAMP_RE = re.compile(r"^[0-9]{8}-[0-9]{4}$")
INSTANCE_TYPE_RE = re.compile(r"^ml\.[a-z0-9-]+\.[a-z0-9]+$")
PREFIX_RE = re.compile(r"^[A-Za-z0-9!_.*'()-][A-Za-z0-9!_.*'()/-]*/$")
BUCKET_PLACEHOLDERS = ("{stamp}", "{class}")
MAX_BUDGET_NOTIFICATIONS = 5  # AWS Budgets: at most five notifications per budget


# -- the schema: section -> key -> default -----------------------------------------------------------

DEFAULTS: dict[str, dict[str, Any]] = {
    "class": {
        "name": "ml-class",
        "region": "us-east-1",
        "target": "local",
        "expected_account_id": "",
        "roster": "roster.csv",
        "max_students": 100,
    },
    "admin": {
        "user_name": "administrator",
        "create_access_key": False,
        "pgp_key": "",
        "account_alias": "auto",
        "manage_password_policy": True,
    },
    "buckets": {
        "models": "sm-models-{stamp}",
        "share": "public-share-{stamp}",
        "public_prefix": "share/",
        "noncurrent_version_days": 30,
    },
    "studio": {
        "enabled": True,
        "idle_timeout_minutes": 60,
        "default_instance_type": "ml.t3.medium",
        "instructor_profile": "instructor",
    },
    "guardrails": {
        "notebook_instance_types": ["ml.t3.medium", "ml.t2.medium"],
        "training_instance_types": ["ml.m4.xlarge", "ml.m5.xlarge"],
        "hosting_instance_types": ["ml.m4.xlarge", "ml.m5.xlarge"],
        "apply_to_instructor": False,
    },
    "budget": {
        "email": "",
        "limit_usd": 10,
        "thresholds_usd": [1, 5, 10],
    },
    "emulator": {
        "port": 0,
    },
    "terraform": {
        "provider_mirror": "",
    },
}


@dataclass(frozen=True)
class Settings:
    """The validated settings of one class."""

    class_name: str = "ml-class"
    region: str = "us-east-1"
    target: str = "local"
    expected_account_id: str | None = None
    roster_path: Path | None = None
    roster_required: bool = False
    max_students: int = 100
    admin_user_name: str = "administrator"
    admin_create_access_key: bool = False
    pgp_key: str | None = None
    account_alias: str | None = "auto"
    manage_password_policy: bool = True
    models_bucket_template: str = "sm-models-{stamp}"
    share_bucket_template: str = "public-share-{stamp}"
    share_public_prefix: str = "share/"
    noncurrent_version_days: int = 30
    studio_enabled: bool = True
    studio_idle_timeout_minutes: int = 60
    studio_default_instance_type: str = "ml.t3.medium"
    instructor_profile: str | None = "instructor"
    notebook_instance_types: tuple[str, ...] = ("ml.t3.medium", "ml.t2.medium")
    training_instance_types: tuple[str, ...] = ("ml.m4.xlarge", "ml.m5.xlarge")
    hosting_instance_types: tuple[str, ...] = ("ml.m4.xlarge", "ml.m5.xlarge")
    guardrails_apply_to_instructor: bool = False
    budget_email: str | None = None
    budget_limit_usd: float = 10
    budget_thresholds_usd: tuple[float, ...] = (1, 5, 10)
    emulator_port: int = 0
    provider_mirror: str | None = None
    source: str = "defaults"
    notes: tuple[str, ...] = field(default=())

    @property
    def tags(self) -> dict[str, str]:
        """The kit's tags, put on every resource through the provider's default_tags."""
        return {"classroom": self.class_name, "managed-by": MANAGED_BY}

    @property
    def budget_enabled(self) -> bool:
        return bool(self.budget_email)

    # -- derived names -----------------------------------------------------------------------------

    def bucket_names(self, stamp: str) -> tuple[str, str]:
        """(models bucket, share bucket) for ``stamp``, checked against S3's naming rules."""
        check_stamp(stamp)
        names = []
        for setting, template in (("[buckets] models", self.models_bucket_template),
                                  ("[buckets] share", self.share_bucket_template)):
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
            reserved[self.instructor_profile] = \
                "the instructor's Studio profile ([studio] instructor_profile)"
        return roster.load(self.roster_path, self.max_students, reserved=reserved)

    def terraform_variables(self, stamp: str) -> dict[str, Any]:
        """Every input of terraform/classroom, the roster parsed and validated."""
        models, share = self.bucket_names(stamp)
        return {
            "class_name": self.class_name,
            "stamp": stamp,
            "admin_user_name": self.admin_user_name,
            "admin_create_access_key": self.admin_create_access_key,
            "pgp_key": self.pgp_key,
            "account_alias": self.alias_for(stamp),
            "manage_password_policy": self.manage_password_policy,
            "models_bucket_name": models,
            "share_bucket_name": share,
            "share_public_prefix": self.share_public_prefix,
            "noncurrent_version_expiration_days": self.noncurrent_version_days,
            "create_studio": self.studio_enabled,
            "studio_idle_timeout_minutes": self.studio_idle_timeout_minutes,
            "studio_default_instance_type": self.studio_default_instance_type,
            "instructor_profile_name": self.instructor_profile if self.studio_enabled else None,
            "students": roster.as_terraform(self.students()),
            "notebook_instance_types": list(self.notebook_instance_types),
            "training_instance_types": list(self.training_instance_types),
            "hosting_instance_types": list(self.hosting_instance_types),
            "guardrails_apply_to_instructor": self.guardrails_apply_to_instructor,
            "budget_email": self.budget_email,
            "budget_limit_usd": self.budget_limit_usd,
            "budget_thresholds_usd": list(self.budget_thresholds_usd),
        }


# -- rules ---------------------------------------------------------------------------------------------

def check_stamp(stamp: str) -> None:
    if not isinstance(stamp, str) or not STAMP_RE.match(stamp):
        raise KitError(f"class stamp {stamp!r} is not YYYYMMDD-HHMM")


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


def sagemaker_regions() -> list[str]:
    """Commercial regions that offer SageMaker (from botocore's bundled endpoint data; no call)."""
    return boto3.session.Session().get_available_regions("sagemaker")


class _Reader:
    """Typed access to the parsed TOML with one-line errors that name the line and the setting."""

    def __init__(self, data: dict, text: str, source: str):
        self.data, self.source = data, source
        self.lines = text.splitlines()

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

    def get(self, section: str, key: str, kind: type | tuple[type, ...]) -> Any:
        value = self.data.get(section, {}).get(key, DEFAULTS[section][key])
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        ok = isinstance(value, kind) and not (kind in (int, float) and isinstance(value, bool))
        if not ok:
            want = {str: "a string", bool: "true or false", int: "a whole number", float: "a number",
                    list: "a list"}.get(kind if isinstance(kind, type) else str, "a value")
            raise self.fail(section, key, f"must be {want}, not {value!r}")
        return value

    def get_list(self, section: str, key: str, item: type) -> list:
        values = self.get(section, key, list)
        for v in values:
            if item is float and isinstance(v, int) and not isinstance(v, bool):
                continue
            if not isinstance(v, item) or isinstance(v, bool):
                kind = "numbers" if item is float else "strings"
                raise self.fail(section, key, f"must be a list of {kind}")
        return [float(v) if item is float else v for v in values]

    def was_set(self, section: str, key: str) -> bool:
        return key in self.data.get(section, {})


def _instance_types(r: _Reader, key: str) -> tuple[str, ...]:
    types = r.get_list("guardrails", key, str)
    if not types:
        raise r.fail("guardrails", key, "must list at least one instance type")
    for t in types:
        if not INSTANCE_TYPE_RE.match(t):
            raise r.fail("guardrails", key, f"holds {t!r}, not a SageMaker instance type like ml.m5.xlarge")
    return tuple(dict.fromkeys(types))


def _from_data(data: dict, text: str, source: str, base: Path) -> Settings:
    r = _Reader(data, text, source)
    r.check_known()

    name = r.get("class", "name", str)
    if not CLASS_NAME_RE.match(name):
        raise r.fail("class", "name", f"{name!r} must be 2-31 lowercase letters, digits and single hyphens, "
                                      "starting and ending with a letter or digit")
    region = r.get("class", "region", str)
    regions = sagemaker_regions()
    if region not in regions:
        raise r.fail("class", "region", f"{region!r} is not a region with SageMaker (e.g. us-east-1)")

    target = r.get("class", "target", str)
    env_target = os.environ.get("TARGET")
    if env_target:
        if env_target not in TARGETS:
            raise KitError(f"TARGET={env_target} is not valid: use TARGET=local (embedded AWS) or TARGET=aws")
        target = env_target
    elif target not in TARGETS:
        raise r.fail("class", "target", f"{target!r} must be local (embedded AWS) or aws")

    account = r.get("class", "expected_account_id", str).strip()
    if account and not ACCOUNT_RE.match(account):
        raise r.fail("class", "expected_account_id", f"{account!r} must be a 12-digit AWS account id")

    roster_setting = r.get("class", "roster", str).strip()
    roster_path = (base / roster_setting).resolve() if roster_setting else None
    # The default name may be absent (a class without students yet); any other name must exist.
    roster_required = bool(roster_setting) and roster_setting != DEFAULTS["class"]["roster"]
    if roster_required and roster_path is not None and not roster_path.is_file():
        raise r.fail("class", "roster", f"file {roster_path} does not exist")
    max_students = r.get("class", "max_students", int)
    if not 1 <= max_students <= 1000:
        raise r.fail("class", "max_students", "must be between 1 and 1000")

    admin = r.get("admin", "user_name", str)
    if not IAM_NAME_RE.match(admin):
        raise r.fail("admin", "user_name", f"{admin!r} must be 1-64 letters, digits and +=,.@_-")
    pgp_key = r.get("admin", "pgp_key", str).strip() or None
    if pgp_key and not pgp_key.startswith("keybase:"):
        try:
            base64.b64decode("".join(pgp_key.split()), validate=True)
        except (binascii.Error, ValueError):
            raise r.fail("admin", "pgp_key", "must be a base64 PGP public key or keybase:<user>") from None
    alias = r.get("admin", "account_alias", str).strip()
    if alias and alias != "auto":
        if not ALIAS_RE.match(alias) or "--" in alias or alias.isdigit():
            raise r.fail("admin", "account_alias", f"{alias!r} must be 3-63 lowercase letters, digits and "
                                                   "single hyphens, not all digits (or \"auto\", or \"\")")
    elif alias == "auto" and len(name) > 49:
        raise r.fail("class", "name", "is too long for the automatic account alias (<name>-<stamp>)")

    templates = {}
    for key in ("models", "share"):
        template = r.get("buckets", key, str)
        if "{stamp}" not in template:
            raise r.fail("buckets", key, f"{template!r} must contain {{stamp}} so every class gets new names")
        rest = template
        for ph in BUCKET_PLACEHOLDERS:
            rest = rest.replace(ph, "")
        if "{" in rest or "}" in rest:
            raise r.fail("buckets", key, f"{template!r}: only {{stamp}} and {{class}} may be used")
        sample = template.replace("{stamp}", "20260101-0000").replace("{class}", name)
        if problem := bucket_name_problem(sample):
            raise r.fail("buckets", key, f"gives bucket names like {sample!r}: {problem}")
        templates[key] = template
    prefix = r.get("buckets", "public_prefix", str)
    if not PREFIX_RE.match(prefix):
        raise r.fail("buckets", "public_prefix", f"{prefix!r} must be a key prefix ending in \"/\" "
                                                 "and not starting with \"/\" (e.g. \"share/\")")
    noncurrent = r.get("buckets", "noncurrent_version_days", int)
    if noncurrent < 1:
        raise r.fail("buckets", "noncurrent_version_days", "must be at least 1")

    studio_enabled = r.get("studio", "enabled", bool)
    idle = r.get("studio", "idle_timeout_minutes", int)
    if not 60 <= idle <= 525600:
        raise r.fail("studio", "idle_timeout_minutes", "must be between 60 and 525600 (SageMaker's range)")
    default_type = r.get("studio", "default_instance_type", str)
    if not INSTANCE_TYPE_RE.match(default_type):
        raise r.fail("studio", "default_instance_type",
                     f"{default_type!r} is not an instance type like ml.t3.medium")
    instructor = r.get("studio", "instructor_profile", str).strip() or None
    if instructor and (p := roster.user_name_problem(instructor)):
        raise r.fail("studio", "instructor_profile", p.replace("user name", "profile name"))

    notebook_types = _instance_types(r, "notebook_instance_types")
    if studio_enabled and default_type not in notebook_types:
        raise r.fail("studio", "default_instance_type",
                     f"{default_type!r} is not in [guardrails] notebook_instance_types: "
                     "Studio apps would be denied")
    training_types = _instance_types(r, "training_instance_types")
    hosting_types = _instance_types(r, "hosting_instance_types")
    apply_to_instructor = r.get("guardrails", "apply_to_instructor", bool)

    email = r.get("budget", "email", str).strip() or None
    notes = []
    if roster_path is not None and not roster_required and not roster_path.exists():
        notes.append(f"no roster file {roster_path}: the class has no students")
    if email and not roster.EMAIL_RE.match(email):
        raise r.fail("budget", "email", f"{email!r} is not an e-mail address")
    if not email:
        notes.append("no [budget] email set: the cost budget and its alerts are skipped")
    limit = r.get("budget", "limit_usd", float)
    if limit <= 0:
        raise r.fail("budget", "limit_usd", "must be more than 0")
    thresholds = r.get_list("budget", "thresholds_usd", float)
    if not 1 <= len(thresholds) <= MAX_BUDGET_NOTIFICATIONS:
        raise r.fail("budget", "thresholds_usd", f"must hold 1 to {MAX_BUDGET_NOTIFICATIONS} amounts "
                                                 "(AWS Budgets allows five notifications per budget)")
    if any(t <= 0 for t in thresholds) or len(set(thresholds)) != len(thresholds):
        raise r.fail("budget", "thresholds_usd", "must hold distinct amounts above 0")

    port = r.get("emulator", "port", int)
    env_port = os.environ.get("CLASSROOM_EMULATOR_PORT")
    if env_port:
        if not env_port.isdigit() or not 0 <= int(env_port) <= 65535:
            raise KitError(f"CLASSROOM_EMULATOR_PORT={env_port} is not a port number "
                           "(0-65535; 0 = any free port)")
        port = int(env_port)
    elif not 0 <= port <= 65535:
        raise r.fail("emulator", "port", "must be a port number 0-65535 (0 = any free port)")

    mirror = r.get("terraform", "provider_mirror", str).strip() or None
    if mirror:
        mirror_path = (base / Path(mirror).expanduser()).resolve()
        if not mirror_path.is_dir() and not os.environ.get("CLASSROOM_PROVIDER_MIRROR"):
            raise r.fail("terraform", "provider_mirror", f"{mirror_path} is not a directory")
        mirror = str(mirror_path)
    mirror = os.environ.get("CLASSROOM_PROVIDER_MIRROR") or mirror

    return Settings(
        class_name=name, region=region, target=target, expected_account_id=account or None,
        roster_path=roster_path, roster_required=roster_required, max_students=max_students,
        admin_user_name=admin, admin_create_access_key=r.get("admin", "create_access_key", bool),
        pgp_key=pgp_key, account_alias=alias or None,
        manage_password_policy=r.get("admin", "manage_password_policy", bool),
        models_bucket_template=templates["models"], share_bucket_template=templates["share"],
        share_public_prefix=prefix, noncurrent_version_days=noncurrent,
        studio_enabled=studio_enabled, studio_idle_timeout_minutes=idle,
        studio_default_instance_type=default_type, instructor_profile=instructor,
        notebook_instance_types=notebook_types, training_instance_types=training_types,
        hosting_instance_types=hosting_types, guardrails_apply_to_instructor=apply_to_instructor,
        budget_email=email, budget_limit_usd=limit, budget_thresholds_usd=tuple(thresholds),
        emulator_port=port, provider_mirror=mirror, source=source, notes=tuple(notes),
    )


def load(path: Path | None = None) -> Settings:
    """Read and validate the class settings (``path`` or ./classroom.toml; missing file: defaults)."""
    explicit = path is not None
    path = Path(path) if path is not None else Path(DEFAULT_FILE)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if explicit:
            raise KitError(f"settings file {path} does not exist "
                           "(`classroom init` writes an example)") from None
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
    env = jinja2.Environment(loader=jinja2.PackageLoader("provision", "templates"),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)

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
