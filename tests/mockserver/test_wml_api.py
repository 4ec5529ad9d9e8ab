"""mockserver/dialects/wml/: the IBM Watson Machine Learning v4 mock, in process.

Expectations come from the spec (``spec/wml.yaml``: operations, schemas, ``x-mlmock-kinds``),
from its readings in ``spec/README.md`` ("## WML") and from what the official client needs
(``/work/shared/notes/official-clients.md``, Part 1), never from how the mock stores things.

Every response goes through :meth:`Wml.request`, which fails the test on any 5xx, validates each
successful JSON body against the schema the spec declares for that operation and status, checks
that the status is a documented success code, and checks every error against the WML envelope.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from functools import cache
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from openapi_schema_validator import OAS30Validator, oas30_format_checker

import mlmock.spec as specs
from mlmock import DEFAULT_TOKEN
from mlmock.mockserver import Engine, MockApp, Settings, Store, create_app
from mlmock.mockserver.core.catalogue import DEFAULT_PROJECT_ID, DEFAULT_SPACE_ID, OTHER_SPACE_ID
from mlmock.mockserver.core.engine import Clock
from mlmock.mockserver.core.lifecycle import Progression
from mlmock.spec.declarations import pointer_get

BASE_URL = "http://wml.test"
START_MS = 1_700_000_000_000
V = "2024-05-13"
S, OTHER, P = DEFAULT_SPACE_ID, OTHER_SPACE_ID, DEFAULT_PROJECT_ID  # space, other space, project
UNKNOWN = "00000000-0000-4000-8000-000000000000"
SW = {"name": "runtime-24.1-py3.11"}
RESULTS = {"type": "container", "location": {"path": "results"}}
ROWS = [[1, "a", 0.5], [2, "b", 1.5], [3, "c", 2.5]]

DOC = specs.document("wml")
API = specs.declaration("wml")
KINDS = API.kinds


# --------------------------------------------------------------------------- the spec, read


def op_of(kind: str, action: str):
    found = API.operation(kind, action)
    assert found is not None, f"the spec declares no {action} of {kind}"
    return found


def item_path(kind: str, id_: str, action: str = "get") -> str:
    """The path of ``action`` on resource ``id_`` (its first path parameter)."""
    return re.sub(r"\{[^}]+\}", id_, op_of(kind, action).path, count=1)


def success(kind: str, action: str) -> tuple[int, ...]:
    return op_of(kind, action).success_statuses


def kinds_with(predicate) -> list[str]:
    return [name for name, kind in KINDS.items() if predicate(kind)]


CREATABLE = kinds_with(lambda k: API.operation(k.name, "create") is not None)
SCOPED = [k for k in CREATABLE if KINDS[k].scope]
PROJECT_SCOPED = [k for k in SCOPED if "project_id" in KINDS[k].scope]
# Views (/v2/assets) are patched through the resource they show: tested with the platform assets.
PATCHABLE = kinds_with(lambda k: k.patch is not None and API.operation(k.name, "patch") is not None
                       and k.view_of is None)
REVISIONED = kinds_with(lambda k: k.versioning is not None and k.versioning.style == "revisions")
PAGED = [k for k in SCOPED if KINDS[k].pagination is not None and KINDS[k].pagination.style == "start"]
PATCH_RULES = [(k, rule.path) for k in PATCHABLE for rule in KINDS[k].patch.rules]


def list_ops_with_param(name: str) -> list:
    return [op for op in API.operations_of(action="list") if op.parameter(name) is not None]


def filter_spec(op, param: str) -> dict:
    return op.parameter(param)["x-mlmock-filter"]


def states(kind: str) -> tuple[str, ...]:
    found = API.lifecycle_states(KINDS[kind])
    assert found, f"{kind} documents no states"
    return found


def transitions(kind: str) -> dict[str, tuple[str, ...]]:
    return dict(KINDS[kind].lifecycle.transitions)


# --------------------------------------------------------------------------- response checks

_MATCHERS = []
for _path, _item in DOC["paths"].items():
    _regex = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(_path)) + "$")
    for _method, _operation in _item.items():
        if _method in ("get", "put", "post", "patch", "delete"):
            _MATCHERS.append((_method.upper(), _regex, _path.count("{"), _operation))
_MATCHERS.sort(key=lambda m: m[2])  # literal paths before templated ones


def operation_for(method: str, path: str) -> dict | None:
    for m, regex, _, operation in _MATCHERS:
        if m == method and regex.match(path):
            return operation
    return None


@cache
def validator(schema_json: str) -> OAS30Validator:
    root = {**json.loads(schema_json), "components": DOC["components"]}
    return OAS30Validator(root, format_checker=oas30_format_checker)


def assert_valid(schema: dict, instance, what: str) -> None:
    errors = sorted(validator(json.dumps(schema, sort_keys=True)).iter_errors(instance), key=str)
    assert not errors, f"{what}: {errors[0].message} at /{'/'.join(map(str, errors[0].absolute_path))}"


def resolve(node: dict) -> dict:
    return API.resolve(node)


def check_response(r) -> None:
    method, path = r.request.method, r.request.url.path
    assert r.status_code < 500, f"{method} {path} answered {r.status_code}: {r.text[:500]}"
    operation = operation_for(method, path)
    if operation is None:
        return
    what = f"{operation['operationId']} {r.status_code}"
    if r.status_code >= 400:
        body = r.json()
        assert_valid({"$ref": "#/components/schemas/WMLError"}, body, what)
        assert body["errors"] and all(e["message"] for e in body["errors"]), what
        assert body.get("status_code", r.status_code) == r.status_code, what
        return
    declared = operation["responses"].get(str(r.status_code))
    assert declared is not None, f"{what} is not a documented status"
    content = resolve(declared).get("content")
    if not content:
        assert r.content == b"", f"{what} has a body: {r.text[:200]}"
        return
    if r.headers.get("content-type", "").startswith("application/json") and "application/json" in content:
        assert_valid(content["application/json"]["schema"], r.json(), what)


class Wml:
    """An authenticated client of the WML mock whose every response is checked against the spec."""

    def __init__(self, client, app: MockApp):
        self.client = client
        self.app = app
        self._cache: dict[tuple[str, str], str] = {}

    def request(self, method: str, url: str, *, check: bool = True, **kwargs):
        r = self.client.request(method, url, **kwargs)
        if check:
            check_response(r)
        return r

    def get(self, url: str, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs):
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs):
        return self.request("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs):
        return self.request("DELETE", url, **kwargs)

    def patch(self, url: str, operations, *, media_type: str = "application/json", **kwargs):
        content = operations if isinstance(operations, bytes) else json.dumps(operations).encode()
        return self.request("PATCH", url, content=content, headers={"Content-Type": media_type}, **kwargs)

    # ---------------------------------------------------------------- resources

    def create(self, kind: str, *, space: str | None = S, project: str | None = None, **fields) -> dict:
        body = {**self.body(kind, space or project), **fields}
        body = {k: v for k, v in body.items() if v is not None}  # ``online=None``: leave the field out
        if KINDS[kind].scope:
            body.update({"project_id": project} if project else {"space_id": space})
        r = self.post(op_of(kind, "create").path, params={"version": V}, json=body)
        assert r.status_code in success(kind, "create"), r.text
        return r.json()

    def cached(self, kind: str, space: str = S, **fields) -> str:
        """The id of one resource of ``kind`` per space (a parent for others)."""
        key = (kind, space)
        if key not in self._cache:
            self._cache[key] = self.create(kind, space=space, **fields)["metadata"]["id"]
        return self._cache[key]

    def body(self, kind: str, scope: str) -> dict:
        if kind == "model":
            return {"name": "model", "type": "scikit-learn_1.3", "software_spec": SW}
        if kind == "function":
            return {"name": "function", "software_spec": SW}
        if kind == "ai_service":
            return {"name": "ai service", "software_spec": {"name": "runtime-24.1-py3.11-ai-service"},
                    "documentation": {"request": {"type": "object"}}}
        if kind == "experiment":
            return {"name": "experiment"}
        if kind == "space":
            return {"name": "space", "description": "a space", "tags": ["t1"]}
        if kind == "pipeline":
            return {"name": "pipeline", "document": {"doc_type": "pipeline", "version": "2.0", "pipelines": []}}
        if kind == "model_definition":
            return {"name": "definition", "version": "1.0", "platform": {"name": "python", "versions": ["3.11"]}}
        if kind == "remote_training_system":
            return {"name": "party", "allowed_identities": [{"id": "u1", "type": "user"}]}
        if kind == "training_definition":
            return {"name": "training definition", "results_reference": RESULTS}
        if kind == "training":
            return {"name": "training", "results_reference": RESULTS}
        if kind == "deployment":
            return {"name": "deployment", "online": {}, "asset": {"id": self.cached("model", scope)}}
        if kind == "deployment_job_definition":
            return {"name": "job definition", "deployment": {"id": self.batch(scope)}, "scoring": {}}
        if kind == "deployment_job":
            return {"name": "job", "deployment": {"id": self.batch(scope)},
                    "scoring": {"input_data": [{"fields": ["id", "name", "x"], "values": ROWS}]}}
        raise AssertionError(f"no create body for {kind}")

    def batch(self, space: str = S) -> str:
        key = ("batch", space)
        if key not in self._cache:
            self._cache[key] = self.create("deployment", space=space, online=None, batch={})["metadata"]["id"]
        return self._cache[key]

    def read(self, kind: str, id_: str, *, space: str = S, **params) -> dict:
        r = self.get(item_path(kind, id_), params=q(space, **params))
        assert r.status_code == 200, r.text
        return r.json()


def q(space: str | None = S, **params) -> dict:
    """``version`` and ``space_id`` (or nothing for the scope with ``space=None``) plus ``params``."""
    out = {"version": V, **params}
    if space is not None:
        out["space_id"] = space
    return out


def ids(page: dict) -> list[str]:
    return [r["metadata"]["id"] for r in page["resources"]]


def envelope(r, status: int) -> str:
    """Assert an error in the WML envelope (the spec's WMLError); return its first message."""
    assert r.status_code == status, r.text
    body = r.json()
    assert isinstance(body["trace"], str) and body["trace"]
    assert body["status_code"] == status
    error = body["errors"][0]
    assert {"code", "message", "more_info"} <= set(error)
    assert error["message"]
    return error["message"]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def wml_app() -> MockApp:
    """One WML mock for the module: fixed clock, every status moves one step per read."""
    return create_app(apis=["wml"], engine=Engine(Store(), settings=Settings(progression="reads:1"),
                                                  clock=Clock(START_MS)))


@pytest.fixture
def wml(wml_app: MockApp, make_client) -> Wml:
    wml_app.reset()
    wml_app.engine.lifecycles.set_policy(Progression.parse("reads:1"))
    return Wml(make_client(wml_app, token=wml_app.token, base_url=BASE_URL), wml_app)


def pace(wml: Wml, progression: str) -> None:
    wml.app.engine.lifecycles.set_policy(Progression.parse(progression))


# =========================================================================== auth


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-the-token"}, {"Authorization": "Bearer "},
     {"Authorization": "Basic YWRtaW46YWRtaW4="}, {"Authorization": DEFAULT_TOKEN}],
    ids=["no-header", "wrong-token", "empty-token", "basic", "no-scheme"],
)
@pytest.mark.parametrize(
    ("method", "path", "params"),
    [("GET", "/ml/v4/models", q()), ("POST", "/ml/v4/models", {"version": V}),
     ("GET", f"/ml/v4/deployments/{UNKNOWN}", q()), ("GET", f"/v2/spaces/{S}", {}),
     ("GET", "/v2/software_specifications", {})],
)
def test_requests_without_a_valid_token_are_401_in_the_wml_envelope(wml, headers, method, path, params):
    kwargs = {"json": {**wml.body("model", S), "space_id": S}} if method == "POST" else {}
    envelope(wml.request(method, path, params=params, auth=False, headers=headers, **kwargs), 401)
    assert wml.get("/ml/v4/models", params=q()).json()["resources"] == []  # nothing was created


