"""A readable request log on the console, fed by the journal (``--log-format text|json``).

text::

    2024-05-01T10:00:00.123Z POST /api/v1/mlmodels -> 201 (3.2 ms)
    2024-05-01T10:00:01.456Z GET /ml/v4/deployments?space_id=s -> 503 (0.4 ms) [rule 1: status 503]

json: one object per line with ``time``, ``method``, ``path``, ``query``, ``status``,
``duration_ms``, ``api``, ``client``, ``fault``, ``delay_ms``, ``dropped``, ``request_bytes``,
``response_bytes``.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import IO, Any

FORMATS = ("text", "json")
LOGGER = "mlmock.requests"


def line(entry: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps({
            "time": entry["time"], "method": entry["method"], "path": entry["path"], "query": entry["query"],
            "status": entry["status"], "duration_ms": entry["duration_ms"], "api": entry["api"],
            "client": entry["client"], "fault": entry["fault"], "delay_ms": entry["delay_ms"],
            "dropped": entry["dropped"], "request_bytes": entry["request"]["size"],
            "response_bytes": entry["response"]["size"],
        }, separators=(",", ":"))
    target = entry["path"] + ("?" + entry["query"] if entry["query"] else "")
    outcome = "dropped" if entry["dropped"] else str(entry["status"])
    text = f"{entry['time']} {entry['method']} {target} -> {outcome} ({entry['duration_ms']:.1f} ms)"
    if entry["fault"]:
        text += f" [{entry['fault']}]"
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
