"""Seed the mock from a HAR recording: the state the recorded traffic left on the server.

The recording's successful writes (creates, upserts, patches, deletes, restores, revisions,
uploads) are replayed through the app in order, so indexes, histories and lifecycles are the mock's
own; the ids the recorded server gave are mapped to the mock's as they appear and put back at the
end, and each live resource takes the last representation the recording shows of it (content,
version, state). Reads are not replayed. Credentials in the recording (redacted anyway) are not
used: the replay carries the mock's own token.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from mlmock.har import Entry
from mlmock.spec.declarations import ApiDeclaration, pointer_get

from ..http.routes import Routes
from . import snapshots

WRITES = ("create", "upsert", "bulk-upsert", "patch", "delete", "restore", "revision-create", "content-put",
          "attachment-delete")
SHOWS = ("create", "upsert", "get", "get-by-name", "patch", "restore")


def _json(body: bytes) -> Any:
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def _swap(text: str, ids: Mapping[str, str]) -> str:
    for old, new in ids.items():
        text = text.replace(old, new)
    return text


async def replay(app, apis: Mapping[str, ApiDeclaration], entries: list[Entry], *, token: str, origin: str,
                 store) -> dict[str, Any]:
    from mlmock.asgi import call

    routes = Routes(apis)
    recorded_to_mock: dict[str, str] = {}
    last: dict[tuple[str, str, str], Any] = {}
    replayed = refused = 0
    for entry in entries:
        parts = urlsplit(entry.url)
        found = routes.match(entry.method, unquote(parts.path))
        if found is None or found.op.kind is None or not 200 <= entry.status < 300:
            continue
        api, op = found.api, found.op
        kind = api.kinds[op.kind]
        query = parse_qsl(parts.query, keep_blank_values=True)
        answer = _json(entry.response_body)
        recorded_id = pointer_get(answer, kind.id) if isinstance(answer, dict) else None
        if op.action in SHOWS and recorded_id is not None and not any(k == "rev" for k, _ in query):
            last[(api.name, kind.name, str(recorded_id))] = answer
        if op.action not in WRITES:
            continue
        path = _swap(unquote(parts.path), recorded_to_mock)
        body = _swap(entry.request_body.decode("utf-8", "surrogateescape"), recorded_to_mock).encode(
            "utf-8", "surrogateescape")
        headers = {"authorization": f"Bearer {token}"}
        if entry.request_header("content-type"):
            headers["content-type"] = entry.request_header("content-type")
        status, mine = await call(app, entry.method, path, {k: _swap(v, recorded_to_mock) for k, v in query},
                                  body, headers, origin)
        if not 200 <= status < 300:
            refused += 1
            continue
        replayed += 1
        mine_doc = _json(mine)
        mock_id = pointer_get(mine_doc, kind.id) if isinstance(mine_doc, dict) else None
        if op.action in ("create", "upsert") and isinstance(recorded_id, str) and isinstance(mock_id, str) \
                and recorded_id != mock_id:
            recorded_to_mock[recorded_id] = mock_id
    # Put the recorded ids and last observed representations back.
    snapshot = snapshots.export(store)
    text = _swap(json.dumps(snapshot), {mock: recorded for recorded, mock in recorded_to_mock.items()})
    snapshot = json.loads(text)
    restored = 0
    for resource in snapshot["resources"]:
        doc = last.get((resource["api"], resource["kind"], resource["id"]))
        if isinstance(doc, dict) and not resource["deleted"]:
            resource["doc"] = doc
            restored += 1
    snapshots.restore(store, snapshot)
    return {"count": replayed, "refused": refused, "resources": restored, "ids": len(recorded_to_mock)}
