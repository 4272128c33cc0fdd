"""Status transitions that take time, like AWS's (Pending → InService, Deleting → Deleted).

A resource's status is computed when a client reads it: a transition completes once its delay has
passed *and* a client has seen the intermediate status at least once (when the delay is not zero).
So a client that creates an app and describes it at once always sees ``Pending`` first, however fast
or slow the machine is, and a poller sees it change after the delay. Internal checks (e.g. "has this
profile any app not yet Deleted?") look at the status without counting as a client seeing it.

Delays come from the emulator process's environment (seconds, floats):

- ``KIT_EMULATOR_APP_PENDING_S``   Pending → InService of a Studio app (default 0.5)
- ``KIT_EMULATOR_APP_DELETING_S``  Deleting → Deleted of a Studio app (default 0.5)
- ``KIT_EMULATOR_APP_RETENTION_S`` how long a Deleted app stays listed (default 900, AWS: a while)
- ``KIT_EMULATOR_STUDIO_DELAY_S``  Pending → InService and Deleting → gone of domains, user
  profiles and spaces (default 0: at once, no intermediate status)
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field


def _env_seconds(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        return default
    return max(0.0, value)


@dataclass(frozen=True)
class Delays:
    """The emulator's timing knobs, read once per backend."""

    app_pending_s: float = 0.5
    app_deleting_s: float = 0.5
    app_retention_s: float = 900.0
    studio_s: float = 0.0

    @classmethod
    def from_env(cls) -> Delays:
        return cls(
            app_pending_s=_env_seconds("KIT_EMULATOR_APP_PENDING_S", cls.app_pending_s),
            app_deleting_s=_env_seconds("KIT_EMULATOR_APP_DELETING_S", cls.app_deleting_s),
            app_retention_s=_env_seconds("KIT_EMULATOR_APP_RETENTION_S", cls.app_retention_s),
            studio_s=_env_seconds("KIT_EMULATOR_STUDIO_DELAY_S", cls.studio_s),
        )


@dataclass
class Lifecycle:
    """One resource's status: a current status and, optionally, a pending transition.

    ``clock`` is injectable so the transition logic can be checked without sleeping.
    """

    status: str
    clock: object = field(default=time.monotonic, repr=False)
    _target: str | None = None
    _due: float = 0.0
    _seen: bool = True
    _settled_at: float = field(default=0.0)

    def __post_init__(self) -> None:
        self._settled_at = self.clock()  # type: ignore[operator]

    def move(self, intermediate: str, target: str, delay_s: float) -> None:
        """Enter ``intermediate`` now and reach ``target`` after ``delay_s`` (once seen)."""
        if delay_s <= 0:
            self.status = target
            self._target = None
            self._settled_at = self.clock()  # type: ignore[operator]
            return
        self.status = intermediate
        self._target = target
        self._due = self.clock() + delay_s  # type: ignore[operator]
        self._seen = False

    def peek(self) -> str:
        """The status now, without counting as a client having seen it."""
        self._advance()
        return self.status

    def observe(self) -> str:
        """The status a client sees now (marks the intermediate status as seen)."""
        self._advance()
        self._seen = True
        return self.status

    def settled_for(self) -> float:
        """Seconds since the last transition completed (0 while one is under way)."""
        self._advance()
        if self._target is not None:
            return 0.0
        return self.clock() - self._settled_at  # type: ignore[operator]

    def _advance(self) -> None:
        if self._target is None:
            return
        now = self.clock()  # type: ignore[operator]
        if self._seen and now >= self._due:
            self.status = self._target
            self._target = None
            self._settled_at = now
