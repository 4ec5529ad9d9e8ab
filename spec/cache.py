"""A cache, in the user's cache directory, of what is derived from the spec files.

Parsing ``wml.yaml`` with PyYAML takes most of a second; unmarshalling the same document takes
milliseconds. Every entry is keyed by a SHA-256 of everything its value depends on (the spec
file's bytes, the Python, PyYAML or connexion versions, this module's format number), so a
changed spec or an upgraded library simply misses and computes afresh: nothing is ever
invalidated by hand. A file that cannot be read, is truncated, or whose checksum does not match
is ignored (and replaced on the next write); a cache directory that cannot be written is no
error either. Values are ``marshal``-led (plain data only: no code is ever loaded from the cache).

Where: ``$MLMOCK_CACHE_DIR/spec`` if set, else ``$XDG_CACHE_HOME/mlmock/spec`` (``~/.cache``).
``MLMOCK_SPEC_CACHE=0`` turns the cache off.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import marshal
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

FORMAT = 1
MAGIC = b"mlmock-spec-cache 1\n"
# Entries of one name kept side by side (several checkouts of different specs share the directory).
KEEP = 8
_MISSING = object()


def directory() -> Path | None:
    """The cache directory, or None when the cache is off."""
    if os.environ.get("MLMOCK_SPEC_CACHE", "1").strip().lower() in ("0", "false", "no", "off"):
        return None
    explicit = os.environ.get("MLMOCK_CACHE_DIR")
    if explicit:
        return Path(explicit) / "spec"
    base = os.environ.get("XDG_CACHE_HOME") or ""
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "mlmock" / "spec"


def key(*parts: bytes | str) -> str:
    """A digest of ``parts`` (and of the cache format and the Python version)."""
    digest = hashlib.sha256(f"{FORMAT}\0{sys.version}\0".encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def _file(name: str, digest: str) -> Path | None:
    where = directory()
    return None if where is None else where / f"{name}-{digest[:32]}.bin"


def load(name: str, digest: str, default: Any = None) -> Any:
    """The value stored under ``name`` and ``digest``, or ``default`` (missing, corrupt, or off)."""
    path = _file(name, digest)
    if path is None:
        return default
    try:
        raw = path.read_bytes()
    except OSError:
        return default
    head = len(MAGIC)
    checksum, payload = raw[head:head + 32], raw[head + 32 + 64:]
    if (raw[:head] != MAGIC or raw[head + 32:head + 32 + 64] != digest.encode()
            or hashlib.sha256(payload).digest() != checksum):
        return default
    try:
        return marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return default


def store(name: str, digest: str, value: Any) -> bool:
    """Keep ``value`` under ``name`` and ``digest``; False when it could not be (off, unwritable,
    or a value marshal cannot hold)."""
    path = _file(name, digest)
    if path is None:
        return False
    try:
        payload = marshal.dumps(value)
    except ValueError:
        return False
    data = MAGIC + hashlib.sha256(payload).digest() + digest.encode() + payload
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{name}-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)  # atomic: a reader sees the old file or the new one
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        _prune(path.parent, name)
    except OSError:
        return False
    return True


def _prune(where: Path, name: str) -> None:
    entries = sorted(where.glob(f"{name}-*.bin"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in entries[KEEP:]:
        with contextlib.suppress(OSError):
            stale.unlink()


def parse_yaml(path: Path) -> tuple[Any, str]:
    """The YAML document at ``path`` (as ``yaml.safe_load`` of the file opened as UTF-8 text
    reads it) and the digest of its bytes; from the cache when the same bytes were parsed before."""
    data = path.read_bytes()
    digest = key(data, "yaml", yaml.__version__)
    name = "yaml-" + path.stem
    document = load(name, digest, _MISSING)
    if document is _MISSING:
        document = yaml.safe_load(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
        store(name, digest, document)
    return document, digest
