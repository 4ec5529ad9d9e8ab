"""IBM Watson Machine Learning v4's representation, for every kind the WML spec declares.

Resources are ``{"metadata": ..., "entity": ..., "system": ...}`` documents living in one space
or project (their *scope*); lists page with opaque ``start`` tokens and a ``next.href`` carrying
the whole query; revisions are immutable snapshots; statuses follow the kind's lifecycle;
uploads become attachments. Which fields go to ``metadata``, which parent must exist, which
fields are unique, patchable, generated or linked: all of it is read from the kind's
declaration, so no function here names a kind.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import re
from typing import Any
from urllib.parse import urlencode

import jwt

from mlmock.spec.declarations import ApiDeclaration, Kind, Members, pointer_get, pointer_set

from ..core import cursors, lifecycle, patching, schemadefaults
from ..core.catalogue import SERVICE_VERSION, documents
from ..core.dialect import Dialect, register
from ..core.engine import Engine, Reply, Request, index_values, stringify
from ..core.errors import BadRequest, Conflict, MockError, NotFound
from ..core.store import Position, Record
from ..core.validation import validate

UNSCOPED = ""


def _envelope(error: MockError, trace: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The WML error envelope (the reference's ``trace`` and ``errors``, plus ``status_code``)."""
    body = {
        "trace": trace,
        "errors": [{"code": error.code, "message": error.message,
                    "more_info": "https://cloud.ibm.com/apidocs/machine-learning"}],
        "status_code": error.status,
    }
    return body, {}


WML = register(Dialect("wml", envelope=_envelope))
DIALECT = WML.name


# ----------------------------------------------------------------------------- small helpers


