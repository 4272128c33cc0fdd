"""Billing access for IAM users: a root-only console switch, shown once as a checklist.

There is no API, CLI command or Terraform resource that turns on "IAM user and role access to
Billing information" for an existing standalone account (only Organizations' CreateAccount takes
it, at creation: IamUserAccessToBilling). The administrator's group carries the job-function
Billing policy, but until the root user activates the switch the console still denies billing
pages to IAM users. ``classroom up`` prints these steps the first time and records in the class
state (``class.json``) that they were shown.
"""

from __future__ import annotations

from pathlib import Path

from kitcore.statedir import ensure_dir, read_json, write_json
from kitcore.times import format_utc, now_utc

STATE_FILE = "class.json"
STATE_KEY = "billing_checklist_shown"

CHECKLIST = """\
Billing access for the administrator — one manual step, as the ROOT user (no API exists for it):
  [ ] 1. Sign in to https://console.aws.amazon.com/ as the account's root user (e-mail + password).
  [ ] 2. Open the account menu (top right) → Account.
  [ ] 3. Scroll to "IAM user and role access to Billing information" → Edit.
  [ ] 4. Tick "Activate IAM Access" → Update.
  [ ] 5. Sign out of root; from now on use the administrator's sign-in URL in the handout.
The Administrators group already has the Billing policy; this switch lets IAM users use it.
(Shown once; `classroom status` does not repeat it.)"""


def checklist_text() -> str:
    return CHECKLIST


def checklist_once(class_dir: Path) -> str | None:
    """The checklist the first time for this class (and record that it was shown), else None."""
    path = Path(class_dir) / STATE_FILE
    state = read_json(path, default={}) or {}
    if state.get(STATE_KEY):
        return None
    ensure_dir(Path(class_dir))
    state[STATE_KEY] = format_utc(now_utc())
    write_json(path, state)
    return CHECKLIST
