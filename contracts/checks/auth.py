"""Auth: every operation that requires a token answers 401, in the API's envelope, without one."""

from __future__ import annotations

import json
from typing import Any

from mlmock.spec.declarations import ApiDeclaration, Operation

from ..context import _PARAM, Context
from ..registry import rule
from ..results import expect


def _secured(api: ApiDeclaration, op: Operation) -> bool:
    return op.requires_auth


def _request(ctx: Context, op: Operation) -> dict[str, Any]:
    """A request that is valid in every respect except, possibly, its credentials."""
    path = {name: ctx.minimal((op.parameter(name, "path") or {}).get("schema", {"format": "uuid"}))
            for name in _PARAM.findall(op.path)}
    params = {p["name"]: ctx.minimal(p.get("schema", {})) for p in op.parameters
              if p["in"] == "query" and p.get("required")}
    kwargs: dict[str, Any] = {"path": path, "params": params or None}
    if op.request_body:
        media, content = next(iter(op.request_body.get("content", {}).items()))
        body = ctx.minimal(content.get("schema", {}))
        if "json" in media:
            kwargs["content"] = json.dumps(body).encode()
        else:
            kwargs["content"] = b"mlmock"
        kwargs["headers"] = {"Content-Type": media}
    return kwargs


def expect_refusal(ctx: Context, op: Operation, status: int, response, what: str) -> None:
    """``response`` is the documented refusal ``status``, with the required fields of the body the
    spec declares for it (the API's error envelope)."""
    expect(response.status_code == status, f"{what} must answer {status}", response)
    declared = op.responses.get(str(status))
    declared = ctx.api.resolve(declared) if declared else None
    if declared and "content" in declared:
        try:
            body = response.json()
        except ValueError:
            body = None
        schema = ctx.api.resolve(next(iter(declared["content"].values()))["schema"])
        missing = [k for k in schema.get("required", ()) if not isinstance(body, dict) or k not in body]
        expect(not missing, f"the {status} body lacks {missing} of the API's error envelope", response)


def _check_401(ctx: Context, op: Operation, response, why: str) -> None:
    expect_refusal(ctx, op, 401, response, f"{op.method} {op.path} {why}")


@rule("auth.missing-token", family="auth", per="operation", when=_secured,
      provenance="documented",
      source=('WML reference: 401 listed on every operation; OpenMetadata reference, Error Handling: 401 '
              "UNAUTHORIZED 'Invalid or missing authentication token'"))
def missing_token(ctx: Context, op: Operation) -> None:
    """Without an Authorization header, a secured operation answers 401."""
    response = ctx.call(op, token=None, **_request(ctx, op))
    _check_401(ctx, op, response, "without a token")


@rule("auth.wrong-token", family="auth", per="operation", when=_secured,
      provenance="documented",
      source='WML reference: 401 on every operation; OpenMetadata reference, Error Handling: 401 UNAUTHORIZED')
def wrong_token(ctx: Context, op: Operation) -> None:
    """With a bearer token the server never issued, a secured operation answers 401."""
    response = ctx.call(op, token=f"not-{ctx.name('token')}", **_request(ctx, op))
    _check_401(ctx, op, response, "with a wrong token")
