"""Seed a known state by replaying the spec's create operations through the app, in process.

A seed document (YAML or JSON) maps API names to kind names to lists of create bodies, exactly
as a client would send them (for WML, with ``space_id`` or ``project_id`` in the body)::

    openmetadata:
      mlmodelService:
        - {name: mlflow_svc, serviceType: Mlflow}
      mlmodel:
        - {name: churn, service: mlflow_svc, algorithm: KMeans}
    wml:
      model:
        - {name: churn, type: scikit-learn_1.3, software_spec: {name: runtime-23.1-py3.10}, space_id: ...}
      deployment:
        - {name: churn-online, online: {}, asset: {id: "${model:churn}"}, space_id: ...}

Each body goes to the kind's ``create`` operation (``upsert`` when it has none) through the
guard, connexion's validation and the engine, so derived fields, indexes and lifecycles are
exactly those of a client request. Required query parameters (WML's ``version``) take their
documented default or example. ``${kind:name}`` anywhere in a string is replaced by the id of
the resource of that kind and name created earlier in the same document. Kinds are created in
the order the document lists them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from starlette.types import ASGIApp

from mlmock.asgi import call  # the one in-process ASGI call
from mlmock.spec.declarations import ApiDeclaration, Kind, Operation, pointer_get

from ..core import jsonsafety
from ..core.errors import BadRequest, MockError

_REFERENCE = re.compile(r"\$\{([A-Za-z_][\w-]*):([^}]+)\}")


class SeedError(BadRequest):
    """A seed document that is malformed, or a body the API refused (the API's answer inside)."""

    def __init__(self, message: str, *, answer: Any = None):
        super().__init__(message)
        self.answer = answer


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise SeedError(f"seed: {type(value).__name__} values cannot be sent as JSON")


def parse(text: str | bytes, *, max_depth: int = jsonsafety.DEFAULT_MAX_DEPTH + 4) -> Any:
    """A seed document from YAML or JSON text (JSON is YAML); dates become ISO strings."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise SeedError(f"seed: not YAML or JSON: {error}") from None
    except RecursionError:
        raise SeedError("seed: nested too deeply") from None
    # Round-trip through strict JSON: what is seeded is what a client could send.
    try:
        return jsonsafety.loads(json.dumps(data, default=_plain), max_depth=max_depth)
    except SeedError:
        raise
    except (ValueError, RecursionError):
        raise SeedError("seed: not representable as JSON") from None
    except MockError as error:
        raise SeedError(f"seed: {error.message}") from None


class HarSeed(list):
    """The entries of a HAR recording (``--seed-file x.har``): replayed by :mod:`.harseed`."""


def read(path: str | Path) -> Any:
    from mlmock import har

    if har.looks_like_har(path):
        try:
            return HarSeed(har.read(path))
        except har.HarError as error:
            raise SeedError(f"seed: {error}") from None
    try:
        return parse(Path(path).read_bytes())
    except OSError as error:
        raise SeedError(f"seed: cannot read {path}: {error.strerror or error}") from None


@dataclass(frozen=True)
class Item:
    api: ApiDeclaration
    kind: Kind
    op: Operation
    index: int
    body: dict[str, Any]

    @property
    def where(self) -> str:
        return f"{self.api.name}.{self.kind.name}[{self.index}]"


def _create_op(api: ApiDeclaration, kind: Kind) -> Operation:
    for action in ("create", "upsert"):
        op = api.operation(kind.name, action)
        if op is not None and "{" not in op.path:
            return op
    if kind.readonly:
        raise SeedError(f"seed: {api.name}.{kind.name} is read-only (a catalogue the mock seeds itself)")
    raise SeedError(f"seed: {api.name}.{kind.name} has no create operation")


def plan(data: Any, apis: Mapping[str, ApiDeclaration]) -> list[Item]:
    """The bodies to create, in order; a malformed document is a 400 naming the bad part."""
    if data is None or isinstance(data, HarSeed):
        return []
    if not isinstance(data, dict):
        raise SeedError("seed: the document maps API names to kinds to lists of create bodies")
    items = []
    for api_name, kinds in data.items():
        api = apis.get(api_name)
        if api is None:
            raise SeedError(f"seed: unknown API {api_name!r}; served: {', '.join(apis) or 'none'}")
        if kinds is None:
            continue
        if not isinstance(kinds, dict):
            raise SeedError(f"seed: {api_name} must map kind names to lists of create bodies")
        for kind_name, bodies in kinds.items():
            kind = api.kinds.get(kind_name)
            if kind is None:
                raise SeedError(f"seed: unknown kind {kind_name!r} of {api_name}; "
                                f"kinds: {', '.join(api.kinds)}")
            op = _create_op(api, kind)
            if not isinstance(bodies, list):
                raise SeedError(f"seed: {api_name}.{kind_name} must be a list of create bodies")
            for index, body in enumerate(bodies):
                if not isinstance(body, dict):
                    raise SeedError(f"seed: {api_name}.{kind_name}[{index}] must be an object")
                items.append(Item(api, kind, op, index, body))
    return items


def _query(item: Item) -> dict[str, str]:
    query = {}
    for param in item.op.parameters:
        if param.get("in") != "query":
            continue
        name = param["name"]
        if name in item.kind.scope and isinstance(item.body.get(name), str):
            query[name] = item.body[name]
            continue
        if not param.get("required"):
            continue
        schema = item.api.resolve(param.get("schema", {}))
        for value in (schema.get("default"), param.get("example"), schema.get("example")):
            if value is not None:
                query[name] = str(value).lower() if isinstance(value, bool) else str(value)
                break
        else:
            raise SeedError(f"seed: {item.where}: {item.op.operation_id} needs query parameter {name!r}, "
                            "which has no documented default or example")
    return query


def _substitute(value: Any, created: Mapping[tuple[str, str, str], str], api: str, where: str) -> Any:
    if isinstance(value, dict):
        return {k: _substitute(v, created, api, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, created, api, where) for v in value]
    if isinstance(value, str) and "${" in value:
        def replace(found: re.Match) -> str:
            key = (api, found.group(1), found.group(2))
            if key not in created:
                raise SeedError(f"seed: {where}: {found.group(0)} names no {found.group(1)} created earlier "
                                "in this document")
            return created[key]
        return _REFERENCE.sub(replace, value)
    return value


async def apply(app: ASGIApp, apis: Mapping[str, ApiDeclaration], data: Any, *, token: str,
                origin: str = "http://localhost", store: Any = None) -> dict[str, Any]:
    """Create everything ``data`` lists; returns what was created, per API and kind, in order.

    The first body the API refuses stops the run with a :class:`SeedError` carrying its answer
    (what was created before it stays: the caller decides whether to roll back)."""
    if isinstance(data, HarSeed):
        from .harseed import replay

        return await replay(app, apis, data, token=token, origin=origin, store=store)
    items = plan(data, apis)
    created: dict[tuple[str, str, str], str] = {}
    report: dict[str, dict[str, list[dict[str, Any]]]] = {}
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    for item in items:
        body = _substitute(item.body, created, item.api.name, item.where)
        payload = json.dumps(body, ensure_ascii=False).encode()
        status, answer = await call(app, item.op.method, item.api.base_path + item.op.path, _query(item),
                                    payload, headers, origin)
        try:
            document = json.loads(answer) if answer else None
        except ValueError:
            document = answer.decode("utf-8", "replace")
        if not 200 <= status < 300:
            raise SeedError(f"seed: {item.where}: {item.op.method} {item.op.path} answered {status}: "
                            f"{_reason(document)}", answer={"status": status, "body": document})
        id_ = pointer_get(document, item.kind.id) if isinstance(document, dict) else None
        name = pointer_get(document, item.kind.name_pointer) if item.kind.name_pointer and id_ else None
        if isinstance(id_, str) and isinstance(name, str):
            created[(item.api.name, item.kind.name, name)] = id_
        report.setdefault(item.api.name, {}).setdefault(item.kind.name, []).append({"id": id_, "name": name})
    return {"count": len(items), "created": report}


def _reason(document: Any) -> str:
    if isinstance(document, dict):
        if isinstance(document.get("message"), str):
            return document["message"]
        errors = document.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("message"))
    return json.dumps(document)[:500] if not isinstance(document, str) else document[:500]
