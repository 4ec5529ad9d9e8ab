"""What every WML action shares: the dialect and its error envelope, scopes, ids and statuses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mlmock.spec.declarations import Kind, pointer_get

from ...core.dialect import Dialect, register
from ...core.engine import Engine, Request
from ...core.errors import MockError, NotFound
from ...core.store import Record

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


def iso(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def not_found(kind: str, id_: str) -> NotFound:
    return NotFound(f"{kind.replace('_', ' ')} with id '{id_}' does not exist", code="does_not_exist")


def scope_fields(scope: str) -> dict[str, str]:
    if not scope:
        return {}
    prefix, _, value = scope.partition(":")
    return {f"{prefix}_id": value}


def fetch(engine: Engine, request: Request, kind: Kind, id_: str, scope: str) -> Record:
    record = engine.collection(request.api, kind).get(id_)
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
