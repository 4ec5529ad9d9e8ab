"""HAR 1.2 (HTTP Archive) read, validate and write, with secrets redacted.

Neutral ground: the contract side (``mlmock validate``, ``mlmock proxy --record``) and the mock
(``mlmock serve --seed-file x.har``) both read recordings through this module. It knows HTTP
exchanges, not the APIs: a HAR entry becomes an :class:`Entry` (bytes bodies, header pairs).

Spec: http://www.softwareishard.com/blog/har-12-spec/ (``log.entries[].request/response``,
``postData.text``, ``content.text`` with ``encoding: base64`` for binary bodies).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, urlsplit

REDACTED = "REDACTED"
# Headers whose value is a credential, whatever the API.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
                            "apikey", "api-key", "x-auth-token"})
# JSON members and query parameters whose value is a credential (the WML authorize body and answer,
# IAM token answers, OpenMetadata bot tokens).
SECRET_KEYS = re.compile(r"^(api[_-]?key|apikey|password|passwd|secret|client[_-]?secret|token|access[_-]?token|"
                         r"refresh[_-]?token|id[_-]?token|jwt[_-]?token|authorization)$", re.IGNORECASE)


class HarError(ValueError):
    """A file that is not a usable HAR 1.2 document (the message says where and why)."""


@dataclass
class Entry:
    """One request and its answer, as recorded."""

    method: str
    url: str
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: bytes = b""
    status: int = 0
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: bytes = b""
    started: str = ""
    time_ms: float = 0.0

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def query(self) -> str:
        return urlsplit(self.url).query

    def request_header(self, name: str) -> str | None:
        return _header(self.request_headers, name)

    def response_header(self, name: str) -> str | None:
        return _header(self.response_headers, name)


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    name = name.lower()
    return next((v for k, v in headers if k.lower() == name), None)


# --------------------------------------------------------------------------- reading


def _need(node: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(node, dict) or key not in node:
        raise HarError(f"{where}: missing {key!r}")
    value = node[key]
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise HarError(f"{where}.{key}: expected {names}, got {type(value).__name__}")
    return value


def _pairs(node: dict, key: str, where: str) -> list[tuple[str, str]]:
    items = _need(node, key, list, where)
    out = []
    for i, item in enumerate(items):
        name = _need(item, "name", str, f"{where}.{key}[{i}]")
        value = _need(item, "value", str, f"{where}.{key}[{i}]")
        out.append((name, value))
    return out


def _text(node: dict | None, where: str) -> bytes:
    if node is None or "text" not in node:
        return b""
    text = node["text"]
    if not isinstance(text, str):
        raise HarError(f"{where}.text: expected str, got {type(text).__name__}")
    if node.get("encoding") == "base64":
        try:
            return base64.b64decode(text, validate=True)
        except ValueError:
            raise HarError(f"{where}.text: encoding is base64 but the text is not valid base64") from None
    return text.encode("utf-8", "surrogateescape")


def parse_entry(raw: Any, where: str) -> Entry:
    request = _need(raw, "request", dict, where)
    response = _need(raw, "response", dict, where)
    method = _need(request, "method", str, f"{where}.request")
    url = _need(request, "url", str, f"{where}.request")
    if not urlsplit(url).path.startswith("/"):
        raise HarError(f"{where}.request.url: not an absolute URL: {url!r}")
    status = _need(response, "status", int, f"{where}.response")
    post = request.get("postData")
    if post is not None and not isinstance(post, dict):
        raise HarError(f"{where}.request.postData: expected an object")
    content = _need(response, "content", dict, f"{where}.response")
    return Entry(method=method.upper(), url=url,
                 request_headers=_pairs(request, "headers", f"{where}.request"),
                 request_body=_text(post, f"{where}.request.postData"),
                 status=status,
                 response_headers=_pairs(response, "headers", f"{where}.response"),
                 response_body=_text(content, f"{where}.response.content"),
                 started=str(raw.get("startedDateTime", "")),
                 time_ms=float(raw.get("time", 0) or 0))


def loads(text: str | bytes, name: str = "HAR") -> list[Entry]:
    """Every entry of a HAR document; :class:`HarError` names the first problem."""
    try:
        data = json.loads(text)
    except UnicodeDecodeError as error:
        raise HarError(f"{name}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except json.JSONDecodeError as error:
        end = len(text.rstrip()) if isinstance(text, str) else len(text.rstrip())
        truncated = error.pos >= end - 1 and error.msg.startswith(("Expecting", "Unterminated"))
        why = "truncated (the file ends in the middle of the document)" if truncated else "not JSON"
        raise HarError(f"{name}: {why}: {error.msg} at line {error.lineno} column {error.colno}") from None
    log = _need(data, "log", dict, name)
    version = log.get("version")
    if version is not None and not isinstance(version, str):
        raise HarError(f"{name}: log.version: expected str")
    entries = _need(log, "entries", list, f"{name}: log")
    return [parse_entry(raw, f"{name}: log.entries[{i}]") for i, raw in enumerate(entries)]


def read(path: str | Path) -> list[Entry]:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise HarError(f"{path}: cannot read: {error.strerror or error}") from None
    return loads(data, name=str(path))


def looks_like_har(path: str | Path) -> bool:
    return str(path).lower().endswith(".har")


# --------------------------------------------------------------------------- redaction


def redact_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(k, REDACTED if k.lower() in SECRET_HEADERS else v) for k, v in headers]


def _redact_json(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: (REDACTED if SECRET_KEYS.match(k) and isinstance(v, str | int) else _redact_json(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_redact_json(v) for v in node]
    return node


def redact_body(body: bytes, content_type: str | None) -> bytes:
    """JSON (and form) bodies with their secret members replaced; other bodies unchanged."""
    kind = (content_type or "").lower()
    if "json" in kind or (not kind and body[:1] in (b"{", b"[")):
        try:
            return json.dumps(_redact_json(json.loads(body))).encode()
        except ValueError:
            return body
    if "x-www-form-urlencoded" in kind:
        from urllib.parse import urlencode
        pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True)
        return urlencode([(k, REDACTED if SECRET_KEYS.match(k) else v) for k, v in pairs]).encode()
    return body


def redact_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    from urllib.parse import urlencode
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(SECRET_KEYS.match(k) for k, _ in pairs):
        return url
    query = urlencode([(k, REDACTED if SECRET_KEYS.match(k) else v) for k, v in pairs])
    return parts._replace(query=query).geturl()


def _secrets(entry: Entry) -> list[bytes]:
    """The credential values the entry's headers carry (whole, and without their scheme)."""
    found = set()
    for name, value in (*entry.request_headers, *entry.response_headers):
        if name.lower() in SECRET_HEADERS and value and value != REDACTED:
            found.add(value)
            scheme, _, rest = value.partition(" ")
            if rest and scheme.lower() in ("bearer", "basic", "token", "apikey", "zenapikey"):
                found.add(rest)
    return sorted((v.encode("latin-1", "replace") for v in found if len(v) >= 4), key=len, reverse=True)


