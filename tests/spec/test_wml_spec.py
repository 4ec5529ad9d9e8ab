"""Checks of spec/wml.yaml, the hand-written OpenAPI document of IBM Watson Machine Learning v4.

The list of the documented operations and their success status codes lives in
spec/wml-operations.txt (`METHOD /path CODE[,CODE...]`, in the order of the API reference).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

SPEC_DIR = Path(__file__).parents[2] / "spec"
SPEC_PATH = SPEC_DIR / "wml.yaml"
OPERATIONS_PATH = SPEC_DIR / "wml-operations.txt"

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DOCUMENTED_PREFIX = "/ml/v4/"
# The generic actions of spec/README.md, plus `authorize` (added in its WML section) and the
# platform asset actions (issue 10, readings 48-52).
ACTIONS = {
    "create", "upsert", "bulk-upsert", "list", "get", "get-by-name", "patch", "delete", "restore",
    "versions", "version", "revision-create", "revisions", "content-put", "content-get",
    "attachments", "attachment-get", "attachment-delete", "predict", "static", "authorize",
    "members", "members-add", "member-get", "member-patch", "member-delete", "members-update", "merge",
    "asset-create", "attribute-patch", "attachment-create", "attachment-complete", "attachment-link",
    "file-put", "file-get", "search",
}
# /ml/v4 kinds the official client calls that the v4 reference does not document (tagged so).
UNDOCUMENTED_ML_V4_TAGS = {"ai_services"}
# Actions whose filters address an attachment (ContentMetadata), not the kind's representation.
ATTACHMENT_ACTIONS = {"attachments", "content-get", "attachment-get"}


@cache
def load_spec() -> dict:
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def documented_operations() -> list[tuple[str, str, set[str]]]:
    rows = []
    for number, line in enumerate(OPERATIONS_PATH.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        method, path, codes = line.split()
        rows.append((method, path, set(codes.split(","))))
        assert method in {m.upper() for m in HTTP_METHODS}, f"line {number}: bad method {method!r}"
    return rows


def spec_operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield method.upper(), path, operation


def operation_parameters(spec: dict, path: str, operation: dict) -> list[dict]:
    params = spec["paths"][path].get("parameters", []) + operation.get("parameters", [])
    return [resolve(spec, p) for p in params]


def resolve(spec: dict, node):
    """Follow `$ref`s (local ones only) until a node without one."""
    seen = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), f"non-local $ref {ref}"
        assert ref not in seen, f"$ref cycle at {ref}"
        seen.add(ref)
        node = spec
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def schema_child(spec: dict, schema: dict, key: str):
    """The subschema of `schema` for the property (or array index) `key`, looking through
    `$ref`, `allOf`, `anyOf` and `oneOf`; None when the schema does not declare it."""
    schema = resolve(spec, schema)
    if not isinstance(schema, dict):
        return None
    if (key.isdigit() or key == "-") and "items" in schema:
        return schema["items"]
    if key in schema.get("properties", {}):
        return schema["properties"][key]
    for combinator in ("allOf", "anyOf", "oneOf"):
        for branch in schema.get(combinator, []):
            found = schema_child(spec, branch, key)
            if found is not None:
                return found
    return None


def schema_at(spec: dict, schema_name: str, pointer: str):
    schema = spec["components"]["schemas"][schema_name]
    for part in pointer.strip("/").split("/"):
        schema = schema_child(spec, schema, part)
        if schema is None:
            return None
    return resolve(spec, schema)


def kinds(spec: dict) -> dict:
    return spec["x-mlmock-kinds"]


def ops_by_kind_action(spec: dict) -> dict[tuple[str, str], list[tuple[str, str, dict]]]:
    table: dict[tuple[str, str], list] = {}
    for method, path, operation in spec_operations(spec):
        op = operation["x-mlmock-op"]
        table.setdefault((op["kind"], op["action"]), []).append((method, path, operation))
    return table


# (1) ---------------------------------------------------------------- validity


def test_spec_is_valid_openapi():
    validate(load_spec())


def test_spec_is_openapi_303_served_from_root():
    spec = load_spec()
    assert spec["openapi"] == "3.0.3"
    assert spec["servers"] == [{"url": "/", "description": spec["servers"][0].get("description")}]
    assert {k: spec["x-mlmock-api"][k] for k in ("name", "dialect")} == {"name": "wml", "dialect": "wml"}
    # Every scope parameter names the kind whose resources are the scopes.
    for param, scope in spec["x-mlmock-api"]["scopes"].items():
        assert scope["kind"] in spec["x-mlmock-kinds"], param


# (2) ---------------------------------------------------------------- operation list


def test_operations_file_lists_81_distinct_operations():
    rows = [(method, path) for method, path, _ in documented_operations()]
    assert len(rows) == len(set(rows)), "duplicate lines in wml-operations.txt"
    # The reference documents 81 operations (see spec/README.md, "WML").
    assert len(rows) == 81


def test_every_listed_operation_is_in_the_spec():
    spec = load_spec()
    declared = {(method, path) for method, path, _ in spec_operations(spec)}
    missing = [(m, p) for m, p, _ in documented_operations() if (m, p) not in declared]
    assert not missing, f"listed but not in wml.yaml: {missing}"


def test_spec_ml_v4_operations_are_exactly_the_list():
    spec = load_spec()
    declared = {(m, p) for m, p, op in spec_operations(spec) if p.startswith(DOCUMENTED_PREFIX)
                and not set(op["tags"]) & UNDOCUMENTED_ML_V4_TAGS}
    listed = {(m, p) for m, p, _ in documented_operations()}
    assert declared - listed == set(), "in wml.yaml but not listed"
    assert listed - declared == set(), "listed but not in wml.yaml"


def test_operations_outside_ml_v4_are_platform_endpoints():
    for method, path, operation in spec_operations(load_spec()):
        if not path.startswith(DOCUMENTED_PREFIX):
            assert operation["tags"] == ["platform"], f"{method} {path}"


# (3) ---------------------------------------------------------------- success codes


@pytest.mark.parametrize(
    "method,path,codes",
    [pytest.param(m, p, c, id=f"{m} {p}") for m, p, c in documented_operations()],
)
def test_documented_success_codes(method, path, codes):
    operation = load_spec()["paths"][path][method.lower()]
    declared = {code for code in operation["responses"] if code.startswith("2")}
    assert declared == codes


def test_error_responses_use_the_wml_envelope():
    spec = load_spec()
    envelope = "#/components/schemas/WMLError"
    for method, path, operation in spec_operations(spec):
        for code, response in operation["responses"].items():
            if code[0] in "45":
                schema = resolve(spec, response)["content"]["application/json"]["schema"]
                assert schema == {"$ref": envelope}, f"{method} {path} {code}"


def test_every_ml_v4_operation_documents_400_and_401():
    for method, path, operation in spec_operations(load_spec()):
        if path.startswith(DOCUMENTED_PREFIX):
            assert {"400", "401"} <= set(operation["responses"]), f"{method} {path}"


# (4) ---------------------------------------------------------------- x-mlmock-op


def test_every_operation_has_an_mlmock_op_of_a_declared_kind():
    spec = load_spec()
    for method, path, operation in spec_operations(spec):
        op = operation.get("x-mlmock-op")
        assert op, f"{method} {path} has no x-mlmock-op"
        assert op["kind"] in kinds(spec), f"{method} {path}: unknown kind {op['kind']!r}"
        assert op["action"] in ACTIONS, f"{method} {path}: unknown action {op['action']!r}"


def test_operation_ids_are_unique():
    ids = [operation["operationId"] for _, _, operation in spec_operations(load_spec())]
    assert len(ids) == len(set(ids))


def test_kind_schemas_and_pointers_exist():
    spec = load_spec()
    for name, kind in kinds(spec).items():
        assert kind["schema"] in spec["components"]["schemas"], name
        for key in ("id", "name"):
            if key in kind:
                assert schema_at(spec, kind["schema"], kind[key]) is not None, f"{name}.{key}"


def test_ml_v4_operations_require_the_version_date():
    spec = load_spec()
    for method, path, operation in spec_operations(spec):
        if path.startswith(DOCUMENTED_PREFIX):
            version = [p for p in operation_parameters(spec, path, operation) if p["name"] == "version"]
            assert len(version) == 1 and version[0]["required"] is True, f"{method} {path}"
            assert version[0]["schema"]["pattern"] == r"^\d{4}-\d{2}-\d{2}$"


def test_only_version_authorize_and_signed_links_are_unauthenticated():
    spec = load_spec()
    open_ops = {(method, path) for method, path, operation in spec_operations(spec)
                if operation.get("security") == []}
    # The attachment links (url1, url) are signed instead: the client sends them no token (reading 51).
    link = "/v2/asset_files/{asset_id}/{attachment_id}"
    signed = {("PUT", link), ("GET", link)}
    assert {path for _, path in open_ops - signed} == {"/ml/wml_services/v2/version", "/icp4d-api/v1/authorize"}
    assert signed <= open_ops
    for method, path in signed:
        declared = [spec["components"]["parameters"].get(p.get("$ref", "").rsplit("/", 1)[-1], p)
                    for p in spec["paths"][path].get("parameters", [])]
        assert any(p["name"] == "signature" and p["required"] for p in declared), (method, path)
    assert spec["security"] == [{"bearerAuth": []}]


# (5) ---------------------------------------------------------------- patch targets


def patch_entries():
    spec = load_spec()
    for name, kind in kinds(spec).items():
        for entry in kind.get("patch", {}).get("paths", []):
            yield name, entry


@pytest.mark.parametrize(
    "kind_name,entry",
    [pytest.param(name, entry, id=f"{name}:{entry['path']}") for name, entry in patch_entries()],
)
def test_patch_target_resolves_in_the_kind_schema(kind_name, entry):
    spec = load_spec()
    kind = kinds(spec)[kind_name]
    assert entry["target"].startswith("/")
    assert schema_at(spec, kind["schema"], entry["target"]) is not None, f"{kind_name}: {entry}"
    assert set(entry["ops"]) <= set(kind["patch"]["ops"])


def test_kinds_with_a_patch_operation_declare_patch_paths():
    spec = load_spec()
    patched = {kind for (kind, action) in ops_by_kind_action(spec) if action in ("patch", "merge")}
    declared = {name for name, kind in kinds(spec).items() if kind.get("patch", {}).get("paths")}
    assert patched == declared


def test_lifecycle_states_come_from_the_schema_enum():
    spec = load_spec()
    for name, kind in kinds(spec).items():
        lifecycle = kind.get("lifecycle")
        if not lifecycle:
            continue
        for field in [lifecycle["field"], *lifecycle.get("alternate-fields", [])]:
            states = set(schema_at(spec, kind["schema"], field)["enum"])
            used = {lifecycle["initial"], *lifecycle["transitions"]}
            used |= {s for nxt in lifecycle["transitions"].values() for s in nxt}
            assert used <= states, f"{name}: {used - states}"


def test_filters_resolve():
    spec = load_spec()
    for method, path, operation in spec_operations(spec):
        op = operation["x-mlmock-op"]
        target = "ContentMetadata" if op["action"] in ATTACHMENT_ACTIONS else kinds(spec)[op["kind"]]["schema"]
        for param in operation_parameters(spec, path, operation):
            filt = param.get("x-mlmock-filter")
            if not filt:
                continue
            pointers = [filt["field"], *filt.get("alternate-fields", [])]
            if filt["match"] == "has-key":  # the value names a member of the object at `field`
                pointers += [f"{filt['field']}/{value}" for value in param["schema"]["enum"]]
            for pointer in pointers:
                assert schema_at(spec, target, pointer) is not None, f"{method} {path} {param['name']}: {pointer}"


# (6) ---------------------------------------------------------------- links


def item_operations(spec: dict, kind: str, create_path: str) -> dict[str, tuple[str, str, dict]]:
    """The get/patch/delete operations of `kind` on the item path under `create_path`."""
    found = {}
    for action in ("get", "patch", "delete"):
        for method, path, operation in ops_by_kind_action(spec).get((kind, action), []):
            rest = path[len(create_path):]
            if path.startswith(create_path + "/{") and rest.count("/") == 1 and rest.endswith("}"):
                found[action] = (method, path, operation)
    return found


def create_operations():
    spec = load_spec()
    for (kind, action), rows in ops_by_kind_action(spec).items():
        if action == "create":
            for _method, path, operation in rows:
                yield operation["operationId"], kind, path, operation


@pytest.mark.parametrize(
    "operation_id,kind,path,operation",
    [pytest.param(*row, id=row[0]) for row in create_operations()],
)
def test_create_links_to_get_patch_delete(operation_id, kind, path, operation):
    spec = load_spec()
    answer = operation["x-mlmock-op"].get("answer")
    if answer:  # the create answers where the resource is (a project's location): that is its get
        gets = {p for _, p, _ in ops_by_kind_action(spec)[(kind, "get")]}
        for link in answer:
            assert re.sub(r"\{id\}", "{x}", link["template"]) in {re.sub(r"\{[^}]+\}", "{x}", p) for p in gets}
        return
    targets = item_operations(spec, kind, path)
    assert "get" in targets, f"{operation_id}: no get operation found"
    success = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
    for code, response in success.items():
        links = {link["operationId"]: link for link in response.get("links", {}).values()}
        for action, (_, item_path, target) in targets.items():
            link = links.get(target["operationId"])
            assert link, f"{operation_id} {code}: no link to {action} ({target['operationId']})"
            param = item_path.rsplit("{", 1)[1].rstrip("}")
            assert link["parameters"][f"path.{param}"] == "$response.body#/metadata/id"


def test_link_targets_exist():
    spec = load_spec()
    ids = {operation["operationId"] for _, _, operation in spec_operations(spec)}
    for method, path, operation in spec_operations(spec):
        for code, response in operation["responses"].items():
            for link in resolve(spec, response).get("links", {}).values():
                assert link["operationId"] in ids, f"{method} {path} {code}"
