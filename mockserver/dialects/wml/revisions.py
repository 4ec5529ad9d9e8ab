"""Revisions: immutable snapshots of a resource, created and listed."""

from __future__ import annotations

from mlmock.spec.declarations import pointer_set

from ...core import jsonsafety, lifecycle, paging
from ...core.engine import Engine, Reply, Request
from .common import WML, fetch, iso, path_id, status_for
from .documents import render
from .listing import _page_envelope
from .scopes import scope_of


@WML.action("revision-create")
def revision_create(engine: Engine, request: Request) -> Reply:
    kind, api = request.kind, request.api
    scope = scope_of(engine, request, kind)
    settings = kind.versioning
    coll = engine.collection(api, kind)
    with coll.transaction():
        record = fetch(engine, request, kind, path_id(request), scope)
        number = str(coll.history_count(record.id) + 1)
        snapshot = lifecycle.strip(jsonsafety.copy(record.doc))
        pointer_set(snapshot, settings.field, number)
        commit = {"committed_at": iso(engine.clock.now_ms())}
        if isinstance(request.body, dict) and request.body.get("commit_message"):
            commit["commit_message"] = request.body["commit_message"]
        pointer_set(snapshot, settings.commit, commit)
        coll.add_history(record.id, number, snapshot)
    return Reply(status_for(request), render(request, kind, snapshot))


@WML.action("revisions")
def revisions(engine: Engine, request: Request) -> Reply:
    kind, api = request.kind, request.api
    scope = scope_of(engine, request, kind)
    record = fetch(engine, request, kind, path_id(request), scope)
    pagination = kind.pagination
    _, _, default = api.limit_bounds(request.op, pagination.limit_param)
    limit = request.param(pagination.limit_param, default or 100)
    # An offset token made for this resource's revisions in this scope: replayed elsewhere, a 400.
    query = paging.fingerprint(kind.name, scope, None, (), "revisions", record.id)
    coll = engine.collection(api, kind)
    with coll.transaction():  # the count and the slice of one history
        page, token = coll.history_page(record.id, request.param(pagination.start_param), query, limit=limit,
                                        name=pagination.start_param)
    return Reply(200, _page_envelope(request, kind, [render(request, kind, d) for _, d in page], limit, token,
                                     None))
