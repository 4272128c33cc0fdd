"""The settings of a class of accounts: ``[class] accounts`` and the ``[accounts]`` section.

    [class]
    accounts = "per-student"        # "single" (default: one account, as before) | "per-student" | "per-team"

    [accounts]
    email = "aws+{account}@school.example"   # root e-mail of each new account; {account} = <class>-<member>
    team_size = 3                   # per-team: roster lines, in order, per team
    allowed_regions = []            # regions member accounts may use (default: the class's region)
    cleaned_ou = "classroom-cleaned"  # OU of accounts torn down and ready for reuse (the pool)
    access_role = "OrganizationAccountAccessRole"
    parallel = 4                    # member accounts set up / torn down at the same time
    close_on_down = false           # close accounts at `down` instead of returning them to the pool

The declarations are in provision/settings.py (``SETTINGS``); the checks are here. Each check gets the
settings reader: ``r.values`` holds the settings read before (``accounts_mode`` first), ``r.fail`` makes
the one-line error that names the file, the line and the setting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

ACCOUNT_MODES = ("single", "per-student", "per-team")

EMAIL_TEMPLATE_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
OU_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,127}$")
ROLE_RE = re.compile(r"^[A-Za-z0-9+=,.@_-]{1,64}$")
MAX_ACCOUNT_NAME = 50  # Organizations CreateAccount AccountName: 1-50 characters


@dataclass(frozen=True)
class AccountsConfig:
    mode: str = "single"
    email_template: str = ""
    team_size: int = 0
    allowed_regions: tuple[str, ...] = ()
    cleaned_ou: str = "classroom-cleaned"
    access_role: str = "OrganizationAccountAccessRole"
    parallel: int = 4
    close_on_down: bool = False

    @property
    def multi(self) -> bool:
        return self.mode != "single"

    def email_for(self, account_name: str) -> str:
        return self.email_template.replace("{account}", account_name)

    @classmethod
    def of(cls, s: Any) -> AccountsConfig:
        """From the validated settings (``provision.settings.Settings``)."""
        return cls(
            mode=s.accounts_mode,
            email_template=s.accounts_email,
            team_size=s.accounts_team_size,
            allowed_regions=tuple(s.accounts_allowed_regions or (s.region,)),
            cleaned_ou=s.accounts_cleaned_ou,
            access_role=s.accounts_access_role,
            parallel=s.accounts_parallel,
            close_on_down=s.accounts_close_on_down,
        )


def _multi(r: Any) -> bool:
    return r.values.get("accounts_mode", "single") != "single"


def _only_with_accounts(r: Any, key: str, value: Any, default: Any) -> None:
    if not _multi(r) and value != default:
        raise r.fail("accounts", key, 'is only used with [class] accounts = "per-student" or "per-team"')


def _missing(r: Any, key: str, message: str) -> Exception:
    """A required [accounts] setting that is absent: point at the line that made it required."""
    if key in r.data.get("accounts", {}):
        return r.fail("accounts", key, message)
    line = r.line_of("class", "accounts")
    where = f"line {line}: " if line else ""
    from kitcore.errors import KitError

    return KitError(f"{r.source}: {where}[accounts] {key} {message}")


def check_mode(mode: str, r: Any) -> str:
    if mode not in ACCOUNT_MODES:
        raise r.fail("class", "accounts", f"{mode!r} must be one of: {', '.join(ACCOUNT_MODES)}")
    return mode


def check_email(email: str, r: Any) -> str:
    email = email.strip()
    _only_with_accounts(r, "email", email, "")
    if not _multi(r):
        return email
    if not email:
        raise _missing(
            r,
            "email",
            "must be set for a class of accounts: every new AWS account needs its own "
            'root e-mail, e.g. "aws+{account}@school.example"',
        )
    if "{account}" not in email:
        raise r.fail(
            "accounts",
            "email",
            f"{email!r} must contain {{account}} so that every account gets its own address",
        )
    if not EMAIL_TEMPLATE_RE.match(email.replace("{account}", "x")):
        raise r.fail("accounts", "email", f"{email!r} is not an e-mail address template")
    return email


def check_team_size(size: int, r: Any) -> int:
    _only_with_accounts(r, "team_size", size, 0)
    mode = r.values.get("accounts_mode")
    if mode == "per-team" and size < 2:
        raise _missing(r, "team_size", 'must be 2 or more with [class] accounts = "per-team"')
    if mode == "per-student" and size != 0:
        raise r.fail("accounts", "team_size", 'is only used with [class] accounts = "per-team"')
    return size


def check_allowed_regions(regions: list[str], r: Any) -> tuple[str, ...]:
    _only_with_accounts(r, "allowed_regions", regions, [])
    from provision.settings import sagemaker_regions

    known = sagemaker_regions()
    for reg in regions:
        if reg not in known:
            raise r.fail("accounts", "allowed_regions", f"holds {reg!r}, not a region with SageMaker")
    region = r.values["region"]
    if regions and region not in regions:
        raise r.fail("accounts", "allowed_regions", f"must include the class's region {region!r}")
    return tuple(dict.fromkeys(regions))


def check_cleaned_ou(name: str, r: Any) -> str:
    _only_with_accounts(r, "cleaned_ou", name, "classroom-cleaned")
    if not OU_NAME_RE.match(name):
        raise r.fail("accounts", "cleaned_ou", f"{name!r} is not an OU name (letters, digits, . _ -)")
    return name


def check_access_role(name: str, r: Any) -> str:
    _only_with_accounts(r, "access_role", name, "OrganizationAccountAccessRole")
    if not ROLE_RE.match(name):
        raise r.fail("accounts", "access_role", f"{name!r} is not an IAM role name")
    return name


def check_parallel(n: int, r: Any) -> int:
    _only_with_accounts(r, "parallel", n, 4)
    if not 1 <= n <= 32:
        raise r.fail("accounts", "parallel", "must be between 1 and 32")
    return n


def check_close(value: bool, r: Any) -> bool:
    _only_with_accounts(r, "close_on_down", value, False)
    return value
