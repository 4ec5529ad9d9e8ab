"""Errors: a request header the API declares echoed (``x-mlmock-echoed-in``) comes back in its error body.

WML, "Additional headers": "An optional transaction ID can be passed to your request ... The header
key must be set to `X-Global-Transaction-Id` and the value is anything that you choose. If there is
not a transaction ID that is passed in, then one is generated randomly"; the error response's
`trace` is "An identifier that can be used to trace the request. This can be set using
X-Global-Transaction-Id". The spec says which header and where it lands (spec/README.md reading 46);
nothing here names either.

The rule needs a request that fails on any implementation, whatever order it checks things in:
a get, with the version and the suite's space, of an id that no server stored (a fresh random
UUID), on a kind the suite could create and whose get documents a 404.
"""

from __future__ import annotations

import uuid

from mlmock.spec.declarations import ApiDeclaration, EchoedHeader, Operation, pointer_get

from ..context import _PARAM, Context
from ..registry import rule
from ..results import Skip, expect


def _probes(api: ApiDeclaration) -> list[Operation]:
    """Gets of one stored resource by its id that document a 404, in the spec's order."""
    found = []
    for op in api.operations_of(action="get"):
        kind = api.kinds[op.kind]
        if "404" in op.responses and len(_PARAM.findall(op.path)) == 1 and not kind.readonly \
                and kind.view_of is None and api.operation(kind.name, "create") is not None:
            found.append(op)
    return found


def _applies(api: ApiDeclaration, subject: ApiDeclaration) -> bool:
    return bool(api.echoed_headers) and bool(_probes(api))


def _probe(ctx: Context) -> Operation:
    """The first probe the target serves and the suite can address (a scoped kind needs its space)."""
    for op in _probes(ctx.api):
        scope = ctx.api.kinds[op.kind].scope
        if ctx.serves(op) and (not scope or ("space_id" in scope and ctx.space)):
            return op
    raise Skip("no get of a stored resource the suite can address: the scoped ones need a space "
               "(give --space) and the target must serve one")


def _field(ctx: Context, op: Operation, status: int, header: EchoedHeader) -> str:
    """What the spec says of the field at the header's pointer in that error answer (the reference's words)."""
    declared = op.responses.get(str(status)) or {}
    for media, content in (declared.get("content") or {}).items():
        found = ctx.api.schema_at(content["schema"], header.pointer) if "json" in media and "schema" in content \
            else None
        if found and found.get("description"):
            return f" (the error response: {header.pointer[1:]}: {' '.join(found['description'].split())!r})"
    return ""


@rule("errors.trace-header", family="errors", per="api", when=_applies, provenance="documented",
      source="WML reference, Error response: 'trace: An identifier that can be used to trace the request. This can "
             "be set using X-Global-Transaction-Id'; Additional headers: 'the value is anything that you choose. "
             "If there is not a transaction ID that is passed in, then one is generated randomly'")
def trace_header(ctx: Context, api: ApiDeclaration) -> None:
    """An error answer carries the declared header's value at its pointer (X-Global-Transaction-Id as the trace),
    and a generated one without it."""
    op = _probe(ctx)
    missing = str(uuid.UUID(int=ctx.random.getrandbits(128)))
    where = f"GET {op.path.replace('{' + ctx.id_param(op) + '}', missing)} (an id never stored)"
    for header in ctx.api.echoed_headers:
        value = f"mlmock-{ctx.run}-{ctx.random.getrandbits(64):016x}"
        sent = ctx.call(op, path={ctx.id_param(op): missing}, headers={header.name: value})
        body = _error_body(sent, where)
        expect(pointer_get(body, header.pointer) == value,
               f"{where} sent with `{header.name}: {value}` failed with {sent.status_code}, and its error body must "
               f"carry that value at {header.pointer}, not {pointer_get(body, header.pointer)!r}"
               f"{_field(ctx, op, sent.status_code, header)}", sent)
        bare = ctx.call(op, path={ctx.id_param(op): missing})
        generated = pointer_get(_error_body(bare, where), header.pointer)
        expect(generated not in (None, "", [], {}),
               f"{where} sent without `{header.name}` failed with {bare.status_code}, and its error body must still "
               f"carry a value at {header.pointer}, not {generated!r} (the reference, of {header.name}: "
               f"{header.description!r})", bare)
        expect(generated != value,
               f"{where} sent without `{header.name}` carries the value sent with the previous request at "
               f"{header.pointer}: it must be generated afresh (the reference, of {header.name}: "
               f"{header.description!r})", bare)


def _error_body(response, where: str) -> dict:
    """The JSON error object of a refusal; a request that did not fail tells this rule nothing."""
    if response.status_code < 400:
        raise Skip(f"{where} answered {response.status_code}: no error to read a trace from "
                   "(deletion.unknown-id judges that)")
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise Skip(f"{where} answered {response.status_code} without a JSON error object (the schema rules judge "
                   "the envelope)")
    return body
