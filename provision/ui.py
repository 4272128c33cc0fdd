"""What the instructor sees: quiet by default, everything with ``-v/--verbose``.

Quiet: a long step (Terraform's apply or destroy) is one live line on a terminal ("account setup
14/17 resources · 6 s"), rewritten in place, and one closing line; piped into a file or a CI log
only the closing line is written. Terraform's own text always goes to a log file per run under the
class's state folder (see :mod:`provision.tfrunner`); on failure the error lines from it are shown
with the log's path.

Verbose (``classroom -v …`` or ``CLASSROOM_VERBOSE=1``): Terraform's text streams as it comes.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from typing import TextIO

VERBOSE_ENV = "CLASSROOM_VERBOSE"


def verbose() -> bool:
    return os.environ.get(VERBOSE_ENV, "").strip().lower() not in ("", "0", "false", "no")


def set_verbose(on: bool) -> None:
    if on:
        os.environ[VERBOSE_ENV] = "1"


class LiveLine:
    """One line that is rewritten while a step runs (on a terminal) and closed once at the end."""

    def __init__(self, out: TextIO | None = None, min_interval: float = 0.1) -> None:
        self.out = out if out is not None else sys.stderr
        self.tty = bool(getattr(self.out, "isatty", lambda: False)())
        self.started = time.monotonic()
        self.min_interval = min_interval
        self._last_draw = 0.0
        self._text = ""
        self.closed = False

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def update(self, text: str, force: bool = False) -> None:
        """Show ``text`` (a terminal only; throttled so that a burst of events costs nothing)."""
        self._text = text
        if not self.tty or self.closed:
            return
        now = time.monotonic()
        if not force and now - self._last_draw < self.min_interval:
            return
        self._last_draw = now
        # one physical line, or the carriage return rewrites only its last part
        room = max(20, shutil.get_terminal_size((80, 24)).columns - 10)
        shown = text if len(text) <= room else text[: room - 1] + "…"
        self.out.write(f"\r\x1b[2K{shown} · {self.elapsed():.0f} s")
        self.out.flush()

    def close(self, text: str | None = None) -> None:
        """The closing line (always written, terminal or not)."""
        if self.closed:
            return
        self.closed = True
        final = text if text is not None else self._text
        prefix = "\r\x1b[2K" if self.tty else ""
        self.out.write(f"{prefix}{final} · {self.elapsed():.0f} s\n")
        self.out.flush()

    def clear(self) -> None:
        """Remove the live line without a closing line (before an error is printed)."""
        if self.closed:
            return
        self.closed = True
        if self.tty:
            self.out.write("\r\x1b[2K")
            self.out.flush()
