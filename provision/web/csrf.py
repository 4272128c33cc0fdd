"""CSRF protection without an extra dependency: a random token per browser session.

The token lives in Flask's signed session cookie (HttpOnly, SameSite=Strict, signed with a key that
exists only in the serving process) and is repeated in a hidden field of every form. A POST whose
field does not match the session's token is refused before anything else happens.
"""

from __future__ import annotations

import hmac
import secrets

from flask import session

SESSION_KEY = "csrf"
FIELD = "csrf_token"


def token() -> str:
    """This session's token (created on first use)."""
    value = session.get(SESSION_KEY)
    if not isinstance(value, str) or len(value) < 32:
        value = secrets.token_urlsafe(32)
        session[SESSION_KEY] = value
    return value


def valid(submitted: str | None) -> bool:
    expected = session.get(SESSION_KEY)
    if not isinstance(expected, str) or not isinstance(submitted, str) or not submitted:
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())