def iso(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def not_found(kind: str, id_: str) -> NotFound:
    return NotFound(f"{kind.replace('_', ' ')} with id '{id_}' does not exist", code="does_not_exist")


def scope_of(engine: Engine, request: Request, kind: Kind, *, required: bool = True) -> str:
    """``space:<id>`` or ``project:<id>`` from the query or the body; exactly one of them, and
    one that exists (the document's ``scopes`` say which kind each scope parameter names)."""
    if not kind.scope:
        return UNSCOPED
    body = request.body if isinstance(request.body, dict) else {}
    given = [(name, request.params.get(name) or body.get(name)) for name in kind.scope]
    # Given both, the first declared wins (space_id): the reference's own examples send both, and
    # OpenAPI cannot say "not both" of query parameters, so refusing would reject schema-valid calls.
    given = [(name, value) for name, value in given if value]
    if not given:
        if required:
            wanted = f"Either {' or '.join(kind.scope)}" if len(kind.scope) > 1 else kind.scope[0]
            raise BadRequest(f"{wanted} has to be provided.", code="missing_parameter")
        return UNSCOPED
    name, value = given[0]
    ensure_scope(engine, request, name, str(value))
    return f"{name.removesuffix('_id')}:{value}"


def ensure_scope(engine: Engine, request: Request, param: str, value: str) -> None:
    """The space or project a scope parameter names must exist: a 404 otherwise, or, with
    ``auto_spaces`` and a scope declared ``auto-create``, a new one with that id."""
    declared = request.api.scopes.get(param)
    if declared is None:
        return
    holder = request.api.kinds[declared.kind]
    if engine.store.get(request.api.name, holder.name, value) is not None:
        return
    if declared.auto_create and engine.settings.auto_spaces:
        with engine.store.transaction():
            doc = build(engine, request, holder, {"name": f"{holder.name}-{value}"}, UNSCOPED)
            pointer_set(doc, holder.id, value)
            if holder.lifecycle is not None:
                resting = holder.lifecycle.resting or (holder.lifecycle.initial,)
                pointer_set(doc, holder.lifecycle.field, resting[0])
            save(engine, request.api, holder, doc, UNSCOPED)
        return
    raise NotFound(f"{holder.name} with id '{value}' does not exist", code="does_not_exist")


def scope_fields(scope: str) -> dict[str, str]:
    if not scope:
        return {}
    prefix, _, value = scope.partition(":")
    return {f"{prefix}_id": value}


def fetch(engine: Engine, request: Request, kind: Kind, id_: str, scope: str) -> Record:
    record = engine.store.get(request.api.name, kind.name, id_)
    if record is None or (kind.scope and record.scope != scope):
        raise not_found(kind.name, id_)
    return record


def path_id(request: Request) -> str:
    """The resource id in the path: the first path parameter of the operation."""
    first = request.op.path.split("{", 1)[1].split("}", 1)[0]
    return request.params[first]


def status_for(request: Request, body: Any = None) -> int:
    options = request.op.options
    for rule in options.get("status-when", ()):
        if isinstance(body, dict) and pointer_get(body, rule["body-has"]) is not None:
            return rule["status"]
    return options.get("status") or request.op.success_statuses[0]


# ----------------------------------------------------------------------------- members


def _members_of(engine: Engine, request: Request) -> tuple[Kind, Record, dict, list[dict]]:
    kind = request.kind
    settings = kind.members
    record = advance(engine, request.api, kind,
                     fetch(engine, request, kind, path_id(request), scope_of(engine, request, kind)), read=False)
    return kind, record, settings, list(pointer_get(record.doc, settings.field) or [])


def _member_index(settings: Members, members: list[dict], member_id: str) -> int:
    for i, member in enumerate(members):
        if str(pointer_get(member, settings.key)) == member_id:
            return i
    raise NotFound(f"member '{member_id}' does not exist", code="does_not_exist")


def _store_members(engine: Engine, request: Request, kind: Kind, record: Record, settings: Members,
                   members: list[dict]) -> None:
    doc = copy.deepcopy(record.doc)
    pointer_set(doc, settings.field, members)
    validate(request.api, kind.schema, render(request, kind, doc), what=kind.name)
    save(engine, request.api, kind, doc, record.scope)


@WML.action("members")
def members_list(engine: Engine, request: Request) -> Reply:
    _, _, _, members = _members_of(engine, request)
    for param in request.op.parameters:
        pointer = param.get("x-mlmock-member-filter")
        if pointer and request.params.get(param["name"]) is not None:
            members = [m for m in members if pointer_get(m, pointer) == request.params[param["name"]]]
    limit = request.params.get("limit")
    shown = members[:limit] if limit else members
    return Reply(200, {"total_count": len(members), "resources": shown})


@WML.action("members-add")
def members_add(engine: Engine, request: Request) -> Reply:
    body = request.body if isinstance(request.body, dict) else {}
    schema = request.op.request_body["content"]["application/json"]["schema"]
    added = schemadefaults.fill(request.api, schema, copy.deepcopy(body)).get("members", [])
    with engine.store.transaction():
        kind, record, settings, members = _members_of(engine, request)
        known = {str(pointer_get(m, settings.key)) for m in members}
        for member in added:
            key = str(pointer_get(member, settings.key))
            if key in known:
                raise Conflict(f"member '{key}' is already in this {kind.name}", code="conflict")
            known.add(key)
        _store_members(engine, request, kind, record, settings, members + added)
    return Reply(status_for(request), {"members": added})


@WML.action("member-get")
def member_get(engine: Engine, request: Request) -> Reply:
    _, _, settings, members = _members_of(engine, request)
    return Reply(200, members[_member_index(settings, members, request.params["member_id"])])


@WML.action("member-patch")
def member_patch(engine: Engine, request: Request) -> Reply:
    operations = request.body if isinstance(request.body, list) else []
    with engine.store.transaction():
        kind, record, settings, members = _members_of(engine, request)
        i = _member_index(settings, members, request.params["member_id"])
        allowed = settings.patch_paths
        for op in operations:
            if op.get("path") not in allowed or op.get("op") not in ("add", "replace"):
                raise BadRequest(f"a member patch may only replace {', '.join(allowed)}", code="invalid_patch")
        patched = patching.apply(members[i], operations)
        members[i] = patching.restore(members[i], patched, (settings.key,))
        _store_members(engine, request, kind, record, settings, members)
    return Reply(200, members[i])


@WML.action("member-delete")
def member_delete(engine: Engine, request: Request) -> Reply:
    with engine.store.transaction():
        kind, record, settings, members = _members_of(engine, request)
        del members[_member_index(settings, members, request.params["member_id"])]
        _store_members(engine, request, kind, record, settings, members)
    return Reply(status_for(request))


# ----------------------------------------------------------------------------- predictions


def predict(input_data: Any) -> list[dict[str, Any]]:
    """Deterministic placeholder predictions: one output block per input block, one row per row."""
    blocks = []
    for block in input_data if isinstance(input_data, list) else []:
        rows = block.get("values", []) if isinstance(block, dict) else []
        values = []
        for row in rows:
            digest = hashlib.sha256(json.dumps(row, sort_keys=True, default=str).encode()).digest()
            probability = round(int.from_bytes(digest[:2], "big") / 65535, 4)
            values.append([1 if probability >= 0.5 else 0, [round(1 - probability, 4), probability]])
        out = {"fields": ["prediction", "probability"], "values": values}
        if isinstance(block, dict) and "id" in block:
            out["id"] = block["id"]
        blocks.append(out)
    return blocks


def on_enter(kind: Kind, state: str, doc: dict) -> None:
    """Run what the lifecycle declares on entering ``state`` (e.g. a job's predictions)."""
    spec = kind.lifecycle.on_enter.get(state)
    if spec and pointer_get(doc, spec.input) is not None:
        pointer_set(doc, spec.output, predict(pointer_get(doc, spec.input)))


# ----------------------------------------------------------------------------- storage


def index(engine: Engine, api: ApiDeclaration, kind: Kind, doc: dict) -> dict[str, list[str]]:
    attrs = engine.attrs(api, kind, doc, {k: [v] for k, v in engine.unique_keys(kind, doc).items()})
    # What the engine's generic indexing does not know: `match: has-key` (the member names of the
    # object at `field`) and `alternate-fields` (other pointers matched by the same parameter).
    for op in api.operations_of(kind.name, "list"):
        for param in op.parameters:
            spec = param.get("x-mlmock-filter")
            if not spec or (spec.get("match") != "has-key" and not spec.get("alternate-fields")
                            and not spec.get("item-field")):
                continue
            values = []
            for pointer in (spec["field"], *spec.get("alternate-fields", ())):
                value = pointer_get(doc, pointer)
                if spec.get("item-field"):  # an array of objects, matched on a member of each
                    values += [stringify(pointer_get(item, spec["item-field"])) for item in value or ()
                               if pointer_get(item, spec["item-field"]) is not None]
                elif spec.get("match") == "has-key":
                    values += list(value) if isinstance(value, dict) else []
                else:
                    values += index_values(value, spec.get("match", "equals"))
            attrs.pop(f"filter:{param['name']}", None)
            if values:
                attrs[f"filter:{param['name']}"] = values
    for pointer in kind.generated:
        value = pointer_get(doc, pointer)
        if value is not None:
            attrs[f"generated:{pointer}"] = [str(value)]
    return {name: values for name, values in attrs.items()}


def save(engine: Engine, api: ApiDeclaration, kind: Kind, doc: dict, scope: str) -> Record:
    return engine.store.put(api.name, kind.name, pointer_get(doc, kind.id), doc, scope=scope,
                            attrs=index(engine, api, kind, doc))


def advance(engine: Engine, api: ApiDeclaration, kind: Kind, record: Record, *, read: bool) -> Record:
    """Let the resource's lifecycle progress (on a read, or as time passed); store any move."""
    if kind.lifecycle is None or not lifecycle.applies(kind, record.doc):
        return record
    doc = copy.deepcopy(record.doc)
    if engine.lifecycles.advance(api.name, kind, doc, engine.clock.now_ms(), read=read, on_enter=on_enter):
        return save(engine, api, kind, doc, record.scope)
    return record


def render(request: Request, kind: Kind, doc: dict) -> dict:
    out = lifecycle.strip(copy.deepcopy(doc))
    for link in kind.links:
        if link.when is None or pointer_get(out, link.when) is not None:
            pointer_set(out, link.pointer, link.template.format(origin=request.origin,
                                                                id=pointer_get(out, kind.id)))
    warnings = kind.system_warnings
    if warnings:
        out.setdefault("system", {})["warnings"] = copy.deepcopy(list(warnings))
    return out


# ----------------------------------------------------------------------------- create


def build(engine: Engine, request: Request, kind: Kind, body: dict, scope: str) -> dict:
    body = copy.deepcopy(body)
    now = iso(engine.clock.now_ms())
    metadata = {field: body.pop(field) for field in kind.metadata_fields or () if field in body}
    for name in kind.scope:
        body.pop(name, None)
    metadata.update(scope_fields(scope))
    names = kind.metadata_names
    metadata.update({"id": engine.ids.new(), "created_at": now, names.modified_at: now,
                     names.owner: request.principal})
    doc = {"metadata": metadata, "entity": body}
    members = kind.members
    if members and members.creator:
        creator = {**members.creator}
        pointer_set(creator, members.key, request.principal)
        pointer_set(doc, members.field, [creator])
    if kind.parent is not None:
        wanted = pointer_get(body, kind.parent.field)
        if wanted is not None:
            kinds = kind.parent.kinds
            found = None
            for candidate in kinds:
                record = engine.store.get(request.api.name, candidate, wanted)
                if record is not None and record.scope == scope:
                    found = record
                    break
            if found is None:
                raise NotFound(f"{' or '.join(kinds)} with id '{wanted}' does not exist in this space or project",
                               code="does_not_exist")
            derived = kind.parent_kind_field
            if derived:
                pointer_set(doc, derived, found.kind)
    for pointer in kind.generated:
        pointer_set(doc, pointer, engine.ids.new())
    return doc


@WML.action("create")
def create(engine: Engine, request: Request) -> Reply:
    kind, api = request.kind, request.api
    if not isinstance(request.body, dict):
        raise BadRequest("the request body must be a JSON object")
    scope = scope_of(engine, request, kind)
    with engine.store.transaction():
        doc = build(engine, request, kind, request.body, scope)
        engine.check_unique(api, kind, engine.unique_keys(kind, doc))
        engine.lifecycles.begin(api.name, kind, doc, engine.clock.now_ms(), on_enter=on_enter)
        validate(api, kind.schema, render(request, kind, doc), what=kind.name)
        record = save(engine, api, kind, doc, scope)
    return Reply(status_for(request, request.body), render(request, kind, record.doc))


# ----------------------------------------------------------------------------- read


def _query(request: Request, **changes: Any) -> str:
    """The request's whole query with ``changes`` applied: clients follow ``next.href`` verbatim and
    re-add nothing, so parameters the spec does not declare (the IBM client's ``summary`` on spaces)
    are carried too."""
    params = {p["name"]: request.params[p["name"]] for p in request.op.parameters
              if p["in"] == "query" and p["name"] in request.params}
    params.update(changes)
    shown = {k: ("true" if v is True else "false" if v is False else v) for k, v in params.items() if v is not None}
    extra = [(k, v) for k, v in request.query if k not in shown and k not in changes]
    return urlencode([*shown.items(), *extra])


def _page_envelope(request: Request, kind: Kind, items: list[dict], limit: int, next_token: str | None,
                   total: int | None) -> dict:
    path = request.api.base_path + request.op.path.format(**{k: v for k, v in request.params.items()})
    out: dict[str, Any] = {"limit": limit,
                           "first": {"href": f"{request.origin}{path}?{_query(request, limit=limit, start=None)}"},
                           "resources": items}
    if next_token is not None:
        out["next"] = {"href": f"{request.origin}{path}?{_query(request, limit=limit, start=next_token)}"}
    if total is not None:
        out["total_count"] = total
    return out


@WML.action("list")
def list_(engine: Engine, request: Request) -> Reply:
    kind, api, op = request.kind, request.api, request.op
    for param in op.parameters:
        probe = param.get("x-mlmock-availability")
        if probe and truthy(request.params.get(param["name"])):
            value = request.params.get(probe["value-param"])
            if not value:
                raise BadRequest(f"{param['name']}=true needs {probe['value-param']}")
            taken = engine.store.find(api.name, kind.name, f"filter:{probe['value-param']}", str(value))
            if taken:
                raise Conflict(f"{probe['value-param']} '{value}' is already in use", code="conflict")
            return Reply(probe.get("available", 204))
        stats = param.get("x-mlmock-stats")
        if stats and truthy(request.params.get(param["name"])):
            return Reply(200, _stats(engine, request, kind, stats))
    pagination = kind.pagination
    if pagination is not None and pagination.style == "none":
        records, _, _ = engine.page(request, scope=scope_of(engine, request, kind, required=False), limit=10_000)
        out: dict[str, Any] = {}
        pointer_set(out, pagination.total, len(records))
        pointer_set(out, pagination.items, [render(request, kind, r.doc) for r in records])
        return Reply(200, out)
    scope = scope_of(engine, request, kind)
    _, _, default = api.limit_bounds(op, pagination.limit_param)
    limit = request.param(pagination.limit_param, default or 100)
    filters = _filters(request)
    query = cursors.fingerprint([kind.name, scope, sorted(json.dumps(f) for f in filters)])
    token = request.param(pagination.start_param)
    position = cursors.decode(token, query, name="start") if token else None
    items: list[Record] = []
    more = False
    with engine.store.transaction():
        _settle(engine, request, kind, scope)
        # A read may move a resource's state: one that no longer matches a state filter is left
        # out, and the page is filled up from the following resources.
        while len(items) < limit:
            records, more = engine.store.page(api.name, kind.name, scope=scope, filters=filters,
                                              after=position, limit=limit - len(items))
            for record in records:
                position = Position(record.sort_key, record.rowid)
                record = advance(engine, api, kind, record, read=True)
                if _matches(index(engine, api, kind, record.doc), filters):
                    items.append(record)
            if not more:
                break
    total = None
    total_param = pagination.total_param
    if total_param is not None and truthy(request.params.get(total_param)):
        total = engine.store.count(api.name, kind.name, scope=scope, filters=filters)
    next_token = cursors.encode(position, query) if more and position is not None else None
    rendered = [render(request, kind, r.doc) for r in items]
    return Reply(200, _page_envelope(request, kind, rendered, limit, next_token, total))


def _filters(request: Request) -> list[tuple[str, str | tuple[str, ...]]]:
    """The store filters of a list request; ``(attribute, (v1, v2))`` matches any of the values.

    ``syntax: or-and`` reads ``a or b`` as any of the tags and ``a and b`` as all of them
    (``a or b and c`` as ``(a or b) and c``); ``syntax: comma-any`` reads ``a,b`` as any of them.
    """
    found: list[tuple[str, str | tuple[str, ...]]] = []
    for param in request.op.parameters:
        spec = param.get("x-mlmock-filter")
        value = request.params.get(param["name"])
        if not spec or value is None:
            continue
        attr, text = f"filter:{param['name']}", stringify(value)
        if spec.get("syntax") == "or-and":
            groups = [tuple(v.strip() for v in re.split(r"\s+or\s+", group) if v.strip())
                      for group in re.split(r"\s+and\s+", text.strip())]
        elif spec.get("syntax") == "comma-any":
            groups = [tuple(v.strip() for v in text.split(",") if v.strip())]
        else:
            groups = [(text,)]
        for group in groups:
            if group:
                found.append((attr, group if len(group) > 1 else group[0]))
    return found


def _matches(attrs: dict[str, list[str]], filters: list[tuple[str, str | tuple[str, ...]]]) -> bool:
    return all(any(v in attrs.get(name, ()) for v in (value if isinstance(value, tuple) else (value,)))
               for name, value in filters)


def _settle(engine: Engine, request: Request, kind: Kind, scope: str) -> None:
    """Under time pacing, move the in-flight resources on before filtering on their state.

    The index holds the state of the last write: a resource whose time has come must be found
    under the state it has now, not only left out of the state it had.
    """
    api = request.api
    if kind.lifecycle is None or engine.lifecycles.policy(api.name, kind.name).mode != "time":
        return
    state_fields = set(kind.lifecycle.fields)
    moving = tuple(s for s in api.lifecycle_states(kind) if lifecycle.happy_next(kind, s) is not None)
    for param in request.op.parameters:
        spec = param.get("x-mlmock-filter")
        if not spec or request.params.get(param["name"]) is None or spec["field"] not in state_fields:
            continue
        after = None
        while moving:
            records, more = engine.store.page(api.name, kind.name, scope=scope, after=after, limit=500,
                                              filters=[(f"filter:{param['name']}", moving)])
            for record in records:
                advance(engine, api, kind, record, read=False)
            if not more or not records:
                break
            after = Position(records[-1].sort_key, records[-1].rowid)


def _stats(engine: Engine, request: Request, kind: Kind, stats: dict) -> dict:
    """Counts per group (e.g. per space) over every stored resource of the kind."""
    groups: dict[str, dict[str, int]] = {}
    for record in _everywhere(engine, request.api, kind):
        key = pointer_get(record.doc, stats["group-by"]) or ""
        counts = groups.setdefault(key, {name: 0 for name in stats["counts"]})
        for name, pointer in stats["counts"].items():
            counts[name] += pointer_get(record.doc, pointer) is not None
    field = stats["group-by"].rsplit("/", 1)[-1]
    path = request.api.base_path + request.op.path
    return {"limit": 1, "first": {"href": f"{request.origin}{path}?{_query(request)}"}, "resources": [],
            "system": {"stats": [{field: key, **counts} for key, counts in sorted(groups.items())]}}


def _everywhere(engine: Engine, api: ApiDeclaration, kind: Kind) -> list[Record]:
    found: list[Record] = []
    for api_name, kind_name, scope, _ in engine.store.kinds_summary():
        if (api_name, kind_name) != (api.name, kind.name):
            continue
        position = None
        while True:
            records, more = engine.store.page(api_name, kind_name, scope=scope, limit=500, after=position)
            found += records
            if not more:
                break
            position = Position(records[-1].sort_key, records[-1].rowid)
    return found


@WML.action("get")
def get(engine: Engine, request: Request) -> Reply:
    kind, api = request.kind, request.api
    if kind.view_of is not None:
        return Reply(200, _view(engine, request, kind, _viewed(engine, request, kind)))
    id_ = path_id(request)
    scope = scope_of(engine, request, kind)
    with engine.store.transaction():
        record = advance(engine, api, kind, fetch(engine, request, kind, id_, scope), read=True)
    versioning = kind.versioning
    if versioning is not None and versioning.style == "revisions":
        rev = request.params.get(versioning.param)
        if rev and rev != "latest":
            snapshot = engine.store.history_entry(api.name, kind.name, id_, str(rev))
            if snapshot is None:
                raise NotFound(f"revision '{rev}' of {kind.name} '{id_}' does not exist", code="does_not_exist")
            return Reply(200, render(request, kind, snapshot))
    return Reply(200, render(request, kind, record.doc))


@WML.action("static")
def static(engine: Engine, request: Request) -> Reply:
    return Reply(200, {"version": SERVICE_VERSION})


# ----------------------------------------------------------------------------- patch


@WML.action("patch")
def patch(engine: Engine, request: Request) -> Reply:
    kind, api = request.kind, request.api
    operations = request.body
    patching.check_policy(kind, operations)
    scope = scope_of(engine, request, kind)
    with engine.store.transaction():
        record = fetch(engine, request, kind, path_id(request), scope)
        before = record.doc
        patched = patching.apply(before, kind.patch.translate(operations))
        patched = patching.restore(before, patched, kind.server_managed + (kind.id,))
        patched["metadata"][kind.metadata_names.modified_at] = iso(engine.clock.now_ms())
        engine.check_unique(api, kind, engine.unique_keys(kind, patched), exclude=record.id)
        lc = kind.lifecycle
        touched = [op["path"] for op in operations]
        if lc is not None and lc.on_patch and any(p == q or p.startswith(q + "/") for p in touched
                                                  for q in lc.on_patch_paths):
            engine.lifecycles.begin(api.name, kind, patched, engine.clock.now_ms(), state=lc.on_patch,
                                    on_enter=on_enter)
        validate(api, kind.schema, render(request, kind, patched), what=kind.name)
        record = save(engine, api, kind, patched, record.scope)
    return Reply(status_for(request), render(request, kind, record.doc))


# ----------------------------------------------------------------------------- delete


def _cancel(engine: Engine, api: ApiDeclaration, kind: Kind, record: Record) -> None:
    state = lifecycle.state_of(kind, record.doc)
    if state is not None and lifecycle.happy_next(kind, state) is None:
        raise BadRequest(f"Job already completed with state {state}", code="invalid_state")
    doc = copy.deepcopy(record.doc)
    engine.lifecycles.force(api, kind, doc, kind.delete.cancel_state, engine.clock.now_ms(), on_enter=on_enter)
    save(engine, api, kind, doc, record.scope)


@WML.action("delete")
def delete(engine: Engine, request: Request) -> Reply:
    kind, api = request.kind, request.api
    if kind.view_of is not None:
        with engine.store.transaction():
            viewed = _viewed(engine, request, kind)
            target = api.kinds[viewed.kind]
            if target.delete.cancel_state:
                state = lifecycle.state_of(target, viewed.doc)
                # Deleting a platform job run stops a running job; a finished run is deleted with the
                # deployment job it ran: the official client on CPD <= 5.1 deletes jobs this way only
                # (a 204 here and it never calls DELETE /ml/v4/deployment_jobs).
                if state is None or lifecycle.happy_next(target, state) is not None:
                    _cancel(engine, api, target, viewed)
                else:
                    engine.store.remove(api.name, viewed.kind, viewed.id)
            else:
                engine.store.remove(api.name, viewed.kind, viewed.id)
        return Reply(request.op.success_statuses[0])
    scope = scope_of(engine, request, kind)
    hard = truthy(request.params.get(kind.delete.hard_param)) if kind.delete.hard_param else False
    with engine.store.transaction():
        record = fetch(engine, request, kind, path_id(request), scope)
        if kind.delete.cancel_state and not hard:
            _cancel(engine, api, kind, record)
        else:
            engine.store.remove(api.name, kind.name, record.id)
            contains = kind.contains
            if contains:  # a space: everything in it goes with it
                engine.store.remove_where(api.name, scope=f"{contains.removesuffix('_id')}:{record.id}")
    return Reply(status_for(request))


# ----------------------------------------------------------------------------- revisions


@WML.action("revision-create")
def revision_create(engine: Engine, request: Request) -> Reply:
    kind, api = request.kind, request.api
    scope = scope_of(engine, request, kind)
    settings = kind.versioning
    with engine.store.transaction():
        record = fetch(engine, request, kind, path_id(request), scope)
        number = str(len(engine.store.history(api.name, kind.name, record.id)) + 1)
        snapshot = lifecycle.strip(copy.deepcopy(record.doc))
        pointer_set(snapshot, settings.field, number)
        commit = {"committed_at": iso(engine.clock.now_ms())}
        if isinstance(request.body, dict) and request.body.get("commit_message"):
            commit["commit_message"] = request.body["commit_message"]
        pointer_set(snapshot, settings.commit, commit)
        engine.store.add_history(api.name, kind.name, record.id, number, snapshot)
    return Reply(status_for(request), render(request, kind, snapshot))


@WML.action("revisions")
def revisions(engine: Engine, request: Request) -> Reply:
    kind, api = request.kind, request.api
    scope = scope_of(engine, request, kind)
    record = fetch(engine, request, kind, path_id(request), scope)
    history = [doc for _, doc in engine.store.history(api.name, kind.name, record.id, newest_first=True)]
    pagination = kind.pagination
    _, _, default = api.limit_bounds(request.op, pagination.limit_param)
    limit = request.param(pagination.limit_param, default or 100)
    offset = _decode_offset(request.param("start"), len(history))
    page = history[offset:offset + limit]
    token = _encode_offset(offset + limit) if offset + limit < len(history) else None
    return Reply(200, _page_envelope(request, kind, [render(request, kind, d) for d in page], limit, token, None))


def _encode_offset(offset: int) -> str:
    return f"o{offset}"


def _decode_offset(token: str | None, size: int) -> int:
    if not token:
        return 0
    if not token.startswith("o") or not token[1:].isdigit() or int(token[1:]) > size:
        raise BadRequest(f"invalid start token {token[:64]!r}", code="invalid_parameter")
    return int(token[1:])


# ----------------------------------------------------------------------------- content


def _attachment_meta(request: Request, data: bytes, attachment_id: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"attachment_id": attachment_id, "persisted": True, "data_size": len(data)}
    for param in request.op.parameters:
        pointer = param.get("x-mlmock-attachment")
        if pointer and request.params.get(param["name"]) is not None:
            pointer_set(meta, pointer, request.params[param["name"]])
    meta.setdefault("content_format", "native")
    media = request.content_type
    if media:
        meta["content_type"] = media.split(";")[0]
    return meta


@WML.action("content-put")
def content_put(engine: Engine, request: Request) -> Reply:
    kind, api = request.kind, request.api
    data = request.raw
    scope = scope_of(engine, request, kind)
    settings = kind.attachments
    with engine.store.transaction():
        record = fetch(engine, request, kind, path_id(request), scope)
        if settings.multiple:
            probe = _attachment_meta(request, data, "")
            key = json.dumps([probe.get(k) for k in settings.replace_key])
            existing = next((m for m in engine.store.blobs(api.name, kind.name, record.id) if m.get("_key") == key),
                            None)
            attachment_id = existing["attachment_id"] if existing else engine.ids.new()
        else:
            key, attachment_id = "content", engine.ids.new()
        meta = _attachment_meta(request, bytes(data), attachment_id)
        engine.store.put_blob(api.name, kind.name, record.id, key, {**meta, "_key": key}, bytes(data))
    return Reply(status_for(request), meta)


def _attachments(engine: Engine, request: Request, kind: Kind, record: Record) -> list[dict]:
    found = [{k: v for k, v in m.items() if k != "_key"}
             for m in engine.store.blobs(request.api.name, kind.name, record.id)]
    for flt in request.op.filters:
        value = request.params.get(flt.param)
        if value is not None:
            found = [m for m in found if str(pointer_get(m, flt.field)) == str(value)]
    return found


@WML.action("attachments")
def attachments(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    record = fetch(engine, request, kind, path_id(request), scope_of(engine, request, kind))
    found = _attachments(engine, request, kind, record)
    return Reply(200, {"total_count": len(found), "attachments": found})


def _blob_by_id(engine: Engine, request: Request, kind: Kind, record: Record, attachment_id: str):
    for meta in engine.store.blobs(request.api.name, kind.name, record.id):
        if meta["attachment_id"] == attachment_id:
            return meta, engine.store.blob(request.api.name, kind.name, record.id, meta["_key"])[1]
    raise NotFound(f"attachment '{attachment_id}' does not exist", code="does_not_exist")


@WML.action("attachment-get")
def attachment_get(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    record = fetch(engine, request, kind, path_id(request), scope_of(engine, request, kind))
    _, data = _blob_by_id(engine, request, kind, record, request.params["attachment_id"])
    return Reply(200, data, media_type="application/octet-stream")


@WML.action("attachment-delete")
def attachment_delete(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    with engine.store.transaction():
        record = fetch(engine, request, kind, path_id(request), scope_of(engine, request, kind))
        meta, _ = _blob_by_id(engine, request, kind, record, request.params["attachment_id"])
        engine.store.remove_blob(request.api.name, kind.name, record.id, meta["_key"])
    return Reply(request.op.success_statuses[0])


@WML.action("content-get")
def content_get(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    record = fetch(engine, request, kind, path_id(request), scope_of(engine, request, kind))
    found = _attachments(engine, request, kind, record)
    if not found:
        raise NotFound(f"{kind.name} '{record.id}' has no matching content", code="does_not_exist")
    if len(found) > 1:
        raise BadRequest(f"{len(found)} attachments of {kind.name} '{record.id}' match; filter on one of "
                         f"{', '.join(f.param for f in request.op.filters)}", code="ambiguous_content")
    _, data = _blob_by_id(engine, request, kind, record, found[0]["attachment_id"])
    return Reply(200, data, media_type="application/octet-stream")


# ----------------------------------------------------------------------------- predictions


@WML.action("predict")
def predict_action(engine: Engine, request: Request) -> Reply:
    kind, api = request.kind, request.api
    wanted = path_id(request)
    record = engine.store.get(api.name, kind.name, wanted)
    if record is None:
        for pointer in request.op.options.get("lookup", ()):
            for op in api.operations_of(kind.name, "list"):
                for flt in op.filters:
                    if flt.field == pointer:
                        hits = engine.store.find(api.name, kind.name, f"filter:{flt.param}", wanted)
                        record = hits[0] if hits else record
    if record is None:
        raise not_found(kind.name, wanted)
    if not isinstance(request.body, dict) or not isinstance(request.body.get("input_data"), list):
        raise BadRequest("the scoring payload needs an input_data array", code="invalid_input")
    return Reply(200, {"predictions": predict(request.body["input_data"])})


# ----------------------------------------------------------------------------- platform


@WML.action("authorize")
def authorize(engine: Engine, request: Request) -> Reply:
    body = request.body if isinstance(request.body, dict) else {}
    if not body.get("username") or not (body.get("api_key") or body.get("password")):
        raise BadRequest("username and api_key (or password) are required", code="invalid_credentials")
    now = engine.clock.now_ms() // 1000
    token = jwt.encode({"sub": body["username"], "username": body["username"], "iat": now, "exp": now + 3600,
                        "iss": "mlmock"}, engine.settings.jwt_secret, algorithm="HS256")
    return Reply(200, {"token": token, "_messageCode_": "200", "message": "Success"})


def principal_of(engine: Engine, token: str) -> str | None:
    """The user a bearer JWT issued by :func:`authorize` names, or None when it is not one of ours."""
    try:
        # Times are checked below on the engine's clock (which may be fixed), not by PyJWT on the
        # wall clock: a token issued at a fixed time must not be expired by the real date.
        claims = jwt.decode(token, engine.settings.jwt_secret, algorithms=["HS256"], issuer="mlmock",
                            options={"require": ["exp", "sub"], "verify_exp": False, "verify_iat": False,
                                     "verify_nbf": False})
    except jwt.PyJWTError:
        return None
    now = engine.clock.now_ms() // 1000
    exp = claims["exp"]
    return claims["sub"] if isinstance(exp, int | float) and exp > now else None


def _viewed(engine: Engine, request: Request, kind: Kind) -> Record:
    view = kind.view_of
    wanted = path_id(request) if "{run_id}" not in request.op.path else request.params["run_id"]
    for name in view.kinds:
        if view.lookup == api_id_pointer(request.api, name):
            record = engine.store.get(request.api.name, name, wanted)
        else:
            hits = engine.store.find(request.api.name, name, f"generated:{view.lookup}", wanted)
            record = hits[0] if hits else None
        # space_id / project_id are optional here; when given, the asset must live in one of them.
        given = {f"{p.removesuffix('_id')}:{request.params[p]}" for p in request.api.kinds[name].scope
                 if request.params.get(p)}
        if record is not None and (not given or record.scope in given):
            return record
    raise NotFound(f"asset '{wanted}' does not exist", code="does_not_exist")


def api_id_pointer(api: ApiDeclaration, kind: str) -> str:
    return api.kinds[kind].id


def _view(engine: Engine, request: Request, kind: Kind, record: Record) -> dict:
    doc = lifecycle.strip(copy.deepcopy(record.doc))
    meta = doc.get("metadata", {})
    scope = scope_fields(record.scope)
    query = "&".join(f"{k}={v}" for k, v in scope.items())
    return {
        "href": f"/v2/assets/{record.id}" + (f"?{query}" if query else ""),
        "metadata": {"asset_id": record.id, "asset_type": f"wml_{record.kind}", "name": meta.get("name", ""),
                     "description": meta.get("description", ""), "tags": meta.get("tags", []),
                     "created_at": meta.get("created_at"), "usage": {"last_updated_at": meta.get("modified_at")},
                     **scope},
        "entity": {f"wml_{record.kind}": doc.get("entity", {})},
    }


# ----------------------------------------------------------------------------- seeding, control


@WML.seeds
def seed(engine: Engine, api: ApiDeclaration) -> None:
    with engine.store.transaction():
        for kind_name, docs in documents().items():
            if kind_name not in api.kinds:
                continue
            kind = api.kinds[kind_name]
            for doc in docs:
                save(engine, api, kind, copy.deepcopy(doc), UNSCOPED)
            engine.seeded[(api.name, kind_name)] = len(docs)


@WML.verifies
def verify(engine: Engine, token: str) -> str | None:
    return principal_of(engine, token)


@WML.forces
def force(engine: Engine, api: ApiDeclaration, kind: Kind, id_: str, state: str, message: str | None) -> dict:
    with engine.store.transaction():
        record = engine.store.get(api.name, kind.name, id_)
        if record is None:
            raise not_found(kind.name, id_)
        doc = copy.deepcopy(record.doc)
        engine.lifecycles.force(api, kind, doc, state, engine.clock.now_ms(), message=message, on_enter=on_enter)
        return save(engine, api, kind, doc, record.scope).doc
