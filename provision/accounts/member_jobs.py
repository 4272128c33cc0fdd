"""Jobs in a member account: ``classroom train JOB --account MEMBER`` and ``classroom deploy JOB --account
MEMBER`` (a class of accounts).

An instructor runs the lesson's job in one student's (or team's) account — to show it, or to check that
the account works — from the management account, as for `up` and `down`: the kit assumes the access role
(``OrganizationAccountAccessRole``) in that account and the job runs with that account's execution role
and models bucket (``accounts/<member>/outputs.json``), so everything it makes (training job, model,
endpoint, S3 objects, logs) lands in the member's account and that account's teardown removes it. The
job's record (``jobs/<job>/last.json``, for `deploy`) lives in the member's folder, so a later
``deploy --account`` finds it. One account per command: a training per account for a whole class is
one command per member (and one bill per account), which the instructor chooses, not the kit.

The jobs package stays unaware of accounts: it gets the bucket, the role and a boto3 session factory
(``jobs.sdk.Account.session``) whose credentials renew themselves before they expire
(:func:`provision.accounts.state.member_credentials`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import boto3

from kitcore.errors import KitError
from kitcore.statedir import read_json
from provision.accounts import state


@dataclass
class MemberTarget:
    member: str
    account_id: str
    class_dir: Path
    region: str
    credentials: object

    def session(self) -> boto3.session.Session:
        return state.session_with(self.credentials, self.region)

    def outputs(self) -> dict:
        return read_json(self.class_dir / "outputs.json", default={}) or {}


def find_member(settings, wanted: str) -> tuple[str, str]:
    """(member, account id) for ``--account``: a member's name (student user name or team-NN) or its
    account id, from accounts.json; one clear error otherwise (before anything is created)."""
    if not settings.accounts.multi:
        raise KitError(
            f"--account is for a class of accounts; {settings.source} has [class] accounts = "
            f'"{settings.accounts.mode}" (one account: leave --account out)'
        )
    members = state.load(settings).get("members", {})
    for member, rec in sorted(members.items()):
        if wanted in (member, rec.get("account_id")):
            if rec.get("released"):
                raise KitError(
                    f"member {member!r}: its account {rec['account_id']} was released at `classroom down` "
                    f"({rec['released']}); run `classroom up` first"
                )
            return member, rec["account_id"]
    known = ", ".join(sorted(members)) or "none yet: run `classroom up` first"
    raise KitError(f"--account {wanted!r} is not a member account of class {settings.class_name!r} ({known})")


def member_target(settings, wanted: str) -> MemberTarget:
    """Credentials in the member's account (the caller must be the class's management account, checked
    by the caller with ``classroom.check_account``)."""
    member, account_id = find_member(settings, wanted)
    creds = state.member_credentials(account_id, settings.accounts.access_role, settings.region)
    target = MemberTarget(member, account_id, state.member_dir(settings, member), settings.region, creds)
    got = target.session().client("sts").get_caller_identity()["Account"]
    if got != account_id:  # the role is in another account than recorded: never act there
        raise KitError(
            f"the access role for member {member!r} acts in account {got}, not {account_id} "
            "(accounts.json); refusing to run anything"
        )
    return target
