"""The quiet progress lines (provision/ui.py LiveLine, `classroom train`'s LiveJobs) on a terminal:
one physical line rewritten in place (a wrapped line cannot be rewritten with a carriage return), the
jobs' states without resource names; piped, only the closing line."""

from __future__ import annotations

import io

from provision.commands.train import LiveJobs


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _jobs(out: io.StringIO) -> LiveJobs:
    live = LiveJobs(["rainfall", "credit", "spam"])
    live.line.out, live.line.tty, live.line.min_interval = out, out.isatty(), 0
    return live


def test_live_jobs_fit_one_terminal_line_and_close_with_the_count(monkeypatch):
    monkeypatch.setenv("COLUMNS", "70")
    out = _Terminal()
    live = _jobs(out)
    live("credit", "training credit-20261206-061325-20261206061345")
    live("spam", "batch transform spam-m0-1206-061627-9788ab-bt-1206-061627-44a86c")
    live("rainfall", "ok in 28 s: RMSE 7.266  MAE 2.941")
    live.close()
    drawn = [part for part in out.getvalue().split("\r\x1b[2K") if part]
    assert drawn[-1] == "jobs: 1/3 ok · 0 s\n"
    assert all(len(line) <= 70 for line in drawn[:-1]), drawn
    assert drawn[0].startswith("jobs: rainfall waiting · credit training · spam waiting")
    assert drawn[1].startswith("jobs: rainfall waiting · credit training · spam b") and "…" in drawn[1]
    assert not any("20261206" in line for line in drawn)


def test_piped_only_the_closing_line_is_written():
    out = io.StringIO()
    live = _jobs(out)
    live("spam", "tuning 5/20 done")
    live("spam", "ok in 200 s: tuned accuracy 0.979")
    live.close()
    assert out.getvalue() == "jobs: 1/3 ok · 0 s\n"
