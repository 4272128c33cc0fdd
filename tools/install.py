"""Install the kit into a virtualenv: uv when it can be had (a drop-in, several times faster than
pip), pip otherwise. Run by `make setup` with the virtualenv's own python:

    .venv/bin/python tools/install.py -c constraints.txt -e '.[emulator,dev]'

uv does not read pip's configuration (pip.conf files, PIP_* variables), so the settings that decide
WHERE packages come from are read from `pip config list` and passed to uv as options: index-url,
extra-index-url, find-links, no-index, constraint, trusted-host, cert, default-timeout. Nothing of
any machine is written here; with no pip configuration uv gets no extra option. pip's "best version
across all indexes" is kept (uv's --index-strategy unsafe-best-match), so both installers choose the
same releases; constraints.txt stays the lock for both.

Falls back to `pip install` (same arguments) when uv cannot be installed or its install fails.
Stdlib only: it runs before anything is installed.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

UV_VERSION = "0.13.9"  # overridden by a `uv==` pin in the constraints file when there is one


def pip_config() -> dict[str, str]:
    """`pip config list` as {option: value}, the most specific scope winning (env over files);
    option names without their scope ("global.find-links" and ":env:.find-links" -> "find-links")."""
    try:
        out = subprocess.run(
            [sys.executable, "-m", "pip", "config", "list"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    ranked: dict[str, tuple[int, str]] = {}
    for line in out.splitlines():
        key, sep, value = line.partition("=")
        if not sep:
            continue
        scope, _, option = key.rpartition(".")
        # pip's own precedence: environment > [install] section > [global] section
        rank = 2 if scope.startswith(":env:") else 1 if scope == "install" else 0
        try:
            value = shlex.split(value)[0] if value.strip() else ""
        except ValueError:
            value = value.strip("'\"")
        if option not in ranked or rank >= ranked[option][0]:
            ranked[option] = (rank, value)
    return {k: v for k, (_, v) in ranked.items()}


def uv_options(config: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """uv's command-line options and environment for pip's configuration."""
    args, env = ["--index-strategy", "unsafe-best-match"], {}
    if config.get("index-url"):
        args += ["--index-url", config["index-url"]]
    for url in config.get("extra-index-url", "").split():
        args += ["--extra-index-url", url]
    for place in config.get("find-links", "").split():
        args += ["--find-links", place]
    for path in config.get("constraint", "").split():
        args += ["-c", path]
    for host in config.get("trusted-host", "").split():
        args += ["--allow-insecure-host", host]
    if config.get("no-index", "").lower() in ("1", "true", "yes", "on"):
        args.append("--no-index")
    if config.get("cert"):
        env["SSL_CERT_FILE"] = config["cert"]
    if config.get("default-timeout"):
        env["UV_HTTP_TIMEOUT"] = config["default-timeout"].split(".")[0]
    if config.get("proxy"):
        env.setdefault("HTTPS_PROXY", config["proxy"])
        env.setdefault("HTTP_PROXY", config["proxy"])
    return args, env


def uv_pin(pip_args: list[str]) -> str:
    """`uv==X` from the first constraints file given that pins uv, else the default above."""
    for flag, value in zip(pip_args, pip_args[1:], strict=False):
        if flag in ("-c", "--constraint") and Path(value).is_file():
            for line in Path(value).read_text().splitlines():
                if line.split("#")[0].strip().lower().startswith("uv=="):
                    return line.split("#")[0].strip()
    return f"uv=={UV_VERSION}"


def pip(pip_args: list[str]) -> int:
    return subprocess.call(
        [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", *pip_args]
    )


def main(pip_args: list[str]) -> int:
    if os.environ.get("KIT_INSTALLER", "uv") == "pip":
        return pip(pip_args)
    uv = Path(sys.executable).with_name("uv")
    if not uv.is_file():
        if pip([uv_pin(pip_args)]) != 0 or not uv.is_file():
            print("note: uv could not be installed; installing with pip (slower)", file=sys.stderr)
            return pip(pip_args)
    args, env = uv_options(pip_config())
    cmd = [str(uv), "pip", "install", "--quiet", "--python", sys.executable, *args, *pip_args]
    if subprocess.call(cmd, env={**os.environ, **env}) == 0:
        return 0
    print("note: the install with uv failed (above); installing with pip instead", file=sys.stderr)
    return pip(pip_args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
