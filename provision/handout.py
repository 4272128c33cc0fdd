"""Credential handouts: one CSV per user, like the console's "Download .csv", mode 0600.

Written from the classroom composition's outputs after ``classroom up`` into
``<class dir>/handouts/``: ``<user>.csv`` for the administrator and for each student, plus
``all-students.csv`` for the instructor to distribute. Secrets only ever go to these files; this
module never prints them. When a PGP key was set, the password and secret columns hold the
base64 PGP-encrypted values instead (decrypt with ``base64 -d | gpg -d``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from kitcore.errors import KitError
from kitcore.statedir import ensure_dir, write_private

HEADER = [
    "User name",
    "Password",
    "Access key ID",
    "Secret access key",
    "Console sign-in URL",
    "Studio user profile",
    "E-mail",
    "Display name",
    "Encrypted with PGP",
]
ALL_STUDENTS = "all-students.csv"


def _csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buf.getvalue()


def _safe_file_name(user: str) -> str:
    if not user or "/" in user or user.startswith("."):
        raise KitError(f"cannot write a handout for user name {user!r}")
    return f"{user}.csv"


def _admin_row(outputs: dict, url: str) -> list[str] | None:
    admin = outputs.get("admin") or {}
    user = admin.get("user_name")
    if not user:
        return None
    secrets = outputs.get("admin_secrets") or {}
    encrypted = bool(admin.get("encrypted_password"))
    password = admin.get("encrypted_password") if encrypted else secrets.get("password")
    secret = admin.get("encrypted_secret") if encrypted else secrets.get("access_key_secret")
    return [
        user,
        password or "",
        admin.get("access_key_id") or "",
        secret or "",
        url,
        outputs.get("instructor_profile_name") or "",
        "",
        "instructor",
        "yes" if encrypted else "no",
    ]


def _student_rows(outputs: dict, url: str) -> list[list[str]]:
    students = outputs.get("students") or {}
    passwords = outputs.get("student_passwords") or {}
    encrypted = outputs.get("student_encrypted_passwords") or {}
    rows = []
    for user in sorted(students):
        info = students[user] or {}
        enc = encrypted.get(user)
        password = enc if enc else passwords.get(user)
        rows.append(
            [
                user,
                password or "",
                "",
                "",
                url,
                info.get("studio_profile_name") or "",
                info.get("email") or "",
                info.get("display_name") or "",
                "yes" if enc else "no",
            ]
        )
    return rows


def write_handouts(class_dir: Path, outputs: dict) -> list[Path]:
    """Write the handouts (0600) and return their paths; handouts of removed students are deleted."""
    url = outputs.get("sign_in_url") or ""
    folder = ensure_dir(Path(class_dir) / "handouts")
    written: list[Path] = []
    if row := _admin_row(outputs, url):
        written.append(write_private(folder / _safe_file_name(row[0]), _csv([row])))
    student_rows = _student_rows(outputs, url)
    for row in student_rows:
        written.append(write_private(folder / _safe_file_name(row[0]), _csv([row])))
    if student_rows:
        written.append(write_private(folder / ALL_STUDENTS, _csv(student_rows)))
    keep = {p.name for p in written}
    for stale in folder.glob("*.csv"):
        if stale.name not in keep:
            stale.unlink()
    return written
