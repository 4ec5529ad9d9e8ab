"""What every OpenMetadata action shares: the dialect and its error envelope, lookups, references, rendering."""

from __future__ import annotations

from typing import Any

from mlmock.spec.declarations import Kind

from ...core import jsonsafety
from ...core.collection import FQN
from ...core.dialect import Dialect, register
from ...core.engine import Engine, Request
from ...core.errors import BadRequest, MockError, NotFound, UnsupportedMediaType
from ...core.store import Record


def _envelope(error: MockError, trace: str) -> tuple[dict[str, Any], dict[str, str]]:
    """dropwizard's ErrorMessage: the SDK reads an integer ``code`` and a ``message``."""
    headers = {"WWW-Authenticate": "om-auth"} if error.status in (401, 403) else {}
    return {"code": error.status, "message": error.message}, headers


OPENMETADATA = register(Dialect("openmetadata", envelope=_envelope))


DIALECT = OPENMETADATA.name


INCLUDE = {"non-deleted": False, "deleted": True, "all": None}


def quote_name(name: str) -> str:
    """OpenMetadata's FullyQualifiedName.quoteName: a name holding a dot is double-quoted."""
    return f'"{name}"' if "." in name and not (name.startswith('"') and name.endswith('"')) else name


def not_found(kind: str, what: str) -> NotFound:
    # CatalogExceptionMessage.entityNotFound, the real server's wording.
    return NotFound(f"{kind} instance for {what} not found")


def lookup(engine: Engine, request: Request, kind: str, fqn: str, *, deleted: bool | None = False) -> Record | None:
    for record in engine.collection(request.api, kind).find(FQN, fqn):
        if deleted is None or record.deleted == deleted:
            return record
    return None


def entity_reference(kind: str, record: Record) -> dict[str, Any]:
    doc = record.doc
    ref = {"id": record.id, "type": kind, "name": doc.get("name"),
           "fullyQualifiedName": doc.get("fullyQualifiedName"), "displayName": doc.get("displayName"),
           "deleted": record.deleted}
    return {k: v for k, v in ref.items() if v is not None}


def unset(request: Request, kind: Kind, name: str, value: Any) -> bool:
    """Whether a relation field holds nothing anyone set: absent, empty, or its schema default."""
    if value is None or value == [] or value == {}:
        return True
    prop = request.api.resolve(request.api.schema(kind.schema).get("properties", {}).get(name, {}))
    return "default" in prop and value == prop["default"]


def render(request: Request, kind: Kind, doc: dict[str, Any], *, fields: set[str] | None = None) -> dict:
    """The entity as sent, with its absolute ``href``.

    Read (``fields`` given, possibly empty): the relation fields asked for, and no other. Write
    answers and versions (``fields`` None): the relation fields that hold what someone set; the
    real server answers a create, upsert or patch with the entity as built from the request.
    """
    out = jsonsafety.copy(doc)
    get = request.api.operation(kind.name, "get")
    if get is not None:
        out["href"] = request.origin + request.api.base_path + get.path.replace("{id}", doc["id"])
    if kind.relation_fields is not None:
        for name in kind.relation_fields.names:
            if fields is None and unset(request, kind, name, out.get(name)) or \
                    fields is not None and name not in fields:
                out.pop(name, None)
    return out


def requested_fields(request: Request, kind: Kind) -> set[str]:
    if kind.relation_fields is None:
        return set()
    raw = request.param(kind.relation_fields.param) or []
    parts = raw.split(",") if isinstance(raw, str) else [p for item in raw for p in str(item).split(",")]
    names = {part.strip() for part in parts if part.strip()}
    if kind.relation_fields.every is not None and names == {kind.relation_fields.every}:
        return set(kind.relation_fields.names)   # the real server: "*" alone means every field
    for name in sorted(names):
        if name not in kind.relation_fields.names:
            raise BadRequest(f"Invalid field name {name}")
    return names


def include_state(request: Request) -> bool | None:
    return INCLUDE[request.param("include", "non-deleted")]


def body_of(request: Request) -> Any:
    """The parsed JSON body. Sent without a Content-Type, it reaches the action as raw bytes;
    the real server (JAX-RS, @Consumes JSON) answers 415 then, and so does the mock."""
    if isinstance(request.body, bytes | bytearray | str):
        media = " or ".join(request.op.request_media_types) or "application/json"
        raise UnsupportedMediaType(f"request body must be sent as {media}")
    return request.body


def version_key(version: Any) -> str:
    return f"{float(version):.1f}"


def fetch(engine: Engine, request: Request, id_: str, *, deleted: bool | None = False) -> Record:
    kind = request.kind
    record = engine.collection(request.api, kind).get(id_)
    if record is None or (deleted is not None and record.deleted != deleted):
        raise not_found(kind.name, id_)
    return record
