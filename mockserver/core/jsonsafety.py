"""Strict JSON: what the mock accepts must round-trip as JSON before it is stored.

Python's ``json`` module accepts NaN and Infinity, turns 1e400 into ``inf`` and keeps lone
surrogates ("\\ud800") that no UTF-8 encoder can write back. A fuzzing client sends all of
these; each is refused here with a 400 before anything reaches the store.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .errors import BadRequest

DEFAULT_MAX_DEPTH = 64


def _constant(name: str) -> Any:
    raise BadRequest(f"request body is not valid JSON: {name} is not a JSON number")


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise BadRequest(f"request body is not valid JSON: number {text[:40]} is out of range")
    return value


def loads(data: bytes | str, *, max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """Parse strictly; raise :class:`BadRequest` with a clear reason otherwise."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadRequest(f"request body is not valid UTF-8 (byte {exc.start})") from None
    try:
        value = json.loads(data, parse_constant=_constant, parse_float=_float)
    except RecursionError:
        raise BadRequest(f"request body nests deeper than {max_depth} levels") from None
    except ValueError as exc:  # JSONDecodeError, and ints longer than Python's digit limit
        raise BadRequest(f"request body is not valid JSON: {exc}") from None
    check(value, max_depth=max_depth)
    return value


def check(value: Any, *, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
    """Refuse values nested deeper than ``max_depth`` or holding unencodable strings."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > max_depth:
                raise BadRequest(f"request body nests deeper than {max_depth} levels")
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for key, child in items:
                if isinstance(key, str):
                    _encodable(key)
                stack.append((child, depth + 1))
        elif isinstance(node, str):
            _encodable(node)
        elif isinstance(node, float) and not math.isfinite(node):
            raise BadRequest("request body holds a number that JSON cannot represent")


def _encodable(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest("request body holds a string with an unpaired surrogate") from None


def copy(value: Any) -> Any:
    """A deep copy of a JSON value (dicts, lists and immutable scalars: what the store holds and
    requests carry). A quarter of a WML deployment list's time was ``copy.deepcopy`` of such
    documents, whose memo and per-type dispatch JSON does not need: this is ~4x faster
    (``benchmarks/bench_vs_prism.py --api wml``, list deployments). Anything else is shared as it is."""
    if isinstance(value, dict):
        return {key: copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy(item) for item in value]
    return value
