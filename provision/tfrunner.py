"""Run Terraform for one class: render the wrapper root, init / plan / apply / output / destroy.

Commands are built by python-terraform (``Terraform.generate_cmd_string``) and run here.
python-terraform's own ``apply``/``destroy``/``output`` helpers are not used: with Terraform >= 0.15
they send flags that no longer exist (``destroy()`` adds ``-force``, removed in 0.15: "flag provided
but not defined: -force"; ``synchronous=False`` becomes a bogus flag).

Quiet by default: everything Terraform prints goes to the run's log file (``log_path``), and apply /
destroy run with ``-json`` (Terraform's machine-readable UI: ``planned_change``, ``apply_start``,
``apply_complete``, ``apply_errored``, ``diagnostic`` events, one JSON object a line) so that the
terminal shows one live line, "account setup 14/17 resources". On failure the error lines and the
log's path are shown. ``stream=True`` (``classroom -v``) streams Terraform's own text instead.
Outputs (``terraform output -json``) are never logged: they hold generated passwords.

Per class, the working directory (in the state dir, mode 0700) holds:
- ``main.tf``               the wrapper root (jinja2: provider block + ``module "classroom"``);
- ``terraform.tfvars.json`` the class's variables (0600);
- ``terraformrc``           the CLI config: provider mirror (offline) and a shared plugin cache;
- ``terraform.tfstate``     local state (0600; it holds generated passwords).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import jinja2
from python_terraform import IsFlagged, Terraform

from kitcore.errors import KitError
from kitcore.statedir import (
    PROJECT_ROOT,
    ensure_dir,
    lock_down,
    read_json,
    state_root,
    write_json,
    write_private,
)
from provision import testhooks, ui

MODULE_SOURCE = PROJECT_ROOT / "terraform" / "classroom"
PROVIDER = "registry.terraform.io/hashicorp/aws"

# Every service the modules use; each is pointed at the emulator for TARGET=local.
LOCAL_SERVICES = (
    "budgets",
    "cloudwatchlogs",
    "ec2",
    "efs",
    "iam",
    "kms",
    "lambda",
    "apigatewayv2",
    "organizations",
    "resourcegroupstaggingapi",
    "s3",
    "s3control",
    "sagemaker",
    "sns",
    "sts",
)

# Places a filesystem mirror of hashicorp/aws is commonly found (the machine image's first).
MIRROR_CANDIDATES = (
    "/opt/tf-plugins",
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
)

_templates = jinja2.Environment(
    loader=jinja2.PackageLoader("provision", "templates"),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def terraform_binary() -> str:
    """The terraform executable, or one line saying how to get one."""
    configured = os.environ.get("CLASSROOM_TERRAFORM")
    path = shutil.which(configured or "terraform")
    if not path:
        where = (
            f"CLASSROOM_TERRAFORM={configured} is not an executable"
            if configured
            else "terraform is not on PATH"
        )
        raise KitError(f"{where}; install Terraform >= 1.6 or set CLASSROOM_TERRAFORM to its path")
    return path


def _has_provider(mirror: Path) -> bool:
    return (mirror / PROVIDER).is_dir() and any((mirror / PROVIDER).glob("*/*/terraform-provider-aws*"))


def find_mirror(configured: str | None = None) -> Path | None:
    """The provider mirror to use: the setting/env if given (must be valid), else a known place."""
    configured = os.environ.get("CLASSROOM_PROVIDER_MIRROR") or configured
    if configured:
        mirror = Path(configured).expanduser()
        if not _has_provider(mirror):
            raise KitError(
                f"CLASSROOM_PROVIDER_MIRROR={configured} holds no {PROVIDER} provider "
                f"(expected {PROVIDER}/<version>/<os_arch>/terraform-provider-aws_*)"
            )
        return mirror.resolve()
    for candidate in MIRROR_CANDIDATES:
        mirror = Path(candidate).expanduser()
        if _has_provider(mirror):
            return mirror.resolve()
    return None


def preflight(mirror_setting: str | None = None) -> None:
    """What Terraform needs that no AWS (and no emulator) is needed to check: the binary and, when one
    is configured, a provider mirror that holds the provider. ``up`` runs it before anything starts."""
    terraform_binary()
    find_mirror(mirror_setting)


GOGC = "400"  # Terraform's and the provider's garbage collector target (Workspace._env)


@dataclass(frozen=True)
class Provider:
    """How the wrapper root configures hashicorp/aws."""

    target: str  # "local" or "aws"
    region: str
    tags: dict[str, str]
    endpoint: str | None = None  # the emulator's URL for target "local"
    # a member account of a class of accounts: the provider assumes this role (provision/accounts)
    assume_role_arn: str | None = None

    def __post_init__(self):
        if self.target not in ("local", "aws"):
            raise KitError(f"unknown target {self.target!r}: use TARGET=local (embedded AWS) or TARGET=aws")
        if self.target == "local" and not self.endpoint:
            raise KitError("target local needs the embedded AWS's endpoint URL")

    def env(self) -> dict[str, str]:
        if self.target != "local":
            return {}
        # the provider's S3/STS clients also read these; never let a real profile leak in
        return {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_PROFILE": "",
            "AWS_MAX_ATTEMPTS": "2",
        }


def render_main(class_name: str, provider: Provider, variables: dict, module_source: Path) -> str:
    return _templates.get_template("main.tf.j2").render(
        class_name=class_name,
        target=provider.target,
        region=provider.region,
        endpoint=provider.endpoint,
        services=LOCAL_SERVICES,
        tags=provider.tags,
        assume_role_arn=provider.assume_role_arn,
        variables=sorted(variables),
        module_source=module_source.as_posix(),
    )


def render_cli_config(mirror: Path | None, plugin_cache: Path) -> str:
    return _templates.get_template("terraformrc.j2").render(
        mirror=mirror.as_posix() if mirror else None, plugin_cache=plugin_cache.as_posix()
    )


@dataclass
class Workspace:
    """One class's Terraform working directory."""

    workdir: Path
    provider: Provider
    mirror: Path | None
    stream: bool = False  # True: Terraform's own text on the terminal (``classroom -v``)
    binary: str = field(default_factory=terraform_binary)
    log_path: Path | None = None  # this run's log (default: <workdir>/logs/terraform-<time>.log)
    label: str = "terraform"  # what the live line calls an apply ("account setup")
    out: TextIO | None = None  # where the live line goes (default stderr)

    @classmethod
    def prepare(
        cls,
        workdir: Path,
        class_name: str,
        provider: Provider,
        variables: dict,
        module_source: Path = MODULE_SOURCE,
        mirror_setting: str | None = None,
        stream: bool | None = None,
        log_path: Path | None = None,
        label: str = "terraform",
    ) -> Workspace:
        """Render the wrapper root and write the variables; nothing is sent to AWS yet."""
        binary = terraform_binary()
        mirror = find_mirror(mirror_setting)
        ensure_dir(workdir)
        cache = ensure_dir(state_root() / "plugin-cache")
        # a relative source keeps the composition and its ../modules in one module package; an
        # absolute path would make Terraform treat terraform/classroom as a package of its own
        source = Path(os.path.relpath(module_source.resolve(), workdir.resolve()))
        write_private(workdir / "main.tf", render_main(class_name, provider, variables, source))
        write_json(workdir / "terraform.tfvars.json", variables)
        write_private(workdir / "terraformrc", render_cli_config(mirror, cache))
        return cls(
            workdir=workdir,
            provider=provider,
            mirror=mirror,
            stream=ui.verbose() if stream is None else stream,
            binary=binary,
            log_path=log_path,
            label=label,
        )

    # -- running ---------------------------------------------------------------------------------

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.provider.env())
        # Terraform and the provider are Go programs: every run starts the provider once per graph
        # walk (schemas, validate, plan, apply: four times in a destroy), and building its schema of
        # ~1,500 resources is mostly allocation. GOGC=400 collects garbage a quarter as often (Go's
        # runtime docs, pkg.go.dev/runtime "GOGC"; go.dev/doc/gc-guide) for ~25% less CPU per start
        # (measured: `terraform providers schema` 3.6 -> 2.7 s CPU, peak RSS 365 -> 465 MB). A GOGC
        # set by the user wins.
        env.setdefault("GOGC", GOGC)
        env.update(
            {
                "TF_CLI_CONFIG_FILE": str(self.workdir / "terraformrc"),
                "TF_IN_AUTOMATION": "1",
                "TF_INPUT": "0",
                "CHECKPOINT_DISABLE": "1",
            }
        )
        return env

    @property
    def log(self) -> Path:
        """This run's log file (created 0600 on first use)."""
        if self.log_path is None:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
            self.log_path = self.workdir / "logs" / f"terraform-{stamp}.log"
        return self.log_path

    def _open_log(self):
        ensure_dir(self.log.parent)
        fd = os.open(self.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.chmod(self.log, 0o600)
        return os.fdopen(fd, "a", buffering=1)

    def _run(
        self,
        cmd: str,
        *args: str,
        ok_codes: tuple[int, ...] = (0,),
        quiet: bool = False,
        log: bool = True,
        show_errors: bool = True,
        **options,
    ) -> tuple[int, str]:
        """Run one Terraform command; ``quiet``: never on the terminal; ``log=False``: not even in
        the log (``output``: its stdout holds secrets)."""
        tf = Terraform(working_dir=str(self.workdir), terraform_bin_path=self.binary)
        events = not self.stream and not quiet and cmd in ("apply", "destroy")
        if events:
            options["json"] = IsFlagged
        argv = tf.generate_cmd_string(cmd, *args, no_color=IsFlagged, **options)
        started = time.monotonic()
        logfile = self._open_log() if log else None
        if logfile:
            now = dt.datetime.now(dt.UTC)
            logfile.write(f"\n# {now:%Y-%m-%dT%H:%M:%SZ} terraform {' '.join(argv[1:])}\n")
        live = _Progress(self.label, cmd, ui.LiveLine(self.out)) if events else None
        proc = subprocess.Popen(
            argv,
            cwd=self.workdir,
            env=self._env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        out_lines: list[str] = []
        err_lines: list[str] = []
        lock = threading.Lock()

        def pump(src, sink, is_err):
            for line in src:
                if live is not None and not is_err:
                    text = live.feed(line)  # the event's human text (and its diagnostic lines)
                else:
                    text = [line.rstrip("\n")]
                with lock:
                    sink.extend(t + "\n" for t in text)
                    if logfile:
                        for t in text:
                            logfile.write(f"{time.monotonic() - started:6.1f}s {t}\n")
                if self.stream and not quiet:
                    print(line, end="", file=sys.stderr if is_err else sys.stdout, flush=True)

        threads = [
            threading.Thread(target=pump, args=(proc.stdout, out_lines, False)),
            threading.Thread(target=pump, args=(proc.stderr, err_lines, True)),
        ]
        for t in threads:
            t.start()
        try:
            code = proc.wait()
        except KeyboardInterrupt:
            # Terraform handles SIGINT itself (it finishes the in-flight calls and saves state)
            code = proc.wait()
            raise
        finally:
            for t in threads:
                t.join()
            if logfile:
                logfile.write(f"# exit code {proc.returncode} after {time.monotonic() - started:.1f} s\n")
                logfile.close()
            lock_down(self.workdir)
        if code not in ok_codes:
            if live is not None:
                live.line.clear()
            lines = err_lines + out_lines
            if cmd != "init" and _needs_init(lines):
                raise _NeedsInit(cmd)
            if show_errors and (quiet or not self.stream):  # (a streamed run showed them already)
                for shown in _error_lines(lines):
                    print(f"  | {shown}", file=self.out or sys.stderr, flush=True)
            where = f" (full log: {self.log})" if log else ""
            raise KitError(f"terraform {cmd} failed: {_first_error(lines, cmd, self)}{where}")
        if live is not None:
            live.finish()
        return code, "".join(out_lines)

    @property
    def initialised(self) -> bool:
        return (
            (self.workdir / ".terraform" / "modules" / "modules.json").exists()
            and (self.workdir / ".terraform" / "providers").exists()
            and (self.workdir / ".terraform.lock.hcl").exists()
        )

    def init(self, force: bool = False) -> None:
        """``terraform init`` unless the directory is initialised already (``force``: always).

        An initialised directory is not initialised again (1-4 s per command): when the kit's
        modules changed since, the command itself says so and is run once more after an init."""
        if self.initialised and not force:
            return
        self._run("init", input=False, upgrade=False, quiet=not self.stream or self.initialised)
        cache = state_root() / "plugin-cache"
        if cache.exists():
            lock_down(cache)  # Terraform creates its folders 0755

    def _run_initialised(self, cmd: str, *args: str, **options) -> tuple[int, str]:
        try:
            return self._run(cmd, *args, **options)
        except _NeedsInit:
            self.init(force=True)
            return self._run(cmd, *args, **options)

    def apply(self) -> None:
        """``terraform apply``; applied again (after a pause) when S3 refused the public bucket policy
        right after the bucket's block-public-access flags were relaxed. AWS can answer AccessDenied
        for a short while then (known advice: wait and retry), and the provider retries PutBucketPolicy
        only on MalformedPolicy and NoSuchBucket (hashicorp/terraform-provider-aws
        internal/service/s3/bucket_policy.go, resourceBucketPolicyPut), so the first ``make up`` would
        otherwise fail half-way. The second apply only creates what is still missing."""
        waits = list(POLICY_RETRY_WAITS_S)
        while True:
            try:
                self._run_initialised("apply", input=False, auto_approve=IsFlagged)
                return
            except KitError as err:
                if not waits or not _POLICY_RACE.search(str(err)):
                    raise
                wait = waits.pop(0)
                print(
                    f"  S3 refused the public bucket policy right after its public access block was "
                    f"relaxed (AWS needs a moment); applying again in {wait:.0f} s",
                    file=self.out or sys.stderr,
                    flush=True,
                )
                time.sleep(wait)

    def plan_has_changes(self) -> bool:
        """True if a plan against the real (or emulated) account would change anything."""
        code, _ = self._run_initialised(
            "plan", input=False, detailed_exitcode=IsFlagged, ok_codes=(0, 2), quiet=True
        )
        return code == 2

    def destroy(self, refresh: bool = True, show_errors: bool = True) -> None:
        """``terraform destroy``; ``refresh=False`` skips the refresh walk (one provider start and a
        read of every resource: only for a state the caller has just checked)."""
        options = {} if refresh else {"refresh": "false"}
        self._run_initialised(
            "destroy", input=False, auto_approve=IsFlagged, show_errors=show_errors, **options
        )

    def state_rm(self, addresses: list[str]) -> None:
        """Forget resources that are proven gone (no AWS call; the previous state is kept as the
        backup). Done in the state file itself when it is format 4 and holds every address: what
        ``terraform state rm`` does for the local backend (drop the instances, bump the serial, keep
        the lineage), without a Terraform start that loads the configuration (~1 s of CPU, 3-5 s on
        a loaded machine). Anything else goes to ``terraform state rm``."""
        if addresses and not forget_in_state(self.state_file, addresses):
            self._run_initialised("state rm", *addresses, quiet=True)

    def outputs(self) -> dict:
        """The composition's outputs as one dict (sensitive values included: never print them).

        Read from the local state (the ``outputs`` of state format 4: what ``terraform output -json``
        prints, without starting Terraform)."""
        data = read_json(self.state_file, default={}) or {}
        if "outputs" in data:
            return (data["outputs"].get("classroom") or {}).get("value") or {}
        _, out = self._run("output", "classroom", json=IsFlagged, ok_codes=(0, 1), quiet=True, log=False)
        try:
            return json.loads(out) if out.strip() else {}
        except json.JSONDecodeError:
            return {}

    @property
    def state_file(self) -> Path:
        return self.workdir / "terraform.tfstate"


class _Progress:
    """Counts Terraform's ``-json`` events into one live line; returns each event's human text.

    The JSON UI (Terraform >= 0.15.3, ``ui`` 1.x): ``planned_change`` once per resource instance in
    the plan, ``apply_complete`` / ``apply_errored`` once per instance done, ``refresh_complete``
    while the plan reads the current state, ``diagnostic`` for warnings and errors.
    """

    def __init__(self, label: str, cmd: str, line: ui.LiveLine) -> None:
        self.label, self.cmd, self.line = label, cmd, line
        self.planned: set[str] = set()
        self.done: set[str] = set()
        self.refreshed = self.errored = 0
        self.summary = ""

    def _draw(self) -> None:
        if self.planned:
            self.line.update(f"{self.label} {len(self.done)}/{len(self.planned)} resources")
        else:
            self.line.update(f"{self.label}: reading {self.refreshed} resources")

    def feed(self, raw: str) -> list[str]:
        try:
            event = json.loads(raw)
        except json.JSONDecodeError:
            return [raw.rstrip("\n")]
        if not isinstance(event, dict):
            return [raw.rstrip("\n")]
        kind = event.get("type", "")
        message = str(event.get("@message", ""))
        text = [message]
        # data sources read during the apply also send apply_complete: count the plan's resources
        addr = ((event.get("change") or event.get("hook") or {}).get("resource") or {}).get("addr", "")
        if kind == "planned_change" and (event.get("change") or {}).get("action") != "read":
            self.planned.add(addr)
        elif kind == "refresh_complete":
            self.refreshed += 1
        elif kind == "apply_complete" and addr in self.planned:
            self.done.add(addr)
            testhooks.record(f"terraform:{addr}")  # crash-point tests count it as an AWS call
        elif kind == "apply_errored":
            self.done.add(addr)
            self.errored += 1
        elif kind == "change_summary" and event.get("changes", {}).get("operation") != "plan":
            self.summary = message
        elif kind == "diagnostic":
            diag = event.get("diagnostic") or {}
            head = f"{diag.get('severity', 'error').capitalize()}: {diag.get('summary', message)}"
            text = [head]
            if diag.get("address"):
                text.append(f"  with {diag['address']}")
            text += [f"  {ln}" for ln in str(diag.get("detail", "")).splitlines() if ln.strip()]
        elif kind == "outputs":
            text = ["Outputs: (not logged)"]
        self._draw()
        return text

    def finish(self) -> None:
        if self.planned:
            counted = f"{len(self.done)}/{len(self.planned)} resources"
        else:
            counted = "no changes"
        self.line.close(f"{self.label} {counted}")


class _NeedsInit(KitError):
    """The working directory must be initialised again (the kit's modules changed)."""


# Terraform's messages when the configuration needs `terraform init` (module or provider changes)
NEEDS_INIT = (
    "Module not installed",
    "Module source has changed",
    "Module version requirements have changed",
    "Required plugins are not installed",
    "Inconsistent dependency lock file",
    'please run "terraform init"',
)


def _needs_init(lines: list[str]) -> bool:
    text = " ".join(lines)
    return any(marker in text for marker in NEEDS_INIT)


def _error_lines(lines: list[str], limit: int = 12) -> list[str]:
    """The lines from the first ``Error:`` on (what the terminal shows of a failed run)."""
    text = [ln.rstrip() for ln in lines if ln.strip()]
    starts = [i for i, t in enumerate(text) if t.lstrip("│ ").startswith("Error:")]
    if not starts:
        return text[-limit:]
    return text[starts[0] : starts[0] + limit]


def state_damaged(state_file: Path) -> bool:
    """True when the state file exists but is not a state (empty or cut short): Terraform's local
    backend truncates the file before writing it, so a kill at that moment leaves it so."""
    try:
        text = state_file.read_text()
    except FileNotFoundError:
        return False
    try:
        return not isinstance(json.loads(text), dict)
    except ValueError:
        return True


def repair_state(workdir: Path, names_recorded: bool = False) -> bool:
    """Put Terraform's own backup (the previous snapshot) in place of a damaged terraform.tfstate; the
    damaged file is kept beside it. True if a repair was made. Resources created after that snapshot
    are not in it.

    Without a usable backup the kill came while the first apply saved its state for the first time
    (the local backend keeps the previous file as the backup from the second write on), so the state
    held nothing earlier. With ``names_recorded`` (the kit recorded, before that apply, the names it
    may create: provision/teardown/ledger.py) the teardown finds what that apply created without the
    state: the damaged file is set aside and the state starts empty. Otherwise it is an error."""
    state = workdir / "terraform.tfstate"
    if not state_damaged(state):
        return False
    backup = workdir / "terraform.tfstate.backup"
    if not backup.exists() or state_damaged(backup):
        if names_recorded:
            import time

            state.rename(workdir / f"terraform.tfstate.damaged-{time.strftime('%Y%m%dT%H%M%S')}")
            return True
        raise KitError(
            f"the class's Terraform state {state} is damaged (empty or cut short: a Terraform "
            "run was killed while writing it) and has no usable backup; what that run created "
            "is not recorded anywhere — find it by its classroom tag"
        )
    import time

    state.rename(workdir / f"terraform.tfstate.damaged-{time.strftime('%Y%m%dT%H%M%S')}")
    write_private(state, backup.read_text())
    return True


def state_address(res: dict, inst: dict) -> str:
    """A resource instance's address as Terraform prints it: ``module.a.module.b.type.name[key]``."""
    key = inst.get("index_key")
    index = "" if key is None else (f"[{key}]" if isinstance(key, int) else f"[{json.dumps(key)}]")
    module = f"{res['module']}." if res.get("module") else ""
    return f"{module}{res['type']}.{res['name']}{index}"


def forget_in_state(state_file: Path, addresses: list[str]) -> bool:
    """Remove the managed instances at ``addresses`` from a local state file of format 4 (a resource
    left without instances goes too), bump its serial and keep the old file as
    ``terraform.tfstate.backup``. False, touching nothing, when the file is not format 4 or an
    address is not in it (then Terraform's own ``state rm`` decides and reports)."""
    try:
        text = state_file.read_text()
        data = json.loads(text)
    except (OSError, ValueError):
        return False
    if not isinstance(data, dict) or data.get("version") != 4 or not isinstance(data.get("serial"), int):
        return False
    wanted = set(addresses)
    found: set[str] = set()
    kept = []
    for res in data.get("resources") or []:
        instances = res.get("instances") or []
        if res.get("mode") == "managed":
            gone = [i for i in instances if state_address(res, i) in wanted]
            found.update(state_address(res, i) for i in gone)
            instances = [i for i in instances if i not in gone]
            if not instances:
                continue
        kept.append({**res, "instances": instances})
    if found != wanted:
        return False
    write_private(state_file.with_name(state_file.name + ".backup"), text)
    write_private(
        state_file, json.dumps({**data, "serial": data["serial"] + 1, "resources": kept}, indent=2) + "\n"
    )
    return True


def resources_in_state(state_file: Path) -> list[dict]:
    """Managed resources recorded in a local state file (no Terraform run, no AWS call):
    module, type, name (with its index key) and id (or ARN) of every instance."""
    if state_damaged(state_file):  # something is recorded there that cannot be read: not nothing
        return [{"module": "", "type": "damaged_state", "name": state_file.name, "id": str(state_file)}]
    data = read_json(state_file, default={}) or {}
    found = []
    for res in data.get("resources", []):
        if res.get("mode") != "managed":
            continue
        for inst in res.get("instances", []):
            attrs = inst.get("attributes") or {}
            found.append(
                {
                    "module": res.get("module", ""),
                    "type": res["type"],
                    "name": res["name"] + (f"[{inst['index_key']!r}]" if "index_key" in inst else ""),
                    "id": attrs.get("id") or attrs.get("arn") or "",
                }
            )
    return found


# the provider's error for a refused public bucket policy (PutBucketPolicy, 403 AccessDenied)
_POLICY_RACE = re.compile(r"Policy.*PutBucketPolicy.*AccessDenied", re.S)
POLICY_RETRY_WAITS_S = (5.0, 10.0, 20.0)


def _first_error(lines: list[str], cmd: str, ws: Workspace) -> str:
    text = [line.strip() for line in lines if line.strip()]
    errors = [t for t in text if t.startswith("Error:")]
    joined = " ".join(text)
    if cmd == "init" and (
        "Failed to query available provider packages" in joined
        or "could not connect to registry" in joined
        or "Failed to install provider" in joined
    ):
        if ws.mirror is None:
            return (
                "no hashicorp/aws provider could be installed: the registry is unreachable and no "
                "filesystem mirror was found; set CLASSROOM_PROVIDER_MIRROR to a mirror directory"
            )
        first = errors[0] if errors else ""
        return f"the provider mirror {ws.mirror} does not satisfy the configuration ({first})"
    if errors:
        idx = text.index(errors[0])
        detail = " ".join(text[idx + 1 : idx + 3])
        return f"{errors[0][6:].strip()} {detail}".strip()
    return text[-1] if text else "no output"
