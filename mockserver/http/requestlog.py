"""A readable request log on the console, fed by the journal (``--log-format text|json``).

text::

    2024-05-01T10:00:00.123Z POST /api/v1/mlmodels -> 201 (3.2 ms)
    2024-05-01T10:00:01.456Z GET /ml/v4/deployments?space_id=s -> 503 (0.4 ms) [rule 1: status 503]

json: one object per line with ``time``, ``level``, ``logger``, ``message`` ("request") and
``method``, ``path``, ``query``, ``status``, ``duration_ms``, ``api``, ``client``, ``fault``,
``delay_ms``, ``dropped``, ``request_bytes``, ``response_bytes``. With ``json`` everything else the
process prints (the banner, uvicorn's own lines) is one JSON object per line too
(:class:`JsonFormatter`, :func:`uvicorn_log_config`).

The text log escapes control characters (``%0A`` in a URL decodes to a newline): one request is
always one line.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import IO, Any

FORMATS = ("text", "json")
LOGGER = "mlmock.requests"

# C0, DEL, C1 and the Unicode line and paragraph separators: anything a terminal or a log reader
# could take as a line break or a control sequence.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape(text: str) -> str:
    r"""``text`` with every control character written as ``\xNN`` or ``\uNNNN``: one line, inert."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def line(entry: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps({
            "time": entry["time"], "level": "info", "logger": LOGGER, "message": "request",
            "method": entry["method"], "path": entry["path"], "query": entry["query"],
            "status": entry["status"], "duration_ms": entry["duration_ms"], "api": entry["api"],
            "client": entry["client"], "fault": entry["fault"], "delay_ms": entry["delay_ms"],
            "dropped": entry["dropped"], "request_bytes": entry["request"]["size"],
            "response_bytes": entry["response"]["size"],
        }, separators=(",", ":"))
    target = escape(entry["path"] + ("?" + entry["query"] if entry["query"] else ""))
    outcome = "dropped" if entry["dropped"] else str(entry["status"])
    text = f"{entry['time']} {entry['method']} {target} -> {outcome} ({entry['duration_ms']:.1f} ms)"
    if entry["fault"]:
        text += f" [{escape(entry['fault'])}]"
    return text


class RequestLog:
    """A journal subscriber writing one line per request to a logger (stderr by default)."""

    def __init__(self, fmt: str = "text", *, level: str | int = "info", stream: IO[str] | None = None):
        if fmt not in FORMATS:
            raise ValueError(f"log format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        self.fmt = fmt
        self.logger = logging.getLogger(LOGGER)
        self.logger.propagate = False
        self.logger.setLevel(level.upper() if isinstance(level, str) else level)
        for handler in list(self.logger.handlers):
            self.logger.removeHandler(handler)
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        self.logger.addHandler(handler)

    def __call__(self, entry: dict[str, Any]) -> None:
        if self.logger.isEnabledFor(logging.INFO):
            self.logger.info(line(entry, self.fmt))


def _utc(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{int(seconds % 1 * 1000):03d}Z"


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ``time``, ``level``, ``logger``, ``message``, plus the fields a
    record carries in its ``fields`` extra (``logger.info("...", extra={"fields": {...}})``)."""

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {"time": _utc(record.created), "level": record.levelname.lower(),
                                    "logger": record.name, "message": record.getMessage()}
        document.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return json.dumps(document, separators=(",", ":"), default=str)


def uvicorn_log_config(fmt: str) -> dict[str, Any] | None:
    """uvicorn's ``log_config``: its own lines as JSON objects on stderr with ``json``; ``None``
    (uvicorn's default, readable text) otherwise."""
    if fmt != "json":
        return None
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"json": handler},
        "loggers": {name: {"handlers": ["json"], "level": "INFO", "propagate": False}
                    for name in ("uvicorn", "uvicorn.error", "uvicorn.access")},
    }


def console(fmt: str, name: str = "mlmock", stream: IO[str] | None = None) -> logging.Logger:
    """The logger ``mlmock serve`` prints its own messages (banner, seeding, TLS) through: the
    bare message with ``text``, one JSON object with ``json``."""
    logger = logging.getLogger(name)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    return logger