def _scrub(body: bytes, secrets: list[bytes]) -> bytes:
    for secret in secrets:
        body = body.replace(secret, REDACTED.encode())
    return body


def redacted(entry: Entry) -> Entry:
    """The entry with credentials replaced by ``REDACTED``: secret headers, secret JSON members, form
    fields and query parameters, and any echo of a header's credential in a body or the URL."""
    secrets = _secrets(entry)
    url = redact_url(entry.url)
    for secret in secrets:
        url = url.replace(secret.decode("latin-1"), REDACTED)
    return Entry(method=entry.method, url=url,
                 request_headers=redact_headers(entry.request_headers),
                 request_body=_scrub(redact_body(entry.request_body, entry.request_header("content-type")), secrets),
                 status=entry.status, response_headers=redact_headers(entry.response_headers),
                 response_body=_scrub(redact_body(entry.response_body, entry.response_header("content-type")),
                                      secrets),
                 started=entry.started, time_ms=entry.time_ms)


# --------------------------------------------------------------------------- writing


def _content(body: bytes, mime: str) -> dict[str, Any]:
    try:
        return {"size": len(body), "mimeType": mime, "text": body.decode("utf-8")}
    except UnicodeDecodeError:
        return {"size": len(body), "mimeType": mime, "text": base64.b64encode(body).decode(), "encoding": "base64"}


def to_dict(entry: Entry) -> dict[str, Any]:
    parts = urlsplit(entry.url)
    request: dict[str, Any] = {
        "method": entry.method, "url": entry.url, "httpVersion": "HTTP/1.1", "cookies": [],
        "headers": [{"name": k, "value": v} for k, v in entry.request_headers],
        "queryString": [{"name": k, "value": v} for k, v in parse_qsl(parts.query, keep_blank_values=True)],
        "headersSize": -1, "bodySize": len(entry.request_body)}
    if entry.request_body:
        mime = entry.request_header("content-type") or "application/octet-stream"
        post = _content(entry.request_body, mime)
        request["postData"] = {"mimeType": mime, "text": post["text"],
                               **({"encoding": "base64"} if "encoding" in post else {})}
    mime = entry.response_header("content-type") or ""
    response = {"status": entry.status, "statusText": "", "httpVersion": "HTTP/1.1", "cookies": [],
                "headers": [{"name": k, "value": v} for k, v in entry.response_headers],
                "content": _content(entry.response_body, mime), "redirectURL": entry.response_header("location") or "",
                "headersSize": -1, "bodySize": len(entry.response_body)}
    return {"startedDateTime": entry.started or dt.datetime.now(dt.UTC).isoformat(),
            "time": entry.time_ms, "request": request, "response": response, "cache": {},
            "timings": {"send": 0, "wait": entry.time_ms, "receive": 0}}


CREATOR = {"name": "mlmock", "version": "0.1.0"}


def dumps(entries: Iterable[Entry], *, redact: bool = True) -> str:
    return json.dumps({"log": {"version": "1.2", "creator": CREATOR, "entries": [
        to_dict(redacted(e) if redact else e) for e in entries]}}, indent=1)


def write(path: str | Path, entries: Iterable[Entry], *, redact: bool = True) -> None:
    Path(path).write_text(dumps(entries, redact=redact), encoding="utf-8")


class Recorder:
    """Appends entries to a HAR file as they happen (nothing kept in memory); :meth:`close` ends
    the document. Secrets are redacted before anything reaches the disk."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._file: IO[str] | None = self.path.open("w", encoding="utf-8")
        self._file.write('{"log": {"version": "1.2", "creator": ' + json.dumps(CREATOR) + ', "entries": [\n')
        self._count = 0
        self._lock = threading.Lock()

    def add(self, entry: Entry) -> None:
        text = json.dumps(to_dict(redacted(entry)))
        with self._lock:
            if self._file is None:
                return
            self._file.write((",\n" if self._count else "") + text)
            self._file.flush()
            self._count += 1

    @property
    def count(self) -> int:
        return self._count

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.write("\n]}}\n")
                self._file.close()
                self._file = None


def iter_entries(paths: Iterable[str | Path]) -> Iterator[Entry]:
    for path in paths:
        yield from read(path)
