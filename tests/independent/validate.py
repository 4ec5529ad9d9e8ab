"""Request validation from the published request schemas (the API reference's own JSON schemas).

Only requests are validated this way; every answer, message, id and ordering of the independent
implementation is written by hand. Nothing here comes from ``mockserver/`` or ``contracts/``.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SPEC_DIR = Path(__file__).resolve().parents[2] / "spec"


class Invalid(Exception):
    pass


@cache
def document(name: str) -> dict:
    return yaml.safe_load((SPEC_DIR / f"{name}.yaml").read_text())


def _strip_nullable(schema: Any) -> Any:
    if isinstance(schema, dict):
        out = {k: _strip_nullable(v) for k, v in schema.items() if not k.startswith("x-")}
        if out.pop("nullable", False) and "type" in out:
            out["type"] = [out["type"], "null"]
        return out
    if isinstance(schema, list):
        return [_strip_nullable(v) for v in schema]
    return schema


@cache
def _components(name: str) -> dict:
    return _strip_nullable(copy.deepcopy(document(name).get("components", {})))


def _resolve(name: str, node: dict) -> dict:
    while "$ref" in node:
        parts = node["$ref"].lstrip("#/").split("/")
        node = document(name)
        for part in parts:
            node = node[part]
    return node


def operation(name: str, method: str, path: str) -> dict:
    return document(name)["paths"][path][method]


def _check(name: str, schema: dict, value: Any, where: str) -> None:
    wrapped = {**_strip_nullable(schema), "components": _components(name)}
    validator = jsonschema.Draft7Validator(wrapped, format_checker=jsonschema.FormatChecker())
    error = next(iter(validator.iter_errors(value)), None)
    if error is not None:
        raise Invalid(f"{where}: {error.message[:200]}")


def _coerce(schema: dict, raw: str | list[str]) -> Any:
    kind = schema.get("type")
    if kind == "array":
        values = raw if isinstance(raw, list) else raw.split(",")
        return [_coerce(schema.get("items", {}), v) for v in values]
    if isinstance(raw, list):
        raw = raw[-1]
    if kind == "integer":
        try:
            return int(raw)
        except ValueError:
            raise Invalid(f"{raw!r} is not an integer") from None
    if kind == "boolean":
        if raw not in ("true", "false"):
            raise Invalid(f"{raw!r} is not a boolean")
        return raw == "true"
    return raw


def check_request(name: str, method: str, path: str, *, query, path_params: dict, body: Any = None,
                  has_body: bool = False, media: str = "application/json") -> dict[str, Any]:
    """Validate one request; returns the coerced query values."""
    op = operation(name, method, path)
    values: dict[str, Any] = {}
    for param in (_resolve(name, p) for p in op.get("parameters", [])):
        schema = param.get("schema", {})
        if param["in"] == "query":
            raw = query.getlist(param["name"]) if hasattr(query, "getlist") else query.get(param["name"])
            if not raw:
                if param.get("required"):
                    raise Invalid(f"query parameter {param['name']} is required")
                continue
            value = _coerce(_resolve(name, schema), raw)
            _check(name, schema, value, f"query parameter {param['name']}")
            values[param["name"]] = value
        elif param["in"] == "path" and param["name"] in path_params:
            _check(name, schema, path_params[param["name"]], f"path parameter {param['name']}")
    request_body = _resolve(name, op["requestBody"]) if "requestBody" in op else None
    if request_body:
        content = request_body.get("content", {})
        if media not in content:
            raise Invalid(f"{media} is not an accepted content type")
        if not has_body:
            raise Invalid("a request body is required")
        if "json" in media:
            _check(name, content[media].get("schema", {}), body, "body")
    return values


def check_entity(name: str, schema_name: str, value: Any) -> None:
    """The patched entity must still be a valid entity (the real server validates it too)."""
    _check(name, {"$ref": f"#/components/schemas/{schema_name}"}, value, "the patched entity")
