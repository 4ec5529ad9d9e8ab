"""Which documented operations does the target serve at all?

An operation is *not served* when a call on its route answers 404 or 405 in a body that is not
the API's own error envelope (a framework's "Not Found"/"Method Not Allowed"): the route is not
there, as opposed to a served route answering "no such resource" in the envelope. Rules on
unserved operations are skipped (``not served``); the summary lists them.
"""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

from mlmock.spec.declarations import ApiDeclaration, Operation

from .target import Target

_PLACEHOLDER = "00000000-0000-4000-8000-00000000d15c"


def envelope_keys(api: ApiDeclaration) -> set[str]:
    """The required members of the API's error body (from any documented 4xx with a schema)."""
    for op in api.operations.values():
        for status, response in op.responses.items():
            if status.startswith("4") and "content" in response:
                schema = api.resolve(next(iter(response["content"].values())).get("schema", {}))
                if schema.get("required"):
                    return set(schema["required"])
    return set()


def _request(api: ApiDeclaration, op: Operation, defaults: dict[str, str]) -> dict:
    path = op.path
    for name in [p["name"] for p in op.parameters if p["in"] == "path"] or []:
        path = path.replace("{" + name + "}", _PLACEHOLDER)
    while "{" in path:  # a path parameter not declared: still fill it
        start, end = path.index("{"), path.index("}")
        path = path[:start] + _PLACEHOLDER + path[end + 1:]
    params = {k: v for k, v in defaults.items() if op.parameter(k)}
    kwargs: dict = {"params": params or None}
    if op.request_body:
        media = next(iter(op.request_body.get("content", {})), "application/json")
        # An empty object is never a valid create: a served route refuses it in its envelope.
        kwargs["content"] = json.dumps({}).encode() if "json" in media else b""
        kwargs["headers"] = {"Content-Type": media}
    return {"method": op.method, "path": api.base_path.rstrip("/") + path, **kwargs}


def unserved(api: ApiDeclaration, target: Target, defaults: dict[str, str], workers: int = 4) -> list[Operation]:
    keys = envelope_keys(api)

    def served(op: Operation) -> bool:
        spec = _request(api, op, defaults)
        response = target.request(spec.pop("method"), spec.pop("path"), **spec)
        if response.status_code not in (404, 405):
            return True
        try:
            body = response.json()
        except ValueError:
            return False
        return isinstance(body, dict) and bool(keys) and keys <= set(body)

    ops = list(api.operations.values())
    with ThreadPoolExecutor(max_workers=workers) as pool:
        verdicts = list(pool.map(served, ops))
    return [op for op, ok in zip(ops, verdicts, strict=True) if not ok]


def run_token() -> str:
    return uuid.uuid4().hex[:6]
