"""Who gets an account: one per roster line (per-student) or per ``team_size`` lines (per-team).

A member's name is its student's user name, or ``team-01``, ``team-02``…; its AWS account is named
``<class>-<member>`` and its root e-mail comes from ``[accounts] email``. Each member account gets
the class's composition (terraform/classroom) with only its own student(s), bucket names made
unique with the account id (bucket names are global across AWS) and no account alias (aliases are
global too; the sign-in URL uses the account id).
"""

from __future__ import annotations

from dataclasses import dataclass

from kitcore.errors import KitError
from provision import roster
from provision.accounts.config import MAX_ACCOUNT_NAME

SAMPLE_ACCOUNT_ID = "123456789012"


@dataclass(frozen=True)
class Member:
    name: str
    students: tuple[roster.Student, ...]

    def account_name(self, class_name: str) -> str:
        return f"{class_name}-{self.name}"


def plan(settings) -> list[Member]:
    """The members of the class, checked before anything is created."""
    cfg = settings.accounts
    students = settings.students()
    if not students:
        raise KitError(
            f"{settings.source}: [class] accounts = {cfg.mode!r} needs a roster with at least "
            "one student ([class] roster)"
        )
    if cfg.mode == "per-student":
        members = [Member(s.user_name, (s,)) for s in students]
    else:
        size = cfg.team_size
        members = [
            Member(f"team-{i // size + 1:02d}", tuple(students[i : i + size]))
            for i in range(0, len(students), size)
        ]
    for m in members:
        name = m.account_name(settings.class_name)
        if len(name) > MAX_ACCOUNT_NAME:
            raise KitError(
                f"{settings.source}: account name {name!r} is longer than {MAX_ACCOUNT_NAME} "
                "characters (AWS's limit); use a shorter class name or user name"
            )
    # bucket names with the account id appended must still be valid S3 names
    variables(settings, members[0], SAMPLE_ACCOUNT_ID, "20260101-0000")
    return members


def variables(settings, member: Member, account_id: str, stamp: str) -> dict:
    """terraform/classroom's inputs for one member account."""
    from provision.settings import bucket_name_problem

    v = settings.terraform_variables(stamp)
    for key in ("models_bucket_name", "share_bucket_name"):
        name = f"{v[key]}-{account_id}"
        if problem := bucket_name_problem(name):
            raise KitError(
                f"{settings.source}: [buckets] gives bucket name {name!r} in member accounts "
                f"(the account id is appended): {problem}"
            )
        v[key] = name
    v["account_alias"] = None
    v["students"] = roster.as_terraform(list(member.students))
    # jobs run in member accounts (`classroom train --account`): the execution role even without Studio
    v["execution_role_without_studio"] = True
    return v
