"""The class roster: a CSV of students (user name, e-mail, optional display name).

Every student becomes an IAM user AND a Studio user profile of the same name, so a user name must
satisfy both services' rules: SageMaker's profile-name pattern (letters, digits, hyphens; 1-63;
starting and ending with a letter or digit) is the stricter of the two and IAM user names are
case-insensitive. The whole file is checked before anything is created; every problem is reported
with its line number, in one line.

Format (a header row is optional; blank lines and lines starting with ``#`` are ignored)::

    user_name,email,display_name
    ada-lovelace,ada@example.org,Ada Lovelace
    alan,alan@example.org
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from kitcore.errors import KitError

USER_NAME_RE = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
# Characters IAM accepts in a tag value (the e-mail is kept as a tag on the student's IAM user).
EMAIL_RE = re.compile(r"^[A-Za-z0-9._+=-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
HEADER_WORDS = {"user_name", "username", "user", "name", "login"}
MAX_DISPLAY_NAME = 128
MAX_REPORTED = 5


@dataclass(frozen=True)
class Student:
    line: int
    user_name: str
    email: str
    display_name: str | None = None


def user_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a student (IAM user + Studio profile) name, or None."""
    if not name:
        return "the user name is empty"
    if len(name) > 63:
        return f"user name {name!r} is longer than 63 characters (Studio's limit)"
    if not USER_NAME_RE.match(name):
        return (
            f"user name {name!r} may only hold letters, digits and hyphens, starting and ending "
            "with a letter or digit (it is both the IAM user and the Studio profile name)"
        )
    return None


def _problems_of_row(row: list[str]) -> tuple[list[str], Student | None]:
    cells = [c.strip() for c in row]
    while cells and cells[-1] == "":
        cells.pop()
    if len(cells) < 2:
        return ["expected user_name,email[,display_name]"], None
    if len(cells) > 3:
        return [f"{len(cells)} columns, expected user_name,email[,display_name]"], None
    name, email = cells[0], cells[1]
    display = cells[2] if len(cells) == 3 and cells[2] else None
    problems = []
    if p := user_name_problem(name):
        problems.append(p)
    if not EMAIL_RE.match(email):
        problems.append(f"{email!r} is not an e-mail address")
    if display is not None:
        if len(display) > MAX_DISPLAY_NAME:
            problems.append(f"display name is longer than {MAX_DISPLAY_NAME} characters")
        elif any(ord(ch) < 32 for ch in display):
            problems.append("display name holds control characters")
    return problems, Student(line=0, user_name=name, email=email, display_name=display)


def parse(
    text: str, source: str = "roster", max_students: int = 100, reserved: dict[str, str] | None = None
) -> list[Student]:
    """Parse and validate roster text; raise KitError naming every bad line (first few shown).

    ``reserved`` maps names (case-insensitive) already taken by the kit, e.g. the administrator's
    user name or the instructor's Studio profile, to what takes them.
    """
    reserved = {k.lower(): v for k, v in (reserved or {}).items()}
    errors: list[str] = []
    students: list[Student] = []
    seen: dict[str, int] = {}
    first_data = True
    for lineno, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or all(not c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        if first_data:
            first_data = False
            if row[0].strip().lower() in HEADER_WORDS:
                continue
        problems, student = _problems_of_row(row)
        if student is not None and not problems:
            key = student.user_name.lower()
            if key in seen:
                problems.append(f"{student.user_name!r} repeats line {seen[key]} (IAM names ignore case)")
            elif key in reserved:
                problems.append(f"{student.user_name!r} is already used by {reserved[key]}")
            else:
                seen[key] = lineno
                students.append(Student(lineno, student.user_name, student.email, student.display_name))
        errors.extend(f"line {lineno}: {p}" for p in problems)
    if errors:
        more = f" (and {len(errors) - MAX_REPORTED} more)" if len(errors) > MAX_REPORTED else ""
        raise KitError(f"{source}: " + "; ".join(errors[:MAX_REPORTED]) + more)
    if not students:
        raise KitError(
            f"{source}: no students in the roster (expected lines of user_name,email[,display_name])"
        )
    if len(students) > max_students:
        raise KitError(
            f"{source}: {len(students)} students, more than max_students = {max_students} "
            f"(line {students[max_students].line} is the first one over; raise [class] max_students)"
        )
    return students


def load(path: Path, max_students: int = 100, reserved: dict[str, str] | None = None) -> list[Student]:
    """Read and validate the roster file at ``path``."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise KitError(f"roster file {path} does not exist (set [class] roster in classroom.toml)") from None
    except OSError as err:
        raise KitError(f"roster file {path} cannot be read ({err.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")  # spreadsheets often write a BOM
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise KitError(f"{path}: line {line}: not UTF-8 text; save the roster as UTF-8 CSV") from None
    return parse(text, source=str(path), max_students=max_students, reserved=reserved)


def as_terraform(students: list[Student]) -> dict[str, dict]:
    """The roster as the classroom module's ``students`` variable."""
    return {s.user_name: {"email": s.email, "display_name": s.display_name} for s in students}