def _segment(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _authorize(wml, **body):
    return wml.post("/icp4d-api/v1/authorize", json=body, auth=False)


def test_authorize_answers_a_jwt_with_a_numeric_exp_an_hour_ahead(wml):
    r = _authorize(wml, username="admin", api_key="any-key")
    assert r.status_code == 200
    token = r.json()["token"]
    parts = token.split(".")
    assert len(parts) == 3 and all(re.fullmatch(r"[A-Za-z0-9_-]+", p) for p in parts)
    header, payload = _segment(parts[0]), _segment(parts[1])
    assert header["alg"] and header.get("typ", "JWT") == "JWT"
    assert isinstance(payload["exp"], int)
    now = wml.app.engine.clock.now_ms() // 1000
    assert 3000 <= payload["exp"] - now <= 4000  # about an hour: the client refreshes with < 15 min left


@pytest.mark.parametrize("credentials", [{"api_key": "k"}, {"password": "p"}])
def test_the_issued_jwt_is_accepted_as_a_bearer_token(wml, credentials):
    token = _authorize(wml, username="alice", **credentials).json()["token"]
    r = wml.get("/ml/v4/models", params=q(), auth=False, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    created = wml.post("/ml/v4/models", params={"version": V}, auth=False,
                       headers={"Authorization": f"Bearer {token}"},
                       json={**wml.body("model", S), "space_id": S})
    assert created.status_code == 201


def test_a_resource_is_owned_by_the_user_of_the_token_that_created_it(wml):
    token = _authorize(wml, username="alice", api_key="k").json()["token"]
    created = wml.post("/ml/v4/models", params={"version": V}, auth=False,
                       headers={"Authorization": f"Bearer {token}"},
                       json={**wml.body("model", S), "space_id": S})
    assert created.json()["metadata"]["owner"] == "alice"  # ResourceMeta.owner: the user who created it


@pytest.mark.parametrize("body", [{"username": "admin"}, {"api_key": "k"}, {}],
                         ids=["no-secret", "no-username", "empty"])
def test_authorize_without_username_and_secret_is_refused(wml, body):
    r = _authorize(wml, **body)
    assert r.status_code == 400
    envelope(r, 400)


def _tampered(token: str) -> dict[str, str]:
    header, payload, signature = token.split(".")
    claims = _segment(payload)
    forged_claims = {**claims, "sub": "root", "username": "root"}
    forged = base64.urlsafe_b64encode(json.dumps(forged_claims).encode()).decode().rstrip("=")
    return {
        "payload-changed": f"{header}.{forged}.{signature}",
        "signature-dropped": f"{header}.{payload}.",
        "other-key": jwt.encode(claims, "not-the-secret-of-the-mock-" * 2, algorithm="HS256"),
        "alg-none": jwt.encode(claims, None, algorithm="none"),
        "truncated": token[:-4],
    }


def test_a_tampered_or_foreign_jwt_is_refused(wml):
    token = _authorize(wml, username="admin", api_key="k").json()["token"]
    for name, forged in _tampered(token).items():
        r = wml.get("/ml/v4/models", params=q(), auth=False, headers={"Authorization": f"Bearer {forged}"})
        assert r.status_code == 401, name
        envelope(r, 401)


def test_an_expired_jwt_is_refused(wml):
    token = _authorize(wml, username="admin", api_key="k").json()["token"]
    exp = _segment(token.split(".")[1])["exp"]
    clock = wml.app.engine.clock
    clock.advance((exp + 1) * 1000 - clock.now_ms())
    envelope(wml.get("/ml/v4/models", params=q(), auth=False, headers={"Authorization": f"Bearer {token}"}), 401)


def test_the_version_endpoint_is_public(wml):
    r = wml.get("/ml/wml_services/v2/version", auth=False)
    assert r.status_code == 200
    # The client reads major.minor as the CPD version and accepts 5.0 to 6.0.
    major, minor = map(int, re.match(r"^(\d+)\.(\d+)(\.\d+)?$", r.json()["version"]).groups()[:2])
    assert (5, 0) <= (major, minor) <= (6, 0)


# =========================================================================== version parameter

ML_V4_LISTS = [op for op in API.operations_of(action="list") if op.path.startswith("/ml/v4/")]


@pytest.mark.parametrize("op", ML_V4_LISTS, ids=lambda op: op.operation_id)
def test_ml_v4_requires_a_yyyy_mm_dd_version(wml, op):
    params = {"space_id": S} if op.parameter("space_id") is not None else {}
    envelope(wml.get(op.path, params=params), 400)
    for version in ("2024-5-13", "13-05-2024", "latest", "", "2024-05-13T00:00:00Z", "v4"):
        envelope(wml.get(op.path, params={**params, "version": version}), 400)


@pytest.mark.parametrize("op", ML_V4_LISTS, ids=lambda op: op.operation_id)
def test_any_yyyy_mm_dd_version_is_accepted(wml, op):
    params = {"space_id": S} if op.parameter("space_id") is not None else {}
    for version in ("2023-07-07", "2026-10-14"):  # the client sends its own fixed date
        assert wml.get(op.path, params={**params, "version": version}).status_code == 200


def test_version_is_required_on_item_and_write_operations_too(wml):
    model = wml.create("model")["metadata"]["id"]
    envelope(wml.get(item_path("model", model), params={"space_id": S}), 400)
    envelope(wml.patch(item_path("model", model), [{"op": "replace", "path": "/name", "value": "x"}],
                       params={"space_id": S}), 400)
    envelope(wml.delete(item_path("model", model), params={"space_id": S}), 400)
    envelope(wml.post("/ml/v4/models", json={**wml.body("model", S), "space_id": S}), 400)
    assert wml.read("model", model)["metadata"]["name"] == "model"  # the refused patch changed nothing


# =========================================================================== scoping


@pytest.mark.parametrize("kind", SCOPED)
def test_a_resource_of_one_space_is_404_from_another(wml, kind):
    created = wml.create(kind)
    id_ = created["metadata"]["id"]
    assert created["metadata"]["space_id"] == S
    envelope(wml.get(item_path(kind, id_), params=q(OTHER)), 404)
    if API.operation(kind, "patch") is not None:
        envelope(wml.patch(item_path(kind, id_, "patch"), [{"op": "replace", "path": "/name", "value": "x"}],
                           params=q(OTHER)), 404)
    envelope(wml.delete(item_path(kind, id_, "delete"), params=q(OTHER)), 404)
    listed = wml.get(op_of(kind, "list").path, params=q(OTHER)).json()
    assert id_ not in ids(listed)
    after = wml.read(kind, id_)
    assert after["metadata"]["name"] == created["metadata"]["name"]  # neither patched nor deleted
    assert id_ in ids(wml.get(op_of(kind, "list").path, params=q(S)).json())


def test_the_transaction_id_is_the_error_trace_and_one_is_generated_otherwise(wml):
    """Additional headers: "If there is not a transaction ID that is passed in, then one is generated randomly"."""
    missing = f"/ml/v4/models/{uuid.uuid4()}"
    sent = wml.get(missing, params=q(), headers={"X-Global-Transaction-Id": "tx-mlmock-1"})
    envelope(sent, 404)
    assert sent.json()["trace"] == "tx-mlmock-1"
    first, second = (wml.get(missing, params=q()) for _ in range(2))
    assert envelope(first, 404) and envelope(second, 404)
    assert first.json()["trace"] != second.json()["trace"]
    # Refused before the API sees it (a body that is not JSON, one nested past the limit): the same.
    for body in (b"{not json", b"[" * 10_000 + b"]" * 10_000):
        refused = wml.post("/ml/v4/models", params=q(), content=body,
                           headers={"Content-Type": "application/json", "X-Global-Transaction-Id": "tx-mlmock-2"})
        envelope(refused, 400)
        assert refused.json()["trace"] == "tx-mlmock-2"


@pytest.mark.parametrize("kind", PROJECT_SCOPED)
def test_projects_and_spaces_are_separate_scopes(wml, kind):
    in_project = wml.create(kind, space=None, project=P)
    id_ = in_project["metadata"]["id"]
    assert in_project["metadata"]["project_id"] == P and "space_id" not in in_project["metadata"]
    assert wml.get(item_path(kind, id_), params=q(None, project_id=P)).status_code == 200
    envelope(wml.get(item_path(kind, id_), params=q(S)), 404)
    assert id_ not in ids(wml.get(op_of(kind, "list").path, params=q(S)).json())
    assert ids(wml.get(op_of(kind, "list").path, params=q(None, project_id=P)).json()) == [id_]


@pytest.mark.parametrize("kind", SCOPED)
def test_a_scoped_request_needs_its_space_or_project(wml, kind):
    id_ = wml.create(kind)["metadata"]["id"]
    for action in ("get", "list"):
        path = item_path(kind, id_) if action == "get" else op_of(kind, action).path
        envelope(wml.get(path, params={"version": V}), 400)  # neither


@pytest.mark.parametrize("kind", PROJECT_SCOPED)
def test_space_and_project_together_never_reach_across_scopes(wml, kind):
    """spec/README.md reading 10 says exactly one (400 for both); commit fadfa62 lets space_id win
    for query parameters instead. Either way, the answer is about the space named, never another."""
    in_space = wml.create(kind)["metadata"]["id"]
    in_project = wml.create(kind, space=None, project=P)["metadata"]["id"]
    for id_, space, expected in ((in_space, S, in_space), (in_project, OTHER, None)):
        both = {"version": V, "space_id": space, "project_id": P}
        got = wml.get(item_path(kind, id_), params=both)
        assert got.status_code in ((200, 400) if expected else (400, 404)), got.text
        listed = wml.get(op_of(kind, "list").path, params=both)
        assert listed.status_code in (200, 400)
        if listed.status_code == 200:
            assert ids(listed.json()) == ([expected] if expected else [])


@pytest.mark.parametrize("kind", PROJECT_SCOPED)
def test_a_create_body_needs_exactly_one_of_space_and_project(wml, kind):
    path = op_of(kind, "create").path
    body = wml.body(kind, S)
    envelope(wml.post(path, params={"version": V}, json=body), 400)
    envelope(wml.post(path, params={"version": V}, json={**body, "space_id": S, "project_id": P}), 400)
    assert wml.get(op_of(kind, "list").path, params=q()).json()["resources"] == []


def test_a_scoped_body_field_must_name_an_existing_asset_of_the_same_space(wml):
    in_other = wml.create("model", space=OTHER)["metadata"]["id"]
    envelope(wml.post("/ml/v4/deployments", params={"version": V},
                      json={"name": "d", "online": {}, "asset": {"id": in_other}, "space_id": S}), 404)


# =========================================================================== lists

PAGED_LIST_OPS = list_ops_with_param("limit")


@pytest.mark.parametrize("op", PAGED_LIST_OPS, ids=lambda op: op.operation_id)
def test_limit_bounds_come_from_the_spec(wml, op):
    schema = resolve(op.parameter("limit")["schema"])
    low, high = schema["minimum"], schema["maximum"]
    # "By default limit is 100. Max limit allowed is 200."; the platform's projects list allows 100.
    assert (low, high) == ((1, 100) if op.path == "/v2/projects" else (1, 200))
    params = {"space_id": S} if op.parameter("space_id") is not None else {}
    for bad in (low - 1, high + 1, -5, "ten"):
        envelope(wml.get(op.path, params={**params, "version": V, "limit": bad}), 400)
    for good in (low, high):
        r = wml.get(op.path, params={**params, "version": V, "limit": good})
        assert r.status_code == 200 and r.json()["limit"] == good


def walk(wml, path: str, params: dict, *, max_pages: int = 100) -> list[dict]:
    """Every page of a list, following ``next.href`` verbatim; checks each ``next``."""
    pages = [wml.get(path, params=params)]
    while True:
        assert pages[-1].status_code == 200, pages[-1].text
        page = pages[-1].json()
        if "next" not in page:
            break
        assert page["resources"], "a page with a next page is never empty"
        href = page["next"]["href"]
        query = parse_qs(urlsplit(href).query)
        assert urlsplit(href).path == path
        assert query["version"] == [params["version"]]
        for name in ("space_id", "project_id"):
            if name in params:
                assert query[name] == [params[name]]
        assert query["limit"] == [str(params["limit"])]
        token = query["start"][0]
        assert token and not token.isdigit()
        assert len(pages) < max_pages
        pages.append(wml.get(href))
    return [p.json() for p in pages]


@pytest.mark.parametrize("kind", PAGED)
def test_walking_every_page_yields_each_resource_exactly_once(wml, kind):
    created = [wml.create(kind, name=f"{kind}-{i}")["metadata"]["id"] for i in range(5)]
    wml.create(kind, space=OTHER)  # another space's resource never shows
    path = op_of(kind, "list").path
    pages = walk(wml, path, q(limit=2))
    assert [len(p["resources"]) for p in pages] == [2, 2, 1]
    seen = [i for p in pages for i in ids(p)]
    assert sorted(seen) == sorted(set(seen))
    expected = set(created)
    assert set(seen) == expected
    assert all(p["limit"] == 2 for p in pages)
    one_page = wml.get(path, params=q(limit=200)).json()
    assert "next" not in one_page and set(ids(one_page)) == expected


def test_next_is_omitted_on_an_exactly_full_last_page(wml):
    for i in range(4):
        wml.create("model", name=f"m{i}")
    pages = walk(wml, "/ml/v4/models", q(limit=2))
    assert [len(p["resources"]) for p in pages] == [2, 2]


def test_an_unknown_or_foreign_start_token_is_refused(wml):
    for i in range(3):
        wml.create("model", name=f"m{i}")
        wml.create("model", space=OTHER, name=f"other{i}")
    envelope(wml.get("/ml/v4/models", params=q(limit=1, start="not-a-token")), 400)
    token = parse_qs(urlsplit(wml.get("/ml/v4/models", params=q(limit=1)).json()["next"]["href"]).query)["start"][0]
    theirs = {r["metadata"]["id"] for r in wml.get("/ml/v4/models", params=q()).json()["resources"]}
    r = wml.get("/ml/v4/models", params=q(OTHER, limit=1, start=token))
    assert r.status_code == 400 or not (set(ids(r.json())) & theirs)


def test_total_count_is_answered_only_where_declared_and_asked(wml):
    declaring = {op.operation_id for op in list_ops_with_param("total_count")}
    assert declaring == {"trainings_list"}  # the only list documenting the parameter
    for i in range(3):
        wml.create("training", tags=["x"] if i else ["y"])
    assert "total_count" not in wml.get("/ml/v4/trainings", params=q(limit=1)).json()
    assert "total_count" not in wml.get("/ml/v4/trainings", params=q(limit=1, total_count="false")).json()
    assert wml.get("/ml/v4/trainings", params=q(limit=1, total_count="true")).json()["total_count"] == 3
    assert wml.get("/ml/v4/trainings", params=q(limit=1, total_count="true", **{"tag.value": "x"})).json()[
        "total_count"] == 2
    for kind in ("model", "function", "deployment"):
        wml.create(kind)
        listed = wml.get(op_of(kind, "list").path, params=q(total_count="true")).json()
        assert "total_count" not in listed, kind


OR_AND_KINDS = [op.kind for op in list_ops_with_param("tag.value")
                if filter_spec(op, "tag.value").get("syntax") == "or-and"]


@pytest.mark.parametrize("kind", OR_AND_KINDS)
def test_tag_value_or_and_syntax(wml, kind):
    made = {name: wml.create(kind, name=name, tags=tags)["metadata"]["id"]
            for name, tags in {"a": ["red"], "b": ["blue"], "ab": ["red", "blue"], "c": ["green"]}.items()}
    wml.create(kind, space=OTHER, tags=["red", "blue"])
    cases = {"red": {"a", "ab"}, "red or blue": {"a", "b", "ab"}, "red and blue": {"ab"},
             "red or green": {"a", "ab", "c"}, "blue and green": set(), "purple": set()}
    for value, expected in cases.items():
        pages = walk(wml, op_of(kind, "list").path, q(limit=1, **{"tag.value": value}))
        seen = [i for p in pages for i in ids(p)]
        assert sorted(seen) == sorted(made[n] for n in expected), value


def test_deployment_job_tags_are_comma_separated_any_of(wml):
    assert filter_spec(op_of("deployment_job", "list"), "tag.value")["syntax"] == "comma-any"
    made = {name: wml.create("deployment_job", tags=tags)["metadata"]["id"]
            for name, tags in {"a": ["red"], "b": ["blue"], "c": ["green"]}.items()}
    for value, expected in {"red": {"a"}, "red,blue": {"a", "b"}, "blue,purple": {"b"}}.items():
        pages = walk(wml, "/ml/v4/deployment_jobs", q(limit=1, **{"tag.value": value}))
        assert sorted(i for p in pages for i in ids(p)) == sorted(made[n] for n in expected), value


def test_deployment_filters_hold_on_every_page(wml):
    pace(wml, "manual")
    m1, m2 = wml.cached("model"), wml.create("model", name="other")["metadata"]["id"]
    fn = wml.create("function")["metadata"]["id"]
    made = {
        "d1": wml.create("deployment", name="alpha", asset={"id": m1}, tags=["t1"],
                         online={"parameters": {"serving_name": "sn_one"}}),
        "d2": wml.create("deployment", name="beta", asset={"id": m1}, online=None, batch={}),
        "d3": wml.create("deployment", name="alpha", asset={"id": fn}, tags=["t1", "t2"]),
        "d4": wml.create("deployment", name="gamma", asset={"id": m2}),
    }
    made = {k: v["metadata"]["id"] for k, v in made.items()}
    engine = wml.app.engine
    engine.force_state("wml", "deployment", made["d1"], "ready")
    engine.force_state("wml", "deployment", made["d3"], "ready")
    engine.force_state("wml", "deployment", made["d4"], "failed")
    cases = [({"asset_id": m1}, {"d1", "d2"}), ({"name": "alpha"}, {"d1", "d3"}),
             ({"type": "function"}, {"d3"}), ({"type": "model"}, {"d1", "d2", "d4"}),
             ({"tag.value": "t1"}, {"d1", "d3"}), ({"serving_name": "sn_one"}, {"d1"}),
             ({"state": "ready"}, {"d1", "d3"}), ({"state": "failed"}, {"d4"}),
             ({"state": "initializing"}, {"d2"}), ({"name": "alpha", "type": "model"}, {"d1"}),
             ({"asset_id": UNKNOWN}, set())]
    for params, expected in cases:
        pages = walk(wml, "/ml/v4/deployments", q(limit=1, **params))
        seen = [i for p in pages for i in ids(p)]
        assert sorted(seen) == sorted(made[n] for n in expected), params


def test_a_state_filter_never_returns_another_state(wml):
    """Reads move statuses (reads:1): whatever a list shows matches the filter it was asked."""
    for _ in range(4):
        wml.create("deployment_job")
    for state in states("deployment_job"):
        for page in walk(wml, "/ml/v4/deployment_jobs", q(limit=1, state=state)):
            assert [r["entity"]["scoring"]["status"]["state"] for r in page["resources"]] == \
                [state] * len(page["resources"])


def test_a_state_filter_sees_statuses_moved_by_time(wml):
    pace(wml, "time:1")
    made = {wml.create("deployment_job")["metadata"]["id"] for _ in range(3)}
    assert ids(wml.get("/ml/v4/deployment_jobs", params=q(state="running")).json()) == []
    wml.app.engine.clock.advance(1500)
    assert set(ids(wml.get("/ml/v4/deployment_jobs", params=q(state="running")).json())) == made
    assert ids(wml.get("/ml/v4/deployment_jobs", params=q(state="queued")).json()) == []


def test_deployment_job_filters(wml):
    pace(wml, "manual")
    other = wml.create("deployment", online=None, batch={}, name="other batch")["metadata"]["id"]
    scoring = wml.create("deployment_job")["metadata"]["id"]
    elsewhere = wml.create("deployment_job", deployment={"id": other})["metadata"]["id"]
    do = wml.create("deployment_job", scoring=None, decision_optimization={"solve_parameters": {}})
    assert do["entity"]["decision_optimization"]["status"]["state"] == KINDS["deployment_job"].lifecycle.initial
    assert "scoring" not in do["entity"]
    wml.app.engine.force_state("wml", "deployment_job", scoring, "running")
    expected = {("deployment_id", other): {elsewhere}, ("deployment_id", wml.batch()): {scoring, do["metadata"]["id"]},
                ("state", "running"): {scoring}, ("state", "queued"): {elsewhere, do["metadata"]["id"]}}
    for (name, value), wanted in expected.items():
        pages = walk(wml, "/ml/v4/deployment_jobs", q(limit=1, **{name: value}))
        assert sorted(i for p in pages for i in ids(p)) == sorted(wanted), (name, value)


def test_training_filters(wml):
    pace(wml, "manual")
    pipe = wml.create("training", pipeline={"id": UNKNOWN}, tags=["t"])["metadata"]["id"]
    exp = wml.create("training", experiment={"id": UNKNOWN})["metadata"]["id"]
    plain = wml.create("training", tags=["t"])["metadata"]["id"]
    wml.app.engine.force_state("wml", "training", plain, "running")
    cases = {("type", "pipeline"): {pipe}, ("type", "experiment"): {exp}, ("tag.value", "t"): {pipe, plain},
             ("state", "running"): {plain}, ("state", "queued"): {pipe, exp}}
    for (name, value), wanted in cases.items():
        pages = walk(wml, "/ml/v4/trainings", q(limit=1, **{name: value}))
        assert sorted(i for p in pages for i in ids(p)) == sorted(wanted), (name, value)
        counted = wml.get("/ml/v4/trainings", params=q(total_count="true", **{name: value})).json()
        assert counted["total_count"] == len(wanted), (name, value)


# =========================================================================== PATCH

PATCH_VALUES = {  # documented path: (a value to add, another to replace it with)
    "/tags": (["blue"], ["green", "red"]),
    "/name": ("added-name", "replaced-name"),
    "/description": ("added description", "replaced description"),
    "/custom": ({"a": 1}, {"b": [2, 3]}),
    "/hardware_spec": ({"name": "S"}, {"name": "M", "num_nodes": 2}),
    "/hybrid_pipeline_hardware_specs": ([{"node_runtime_id": "auto_ai.kb", "hardware_spec": {"name": "S"}}],
                                        [{"node_runtime_id": "auto_ai.kb", "hardware_spec": {"name": "M"}}]),
    "/online/parameters": ({"serving_name": "added_name"}, {"serving_name": "replaced_name"}),
    "/organization": ({"name": "org"}, {"name": "org2", "region": "eu-de"}),
    "/allowed_identities": ([{"id": "u2", "type": "service"}], [{"id": "u3", "type": "user"}]),
    "/remote_admin": ({"id": "admin", "type": "user"}, {"id": "svc", "type": "service"}),
    "/federated_learning": ({"rounds": 3}, {"rounds": 5, "fusion_type": "iter_avg"}),
    "/software_spec": ({"name": "runtime-23.1-py3.10"}, {"name": "runtime-23.1-py3.10"}),
    "/model_version": ({"number": "1.0.0"}, {"number": "2.0.0", "tag": "prod"}),
    "/stage": ({"production": False}, {"production": True, "name": "prod"}),
}


def patch_values(wml, kind: str, path: str) -> tuple:
    if path == "/asset":
        return ({"id": wml.create("model", name="new asset")["metadata"]["id"]},) * 2
    if path == "/deployment":
        return ({"id": wml.create("deployment", online=None, batch={}, name="b2")["metadata"]["id"]},) * 2
    return PATCH_VALUES[path]


def rule_of(kind: str, path: str):
    return next(r for r in KINDS[kind].patch.rules if r.path == path)


def required_by_schema(kind: str, target: str) -> bool:
    """Whether the resource schema requires the member at ``target`` (removing it cannot be valid)."""
    parent, _, member = target.rpartition("/")
    found: set[str] = set()

    def collect(node) -> None:
        node = resolve(node)
        found.update(node.get("required", ()))
        for branch in node.get("allOf", ()):
            collect(branch)

    collect(API.schema_at(API.schema(KINDS[kind].schema), parent) if parent else API.schema(KINDS[kind].schema))
    return member in found


@pytest.mark.parametrize(("kind", "path"), PATCH_RULES, ids=[f"{k}:{p}" for k, p in PATCH_RULES])
def test_each_documented_patch_path_and_op_lands_at_its_target(wml, kind, path):
    rule = rule_of(kind, path)
    resource = wml.create(kind)
    id_ = resource["metadata"]["id"]
    url = item_path(kind, id_, "patch")
    added, replaced = patch_values(wml, kind, path)
    before = resource
    for op in ("add", "replace", "remove"):  # in this order: replace and remove need the member
        if op not in rule.ops:
            continue
        if op != "add" and pointer_get(before, rule.target) is None:
            assert wml.patch(url, [{"op": "add", "path": path, "value": added}], params=q()).status_code \
                in success(kind, "patch")
            before = wml.read(kind, id_)
        document = [{"op": op, "path": path}] if op == "remove" else \
            [{"op": op, "path": path, "value": added if op == "add" else replaced}]
        r = wml.patch(url, document, params=q())
        after = wml.read(kind, id_)
        if op == "remove" and required_by_schema(kind, rule.target):
            # Documented as removable, but the resource schema requires it: refused, unchanged.
            envelope(r, 400)
            assert after == before
            continue
        before = after
        assert r.status_code in success(kind, "patch"), (op, r.text)
        if op == "remove":
            assert pointer_get(r.json(), rule.target) is None and pointer_get(after, rule.target) is None, op
        else:
            expected = document[0]["value"]
            assert pointer_get(r.json(), rule.target) == expected == pointer_get(after, rule.target), op


def test_patches_below_a_documented_path_are_accepted(wml):
    model = wml.create("model", custom={"keep": 1}, tags=["a"])
    url = item_path("model", model["metadata"]["id"], "patch")
    r = wml.patch(url, [{"op": "add", "path": "/custom/extra", "value": {"x": 1}},
                        {"op": "add", "path": "/tags/-", "value": "b"}], params=q())
    assert r.status_code == 200, r.text
    after = wml.read("model", model["metadata"]["id"])
    assert after["entity"]["custom"] == {"keep": 1, "extra": {"x": 1}}
    assert after["metadata"]["tags"] == ["a", "b"]


def test_both_patch_media_types_are_accepted(wml):
    model = wml.create("model")["metadata"]["id"]
    for media_type, name in (("application/json", "one"), ("application/json-patch+json", "two")):
        r = wml.patch(item_path("model", model), [{"op": "replace", "path": "/name", "value": name}],
                      params=q(), media_type=media_type)
        assert r.status_code == 200 and wml.read("model", model)["metadata"]["name"] == name


UNDOCUMENTED_PATHS = ["/id", "/metadata/name", "/entity/name", "/metadata", "/entity", "/space_id", "/created_at",
                      "/owner", "/rev", "/status", "/names", "/tag", "/custom_x", "", "/"]


def _unchanged(wml, kind: str, id_: str, before: dict) -> None:
    assert wml.read(kind, id_) == before


@pytest.mark.parametrize("kind", PATCHABLE)
def test_undocumented_patch_paths_and_ops_are_400_and_change_nothing(wml, kind):
    id_ = wml.create(kind, custom={"k": "v"}, tags=["t"], description="d")["metadata"]["id"]
    url = item_path(kind, id_, "patch")
    before = wml.read(kind, id_)
    policy = KINDS[kind].patch
    undocumented = [path for path in UNDOCUMENTED_PATHS if policy.rule_for(path) is None]
    assert len(undocumented) >= len(UNDOCUMENTED_PATHS) - 1
    refused = [[{"op": "replace", "path": path, "value": "x"}] for path in undocumented]
    refused += [[{"op": "add", "path": path, "value": "x"}] for path in undocumented[::3]]
    refused += [[{"op": "remove", "path": path}] for path in undocumented[1::3]]
    for rule in policy.rules:  # documented paths with an op their entry does not list
        refused += [[{"op": op, "path": rule.path, "value": patch_values(wml, kind, rule.path)[0]}]
                    for op in sorted({"add", "replace"} - rule.ops)]
        if "remove" not in rule.ops:
            refused.append([{"op": "remove", "path": rule.path}])
    refused += [[{"op": "move", "from": "/description", "path": "/name"}],
                [{"op": "copy", "from": "/description", "path": "/name"}],
                [{"op": "test", "path": "/name", "value": "x"}],
                # one refused operation refuses the whole document
                [{"op": "replace", "path": "/name", "value": "changed"},
                 {"op": "replace", "path": "/id", "value": "x"}],
                [{"op": "replace", "path": "/name", "value": "changed"}, {"op": "remove", "path": "/custom/missing"}]]
    before = wml.read(kind, id_)
    for document in refused:
        envelope(wml.patch(url, document, params=q()), 400)
    _unchanged(wml, kind, id_, before)


MALFORMED = [b"not json", b"", b"{}", b'{"op": "replace", "path": "/name", "value": "x"}', b"[1]", b'["x"]',
             b'[{"path": "/name", "value": "x"}]', b'[{"op": "replace", "value": "x"}]',
             b'[{"op": "replace", "path": "/name"}]', b'[{"op": "add", "path": "/name"}]',
             b'[{"op": "frobnicate", "path": "/name", "value": "x"}]', b'[{"op": "replace", "path": 7, "value": "x"}]',
             b'[{"op": "replace", "path": "name", "value": "x"}]']


@pytest.mark.parametrize("kind", PATCHABLE)
def test_malformed_patch_documents_are_400(wml, kind):
    id_ = wml.create(kind)["metadata"]["id"]
    before = wml.read(kind, id_)
    for raw in MALFORMED:
        r = wml.patch(item_path(kind, id_, "patch"), raw, params=q())
        assert r.status_code == 400, (raw, r.text)
        envelope(r, 400)
    _unchanged(wml, kind, id_, before)


def test_model_software_spec_is_replace_only_and_model_version_add_or_replace(wml):
    assert rule_of("model", "/software_spec").ops == {"replace"}
    assert rule_of("model", "/model_version").ops == {"add", "replace"}
    id_ = wml.create("model")["metadata"]["id"]
    url = item_path("model", id_)
    envelope(wml.patch(url, [{"op": "add", "path": "/software_spec", "value": {"name": "other"}}], params=q()), 400)
    envelope(wml.patch(url, [{"op": "remove", "path": "/software_spec"}], params=q()), 400)
    assert wml.read("model", id_)["entity"]["software_spec"] == SW
    assert wml.patch(url, [{"op": "replace", "path": "/software_spec", "value": {"name": "other"}}],
                     params=q()).status_code == 200
    assert wml.patch(url, [{"op": "add", "path": "/model_version", "value": {"number": "1"}}],
                     params=q()).status_code == 200
    assert wml.patch(url, [{"op": "replace", "path": "/model_version", "value": {"number": "2"}}],
                     params=q()).status_code == 200
    envelope(wml.patch(url, [{"op": "remove", "path": "/model_version"}], params=q()), 400)
    entity = wml.read("model", id_)["entity"]
    assert entity["software_spec"] == {"name": "other"} and entity["model_version"] == {"number": "2"}


# =========================================================================== revisions


def _revise(wml, kind: str, id_: str, space: str = S, **body):
    return wml.post(item_path(kind, id_, "revision-create"), params={"version": V}, json={"space_id": space, **body})


@pytest.mark.parametrize("kind", REVISIONED)
def test_revisions_are_numbered_and_immutable(wml, kind):
    id_ = wml.create(kind, name="first")["metadata"]["id"]
    one = _revise(wml, kind, id_, commit_message="the first")
    assert one.status_code == 201, one.text
    assert one.json()["metadata"]["rev"] == "1"
    assert one.json()["metadata"]["id"] == id_
    url = item_path(kind, id_, "patch")
    assert wml.patch(url, [{"op": "replace", "path": "/name", "value": "second"}], params=q()).status_code \
        in success(kind, "patch")
    two = _revise(wml, kind, id_)
    assert two.status_code == 201 and two.json()["metadata"]["rev"] == "2"
    assert wml.patch(url, [{"op": "replace", "path": "/name", "value": "third"},
                           {"op": "add", "path": "/tags", "value": ["later"]}], params=q()).status_code \
        in success(kind, "patch")

    rev1 = wml.read(kind, id_, rev="1")
    assert rev1["metadata"]["rev"] == "1" and rev1["metadata"]["name"] == "first"
    assert rev1["metadata"].get("commit_info", {}).get("commit_message") == "the first"
    assert "tags" not in rev1["metadata"]
    assert wml.read(kind, id_, rev="2")["metadata"]["name"] == "second"
    assert wml.read(kind, id_)["metadata"]["name"] == "third"
    assert wml.read(kind, id_, rev="latest")["metadata"]["name"] == "third"
    envelope(wml.get(item_path(kind, id_), params=q(rev="3")), 404)
    envelope(_revise(wml, kind, id_, space=OTHER), 404)  # another space's resource has no revisions here
    envelope(_revise(wml, kind, UNKNOWN), 404)


@pytest.mark.parametrize("kind", REVISIONED)
def test_revision_lists_page_one_by_one(wml, kind):
    id_ = wml.create(kind)["metadata"]["id"]
    for _ in range(3):
        assert _revise(wml, kind, id_).status_code == 201
    pages = walk(wml, item_path(kind, id_, "revisions"), q(limit=1))
    revs = [r["metadata"]["rev"] for p in pages for r in p["resources"]]
    assert sorted(revs) == ["1", "2", "3"] and len(pages) == 3
    assert all(r["metadata"]["id"] == id_ for p in pages for r in p["resources"])
    envelope(wml.get(item_path(kind, id_, "revisions"), params=q(OTHER)), 404)


def test_a_revisions_start_token_belongs_to_its_resource(wml):
    ids_ = [wml.create("model")["metadata"]["id"] for _ in range(2)]
    for id_ in ids_:
        for _ in range(2):
            assert _revise(wml, "model", id_).status_code == 201
    href = wml.get(item_path("model", ids_[0], "revisions"), params=q(limit=1)).json()["next"]["href"]
    token = parse_qs(urlsplit(href).query)["start"][0]
    assert wml.get(href).status_code == 200
    envelope(wml.get(item_path("model", ids_[1], "revisions"), params=q(limit=1, start=token)), 400)
    envelope(wml.get(item_path("model", ids_[0], "revisions"), params=q(limit=1, start="o1")), 400)


# =========================================================================== deployments

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _deploy(wml, **body):
    return wml.post("/ml/v4/deployments", params={"version": V},
                    json={"name": "d", "asset": {"id": wml.cached("model")}, "space_id": S, **body})


@pytest.mark.parametrize("body", [{"online": {}, "batch": {}}, {}, {"online": {}, "r_shiny": {}}],
                         ids=["online-and-batch", "neither", "online-and-r_shiny"])
def test_a_deployment_is_exactly_one_of_online_and_batch(wml, body):
    envelope(_deploy(wml, **body), 400)
    assert wml.get("/ml/v4/deployments", params=q()).json()["resources"] == []


def test_a_deployment_needs_an_existing_asset_of_its_space(wml):
    envelope(_deploy(wml, online={}, asset={"id": UNKNOWN}), 404)
    envelope(_deploy(wml, online={}, asset={"id": wml.cached("model", OTHER)}), 404)
    assert wml.get("/ml/v4/deployments", params=q()).json()["resources"] == []


def test_a_deployment_is_accepted_with_202_initializes_then_is_ready(wml):
    r = _deploy(wml, online={}, hardware_spec={"name": "S"})
    assert r.status_code == 202
    created = r.json()
    id_ = created["metadata"]["id"]
    assert UUID.match(id_)
    assert created["entity"]["status"]["state"] == KINDS["deployment"].lifecycle.initial == "initializing"
    assert wml.read("deployment", id_)["entity"]["status"]["state"] == "ready"
    for _ in range(3):  # ready rests
        assert wml.read("deployment", id_)["entity"]["status"]["state"] == "ready"


def test_with_immediate_pacing_the_first_read_is_ready(wml):
    pace(wml, "immediate")
    created = _deploy(wml, online={}).json()
    assert wml.read("deployment", created["metadata"]["id"])["entity"]["status"]["state"] == "ready"


@pytest.mark.parametrize("path", KINDS["deployment"].lifecycle.on_patch_paths)
def test_patching_the_asset_or_hardware_moves_a_ready_deployment_to_updating(wml, path):
    id_ = _deploy(wml, online={}).json()["metadata"]["id"]
    assert wml.read("deployment", id_)["entity"]["status"]["state"] == "ready"
    value = patch_values(wml, "deployment", path)[0]
    r = wml.patch(item_path("deployment", id_), [{"op": "add", "path": path, "value": value}], params=q())
    assert r.status_code == 202
    assert r.json()["entity"]["status"]["state"] == KINDS["deployment"].lifecycle.on_patch == "updating"
    after = wml.read("deployment", id_)
    assert after["entity"]["status"]["state"] == "ready"
    assert pointer_get(after, rule_of("deployment", path).target) == value


def test_patching_the_name_does_not_redeploy(wml):
    id_ = _deploy(wml, online={}).json()["metadata"]["id"]
    wml.read("deployment", id_)
    r = wml.patch(item_path("deployment", id_), [{"op": "replace", "path": "/name", "value": "n"}], params=q())
    assert r.status_code == 202 and r.json()["entity"]["status"]["state"] == "ready"


def test_deployment_representation_carries_what_the_client_reads(wml):
    fn = wml.create("function")["metadata"]["id"]
    online = _deploy(wml, online={}).json()
    batch = _deploy(wml, batch={}).json()
    of_function = _deploy(wml, online={}, asset={"id": fn}).json()
    assert online["entity"]["deployed_asset_type"] == "model"
    assert of_function["entity"]["deployed_asset_type"] == "function"
    url = online["entity"]["status"]["online_url"]["url"]
    assert urlsplit(url).path == f"/ml/v4/deployments/{online['metadata']['id']}/predictions"
    assert "online_url" not in batch["entity"]["status"]
    scored = wml.post(urlsplit(url).path, params={"version": V}, json={"input_data": [{"values": ROWS}]})
    assert scored.status_code == 200
    listed = wml.get("/ml/v4/deployments", params=q()).json()["resources"]
    patched = wml.patch(item_path("deployment", batch["metadata"]["id"]),
                        [{"op": "add", "path": "/description", "value": "x"}], params=q()).json()
    for doc in [online, batch, of_function, patched, wml.read("deployment", online["metadata"]["id"]), *listed]:
        warnings = doc["system"]["warnings"]
        assert warnings and all(isinstance(w["message"], str) and w["message"] for w in warnings)
        assert doc["entity"]["deployed_asset_type"] in ("model", "function")


def test_deployment_and_job_ids_are_lowercase_uuids(wml):
    uuid_kinds = kinds_with(lambda k: k.id_format == "uuid")
    assert set(uuid_kinds) == {"deployment", "deployment_job", "space"}
    for kind in uuid_kinds:
        for _ in range(3):
            id_ = wml.create(kind)["metadata"]["id"]
            assert UUID.match(id_) and str(uuid.UUID(id_)) == id_


def test_serving_names_are_unique_and_probed(wml):
    first = _deploy(wml, online={"parameters": {"serving_name": "churn_v1"}}).json()["metadata"]["id"]
    probe = {"version": V, "conflict": "true"}
    assert wml.get("/ml/v4/deployments", params={**probe, "serving_name": "churn_v1"}).status_code == 409
    free = wml.get("/ml/v4/deployments", params={**probe, "serving_name": "free_name"})
    assert free.status_code == 204 and free.content == b""
    r = _deploy(wml, online={"parameters": {"serving_name": "churn_v1"}})
    assert r.status_code == 409
    envelope(r, 409)
    # taken in another space too: "within: global"
    other_model = wml.cached("model", OTHER)
    r = wml.post("/ml/v4/deployments", params={"version": V},
                 json={"name": "d", "asset": {"id": other_model}, "space_id": OTHER,
                       "online": {"parameters": {"serving_name": "churn_v1"}}})
    envelope(r, 409)
    second = _deploy(wml, online={"parameters": {"serving_name": "churn_v2"}}).json()["metadata"]["id"]
    envelope(wml.patch(item_path("deployment", second),
                       [{"op": "replace", "path": "/online/parameters", "value": {"serving_name": "churn_v1"}}],
                       params=q()), 409)
    assert wml.read("deployment", second)["entity"]["online"]["parameters"]["serving_name"] == "churn_v2"
    assert wml.delete(item_path("deployment", first), params=q()).status_code == 204
    assert wml.get("/ml/v4/deployments", params={**probe, "serving_name": "churn_v1"}).status_code == 204
    assert _deploy(wml, online={"parameters": {"serving_name": "churn_v1"}}).status_code == 202


@pytest.mark.parametrize("name", ["Upper", "with-dash", "x" * 37, "with space"])
def test_serving_names_follow_the_documented_pattern(wml, name):
    envelope(_deploy(wml, online={"parameters": {"serving_name": name}}), 400)


def test_predictions_by_id_and_by_serving_name_are_deterministic_row_by_row(wml):
    id_ = _deploy(wml, online={"parameters": {"serving_name": "scorer"}}).json()["metadata"]["id"]
    payload = {"input_data": [{"fields": ["id", "name", "x"], "values": ROWS},
                              {"id": "second", "fields": ["id"], "values": [[9]]}]}
    by_id = wml.post(f"/ml/v4/deployments/{id_}/predictions", params={"version": V}, json=payload)
    by_name = wml.post("/ml/v4/deployments/scorer/predictions", params={"version": V}, json=payload)
    assert by_id.status_code == by_name.status_code == 200
    predictions = by_id.json()["predictions"]
    assert [len(block["values"]) for block in predictions] == [len(ROWS), 1]
    assert by_name.json() == by_id.json()
    again = wml.post(f"/ml/v4/deployments/{id_}/predictions", params={"version": V}, json=payload)
    assert again.json() == by_id.json()
    single = wml.post(f"/ml/v4/deployments/{id_}/predictions", params={"version": V},
                      json={"input_data": [{"values": [ROWS[1]]}]}).json()["predictions"][0]["values"]
    assert single == [predictions[0]["values"][1]]  # a row scores the same alone or among others


def test_predictions_need_an_existing_deployment_and_input_data(wml):
    id_ = _deploy(wml, online={}).json()["metadata"]["id"]
    envelope(wml.post(f"/ml/v4/deployments/{UNKNOWN}/predictions", params={"version": V},
                      json={"input_data": [{"values": ROWS}]}), 404)
    envelope(wml.post(f"/ml/v4/deployments/{id_}/predictions", params={"version": V}, json={"rows": ROWS}), 400)


def test_a_deployment_is_deleted_with_204(wml):
    id_ = _deploy(wml, online={}).json()["metadata"]["id"]
    r = wml.delete(item_path("deployment", id_), params=q())
    assert r.status_code == 204 and r.content == b""
    envelope(wml.get(item_path("deployment", id_), params=q()), 404)
    envelope(wml.delete(item_path("deployment", id_), params=q()), 404)


def test_deployments_list_and_stats_across_spaces(wml):
    _deploy(wml, online={})
    _deploy(wml, batch={})
    r = wml.get("/ml/v4/deployments", params={"version": V, "stats": "true"})
    assert r.status_code == 200
    body = r.json()
    assert body["resources"] == []
    stats = {entry["space_id"]: entry for entry in body["system"]["stats"]}
    assert stats[S]["online_count"] == 1 and stats[S]["batch_count"] == 1
    envelope(wml.get("/ml/v4/deployments", params={"version": V}), 400)  # a plain list needs its space


# =========================================================================== deployment jobs


def _job_state(job: dict) -> str:
    entity = job["entity"]
    return (entity.get("scoring") or entity.get("decision_optimization"))["status"]["state"]


def test_a_job_is_queued_then_running_then_completed_with_predictions(wml):
    r = wml.post("/ml/v4/deployment_jobs", params={"version": V}, json={
        **wml.body("deployment_job", S), "space_id": S})
    assert r.status_code == 202
    job = r.json()
    id_ = job["metadata"]["id"]
    assert UUID.match(id_)
    seen = [_job_state(job)] + [_job_state(wml.read("deployment_job", id_)) for _ in range(3)]
    assert seen == ["queued", "running", "completed", "completed"]
    for before, after in zip(seen, seen[1:], strict=False):
        assert before == after or after in transitions("deployment_job")[before]
    done = wml.read("deployment_job", id_)
    predictions = done["entity"]["scoring"]["predictions"]
    assert [len(block["values"]) for block in predictions] == [len(ROWS)]
    platform = done["entity"]["platform_job"]
    assert platform["job_id"] and platform["run_id"]


def test_a_decision_optimization_job_follows_the_same_lifecycle(wml):
    job = wml.create("deployment_job", scoring=None, decision_optimization={"solve_parameters": {}})
    id_ = job["metadata"]["id"]
    assert [_job_state(wml.read("deployment_job", id_)) for _ in range(2)] == ["running", "completed"]
    assert "scoring" not in wml.read("deployment_job", id_)["entity"]


def test_a_job_needs_an_existing_deployment_of_its_space(wml):
    body = {**wml.body("deployment_job", S), "space_id": S}
    envelope(wml.post("/ml/v4/deployment_jobs", params={"version": V}, json={**body, "deployment": {"id": UNKNOWN}}),
             404)
    envelope(wml.post("/ml/v4/deployment_jobs", params={"version": V},
                      json={**body, "deployment": {"id": wml.batch(OTHER)}}), 404)
    envelope(wml.post("/ml/v4/deployment_jobs", params={"version": V},
                      json={**body, "decision_optimization": {}}), 400)  # both sections


def test_deleting_a_job_cancels_it_and_it_stays_readable(wml):
    id_ = wml.create("deployment_job")["metadata"]["id"]
    r = wml.delete(item_path("deployment_job", id_, "delete"), params=q())
    assert r.status_code == 204
    for _ in range(2):
        assert _job_state(wml.read("deployment_job", id_)) == KINDS["deployment_job"].delete.cancel_state == "canceled"
    assert id_ in ids(wml.get("/ml/v4/deployment_jobs", params=q()).json())


def test_hard_delete_removes_a_job(wml):
    id_ = wml.create("deployment_job")["metadata"]["id"]
    assert wml.delete(item_path("deployment_job", id_, "delete"), params=q(hard_delete="true")).status_code == 204
    envelope(wml.get(item_path("deployment_job", id_), params=q()), 404)
    assert id_ not in ids(wml.get("/ml/v4/deployment_jobs", params=q()).json())


def test_cancelling_a_completed_job_is_400(wml):
    id_ = wml.create("deployment_job")["metadata"]["id"]
    assert "completed" in [_job_state(wml.read("deployment_job", id_)) for _ in range(5)]
    message = envelope(wml.delete(item_path("deployment_job", id_, "delete"), params=q()), 400)
    assert "Job already completed with state" in message  # what the client looks for
    assert _job_state(wml.read("deployment_job", id_)) == "completed"
    assert wml.delete(item_path("deployment_job", id_, "delete"), params=q(hard_delete="true")).status_code == 204


@pytest.mark.parametrize("job_id_from", ["deployment-job-id", "platform-job-id"])
def test_deleting_the_platform_run_cancels_the_job(wml, job_id_from):
    job = wml.create("deployment_job")
    id_, platform = job["metadata"]["id"], job["entity"]["platform_job"]
    job_id = id_ if job_id_from == "deployment-job-id" else platform["job_id"]
    r = wml.delete(f"/v2/jobs/{job_id}/runs/{platform['run_id']}", params=q())
    assert r.status_code == 204
    assert _job_state(wml.read("deployment_job", id_)) == "canceled"
    envelope(wml.delete(f"/v2/jobs/{job_id}/runs/{UNKNOWN}", params=q()), 404)


def test_deleting_the_run_of_a_finished_job_deletes_the_job(wml):
    # The official client on CPD <= 5.1 deletes a job only through its platform run: after a 204
    # there it never calls DELETE /ml/v4/deployment_jobs, and expects the job to be gone.
    job = wml.create("deployment_job")
    id_, run = job["metadata"]["id"], job["entity"]["platform_job"]["run_id"]
    wml.read("deployment_job", id_)
    wml.read("deployment_job", id_)
    assert _job_state(wml.read("deployment_job", id_)) == "completed"
    assert wml.delete(f"/v2/jobs/{id_}/runs/{run}", params=q()).status_code == 204
    assert wml.get(f"/ml/v4/deployment_jobs/{id_}", params=q()).status_code == 404


# =========================================================================== trainings


def test_a_training_walks_its_documented_transitions_to_completed(wml):
    r = wml.post("/ml/v4/trainings", params={"version": V}, json={**wml.body("training", S), "space_id": S})
    assert r.status_code == 201
    id_ = r.json()["metadata"]["id"]
    seen = [r.json()["entity"]["status"]["state"]]
    assert seen[0] == KINDS["training"].lifecycle.initial
    for _ in range(len(states("training")) + 2):
        seen.append(wml.read("training", id_)["entity"]["status"]["state"])
    graph = transitions("training")
    for before, after in zip(seen, seen[1:], strict=False):
        assert before == after or after in graph[before], (before, after)
    assert seen[-1] == "completed" and all(s in states("training") for s in seen)


def test_deleting_a_training_cancels_it_or_hard_deletes_it(wml):
    first = wml.create("training")["metadata"]["id"]
    assert wml.delete(item_path("training", first, "delete"), params=q()).status_code == 204
    assert wml.read("training", first)["entity"]["status"]["state"] == "canceled"
    assert wml.read("training", first)["entity"]["status"]["state"] == "canceled"
    assert wml.delete(item_path("training", first, "delete"), params=q(hard_delete="true")).status_code == 204
    envelope(wml.get(item_path("training", first), params=q()), 404)
    second = wml.create("training")["metadata"]["id"]
    assert "completed" in [wml.read("training", second)["entity"]["status"]["state"] for _ in range(10)]
    message = envelope(wml.delete(item_path("training", second, "delete"), params=q()), 400)
    assert "Job already completed with state" in message


# =========================================================================== content

MODEL_UPLOAD = op_of("model", "content-put")
MODEL_MEDIA = list(MODEL_UPLOAD.request_media_types)
NOT_UTF8 = b"PK\x03\x04\xff\xfe\x00\x80\xc3\x28 binary \x00\xff"
SAMPLES = {"application/json": b'{"model": {"weights": [1, 2, 3]}, "name": "\xc3\xa9t\xc3\xa9"}',
           "text/plain": b"plain text model\n", "application/xml": b"<PMML version=\"4.4\"/>"}


def _upload(wml, model: str, data: bytes, media_type: str | None, **params):
    headers = {"Content-Type": media_type} if media_type else {}
    return wml.put(f"/ml/v4/models/{model}/content", params=q(**params), content=data, headers=headers)


@pytest.mark.parametrize("media_type", [m
                                        for m in MODEL_MEDIA])
def test_model_content_of_each_documented_type_round_trips_byte_for_byte(wml, media_type):
    model = wml.create("model")["metadata"]["id"]
    data = SAMPLES.get(media_type, NOT_UTF8)
    r = _upload(wml, model, data, media_type, content_format="native", name="model.bin")
    assert r.status_code == 201, r.text
    meta = r.json()
    assert meta["content_format"] == "native" and meta["name"] == "model.bin"
    listed = wml.get(f"/ml/v4/models/{model}/content", params=q()).json()
    assert listed["total_count"] == 1 and [a["attachment_id"] for a in listed["attachments"]] == [meta["attachment_id"]]
    got = wml.get(f"/ml/v4/models/{model}/content/{meta['attachment_id']}", params=q())
    assert got.status_code == 200 and got.content == data
    downloaded = wml.get(f"/ml/v4/models/{model}/download", params=q(content_format="native"))
    assert downloaded.status_code == 200 and downloaded.content == data


def test_a_json_string_body_is_stored_verbatim(wml):
    model = wml.create("model")["metadata"]["id"]
    data = b'"a json string"'
    assert _upload(wml, model, data, "application/json", content_format="native").status_code == 201
    assert wml.get(f"/ml/v4/models/{model}/download", params=q()).content == data


def test_model_attachments_replace_by_content_format_and_coexist_otherwise(wml):
    model = wml.create("model")["metadata"]["id"]
    first = _upload(wml, model, b"v1", "application/zip", content_format="native").json()
    again = _upload(wml, model, NOT_UTF8, "application/octet-stream", content_format="native").json()
    assert again["attachment_id"] == first["attachment_id"]
    coreml = _upload(wml, model, b"core", "application/zip", content_format="coreml", deployment_id="d1").json()
    node_a = _upload(wml, model, b"node a", "application/zip", content_format="pipeline-node",
                     pipeline_node_id="a").json()
    node_b = _upload(wml, model, b"node b", "application/zip", content_format="pipeline-node",
                     pipeline_node_id="b").json()
    attachments = wml.get(f"/ml/v4/models/{model}/content", params=q()).json()
    assert attachments["total_count"] == len(attachments["attachments"]) == 4
    assert len({a["attachment_id"] for a in attachments["attachments"]}) == 4
    assert {first["attachment_id"], coreml["attachment_id"], node_a["attachment_id"], node_b["attachment_id"]} == \
        {a["attachment_id"] for a in attachments["attachments"]}
    only = wml.get(f"/ml/v4/models/{model}/content", params=q(content_format="pipeline-node")).json()
    assert only["total_count"] == 2
    assert wml.get(f"/ml/v4/models/{model}/download", params=q(content_format="native")).content == NOT_UTF8
    assert wml.get(f"/ml/v4/models/{model}/download",
                   params=q(content_format="pipeline-node", pipeline_node_id="b")).content == b"node b"
    # More than one match answers 400, none 404 (the operation's description).
    envelope(wml.get(f"/ml/v4/models/{model}/download", params=q(content_format="pipeline-node")), 400)
    envelope(wml.get(f"/ml/v4/models/{model}/download", params=q()), 400)
    envelope(wml.get(f"/ml/v4/models/{model}/download", params=q(content_format="nothing")), 404)


def test_model_attachments_are_deleted_one_by_one(wml):
    model = wml.create("model")["metadata"]["id"]
    keep = _upload(wml, model, b"keep", "application/zip", content_format="native").json()["attachment_id"]
    drop = _upload(wml, model, b"drop", "application/zip", content_format="other").json()["attachment_id"]
    r = wml.delete(f"/ml/v4/models/{model}/content/{drop}", params=q())
    assert r.status_code == 204
    listed = wml.get(f"/ml/v4/models/{model}/content", params=q()).json()
    assert [a["attachment_id"] for a in listed["attachments"]] == [keep] and listed["total_count"] == 1
    envelope(wml.get(f"/ml/v4/models/{model}/content/{drop}", params=q()), 404)
    envelope(wml.delete(f"/ml/v4/models/{model}/content/{drop}", params=q()), 404)
    assert wml.get(f"/ml/v4/models/{model}/download", params=q()).content == b"keep"


def test_model_content_is_scoped_and_needs_a_content_format(wml):
    model = wml.create("model")["metadata"]["id"]
    envelope(_upload(wml, model, b"x", "application/zip"), 400)
    envelope(wml.put(f"/ml/v4/models/{model}/content", params=q(OTHER, content_format="native"), content=b"x",
                     headers={"Content-Type": "application/zip"}), 404)
    envelope(wml.put(f"/ml/v4/models/{UNKNOWN}/content", params=q(content_format="native"), content=b"x",
                     headers={"Content-Type": "application/zip"}), 404)
    assert wml.get(f"/ml/v4/models/{model}/content", params=q()).json()["total_count"] == 0
    envelope(wml.get(f"/ml/v4/models/{model}/content", params=q(OTHER)), 404)


SINGLE_CONTENT = [(kind, op_of(kind, "content-put")) for kind in kinds_with(
    lambda k: API.operation(k.name, "content-put") is not None and not k.attachments.multiple)]


@pytest.mark.parametrize(("kind", "upload"), SINGLE_CONTENT, ids=[k for k, _ in SINGLE_CONTENT])
def test_single_content_uploads_replace_the_previous_one(wml, kind, upload):
    assert upload.path.endswith(("/code", "/model"))
    id_ = wml.create(kind)["metadata"]["id"]
    url = re.sub(r"\{[^}]+\}", id_, upload.path, count=1)
    envelope(wml.get(url, params=q()), 404)  # nothing uploaded yet
    for media_type in [*upload.request_media_types, None]:  # the client sends function code untyped
        data = NOT_UTF8 + (media_type or "none").encode()
        headers = {"Content-Type": media_type} if media_type else {}
        r = wml.put(url, params=q(), content=data, headers=headers)
        assert r.status_code == 201, (media_type, r.text)
        assert r.json()["attachment_id"]
        got = wml.get(url, params=q())
        assert got.status_code == 200 and got.content == data
    envelope(wml.put(url, params=q(OTHER), content=b"x", headers={"Content-Type": "application/gzip"}), 404)


def test_deleting_a_model_deletes_its_content(wml):
    model = wml.create("model")["metadata"]["id"]
    attachment = _upload(wml, model, b"x", "application/zip", content_format="native").json()["attachment_id"]
    assert wml.delete(item_path("model", model, "delete"), params=q()).status_code == 204
    envelope(wml.get(f"/ml/v4/models/{model}/content/{attachment}", params=q()), 404)
    envelope(wml.get(f"/ml/v4/models/{model}/download", params=q()), 404)


# =========================================================================== platform


@pytest.mark.parametrize("space", [S, OTHER])
def test_seeded_spaces_are_found(wml, space):
    r = wml.get(f"/v2/spaces/{space}")
    assert r.status_code == 200 and r.json()["metadata"]["id"] == space


@pytest.mark.parametrize("space", [UNKNOWN, P])
def test_unknown_spaces_are_404(wml, space):
    envelope(wml.get(f"/v2/spaces/{space}"), 404)


def test_the_seeded_project_has_a_storage_type(wml):
    r = wml.get(f"/v2/projects/{P}")
    assert r.status_code == 200
    assert r.json()["metadata"]["guid"] == P
    assert isinstance(r.json()["entity"]["storage"]["type"], str) and r.json()["entity"]["storage"]["type"]
    envelope(wml.get(f"/v2/projects/{UNKNOWN}"), 404)


@pytest.mark.parametrize(("collection", "name"), [("software_specifications", "runtime-24.1-py3.11"),
                                                  ("hardware_specifications", "S")])
def test_specifications_are_found_by_name_and_by_id(wml, collection, name):
    everything = wml.get(f"/v2/{collection}", params=q()).json()
    names = [r["metadata"]["name"] for r in everything["resources"]]
    assert everything["total_results"] == len(names) >= 1 and len(set(names)) == len(names)
    r = wml.get(f"/v2/{collection}", params=q(name=name))
    assert r.status_code == 200
    found = r.json()
    assert found["total_results"] == 1 and found["resources"][0]["metadata"]["name"] == name
    asset_id = found["resources"][0]["metadata"]["asset_id"]
    by_id = wml.get(f"/v2/{collection}/{asset_id}", params=q())
    assert by_id.status_code == 200
    assert by_id.json()["metadata"]["asset_id"] == asset_id and by_id.json()["metadata"]["name"] == name
    assert wml.get(f"/v2/{collection}", params={"name": name}).json()["total_results"] == 1  # no space needed
    assert wml.get(f"/v2/{collection}", params=q(name="no-such-spec")).json() == {"total_results": 0,
                                                                                    "resources": []}
    envelope(wml.get(f"/v2/{collection}/{UNKNOWN}", params=q()), 404)


def test_an_asset_view_of_a_model(wml):
    model = wml.create("model", tags=["t"], description="described")
    id_ = model["metadata"]["id"]
    r = wml.get(f"/v2/assets/{id_}", params=q())
    assert r.status_code == 200
    view = r.json()
    assert id_ in view["href"]
    assert view["metadata"]["asset_id"] == id_
    assert view["metadata"]["asset_type"] == "wml_model"
    assert view["metadata"]["space_id"] == S
    assert view["metadata"]["usage"]["last_updated_at"]
    assert view["entity"]["wml_model"]["type"] == model["entity"]["type"]
    envelope(wml.get(f"/v2/assets/{UNKNOWN}", params=q()), 404)
    envelope(wml.get(f"/v2/assets/{id_}", params=q(OTHER)), 404)


def test_deleting_an_asset_deletes_the_model(wml):
    id_ = wml.create("model")["metadata"]["id"]
    envelope(wml.delete(f"/v2/assets/{id_}", params=q(OTHER, purge_on_delete="true")), 404)
    assert wml.read("model", id_)["metadata"]["id"] == id_
    r = wml.delete(f"/v2/assets/{id_}", params=q(purge_on_delete="true"))
    assert r.status_code in (200, 204)
    envelope(wml.get(item_path("model", id_), params=q()), 404)
    envelope(wml.get(f"/v2/assets/{id_}", params=q()), 404)
    envelope(wml.delete(f"/v2/assets/{id_}", params=q()), 404)


def test_the_client_probes_answer_404(wml):
    model = wml.create("model")["metadata"]["id"]
    envelope(wml.get(f"/wx/v1/prompts/{model}", params={"space_id": S, "prompt_id": model}), 404)
    for collection in ("pipelines", "experiments", "functions"):
        envelope(wml.get(f"/ml/v4/{collection}/{model}", params=q()), 404)
    assert wml.get(f"/ml/v4/models/{model}", params=q()).status_code == 200


# =========================================================================== response validation


def test_response_validation_is_on_and_would_catch_a_wrong_body(wml):
    """The checks above see a 5xx if the mock ever answers outside its spec; prove that they would."""
    id_ = wml.create("model")["metadata"]["id"]
    store = wml.app.engine.store
    record = store.get("wml", "model", id_)
    broken = {**record.doc, "metadata": {**record.doc["metadata"], "name": 42}}
    store.put("wml", "model", id_, broken, scope=record.scope, sort_key=record.sort_key)
    r = wml.get(item_path("model", id_), params=q(), check=False)
    assert r.status_code >= 500
    with pytest.raises(AssertionError):
        check_response(r)



UPLOADS = [(kind, op_of(kind, "content-put")) for kind in kinds_with(
    lambda k: API.operation(k.name, "content-put") is not None)]
# What clients put on uploads: the IBM client's repository library sends every model tarball as
# application/json; others send no type, a form type or a made-up one.
ANY_TYPE = ["application/json", "application/json; charset=utf-8", "text/plain", "application/x-tar",
            "multipart/form-data; boundary=x", "made/up", None]


@pytest.mark.parametrize("media_type", ANY_TYPE)
@pytest.mark.parametrize(("kind", "upload"), UPLOADS, ids=[k for k, _ in UPLOADS])
def test_uploads_are_bytes_whatever_the_content_type(wml, kind, upload, media_type):
    id_ = wml.create(kind)["metadata"]["id"]
    url = re.sub(r"\{[^}]+\}", id_, upload.path, count=1)
    data = b"\x1f\x8b\x08\x00" + NOT_UTF8 + (media_type or "none").encode()  # a gzip header: not UTF-8, not JSON
    headers = {"Content-Type": media_type} if media_type else {}
    params = q(content_format="native") if upload.parameter("content_format") else q()
    r = wml.put(url, params=params, content=data, headers=headers)
    assert r.status_code == 201, (media_type, r.text)
    attachment = r.json()["attachment_id"]
    if kind == "model":
        got = wml.get(f"/ml/v4/models/{id_}/content/{attachment}", params=q())
    else:
        got = wml.get(url, params=q())
    assert got.status_code == 200 and got.content == data


# =========================================================================== spaces (/v2/spaces)


def new_space(wml, name: str = "space", **fields) -> dict:
    r = wml.post("/v2/spaces", json={"name": name, **fields})
    assert r.status_code == 202, r.text  # the official client requires 202
    return r.json()


def test_a_created_space_is_prepared_then_active_and_its_creator_is_admin(wml):
    created = new_space(wml, "mine", description="d", tags=["a"])
    space = created["metadata"]["id"]
    assert uuid.UUID(space).version == 4 and space == space.lower()
    assert created["entity"]["status"]["state"] == "preparing"
    assert created["entity"]["members"] == [{"id": "admin", "type": "user", "role": "admin", "state": "active"}]
    assert created["metadata"]["url"] == f"/v2/spaces/{space}"
    states = [wml.get(f"/v2/spaces/{space}").json()["entity"]["status"]["state"] for _ in range(3)]
    assert states[-1] == "active" and states[0] in ("preparing", "active")
    got = wml.get(f"/v2/spaces/{space}").json()
    assert got["entity"]["name"] == "mine" and got["entity"]["description"] == "d" and got["entity"]["tags"] == ["a"]
    envelope(wml.post("/v2/spaces", json={"description": "no name"}), 400)


def test_spaces_list_pages_and_filters_by_name_and_member(wml):
    made = [new_space(wml, f"s{i}")["metadata"]["id"] for i in range(3)]
    every = {S, OTHER, *made}
    pages = walk(wml, "/v2/spaces", {"version": V, "limit": 2})
    seen = [r["metadata"]["id"] for p in pages for r in p["resources"]]
    assert sorted(seen) == sorted(every) and len(seen) == len(set(seen))
    assert [len(p["resources"]) for p in pages] == [2, 2, 1]
    named = wml.get("/v2/spaces", params={"name": "s1"}).json()["resources"]
    assert [r["metadata"]["id"] for r in named] == [made[1]]
    assert wml.get("/v2/spaces", params={"name": "nope"}).json()["resources"] == []
    wml.post(f"/v2/spaces/{made[2]}/members", json={"members": [{"id": "bob", "role": "viewer"}]})
    bobs = wml.get("/v2/spaces", params={"member": "bob"}).json()["resources"]
    assert [r["metadata"]["id"] for r in bobs] == [made[2]]
    envelope(wml.get("/v2/spaces", params={"limit": 0}), 400)


def test_a_space_is_updated_by_json_patch_on_its_documented_paths(wml):
    space = new_space(wml, "before", tags=["x"])["metadata"]["id"]
    r = wml.patch(f"/v2/spaces/{space}", [{"op": "replace", "path": "/name", "value": "after"},
                                         {"op": "add", "path": "/description", "value": "new"},
                                         {"op": "replace", "path": "/tags", "value": ["y", "z"]}])
    assert r.status_code == 200, r.text
    entity = wml.get(f"/v2/spaces/{space}").json()["entity"]
    assert (entity["name"], entity["description"], entity["tags"]) == ("after", "new", ["y", "z"])
    envelope(wml.patch(f"/v2/spaces/{space}", [{"op": "replace", "path": "/members", "value": []}]), 400)
    envelope(wml.patch(f"/v2/spaces/{UNKNOWN}", [{"op": "replace", "path": "/name", "value": "n"}]), 404)
    assert wml.get(f"/v2/spaces/{space}").json()["entity"]["members"][0]["id"] == "admin"


def test_deleting_a_space_deletes_everything_in_it(wml):
    space = new_space(wml)["metadata"]["id"]
    model = wml.create("model", space=space)["metadata"]["id"]
    assert wml.put(f"/ml/v4/models/{model}/content", params=q(space, content_format="native"),
                   content=b"bytes").status_code == 201
    deployment = wml.create("deployment", space=space, asset={"id": model})["metadata"]["id"]
    kept = wml.create("model")["metadata"]["id"]  # another space's model stays
    assert wml.delete(f"/v2/spaces/{space}").status_code == 202
    envelope(wml.get(f"/v2/spaces/{space}"), 404)
    envelope(wml.get(f"/ml/v4/models/{model}", params=q(space)), 404)
    envelope(wml.get(f"/v2/assets/{model}", params={"version": V}), 404)
    envelope(wml.get(f"/v2/assets/{deployment}", params={"version": V}), 404)
    store = wml.app.engine.store
    assert store.get("wml", "deployment", deployment) is None and store.blobs("wml", "model", model) == []
    assert wml.read("model", kept)["metadata"]["id"] == kept
    envelope(wml.delete(f"/v2/spaces/{space}"), 404)


def test_ml_v4_calls_on_an_unknown_space_are_404(wml):
    envelope(wml.get("/ml/v4/models", params=q(UNKNOWN)), 404)
    envelope(wml.post("/ml/v4/models", params={"version": V},
                      json={"name": "m", "type": "scikit-learn_1.3", "software_spec": SW, "space_id": UNKNOWN}), 404)
    envelope(wml.get("/ml/v4/deployments", params=q(UNKNOWN)), 404)
    envelope(wml.get("/ml/v4/models", params={"version": V, "project_id": UNKNOWN}), 404)
    assert wml.get("/v2/spaces", params={"limit": 200}).json()["resources"].__len__() == 2


def test_auto_spaces_make_an_unknown_space_on_first_use(make_client):
    app = create_app(apis=["wml"], engine=Engine(Store(), settings=Settings(auto_spaces=True), clock=Clock(START_MS)))
    wml = Wml(make_client(app, token=app.token, base_url=BASE_URL), app)
    fresh = str(uuid.uuid4())
    model = wml.create("model", space=fresh)
    assert model["metadata"]["space_id"] == fresh
    space = wml.get(f"/v2/spaces/{fresh}").json()
    assert space["entity"]["status"]["state"] == "active"
    assert wml.get("/ml/v4/models", params=q(fresh)).json()["resources"][0]["metadata"]["id"] == model["metadata"]["id"]
    # Projects are not made up: an unknown one is still a 404.
    envelope(wml.get("/ml/v4/models", params={"version": V, "project_id": UNKNOWN}), 404)


def test_space_members_are_added_read_updated_and_removed(wml):
    space = new_space(wml)["metadata"]["id"]
    url = f"/v2/spaces/{space}/members"
    r = wml.post(url, json={"members": [{"id": "bob", "role": "editor"}, {"id": "ops", "type": "group",
                                                                          "role": "viewer"}]})
    assert r.status_code == 200, r.text
    assert r.json()["members"][0] == {"id": "bob", "type": "user", "role": "editor", "state": "active"}
    envelope(wml.post(url, json={"members": [{"id": "bob", "role": "viewer"}]}), 409)
    listed = wml.get(url).json()
    assert listed["total_count"] == 3 and {m["id"] for m in listed["resources"]} == {"admin", "bob", "ops"}
    assert [m["id"] for m in wml.get(url, params={"role": "viewer"}).json()["resources"]] == ["ops"]
    assert wml.get(f"{url}/bob").json()["role"] == "editor"
    r = wml.patch(f"{url}/bob", [{"op": "replace", "path": "/role", "value": "admin"}])
    assert r.status_code == 200 and r.json()["role"] == "admin"
    envelope(wml.patch(f"{url}/bob", [{"op": "replace", "path": "/id", "value": "eve"}]), 400)
    envelope(wml.patch(f"{url}/bob", [{"op": "replace", "path": "/role", "value": "owner"}]), 400)
    assert wml.delete(f"{url}/bob").status_code == 204
    envelope(wml.get(f"{url}/bob"), 404)
    envelope(wml.delete(f"{url}/bob"), 404)
    envelope(wml.get(f"/v2/spaces/{UNKNOWN}/members"), 404)


# =========================================================================== projects (/v2/projects)


def new_project(wml, name: str = "project", **fields) -> str:
    body = {"name": name, "generator": "Watsonx-Python-SDK", "storage": {"type": "assetfiles"}, **fields}
    r = wml.post("/transactional/v2/projects", json=body)
    assert r.status_code == 201, r.text  # the official client requires 201
    location = r.json()["location"]  # where the project is, not the project (reading 47)
    assert r.json() == {"location": location} and location.startswith("/v2/projects/")
    return location.rsplit("/", 1)[1]


def test_a_created_project_answers_its_location_and_its_creator_is_admin(wml):
    project = new_project(wml, "mine", description="d", tags=["a"])
    assert uuid.UUID(project).version == 4 and project == project.lower()
    got = wml.get(f"/v2/projects/{project}").json()
    assert got["metadata"]["guid"] == project and got["metadata"]["url"] == f"/v2/projects/{project}"
    assert got["metadata"]["creator_iam_id"] == "admin" and got["metadata"]["updated_at"]
    entity = got["entity"]
    assert (entity["name"], entity["description"], entity["tags"]) == ("mine", "d", ["a"])
    assert entity["storage"] == {"type": "assetfiles"} and entity["generator"] == "Watsonx-Python-SDK"
    assert entity["members"] == [{"user_name": "admin", "id": "admin", "role": "admin", "state": "ACTIVE",
                                  "type": "user"}]
    envelope(wml.post("/transactional/v2/projects", json={"name": "no storage", "generator": "g"}), 400)
    envelope(wml.get(f"/v2/projects/{UNKNOWN}"), 404)


def test_projects_list_pages_and_filters_by_name_member_and_type(wml):
    made = [new_project(wml, f"p{i}", type="wx" if i == 2 else "cpd") for i in range(3)]
    pages = walk(wml, "/v2/projects", {"version": V, "limit": 2})
    seen = [r["metadata"]["guid"] for p in pages for r in p["resources"]]
    assert sorted(seen) == sorted({P, *made}) and len(seen) == len(set(seen))
    assert [len(p["resources"]) for p in pages] == [2, 2]
    named = wml.get("/v2/projects", params={"name": "p1"}).json()["resources"]
    assert [r["metadata"]["guid"] for r in named] == [made[1]]
    assert wml.get("/v2/projects", params={"name": "nope"}).json()["resources"] == []
    typed = wml.get("/v2/projects", params={"type": "wx"}).json()["resources"]
    assert [r["metadata"]["guid"] for r in typed] == [made[2]]
    wml.post(f"/v2/projects/{made[0]}/members", json={"members": [{"user_name": "bob", "id": "IBMid-bob",
                                                                   "role": "viewer"}]})
    bobs = wml.get("/v2/projects", params={"member": "IBMid-bob"}).json()["resources"]
    assert [r["metadata"]["guid"] for r in bobs] == [made[0]]
    # What the official client sends along: its default space, summary=false; they select nothing.
    sent = wml.get("/v2/projects", params={"version": V, "space_id": S, "summary": "false", "limit": 100}).json()
    assert len(sent["resources"]) == 4
    envelope(wml.get("/v2/projects", params={"limit": 101}), 400)


def test_a_project_is_updated_by_a_merge_of_its_fields(wml):
    project = new_project(wml, "before", tags=["x"])
    entity = wml.get(f"/v2/projects/{project}").json()["entity"]
    # The client's update: the whole entity it read, changed, without storage and generator.
    sent = {k: v for k, v in entity.items() if k not in ("storage", "generator")}
    sent.update(name="after", description="new", compute=[{"name": "wml", "type": "machine_learning"}])
    r = wml.request("PATCH", f"/v2/projects/{project}", json=sent)
    assert r.status_code == 200, r.text
    assert r.json()["entity"]["name"] == "after"
    entity = wml.get(f"/v2/projects/{project}").json()["entity"]
    assert (entity["name"], entity["description"], entity["tags"]) == ("after", "new", ["x"])
    assert entity["compute"] == [{"name": "wml", "type": "machine_learning"}]
    assert entity["storage"] == {"type": "assetfiles"}
    r = wml.request("PATCH", f"/v2/projects/{project}", json={"description": None})
    assert r.status_code == 200 and "description" not in r.json()["entity"]
    envelope(wml.request("PATCH", f"/v2/projects/{project}", json={"storage": {"type": "other"}}), 400)
    envelope(wml.request("PATCH", f"/v2/projects/{project}", json={"members": []}), 400)
    envelope(wml.request("PATCH", f"/v2/projects/{UNKNOWN}", json={"name": "n"}), 404)
    assert wml.get(f"/v2/projects/{project}").json()["entity"]["members"][0]["user_name"] == "admin"


def test_project_members_are_added_read_updated_and_removed(wml):
    project = new_project(wml)
    url = f"/v2/projects/{project}/members"
    r = wml.post(url, json={"members": [{"user_name": "bob", "id": "IBMid-bob", "role": "editor"},
                                        {"user_name": "ops", "type": "group", "role": "viewer"}]})
    assert r.status_code == 200, r.text
    assert r.json()["members"][0] == {"user_name": "bob", "id": "IBMid-bob", "type": "user", "role": "editor",
                                      "state": "ACTIVE"}
    envelope(wml.post(url, json={"members": [{"user_name": "bob", "role": "viewer"}]}), 409)
    envelope(wml.post(url, json={"members": [{"id": "no-user-name", "role": "viewer"}]}), 400)
    listed = wml.get(url).json()
    assert listed["total_count"] == 3 and {m["user_name"] for m in listed["resources"]} == {"admin", "bob", "ops"}
    assert [m["user_name"] for m in wml.get(url, params={"role": "viewer"}).json()["resources"]] == ["ops"]
    assert wml.get(f"{url}/bob").json()["role"] == "editor"
    # The client's update_member: the member it read, without type and state, with the change.
    r = wml.request("PATCH", url, json={"members": [{"user_name": "bob", "id": "IBMid-bob", "role": "admin"}]})
    assert r.status_code == 200 and r.json()["members"][0]["role"] == "admin", r.text
    assert wml.get(f"{url}/bob").json()["role"] == "admin"
    envelope(wml.request("PATCH", url, json={"members": [{"user_name": "bob", "id": "IBMid-eve"}]}), 400)
    envelope(wml.request("PATCH", url, json={"members": [{"user_name": "eve", "role": "admin"}]}), 404)
    assert wml.delete(f"{url}/bob").status_code == 204
    envelope(wml.get(f"{url}/bob"), 404)
    envelope(wml.delete(f"{url}/bob"), 404)
    envelope(wml.get(f"/v2/projects/{UNKNOWN}/members"), 404)


def test_a_created_project_scopes_assets_and_deleting_it_deletes_them(wml):
    project = new_project(wml)
    model = wml.create("model", space=None, project=project)["metadata"]["id"]
    assert wml.get(f"/ml/v4/models/{model}", params={"version": V, "project_id": project}).status_code == 200
    listed = wml.get("/ml/v4/models", params={"version": V, "project_id": project}).json()
    assert ids(listed) == [model]
    kept = wml.create("model", space=None, project=P)["metadata"]["id"]  # the seeded project's stays
    assert wml.delete(f"/transactional/v2/projects/{project}").status_code == 204
    envelope(wml.get(f"/v2/projects/{project}"), 404)
    envelope(wml.get(f"/ml/v4/models/{model}", params={"version": V, "project_id": project}), 404)
    envelope(wml.get(f"/v2/assets/{model}", params={"version": V}), 404)
    assert wml.app.engine.store.get("wml", "model", model) is None
    assert wml.get(f"/ml/v4/models/{kept}", params={"version": V, "project_id": P}).status_code == 200
    envelope(wml.delete(f"/transactional/v2/projects/{project}"), 404)
    # An /ml/v4 call naming a project the platform does not know is still a 404.
    envelope(wml.get("/ml/v4/models", params={"version": V, "project_id": UNKNOWN}), 404)


# =========================================================================== catalogue, AI services


@pytest.mark.parametrize("name", ["pmml-3.0_4.3", "do_22.1", "do_20.1", "spark-mllib_3.4", "spark-mllib_3.5",
                                  "tensorflow_rt24.1-py3.11", "pytorch-onnx_rt24.1-py3.11", "autoai-kb_rt24.1-py3.11",
                                  "autoai-ts_rt24.1-py3.11", "runtime-24.1-py3.11", "runtime-25.1-py3.12",
                                  "runtime-24.1-r4.3"])
def test_the_catalogue_has_the_runtimes_clients_look_up(wml, name):
    found = wml.get("/v2/software_specifications", params={"version": V, "space_id": S, "name": name}).json()
    assert found["total_results"] == 1, name
    spec = found["resources"][0]
    assert spec["metadata"]["name"] == name and spec["entity"]["software_specification"]["type"] == "base"
    states = set(spec["metadata"]["life_cycle"]) & {"supported", "deprecated", "constricted", "retired"}
    assert len(states) == 1
    replacement = spec["metadata"]["life_cycle"].get("replacement_name")
    if states != {"supported"}:  # a deprecated runtime names its successor, which is in the catalogue
        again = wml.get("/v2/software_specifications", params={"version": V, "name": replacement}).json()
        assert again["total_results"] == 1
    got = wml.get(f"/v2/software_specifications/{spec['metadata']['asset_id']}", params={"version": V}).json()
    assert got == spec


def test_software_specification_ids_are_distinct_and_gpu_hardware_is_listed(wml):
    specs = wml.get("/v2/software_specifications", params={"version": V}).json()["resources"]
    assert len({s["metadata"]["asset_id"] for s in specs}) == len(specs) >= 25
    hardware = {h["metadata"]["name"]: h for h in
                wml.get("/v2/hardware_specifications", params={"version": V}).json()["resources"]}
    assert {"XXS", "XS", "S", "M", "L", "XL", "K80", "V100"} <= set(hardware)
    assert hardware["V100"]["entity"]["hardware_specification"]["nodes"]["gpu"]["num_gpu"] == 1


def test_ai_services_are_listed_created_and_probed(wml):
    assert wml.get("/ml/v4/ai_services", params=q(limit=200)).json()["resources"] == []
    envelope(wml.get(f"/ml/v4/ai_services/{UNKNOWN}", params=q()), 404)  # the download probe needs a 404
    created = wml.create("ai_service")
    listed = wml.get("/ml/v4/ai_services", params=q(limit=200)).json()["resources"]
    assert [r["metadata"]["id"] for r in listed] == [created["metadata"]["id"]]
    assert created["entity"]["documentation"] == {"request": {"type": "object"}}


def test_next_links_carry_query_parameters_the_spec_does_not_declare(wml):
    # The IBM client lists spaces with space_id and summary (undeclared there) and follows next.href
    # verbatim, re-adding nothing: the link must carry them.
    new_space(wml)
    page = wml.get("/v2/spaces", params={"limit": 1, "summary": "false", "space_id": S}).json()
    query = parse_qs(urlsplit(page["next"]["href"]).query)
    assert query["summary"] == ["false"] and query["space_id"] == [S] and query["limit"] == ["1"]
    assert "start" in query


# =========================================================================== platform assets (/v2/assets)
# Model definitions as the official client 1.8 handles them (spec/README.md readings 48-52).

DEFINITION_TYPE = "wml_model_definition"


def new_asset(wml, name: str = "definition", space: str = S, **entity) -> dict:
    """A model definition made as the client makes it (its CAMS bookkeeping fields included)."""
    body = {"metadata": {"name": name, "description": "d", "tags": ["t"], "asset_type": DEFINITION_TYPE,
                         "origin_country": "us", "rov": {"mode": 0}, "asset_category": "USER"},
            "entity": {DEFINITION_TYPE: {"ml_version": "4.0.0", "version": "1.0",
                                         "platform": {"name": "python", "versions": ["3.11"]}, **entity}}}
    r = wml.post("/v2/assets", params=q(space), json=body)
    assert r.status_code == 201, r.text
    return r.json()


def attach(wml, asset_id: str, data: bytes, *, form: bool = True) -> dict:
    """create attachment -> PUT its url1 without a token -> complete, as the client does on CPD."""
    r = wml.post(f"/v2/assets/{asset_id}/attachments", params=q(), json={"asset_type": DEFINITION_TYPE,
                                                                          "name": "archive"})
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["transfer_complete"] is False and created["url1"].startswith("/v2/asset_files/")
    anonymous = Wml(wml.client.__class__(wml.app, base_url=BASE_URL), wml.app)
    try:
        upload = (anonymous.put(created["url1"], files={"file": ("archive.tar.gz", data, "application/octet-stream")})
                  if form else anonymous.put(created["url1"], content=data, headers={"Content-Type": "text/plain"}))
    finally:
        anonymous.client.close()
    assert upload.status_code == 201, upload.text
    done = wml.post(f"/v2/assets/{asset_id}/attachments/{created['attachment_id']}/complete", params=q())
    assert done.status_code == 200 and done.json()["transfer_complete"] is True, done.text
    return created


def fetch_attachment(wml, asset_id: str) -> bytes:
    """GET the asset -> attachments[0].id -> GET the attachment -> GET its url without a token."""
    asset = wml.get(f"/v2/assets/{asset_id}", params=q()).json()
    link = wml.get(f"/v2/assets/{asset_id}/attachments/{asset['attachments'][0]['id']}", params=q())
    assert link.status_code == 200, link.text
    anonymous = wml.client.__class__(wml.app, base_url=BASE_URL)
    try:
        got = anonymous.get(link.json()["url"])
    finally:
        anonymous.close()
    assert got.status_code == 200, got.text
    return got.content


def test_a_model_definition_created_as_an_asset_is_the_ml_v4_one(wml):
    view = new_asset(wml, command="python3 train.py")
    id_ = view["metadata"]["asset_id"]
    assert view["metadata"]["asset_type"] == DEFINITION_TYPE and view["metadata"]["space_id"] == S
    assert view["metadata"]["usage"]["last_updated_at"] and view["attachments"] == []
    assert view["entity"][DEFINITION_TYPE]["command"] == "python3 train.py"
    assert "rov" not in view["metadata"]  # CAMS bookkeeping: accepted, not kept
    v4 = wml.read("model_definition", id_)
    assert v4["metadata"]["name"] == "definition" and v4["metadata"]["tags"] == ["t"]
    assert v4["entity"]["version"] == "1.0" and v4["entity"]["ml_version"] == "4.0.0"
    assert id_ in ids(wml.get("/ml/v4/model_definitions", params=q()).json())
    envelope(wml.get(f"/v2/assets/{id_}", params=q(OTHER)), 404)


def test_an_asset_create_is_refused_for_other_types_bodies_and_spaces(wml):
    good = new_asset(wml)
    body = {"metadata": {"name": "m", "asset_type": "wml_model"}, "entity": {"wml_model": {"type": "x"}}}
    envelope(wml.post("/v2/assets", params=q(), json=body), 400)  # not creatable through the view
    envelope(wml.post("/v2/assets", params=q(), json={**body, "metadata": {"name": "d", "asset_type": "data_asset"}}),
             400)
    no_attribute = {"metadata": {"name": "d", "asset_type": DEFINITION_TYPE}, "entity": {}}
    envelope(wml.post("/v2/assets", params=q(), json=no_attribute), 400)
    no_version = {"metadata": {"name": "d", "asset_type": DEFINITION_TYPE},
                  "entity": {DEFINITION_TYPE: {"platform": {"name": "python", "versions": ["3.11"]}}}}
    envelope(wml.post("/v2/assets", params=q(), json=no_version), 400)  # the /ml/v4 schema holds
    envelope(wml.post("/v2/assets", params={"version": V}, json=good), 400)  # no space or project
    envelope(wml.post("/v2/assets", params=q(UNKNOWN), json=good), 404)
    assert ids(wml.get("/ml/v4/model_definitions", params=q()).json()) == [good["metadata"]["asset_id"]]


def test_an_attachment_goes_through_signed_links_byte_for_byte(wml):
    id_ = new_asset(wml)["metadata"]["asset_id"]
    data = b"\x1f\x8b\x08\x00" + bytes(range(256)) + b"\r\n--not-a-boundary\r\n"
    created = attach(wml, id_, data)
    listed = wml.get(f"/v2/assets/{id_}", params=q()).json()["attachments"]
    assert [(a["id"], a["asset_type"], a["size"], a["transfer_complete"]) for a in listed] == [
        (created["attachment_id"], DEFINITION_TYPE, len(data), True)]
    assert fetch_attachment(wml, id_) == data
    # The same archive through /ml/v4 (one store): the model definition's model.
    got = wml.get(f"/ml/v4/model_definitions/{id_}/model", params=q())
    assert got.status_code == 200 and got.content == data
    raw = b"raw bytes, not a form"
    attach(wml, id_, raw, form=False)  # one attachment: the new one replaces it
    assert len(wml.get(f"/v2/assets/{id_}", params=q()).json()["attachments"]) == 1
    assert fetch_attachment(wml, id_) == raw


def test_signed_links_need_their_signature_and_uploads_their_completion(wml):
    id_ = new_asset(wml)["metadata"]["asset_id"]
    created = wml.post(f"/v2/assets/{id_}/attachments", params=q(),
                       json={"asset_type": DEFINITION_TYPE, "name": "archive"}).json()
    att = created["attachment_id"]
    envelope(wml.post(f"/v2/assets/{id_}/attachments/{att}/complete", params=q()), 400)  # nothing uploaded
    base = created["url1"].split("?")[0]
    envelope(wml.put(base, params={"signature": "forged"}, content=b"x"), 403)
    envelope(wml.put(base, content=b"x"), 400)  # no signature at all
    envelope(wml.get(base, params={"signature": "forged"}), 403)
    envelope(wml.put(created["url1"], files={"other": ("a", b"x")}), 400)  # a form without `file`
    envelope(wml.put(f"/v2/asset_files/{id_}/{UNKNOWN}", params={"signature": "s"}, content=b"x"), 404)
    envelope(wml.post(f"/v2/assets/{id_}/attachments", params=q(), json={"asset_type": "wml_model", "name": "a"}),
             400)  # not the asset's type
    envelope(wml.post(f"/v2/assets/{UNKNOWN}/attachments", params=q(),
                      json={"asset_type": DEFINITION_TYPE, "name": "a"}), 404)


def test_an_ml_v4_upload_is_an_attachment_of_the_asset_and_deletes_through_it(wml):
    id_ = wml.create("model_definition")["metadata"]["id"]
    data = b"\x1f\x8b\x08\x00 uploaded through /ml/v4"
    assert wml.put(f"/ml/v4/model_definitions/{id_}/model", params=q(), content=data,
                   headers={"Content-Type": "application/gzip"}).status_code == 201
    assert fetch_attachment(wml, id_) == data
    att = wml.get(f"/v2/assets/{id_}", params=q()).json()["attachments"][0]["id"]
    assert wml.delete(f"/v2/assets/{id_}/attachments/{att}", params=q()).status_code == 204
    assert wml.get(f"/v2/assets/{id_}", params=q()).json()["attachments"] == []
    envelope(wml.get(f"/v2/assets/{id_}/attachments/{att}", params=q()), 404)
    envelope(wml.delete(f"/v2/assets/{id_}/attachments/{att}", params=q()), 404)
    envelope(wml.get(f"/ml/v4/model_definitions/{id_}/model", params=q()), 404)


def test_an_asset_is_patched_in_its_metadata_and_its_attribute(wml):
    id_ = new_asset(wml)["metadata"]["asset_id"]
    r = wml.patch(f"/v2/assets/{id_}", [{"op": "replace", "path": "/metadata/name", "value": "renamed"},
                                        {"op": "replace", "path": "/metadata/description", "value": "second"}],
                  params=q())
    assert r.status_code == 200, r.text
    assert (r.json()["metadata"]["name"], r.json()["metadata"]["description"]) == ("renamed", "second")
    assert wml.read("model_definition", id_)["metadata"]["name"] == "renamed"
    for refused in ([{"op": "replace", "path": "/metadata/asset_id", "value": "x"}],
                    [{"op": "remove", "path": "/metadata/name"}]):
        envelope(wml.patch(f"/v2/assets/{id_}", refused, params=q()), 400)
    attribute = f"/v2/assets/{id_}/attributes/{DEFINITION_TYPE}"
    r = wml.patch(attribute, [{"op": "replace", "path": "/version", "value": "2.0"},
                              {"op": "add", "path": "/command", "value": "python3 run.py"}], params=q())
    assert r.status_code == 200, r.text
    assert r.json()[DEFINITION_TYPE]["version"] == "2.0"
    assert wml.read("model_definition", id_)["entity"]["command"] == "python3 run.py"
    envelope(wml.patch(attribute, [{"op": "remove", "path": "/version"}], params=q()), 400)  # schema
    envelope(wml.patch(f"/v2/assets/{id_}/attributes/wml_model", [{"op": "add", "path": "/a", "value": 1}],
                       params=q()), 404)
    envelope(wml.patch(f"/v2/assets/{UNKNOWN}", [{"op": "replace", "path": "/metadata/name", "value": "x"}],
                       params=q()), 404)


def test_a_search_pages_with_bookmarks_over_both_views(wml):
    made = [new_asset(wml, f"d{i}")["metadata"]["asset_id"] for i in range(2)]
    made.append(wml.create("model_definition")["metadata"]["id"])
    new_asset(wml, "elsewhere", space=OTHER)
    search = f"/v2/asset_types/{DEFINITION_TYPE}/search"
    first = wml.post(search, params=q(), json={"query": "*:*", "limit": 2})
    assert first.status_code == 200, first.text
    page = first.json()
    assert page["total_rows"] == 3 and len(page["results"]) == 2 and page["next"]["bookmark"]
    second = wml.post(search, params=q(), json=page["next"]).json()
    assert "next" not in second
    found = [r["metadata"]["asset_id"] for r in page["results"] + second["results"]]
    assert sorted(found) == sorted(made)
    assert all(r["metadata"]["asset_type"] == DEFINITION_TYPE for r in page["results"])
    assert wml.post(search, params=q(), json={"query": "*:*"}).json()["total_rows"] == 3  # 200 by default
    model = wml.create("model")["metadata"]["id"]
    models = wml.post("/v2/asset_types/wml_model/search", params=q(), json={"query": "*:*"}).json()
    assert [r["metadata"]["asset_id"] for r in models["results"]] == [model]
    envelope(wml.post(search, params=q(), json={"query": "asset.name:d0"}), 400)
    envelope(wml.post("/v2/asset_types/data_asset/search", params=q(), json={"query": "*:*"}), 400)
    envelope(wml.post(search, params=q(), json={"query": "*:*", "limit": 201}), 400)
    envelope(wml.post(search, params={"version": V}, json={"query": "*:*"}), 400)


def test_deleting_an_asset_takes_its_attachments(wml):
    id_ = new_asset(wml)["metadata"]["asset_id"]
    created = attach(wml, id_, b"bytes")
    assert wml.delete(f"/v2/assets/{id_}", params=q()).status_code == 204
    envelope(wml.get(f"/v2/assets/{id_}", params=q()), 404)
    envelope(wml.get(item_path("model_definition", id_), params=q()), 404)
    envelope(wml.get(created["url1"]), 404)
    assert wml.post(f"/v2/asset_types/{DEFINITION_TYPE}/search", params=q(),
                    json={"query": "*:*"}).json() == {"total_rows": 0, "results": []}
