"""mockserver/dialects/openmetadata/: the OpenMetadata ML models API, in process.

What the real server does is taken from /work/shared/notes/official-clients.md (Part 2); the
assertions are about behaviour a client sees, never about how the mock stores it.
"""

from __future__ import annotations

import json
import random
import re
import threading
import uuid
from urllib.parse import quote

import pytest

from mlmock import DEFAULT_TOKEN

OWNER = {"id": "6e3b3a3e-1c2d-4b5a-8f9e-0a1b2c3d4e5f", "type": "user", "name": "alice"}
TAG = {"tagFQN": "PII.Sensitive", "source": "Classification", "labelType": "Manual",
       "state": "Confirmed"}
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def service(om, name: str = "svc", **extra) -> dict:
    body = {"name": name, "serviceType": "Mlflow",
            "connection": {"config": {"trackingUri": "http://mlflow:5000",
                                      "registryUri": "sqlite:///mlflow.db"}}, **extra}
    r = om.put("/services/mlmodelServices", json=body)
    assert r.status_code in (200, 201), r.text
    return r.json()


def model(om, name: str = "m", svc: str = "svc", **extra) -> dict:
    r = om.post("/mlmodels", json={"name": name, "service": svc, **extra})
    assert r.status_code == 201, r.text
    return r.json()


def get(om, id_: str, **params) -> dict:
    r = om.get(f"/mlmodels/{id_}", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def versions(om, id_: str) -> list[dict]:
    r = om.get(f"/mlmodels/{id_}/versions")
    assert r.status_code == 200, r.text
    return [json.loads(v) for v in r.json()["versions"]]


def total(om, **params) -> int:
    return om.get("/mlmodels", params={"include": "all", **params}).json()["paging"]["total"]


def envelope(r, status: int) -> str:
    """Assert an error in the OpenMetadata envelope; return its message."""
    assert r.status_code == status, r.text
    body = r.json()
    assert isinstance(body["code"], int) and body["code"] == status
    assert isinstance(body["message"], str) and body["message"]
    return body["message"]


@pytest.fixture
def svc(om) -> dict:
    return service(om)


# --------------------------------------------------------------------------- auth


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-the-token"}, {"Authorization": "Bearer "},
     {"Authorization": "Basic YWRtaW46YWRtaW4="}, {"Authorization": DEFAULT_TOKEN}],
    ids=["no-header", "wrong-token", "empty-token", "basic", "no-scheme"],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/mlmodels"), ("POST", "/mlmodels"), ("GET", f"/mlmodels/{UNKNOWN_ID}"),
     ("GET", "/services/mlmodelServices"), ("PUT", "/services/mlmodelServices")],
)
def test_requests_without_the_token_are_401_in_the_envelope(om, headers, method, path):
    body = {"name": "x", "service": "svc"} if method == "POST" else {"name": "x",
                                                                      "serviceType": "Mlflow"}
    kwargs = {"json": body} if method in ("POST", "PUT") else {}
    r = om.request(method, path, auth=False, headers=headers, **kwargs)
    envelope(r, 401)
    assert r.headers["WWW-Authenticate"]
    assert om.get("/services/mlmodelServices").json()["paging"]["total"] == 0  # nothing created


def test_the_version_endpoint_is_public_and_answers_2_0_x(om):
    r = om.get("/system/version", auth=False)
    assert r.status_code == 200
    assert re.fullmatch(r"2\.0\.\d+", r.json()["version"])


# --------------------------------------------------------------------------- services


def test_a_created_service_is_found_by_id_by_name_and_in_the_list(om):
    r = om.post("/services/mlmodelServices", json={
        "name": "mlflow_svc", "serviceType": "Mlflow",
        "connection": {"config": {"trackingUri": "http://t", "registryUri": "sqlite://"}}})
    assert r.status_code == 201
    created = r.json()
    uuid.UUID(created["id"])
    assert created["fullyQualifiedName"] == "mlflow_svc"
    assert created["version"] == 0.1 and created["deleted"] is False
    assert created["connection"]["config"]["type"] == "Mlflow"  # the default the SDK omits
    assert created["href"] == f"{om.base_url}/services/mlmodelServices/{created['id']}"
    by_id = om.get(f"/services/mlmodelServices/{created['id']}").json()
    by_name = om.get("/services/mlmodelServices/name/mlflow_svc").json()
    assert by_id["id"] == by_name["id"] == created["id"]
    listed = om.get("/services/mlmodelServices").json()
    assert [s["id"] for s in listed["data"]] == [created["id"]]
    assert listed["paging"]["total"] == 1


def test_a_second_service_post_with_the_same_name_is_409(om, svc):
    r = om.post("/services/mlmodelServices", json={"name": "svc", "serviceType": "Sklearn"})
    assert envelope(r, 409) == "Entity already exists"


def test_a_service_upsert_creates_then_updates_keeping_the_id(om):
    body = {"name": "svc", "serviceType": "Mlflow"}
    first = om.put("/services/mlmodelServices", json=body)
    assert first.status_code == 201
    second = om.put("/services/mlmodelServices", json={**body, "description": "now described"})
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["version"] == 0.2
    assert second.json()["description"] == "now described"


def test_an_unknown_service_is_404(om):
    r = om.get("/services/mlmodelServices/name/nope")
    assert envelope(r, 404) == "mlmodelService instance for nope not found"
    envelope(om.get(f"/services/mlmodelServices/{UNKNOWN_ID}"), 404)


# --------------------------------------------------------------------------- create


def test_a_created_model_references_its_service_and_gets_server_fields(om, svc):
    created = model(om, "customer_segmentation", algorithm="KMeans",
                    mlHyperParameters=[{"name": "n_clusters", "value": "5"}])
    uuid.UUID(created["id"])
    assert created["fullyQualifiedName"] == "svc.customer_segmentation"
    assert created["service"]["id"] == svc["id"]
    assert created["service"]["type"] == "mlmodelService"
    assert created["service"]["fullyQualifiedName"] == "svc"
    assert created["serviceType"] == "Mlflow"
    assert created["version"] == 0.1 and created["deleted"] is False
    assert isinstance(created["updatedAt"], int) and created["updatedBy"]
    assert created["href"] == f"{om.base_url}/mlmodels/{created['id']}"
    assert get(om, created["id"])["mlHyperParameters"] == [{"name": "n_clusters", "value": "5"}]


def test_an_omitted_algorithm_defaults_to_mlmodel(om, svc):
    assert model(om)["algorithm"] == "mlmodel"


def test_href_follows_the_host_the_client_used(om, svc):
    created = model(om)
    r = om.get(f"/mlmodels/{created['id']}", headers={"Host": "models.example:8585"})
    assert r.json()["href"] == f"http://models.example:8585/api/v1/mlmodels/{created['id']}"


def test_a_duplicate_name_in_the_same_service_is_409(om, svc):
    model(om)
    r = om.post("/mlmodels", json={"name": "m", "service": "svc", "description": "again"})
    assert envelope(r, 409) == "Entity already exists"
    assert total(om) == 1


def test_a_duplicate_of_a_soft_deleted_model_is_still_409(om, svc):
    created = model(om)
    assert om.delete(f"/mlmodels/{created['id']}").status_code == 200
    envelope(om.post("/mlmodels", json={"name": "m", "service": "svc"}), 409)


def test_the_same_name_in_another_service_is_another_model(om, svc):
    service(om, "other")
    first, second = model(om, "m", "svc"), model(om, "m", "other")
    assert first["id"] != second["id"]
    assert second["fullyQualifiedName"] == "other.m"


def test_an_unknown_service_is_404_and_creates_nothing(om, svc):
    r = om.post("/mlmodels", json={"name": "m", "service": "nope"})
    assert envelope(r, 404) == "mlmodelService instance for nope not found"
    assert total(om) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"service": "svc"},
        {"name": "m"},
        {"name": "", "service": "svc"},
        {"name": 5, "service": "svc"},
        {"name": "a::b", "service": "svc"},
        {"name": "x" * 257, "service": "svc"},
        {"name": "m", "service": "svc", "mlHyperParameters": [{"name": "k", "value": 5}]},
        {"name": "m", "service": "svc", "mlFeatures": [{"name": "f", "dataType": "vector"}]},
        {"name": "m", "service": "svc", "tags": [{"tagFQN": "t"}]},
        {"name": "m", "service": "svc", "bogus": True},
        {"name": "m", "service": "svc", "mlFeatures": [{"name": "f", "bogus": 1}]},
        {"name": "m", "service": "svc", "owners": [{**OWNER, "bogus": 1}]},
        [{"name": "m", "service": "svc"}],
        "m",
    ],
    ids=["no-name", "no-service", "empty-name", "name-not-string", "name-with-double-colon",
         "name-too-long", "hyperparameter-not-string", "bad-feature-type",
         "incomplete-tag", "unknown-key", "unknown-key-in-feature", "unknown-key-in-owner",
         "array", "string"],
)
def test_an_invalid_create_body_is_400_and_creates_nothing(om, svc, body):
    envelope(om.post("/mlmodels", json=body), 400)
    envelope(om.put("/mlmodels", json=body), 400)
    assert total(om) == 0


# --------------------------------------------------------------------------- upsert and versions


def test_put_creates_with_201_then_updates_with_200_keeping_the_id(om, svc):
    first = om.put("/mlmodels", json={"name": "m", "service": "svc", "algorithm": "KMeans"})
    assert first.status_code == 201
    second = om.put("/mlmodels", json={"name": "m", "service": "svc", "algorithm": "KMeans",
                                       "description": "described"})
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["version"] == 0.2
    assert second.json()["updatedAt"] > first.json()["updatedAt"]
    assert total(om) == 1


def test_a_put_that_changes_nothing_keeps_version_and_updated_at(om, svc):
    body = {"name": "m", "service": "svc", "algorithm": "KMeans", "description": "d",
            "mlFeatures": [{"name": "f", "dataType": "numerical"}]}
    first = om.put("/mlmodels", json=body).json()
    again = om.put("/mlmodels", json=body)  # the mock's clock has moved on in between
    assert again.status_code == 200
    assert again.json()["version"] == first["version"] == 0.1
    assert again.json()["updatedAt"] == first["updatedAt"]
    assert len(versions(om, first["id"])) == 1


@pytest.mark.parametrize(
    ("field", "before", "after"),
    [("algorithm", "KMeans", "DBSCAN"), ("server", "http://serve:5000/", "http://serve:6000/"),
     ("target", "segment", "churn")],
)
def test_a_change_is_minor_and_a_change_of_a_major_field_is_major(om, svc, field, before, after):
    base = {"name": "m", "service": "svc", "algorithm": "KMeans", field: before}
    assert om.put("/mlmodels", json=base).json()["version"] == 0.1
    minor = om.put("/mlmodels", json={**base, "description": "d"}).json()
    assert minor["version"] == 0.2
    major = om.put("/mlmodels", json={**base, "description": "d", field: after}).json()
    assert major["version"] == 1.2
    assert major[field] == after
    assert major["changeDescription"]["previousVersion"] == 0.2
    assert [c["name"] for c in major["changeDescription"]["fieldsUpdated"]] == [field]


def test_a_put_of_a_soft_deleted_model_restores_it(om, svc):
    created = model(om)
    om.delete(f"/mlmodels/{created['id']}")
    r = om.put("/mlmodels", json={"name": "m", "service": "svc"})
    assert r.status_code == 200
    assert r.json()["id"] == created["id"] and r.json()["deleted"] is False
    assert get(om, created["id"])["deleted"] is False


def test_a_put_naming_an_unknown_service_is_404(om, svc):
    envelope(om.put("/mlmodels", json={"name": "m", "service": "nope"}), 404)


def test_versions_are_listed_newest_first_as_json_strings(om, svc):
    created = model(om, description="one")
    om.put("/mlmodels", json={"name": "m", "service": "svc", "description": "two"})
    om.put("/mlmodels", json={"name": "m", "service": "svc", "description": "two",
                              "algorithm": "changed"})
    r = om.get(f"/mlmodels/{created['id']}/versions")
    assert r.status_code == 200
    history = r.json()
    assert history["entityType"] == "mlmodel"
    assert all(isinstance(v, str) for v in history["versions"])
    docs = [json.loads(v) for v in history["versions"]]
    assert [d["version"] for d in docs] == [1.2, 0.2, 0.1]
    assert [d["description"] for d in docs] == ["two", "two", "one"]
    assert {d["id"] for d in docs} == {created["id"]}


def test_a_specific_version_is_unchanged_by_later_changes(om, svc):
    created = model(om, description="original", algorithm="KMeans")
    om.put("/mlmodels", json={"name": "m", "service": "svc", "description": "changed",
                              "algorithm": "KMeans"})
    om.patch(f"/mlmodels/{created['id']}", json=[
        {"op": "replace", "path": "/description", "value": "patched"}])
    old = om.get(f"/mlmodels/{created['id']}/versions/0.1")
    assert old.status_code == 200
    assert old.json()["description"] == "original" and old.json()["version"] == 0.1
    assert om.get(f"/mlmodels/{created['id']}/versions/0.2").json()["description"] == "changed"
    assert get(om, created["id"])["description"] == "patched"


def test_an_unknown_version_is_404_and_a_malformed_one_400(om, svc):
    created = model(om)
    envelope(om.get(f"/mlmodels/{created['id']}/versions/0.9"), 404)
    envelope(om.get(f"/mlmodels/{created['id']}/versions/latest"), 400)
    envelope(om.get(f"/mlmodels/{UNKNOWN_ID}/versions"), 404)


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("service_name", "model_name", "fqn"),
    [
        ("svc", "m.v1", 'svc."m.v1"'),
        ("svc.prod", "m", '"svc.prod".m'),
        ("svc", "my model", "svc.my model"),
        ("svc", "team/model", "svc.team/model"),
        ("ml/svc", "a.b c/d", 'ml/svc."a.b c/d"'),
        ("svc", "x&y?z#w%", "svc.x&y?z#w%"),
        ("données", "modèle ünicode", "données.modèle ünicode"),
    ],
)
def test_fully_qualified_names_are_quoted_and_found_percent_encoded(om, service_name, model_name,
                                                                    fqn):
    service_fqn = service(om, service_name)["fullyQualifiedName"]
    assert service_fqn == (f'"{service_name}"' if "." in service_name else service_name)
    created = model(om, model_name, service_fqn)  # a create names its service by FQN
    assert created["fullyQualifiedName"] == fqn
    r = om.get("/mlmodels/name/" + quote(fqn, safe=""))
    assert r.status_code == 200, r.text
    assert r.json()["id"] == created["id"]
    by_service = om.get("/services/mlmodelServices/name/" + quote(service_fqn, safe=""))
    assert by_service.status_code == 200 and by_service.json()["name"] == service_name


def test_two_names_that_quote_to_the_same_fqn_cannot_both_exist(om, svc):
    created = model(om, "m.v")  # fully qualified as svc."m.v"
    r = om.post("/mlmodels", json={"name": '"m.v"', "service": "svc"})
    assert envelope(r, 409) == "Entity already exists"
    assert [m["id"] for m in om.get("/mlmodels").json()["data"]] == [created["id"]]
    assert om.get("/mlmodels/name/" + quote('svc."m.v"', safe="")).json()["id"] == created["id"]


def test_an_unknown_name_is_404_with_the_real_message(om, svc):
    r = om.get("/mlmodels/name/svc.nope")
    assert envelope(r, 404) == "mlmodel instance for svc.nope not found"


def test_the_sdk_include_quirk_finds_nothing_as_on_the_real_server(om, svc):
    model(om)
    om.delete(f"/mlmodels/{model(om, 'gone')['id']}")
    # get_by_name(..., include="deleted") without fields appends "&include=..." with no "?"
    envelope(om.get("/mlmodels/name/" + quote("svc.gone", safe="") + "&include=deleted"), 404)


def test_features_get_fully_qualified_names_on_create_and_patch(om, svc):
    created = model(om, "m.v1", mlFeatures=[{"name": "age", "dataType": "numerical"},
                                            {"name": "v.2", "dataType": "categorical"}])
    assert [f["fullyQualifiedName"] for f in created["mlFeatures"]] == [
        'svc."m.v1".age', 'svc."m.v1"."v.2"']
    r = om.patch(f"/mlmodels/{created['id']}", json=[
        {"op": "add", "path": "/mlFeatures/-", "value": {"name": "spend"}},
        {"op": "replace", "path": "/mlFeatures/0/fullyQualifiedName", "value": "forged"}])
    assert r.status_code == 200, r.text
    assert [f["fullyQualifiedName"] for f in r.json()["mlFeatures"]] == [
        'svc."m.v1".age', 'svc."m.v1"."v.2"', 'svc."m.v1".spend']


# --------------------------------------------------------------------------- fields and include

RELATION_FIELDS = {"owners", "followers", "tags", "domains", "votes", "sourceHash"}


def user(om, name: str = "alice") -> dict:
    r = om.put("/users", json={"name": name, "email": f"{name}@example.com"})
    assert r.status_code in (200, 201), r.text
    return r.json()


def test_relation_fields_are_sent_only_when_asked_for(om, svc):
    alice = user(om)
    OWNER = {"id": alice["id"], "type": "user", "name": "alice", "fullyQualifiedName": "alice", "deleted": False}
    created = model(om, owners=[{"id": alice["id"], "type": "user"}], tags=[TAG], sourceHash="abc123",
                    description="d")
    plain = get(om, created["id"])
    assert RELATION_FIELDS.isdisjoint(plain)
    assert plain["description"] == "d"  # ordinary fields stay
    some = get(om, created["id"], fields="owners,tags")
    assert some["owners"] == [OWNER] and some["tags"] == [TAG]
    assert "sourceHash" not in some and "followers" not in some
    assert get(om, created["id"], fields="sourceHash")["sourceHash"] == "abc123"
    by_name = om.get("/mlmodels/name/svc.m", params={"fields": "owners"}).json()
    assert by_name["owners"] == [OWNER] and "tags" not in by_name
    listed = om.get("/mlmodels", params={"fields": "tags"}).json()["data"][0]
    assert listed["tags"] == [TAG] and "owners" not in listed
    assert RELATION_FIELDS.isdisjoint(om.get("/mlmodels").json()["data"][0])


def test_fields_star_asks_for_every_relation_field(om, svc):
    # The real server's EntityRepository.getFields: fields=* (alone) is every allowed field;
    # "*" beside other names is an unknown field name (400), as any other.
    alice = user(om)
    created = model(om, owners=[{"id": alice["id"], "type": "user"}], tags=[TAG], sourceHash="abc123")
    every = ",".join(sorted(RELATION_FIELDS))
    explicit = get(om, created["id"], fields=every)
    star = get(om, created["id"], fields="*")
    assert star == explicit
    assert star["owners"][0]["id"] == alice["id"] and star["tags"] == [TAG] and star["sourceHash"] == "abc123"
    assert om.get("/mlmodels/name/svc.m", params={"fields": "*"}).json() == explicit
    assert om.get("/mlmodels", params={"fields": "*"}).json()["data"][0] == explicit
    mixed = om.get(f"/mlmodels/{created['id']}", params={"fields": "owners,*"})
    assert mixed.status_code == 400 and "Invalid field name *" in mixed.text
    service = om.get("/services/mlmodelServices/name/svc", params={"fields": "*"})
    assert service.status_code == 200, service.text
    asked = om.get("/services/mlmodelServices/name/svc",
                   params={"fields": "owners,tags,domains,followers,dataProducts"})
    assert service.json() == asked.json()


UNSET_RELATIONS = {"owners", "followers", "tags", "domains", "votes", "dataProducts", "extension"}


def test_write_answers_carry_only_the_relation_fields_that_were_set(om, svc):
    # The real server answers a create, an upsert or a patch with the entity as built from the
    # request: relation fields nobody set are absent (clients test `owners is None`).
    created = model(om, description="d")
    assert UNSET_RELATIONS.isdisjoint(created), sorted(UNSET_RELATIONS & set(created))
    put = om.put("/mlmodels", json={"name": "p", "service": "svc"})
    assert put.status_code == 201 and UNSET_RELATIONS.isdisjoint(put.json())
    updated = om.put("/mlmodels", json={"name": "p", "service": "svc", "description": "x"})
    assert updated.status_code == 200 and UNSET_RELATIONS.isdisjoint(updated.json())
    patched = om.patch(f"/mlmodels/{created['id']}", json=[{"op": "add", "path": "/description", "value": "e"}])
    assert patched.status_code == 200 and UNSET_RELATIONS.isdisjoint(patched.json())
    deleted = om.delete(f"/mlmodels/{created['id']}")
    assert deleted.status_code == 200 and UNSET_RELATIONS.isdisjoint(deleted.json())
    restored = om.put("/mlmodels/restore", json={"id": created["id"]})
    assert restored.status_code == 200 and UNSET_RELATIONS.isdisjoint(restored.json())
    for version in versions(om, created["id"]):
        assert UNSET_RELATIONS.isdisjoint(version)
    svc_answer = om.put("/services/mlmodelServices", json={"name": "plain", "serviceType": "Sklearn",
                                                          "connection": {"config": {}}})
    assert svc_answer.status_code == 201, svc_answer.text
    assert UNSET_RELATIONS.isdisjoint(svc_answer.json())


def test_write_answers_carry_the_relation_fields_that_were_set(om, svc):
    created = model(om, tags=[TAG], extension={"k": "v"})
    assert created["tags"] == [TAG] and created["extension"] == {"k": "v"}
    assert "owners" not in created and "followers" not in created
    # Asked for, an unset relation reads back empty.
    asked = get(om, created["id"], fields="owners,followers,votes")
    assert asked["owners"] == [] and asked["followers"] == []
    assert asked["votes"]["upVotes"] == 0 and asked["votes"]["downVotes"] == 0


@pytest.mark.parametrize("path", ["/mlmodels/{id}", "/mlmodels/name/svc.m", "/mlmodels"])
def test_an_unknown_field_name_is_400(om, svc, path):
    created = model(om)
    r = om.get(path.format(id=created["id"]), params={"fields": "owners,x"})
    # The allowed names are the enum of the spec's fields parameter, so request validation refuses
    # the unknown one (with its own wording, not the real server's "Invalid field name x").
    assert "'x'" in envelope(r, 400)


@pytest.mark.parametrize(
    ("include", "live_found", "deleted_found"),
    [(None, True, False), ("non-deleted", True, False), ("deleted", False, True),
     ("all", True, True)],
)
def test_include_selects_live_and_deleted_models_on_get(om, svc, include, live_found,
                                                        deleted_found):
    live, gone = model(om, "live"), model(om, "gone")
    om.delete(f"/mlmodels/{gone['id']}")
    params = {"include": include} if include else {}
    for found, entity in ((live_found, live), (deleted_found, gone)):
        by_id = om.get(f"/mlmodels/{entity['id']}", params=params)
        by_name = om.get(f"/mlmodels/name/{entity['fullyQualifiedName']}", params=params)
        for r in (by_id, by_name):
            if found:
                assert r.status_code == 200 and r.json()["id"] == entity["id"]
                assert r.json()["deleted"] is (entity is gone)
            else:
                envelope(r, 404)


@pytest.mark.parametrize(
    ("include", "names"),
    [(None, ["a", "c"]), ("non-deleted", ["a", "c"]), ("deleted", ["b"]), ("all", ["a", "b", "c"])],
)
def test_include_selects_live_and_deleted_models_on_list(om, svc, include, names):
    for name in ("a", "b", "c"):
        created = model(om, name)
        if name == "b":
            om.delete(f"/mlmodels/{created['id']}")
    r = om.get("/mlmodels", params={"include": include} if include else {})
    assert [m["name"] for m in r.json()["data"]] == names
    assert r.json()["paging"]["total"] == len(names)


# --------------------------------------------------------------------------- paging


def walk(om, direction: str = "after", start: str | None = None, **params) -> list[dict]:
    """Every page of a list, following paging.<direction> until it is absent."""
    pages, cursor = [], start
    while True:
        query = dict(params)
        if cursor is not None:
            query[direction] = cursor
        r = om.get("/mlmodels", params=query)
        assert r.status_code == 200, r.text
        pages.append(r.json())
        cursor = r.json()["paging"].get(direction)
        if cursor is None:
            return pages


@pytest.fixture
def many(om, svc) -> list[str]:
    """25 models created in shuffled order; returns their names in name order."""
    names = [f"model-{i:02d}" for i in range(25)]
    shuffled = names[:]
    random.Random(7).shuffle(shuffled)
    for name in shuffled:
        model(om, name)
    return names


def test_walking_after_yields_every_model_once_in_name_order(om, many):
    pages = walk(om, limit=7)
    assert [len(p["data"]) for p in pages] == [7, 7, 7, 4]
    assert [m["name"] for p in pages for m in p["data"]] == many
    assert all(p["paging"]["total"] == 25 for p in pages)
    assert "before" not in pages[0]["paging"]
    assert all("before" in p["paging"] for p in pages[1:])
    assert pages[-1]["paging"].get("after") is None


def test_walking_before_from_the_last_page_yields_the_same_pages_back(om, many):
    forward = walk(om, limit=7)
    backward = walk(om, "before", start=forward[-1]["paging"]["before"], limit=7)
    assert [[m["name"] for m in p["data"]] for p in backward] == [
        [m["name"] for m in p["data"]] for p in reversed(forward[:-1])]
    assert backward[-1]["paging"].get("before") is None
    assert all(p["paging"].get("after") for p in backward)


def test_a_cursor_from_a_list_is_url_safe(om, many):
    cursor = om.get("/mlmodels", params={"limit": 3}).json()["paging"]["after"]
    assert re.fullmatch(r"[A-Za-z0-9_-]+", cursor)


def test_models_with_equal_names_in_different_services_are_each_listed_once(om, svc):
    service(om, "other")
    ids = {model(om, f"m{i}", s)["id"] for i in range(5) for s in ("svc", "other")}
    walked = [m["id"] for p in walk(om, limit=3) for m in p["data"]]
    assert sorted(walked) == sorted(ids)


def test_the_service_filter_holds_on_every_page(om, svc):
    service(om, "other")
    expected = []
    for i in range(25):
        owner = "svc" if i % 2 else "other"
        created = model(om, f"model-{i:02d}", owner)
        if owner == "svc":
            expected.append(created["name"])
    pages = walk(om, service="svc", limit=5)
    assert all(m["service"]["fullyQualifiedName"] == "svc" for p in pages for m in p["data"])
    assert [m["name"] for p in pages for m in p["data"]] == expected
    assert all(p["paging"]["total"] == 12 for p in pages)
    back = walk(om, "before", start=pages[-1]["paging"]["before"], service="svc", limit=5)
    assert all(m["service"]["fullyQualifiedName"] == "svc" for p in back for m in p["data"])


def test_a_walk_survives_the_deletion_of_the_model_its_cursor_points_at(om, many):
    first = om.get("/mlmodels", params={"limit": 5}).json()
    boundary = first["data"][-1]
    om.delete(f"/mlmodels/{boundary['id']}", params={"hardDelete": "true"})
    om.delete(f"/mlmodels/{first['data'][0]['id']}")  # soft, behind the cursor
    rest = walk(om, start=first["paging"]["after"], limit=5)
    assert [m["name"] for p in rest for m in p["data"]] == many[5:]
    assert rest[0]["paging"]["total"] == 23


@pytest.mark.parametrize(
    "other",
    [{"service": "other"}, {}, {"include": "all"}, {"service": "svc", "include": "deleted"}],
    ids=["other-service", "no-filter", "include-all", "include-deleted"],
)
def test_a_cursor_replayed_with_another_query_is_400(om, svc, other):
    service(om, "other")
    for i in range(6):
        model(om, f"m{i}", "svc")
    after = om.get("/mlmodels", params={"service": "svc", "limit": 2}).json()["paging"]["after"]
    envelope(om.get("/mlmodels", params={**other, "limit": 2, "after": after}), 400)
    same = om.get("/mlmodels", params={"service": "svc", "limit": 50, "after": after})
    assert same.status_code == 200 and len(same.json()["data"]) == 4  # a new limit is fine


@pytest.mark.parametrize("cursor", ["garbage", "e30", "", "a+b/c="])
def test_a_malformed_cursor_is_400(om, svc, cursor):
    model(om)
    envelope(om.get("/mlmodels", params={"after": cursor or "x" * 10}), 400)
    envelope(om.get("/mlmodels", params={"before": cursor or "x" * 10}), 400)


def test_after_and_before_together_are_400(om, many):
    paging = walk(om, limit=7)[1]["paging"]
    both = {"after": paging["after"], "before": paging["before"]}
    envelope(om.get("/mlmodels", params=both), 400)


@pytest.mark.parametrize("limit", ["-1", "1000001", "ten", "1.5"])
def test_a_limit_out_of_range_is_400(om, svc, limit):
    envelope(om.get("/mlmodels", params={"limit": limit}), 400)


def test_the_limit_defaults_to_10_and_0_gives_only_the_total(om, svc):
    for i in range(12):
        model(om, f"m{i:02d}")
    assert len(om.get("/mlmodels").json()["data"]) == 10
    zero = om.get("/mlmodels", params={"limit": 0}).json()
    assert zero["data"] == [] and zero["paging"]["total"] == 12
    assert len(om.get("/mlmodels", params={"limit": 1_000_000}).json()["data"]) == 12


# --------------------------------------------------------------------------- patch


@pytest.fixture
def patchable(om, svc) -> dict:
    return model(om, "m", algorithm="KMeans", description="d", sourceUrl="http://src",
                 mlFeatures=[{"name": "f1"}, {"name": "f2"}],
                 mlHyperParameters=[{"name": "k", "value": "5"}])


def test_all_six_operations_are_accepted(om, patchable):
    r = om.patch(f"/mlmodels/{patchable['id']}", json=[
        {"op": "test", "path": "/description", "value": "d"},
        {"op": "add", "path": "/displayName", "value": "Model"},
        {"op": "replace", "path": "/description", "value": "d2"},
        {"op": "remove", "path": "/sourceUrl"},
        {"op": "move", "from": "/mlFeatures/1", "path": "/mlFeatures/0"},
        {"op": "copy", "from": "/mlHyperParameters/0", "path": "/mlHyperParameters/-"},
    ])
    assert r.status_code == 200, r.text
    stored = get(om, patchable["id"])
    assert stored["displayName"] == "Model" and stored["description"] == "d2"
    assert "sourceUrl" not in stored
    assert [f["name"] for f in stored["mlFeatures"]] == ["f2", "f1"]
    assert stored["mlHyperParameters"] == [{"name": "k", "value": "5"}] * 2
    assert stored["version"] == 0.2
    assert {k: v for k, v in r.json().items() if k not in RELATION_FIELDS} == stored


def test_patching_a_major_field_is_a_major_change(om, patchable):
    r = om.patch(f"/mlmodels/{patchable['id']}", json=[
        {"op": "replace", "path": "/algorithm", "value": "DBSCAN"}])
    assert r.json()["version"] == 1.1


@pytest.mark.parametrize(
    "operations",
    [
        [{"op": "replace", "path": "/description", "value": "x"},
         {"op": "test", "path": "/algorithm", "value": "not KMeans"}],
        [{"op": "replace", "path": "/description", "value": "x"},
         {"op": "remove", "path": "/nothing"}],
        [{"op": "replace", "path": "/description", "value": "x"},
         {"op": "replace", "path": "/mlFeatures/7/name", "value": "y"}],
        [{"op": "replace", "path": "description", "value": "x"}],
        [{"op": "replace", "path": "/description", "value": "x"},
         {"op": "add", "path": "/bogus", "value": 1}],
        [{"op": "add", "path": "/mlFeatures/0/bogus", "value": 1}],
        [{"op": "replace", "path": "/description", "value": "x"},
         {"op": "remove", "path": "/algorithm"}],
        [{"op": "replace", "path": "/mlHyperParameters/0/value", "value": 5}],
        [{"op": "replace", "path": "/description", "value": "x"}, {"op": "jump", "path": "/a"}],
        [{"op": "move", "path": "/description"}],
        [{"op": "replace", "path": "", "value": []}],
        {"op": "replace", "path": "/description", "value": "x"},
    ],
    ids=["failing-test", "remove-missing", "index-out-of-range", "path-without-slash",
         "unknown-key", "unknown-key-in-feature", "remove-required", "wrong-type",
         "unknown-op", "move-without-from", "replace-whole-entity", "not-an-array"],
)
def test_a_failing_patch_is_400_and_changes_nothing(om, patchable, operations):
    envelope(om.patch(f"/mlmodels/{patchable['id']}", json=operations), 400)
    stored = get(om, patchable["id"])
    assert stored["description"] == "d" and stored["algorithm"] == "KMeans"
    assert stored["version"] == 0.1 and stored["updatedAt"] == patchable["updatedAt"]
    assert len(versions(om, patchable["id"])) == 1


def test_identity_fields_cannot_be_patched(om, patchable):
    other = service(om, "other", serviceType="Sklearn", connection={"config": {}})
    r = om.patch(f"/mlmodels/{patchable['id']}", json=[
        {"op": "replace", "path": "/id", "value": str(uuid.uuid4())},
        {"op": "replace", "path": "/name", "value": "renamed"},
        {"op": "replace", "path": "/fullyQualifiedName", "value": "other.renamed"},
        {"op": "replace", "path": "/service",
         "value": {"id": other["id"], "type": "mlmodelService", "fullyQualifiedName": "other"}},
        {"op": "replace", "path": "/serviceType", "value": "Sklearn"},
        {"op": "replace", "path": "/description", "value": "changed"},
    ])
    assert r.status_code == 200, r.text
    stored = get(om, patchable["id"])
    assert stored["name"] == "m" and stored["fullyQualifiedName"] == "svc.m"
    assert stored["service"]["id"] == patchable["service"]["id"]
    assert stored["serviceType"] == "Mlflow"
    assert stored["description"] == "changed" and stored["version"] == 0.2
    assert om.get("/mlmodels/name/svc.m").json()["id"] == patchable["id"]
    envelope(om.get("/mlmodels/name/other.renamed"), 404)


def test_server_managed_fields_in_a_patch_are_ignored_and_recomputed(om, patchable):
    r = om.patch(f"/mlmodels/{patchable['id']}", json=[
        {"op": "replace", "path": "/version", "value": 9.9},
        {"op": "replace", "path": "/updatedAt", "value": 1},
        {"op": "replace", "path": "/updatedBy", "value": "mallory"},
        {"op": "replace", "path": "/href", "value": "http://elsewhere/x"},
        {"op": "replace", "path": "/deleted", "value": True},
        {"op": "replace", "path": "/description", "value": "changed"},
    ])
    assert r.status_code == 200, r.text
    stored = get(om, patchable["id"])
    assert stored["version"] == 0.2
    assert stored["updatedAt"] > patchable["updatedAt"]
    assert stored["updatedBy"] == patchable["updatedBy"]
    assert stored["href"] == patchable["href"]
    assert stored["deleted"] is False


def test_a_patch_of_only_server_managed_fields_changes_nothing(om, patchable):
    r = om.patch(f"/mlmodels/{patchable['id']}", json=[
        {"op": "replace", "path": "/updatedAt", "value": 1},
        {"op": "replace", "path": "/version", "value": 5.0}])
    assert r.status_code == 200
    assert r.json()["version"] == 0.1 and r.json()["updatedAt"] == patchable["updatedAt"]
    assert len(versions(om, patchable["id"])) == 1


@pytest.mark.parametrize("content_type", ["application/json", "text/plain",
                                          "application/merge-patch+json"])
def test_a_patch_that_is_not_json_patch_is_415(om, patchable, content_type):
    r = om.patch(f"/mlmodels/{patchable['id']}", headers={"Content-Type": content_type},
                 json=[{"op": "replace", "path": "/description", "value": "x"}])
    envelope(r, 415)
    assert get(om, patchable["id"])["description"] == "d"


def test_patching_an_unknown_or_deleted_model_is_404(om, patchable):
    ops = [{"op": "replace", "path": "/description", "value": "x"}]
    envelope(om.patch(f"/mlmodels/{UNKNOWN_ID}", json=ops), 404)
    om.delete(f"/mlmodels/{patchable['id']}")
    envelope(om.patch(f"/mlmodels/{patchable['id']}", json=ops), 404)


# --------------------------------------------------------------------------- delete, restore


def test_a_soft_delete_hides_the_model_and_bumps_its_version(om, svc):
    created = model(om)
    r = om.delete(f"/mlmodels/{created['id']}")
    assert r.status_code == 200
    assert r.json()["deleted"] is True and r.json()["version"] == 0.2
    envelope(om.get(f"/mlmodels/{created['id']}"), 404)
    shown = get(om, created["id"], include="deleted")
    assert shown["deleted"] is True and shown["version"] == 0.2
    assert om.get("/mlmodels").json()["paging"]["total"] == 0
    history = versions(om, created["id"])
    assert [(v["version"], v["deleted"]) for v in history] == [(0.2, True), (0.1, False)]


def test_a_hard_delete_removes_the_model_and_its_history(om, svc):
    created = model(om)
    r = om.delete(f"/mlmodels/{created['id']}", params={"hardDelete": "true"})
    assert r.status_code == 200
    envelope(om.get(f"/mlmodels/{created['id']}", params={"include": "all"}), 404)
    envelope(om.get("/mlmodels/name/svc.m", params={"include": "all"}), 404)
    envelope(om.get(f"/mlmodels/{created['id']}/versions"), 404)
    assert total(om) == 0
    again = model(om)  # the name is free again
    assert again["id"] != created["id"] and again["version"] == 0.1


def test_a_soft_deleted_model_can_be_hard_deleted(om, svc):
    created = model(om)
    om.delete(f"/mlmodels/{created['id']}")
    assert om.delete(f"/mlmodels/{created['id']}",
                     params={"hardDelete": "true", "recursive": "false"}).status_code == 200
    envelope(om.get(f"/mlmodels/{created['id']}", params={"include": "all"}), 404)
    assert total(om) == 0


def test_deleting_an_unknown_model_is_404(om, svc):
    envelope(om.delete(f"/mlmodels/{UNKNOWN_ID}"), 404)
    envelope(om.delete(f"/mlmodels/{UNKNOWN_ID}", params={"hardDelete": "true"}), 404)


def test_restore_undoes_a_soft_delete(om, svc):
    created = model(om)
    om.delete(f"/mlmodels/{created['id']}")
    r = om.put("/mlmodels/restore", json={"id": created["id"]})
    assert r.status_code == 200
    assert r.json()["deleted"] is False and r.json()["version"] == 0.3
    assert get(om, created["id"])["deleted"] is False
    assert [m["id"] for m in om.get("/mlmodels").json()["data"]] == [created["id"]]


def test_restore_of_a_live_or_unknown_model_is_404(om, svc):
    created = model(om)
    envelope(om.put("/mlmodels/restore", json={"id": created["id"]}), 404)
    envelope(om.put("/mlmodels/restore", json={"id": UNKNOWN_ID}), 404)
    assert get(om, created["id"])["version"] == 0.1


# --------------------------------------------------------------------------- bulk


def test_bulk_reports_each_item(om, svc):
    model(om, "existing")
    r = om.put("/mlmodels/bulk", params={"async": "false", "overrideMetadata": "false"}, json=[
        {"name": "good", "service": "svc"},
        {"name": "bad", "service": "nope"},
        {"name": "existing", "service": "svc", "description": "updated"},
    ])
    assert r.status_code == 200
    result = r.json()
    assert result["status"] == "partialSuccess"
    assert (result["numberOfRowsProcessed"], result["numberOfRowsPassed"],
            result["numberOfRowsFailed"]) == (3, 2, 1)
    assert [item["request"]["name"] for item in result["successRequest"]] == ["good", "existing"]
    assert [item["status"] for item in result["successRequest"]] == [201, 200]
    failed = result["failedRequest"][0]
    assert failed["request"]["name"] == "bad" and failed["status"] == 404
    assert sorted(m["name"] for m in om.get("/mlmodels").json()["data"]) == ["existing", "good"]
    assert om.get("/mlmodels/name/svc.existing").json()["description"] == "updated"


@pytest.mark.parametrize(
    ("items", "status"),
    [([{"name": "a", "service": "svc"}, {"name": "b", "service": "svc"}], "success"),
     ([{"name": "a", "service": "nope"}], "failure"),
     ([], "success")],
)
def test_bulk_status_summarises_the_items(om, svc, items, status):
    result = om.put("/mlmodels/bulk", json=items).json()
    assert result["status"] == status
    assert result["numberOfRowsProcessed"] == len(items)


# --------------------------------------------------------------------------- hostile bodies


@pytest.fixture
def target(om, svc) -> dict:
    return model(om, "target")


BAD_BODIES = [
    (b'{"name": "m", "service": "svc"', "application/json"),
    (b'{"name": "m\xff", "service": "svc"}', "application/json"),
    (b'{"name": "m", "service": "svc", "extension": NaN}', "application/json"),
    (b'{"name": "\\ud800", "service": "svc"}', "application/json"),
    (b'{"name": "m", "service": "svc", "extension": ' + b"[" * 200 + b"]" * 200 + b"}",
     "application/json"),
    (b"[" * 100_000, "application/json"),
    (b"", "application/json"),
    (b"null", "application/json"),
    (b'{"name": "m", "service": "svc"}', "text/plain"),
    (b'{"name": "m", "service": "svc"}', "application/x-www-form-urlencoded"),
    (b'{"name": "m", "service": "svc"}', ""),
]
BAD_IDS = ["truncated", "not-utf8", "nan", "lone-surrogate", "deep", "100k-brackets", "empty",
           "null", "text-plain", "form", "no-content-type"]


@pytest.mark.parametrize(("body", "content_type"), BAD_BODIES, ids=BAD_IDS)
@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/mlmodels"), ("PUT", "/mlmodels"), ("PUT", "/mlmodels/bulk"),
     ("PUT", "/mlmodels/restore"), ("PATCH", "/mlmodels/{id}"),
     ("PUT", "/services/mlmodelServices")],
)
def test_hostile_bodies_are_4xx_in_the_envelope_never_500(om, target, method, path, body,
                                                          content_type):
    if method == "PATCH" and content_type == "application/json":
        content_type = "application/json-patch+json"
    headers = {"Content-Type": content_type} if content_type else {}
    r = om.request(method, path.format(id=target["id"]), content=body, headers=headers)
    assert 400 <= r.status_code < 500, r.text
    envelope(r, r.status_code)
    assert total(om) == 1
    assert get(om, target["id"])["version"] == 0.1


# --------------------------------------------------------------------------- threads


def test_concurrent_upserts_of_distinct_models_all_persist(om_app, om, svc, make_client):
    clients = [make_client(om_app, token=om_app.token) for _ in range(8)]
    statuses: list[int] = []
    errors: list[BaseException] = []

    def upsert_many(n: int) -> None:
        try:
            for i in range(15):
                r = clients[n].put("/mlmodels", json={"name": f"t{n}-{i:02d}", "service": "svc"})
                statuses.append(r.status_code)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=upsert_many, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert statuses == [201] * 120
    listed = om.get("/mlmodels", params={"limit": 1000}).json()
    assert listed["paging"]["total"] == 120
    assert sorted(m["name"] for m in listed["data"]) == sorted(
        f"t{n}-{i:02d}" for n in range(8) for i in range(15))


# ------------------------------------------------------------ services: SDK bodies, delete, patch, versions

# What the SDK sends for each ML service type: its request models drop the default `type`.
SDK_SERVICE_BODIES = {
    "Mlflow": {"trackingUri": "http://mlflow:5000", "registryUri": "sqlite:///mlflow.db"},
    "Sklearn": {},
    "CustomMlModel": {"sourcePythonClass": "my.module.Source"},
    "SageMaker": {"awsConfig": {"awsRegion": "us-east-1"}},
    "VertexAI": {"credentials": {"gcpConfig": {"type": "service_account", "projectId": "p"}},
                 "location": "us-central1"},
}


@pytest.mark.parametrize("service_type", sorted(SDK_SERVICE_BODIES))
def test_each_ml_service_type_is_created_from_the_sdk_body_with_its_type_filled_in(om, service_type):
    body = {"name": f"s-{service_type}", "serviceType": service_type,
            "connection": {"config": SDK_SERVICE_BODIES[service_type]}}
    r = om.put("/services/mlmodelServices", json=body)
    assert r.status_code == 201, r.text
    config = r.json()["connection"]["config"]
    assert config["type"] == service_type
    assert {k: config[k] for k in SDK_SERVICE_BODIES[service_type]} == SDK_SERVICE_BODIES[service_type]
    again = om.get(f"/services/mlmodelServices/{r.json()['id']}").json()
    assert again["connection"]["config"] == config


def test_a_config_of_another_type_than_the_service_is_400(om):
    body = {"name": "wrong", "serviceType": "Sklearn",
            "connection": {"config": {"type": "Mlflow", **SDK_SERVICE_BODIES["Mlflow"]}}}
    envelope(om.put("/services/mlmodelServices", json=body), 400)
    assert om.get("/services/mlmodelServices/name/wrong").status_code == 404


def test_a_service_with_models_is_not_deleted_without_recursive(om, svc):
    created = model(om)
    message = envelope(om.delete(f"/services/mlmodelServices/{svc['id']}",
                                 params={"recursive": "false", "hardDelete": "true"}), 400)
    assert "not empty" in message
    assert get(om, created["id"])["id"] == created["id"]
    # A soft-deleted model still holds the service, as on the real server.
    om.delete(f"/mlmodels/{created['id']}")
    envelope(om.delete(f"/services/mlmodelServices/{svc['id']}"), 400)


def test_a_recursive_hard_delete_removes_the_service_and_its_models(om, svc):
    first, second = model(om, "a"), model(om, "b")
    om.delete(f"/mlmodels/{second['id']}")  # soft-deleted models go too
    r = om.delete(f"/services/mlmodelServices/{svc['id']}", params={"recursive": "true", "hardDelete": "true"})
    assert r.status_code == 200, r.text
    assert r.json()["id"] == svc["id"]
    for id_ in (first["id"], second["id"]):
        envelope(om.get(f"/mlmodels/{id_}", params={"include": "all"}), 404)
    envelope(om.get(f"/services/mlmodelServices/{svc['id']}", params={"include": "all"}), 404)
    # The name is free again.
    assert service(om)["id"] != svc["id"]


def test_a_recursive_soft_delete_hides_the_service_and_its_models(om, svc):
    created = model(om)
    r = om.delete(f"/services/mlmodelServices/{svc['id']}", params={"recursive": "true"})
    assert r.status_code == 200 and r.json()["deleted"] is True
    envelope(om.get(f"/mlmodels/{created['id']}"), 404)
    assert get(om, created["id"], include="deleted")["deleted"] is True
    assert om.get(f"/services/mlmodelServices/{svc['id']}", params={"include": "deleted"}).json()["deleted"]
    envelope(om.put("/mlmodels", json={"name": "n", "service": "svc"}), 404)  # no live service


def test_an_empty_service_is_deleted_without_recursive(om, svc):
    assert om.delete(f"/services/mlmodelServices/{svc['id']}", params={"hardDelete": "true"}).status_code == 200
    envelope(om.delete(f"/services/mlmodelServices/{svc['id']}"), 404)


def test_a_service_patch_bumps_its_version_and_keeps_its_history(om, svc):
    r = om.patch(f"/services/mlmodelServices/{svc['id']}",
                 json=[{"op": "add", "path": "/description", "value": "the registry"},
                       {"op": "replace", "path": "/name", "value": "renamed"}])
    assert r.status_code == 200, r.text
    patched = r.json()
    assert patched["description"] == "the registry" and patched["name"] == "svc"  # name is immutable
    assert patched["version"] == round(svc["version"] + 0.1, 1)
    history = om.get(f"/services/mlmodelServices/{svc['id']}/versions").json()
    assert history["entityType"] == "mlmodelService"
    assert [json.loads(v)["version"] for v in history["versions"]] == [patched["version"], svc["version"]]
    old = om.get(f"/services/mlmodelServices/{svc['id']}/versions/{svc['version']}")
    assert old.status_code == 200 and "description" not in old.json()
    envelope(om.patch(f"/services/mlmodelServices/{UNKNOWN_ID}",
                      json=[{"op": "add", "path": "/description", "value": "x"}]), 404)


def test_service_relation_fields_are_sent_only_when_asked_for(om):
    created = service(om, tags=[TAG])
    assert created["tags"] == [TAG] and "owners" not in created
    plain = om.get(f"/services/mlmodelServices/{created['id']}").json()
    assert "tags" not in plain and "owners" not in plain
    asked = om.get(f"/services/mlmodelServices/{created['id']}", params={"fields": "tags,owners"}).json()
    assert asked["tags"] == [TAG] and asked["owners"] == []
    envelope(om.get("/services/mlmodelServices", params={"fields": "nope"}), 400)


# --------------------------------------------------------------------------- users and teams, owners


def test_users_and_teams_are_created_found_and_listed(om):
    alice = user(om)
    assert alice["fullyQualifiedName"] == "alice" and alice["email"] == "alice@example.com"
    assert "teams" not in alice  # nothing set
    r = om.put("/teams", json={"name": "data-science", "teamType": "Group", "users": [alice["id"]]})
    assert r.status_code == 201, r.text
    team = r.json()
    assert [u["id"] for u in team["users"]] == [alice["id"]] and team["users"][0]["type"] == "user"
    assert om.get("/users/name/alice").json()["id"] == alice["id"]
    assert om.get(f"/teams/{team['id']}", params={"fields": "users"}).json()["users"][0]["name"] == "alice"
    assert [u["name"] for u in om.get("/users").json()["data"]] == ["alice"]
    envelope(om.post("/users", json={"name": "alice", "email": "a@example.com"}), 409)
    envelope(om.post("/users", json={"name": "bob"}), 400)  # email is required
    envelope(om.put("/teams", json={"name": "t", "teamType": "Group", "users": [UNKNOWN_ID]}), 404)


def test_owners_must_name_an_existing_user_or_team(om, svc):
    alice = user(om)
    team = om.put("/teams", json={"name": "ops", "teamType": "Group"}).json()
    message = envelope(om.post("/mlmodels", json={"name": "m", "service": "svc",
                                                  "owners": [{"id": UNKNOWN_ID, "type": "user"}]}), 404)
    assert message == f"user instance for {UNKNOWN_ID} not found"
    envelope(om.post("/mlmodels", json={"name": "m", "service": "svc",
                                        "owners": [{"id": alice["id"], "type": "mlmodel"}]}), 400)
    envelope(om.put("/mlmodels", json={"name": "m", "service": "svc",
                                       "owners": [{"id": team["id"], "type": "user"}]}), 404)  # not a user
    assert total(om) == 0
    created = model(om, owners=[{"id": alice["id"], "type": "user"}, {"id": team["id"], "type": "team"}])
    assert [(o["type"], o["name"]) for o in created["owners"]] == [("user", "alice"), ("team", "ops")]
    assert "owners" not in get(om, created["id"])
    assert get(om, created["id"], fields="owners")["owners"] == created["owners"]
    # A patch to an unknown owner is refused and changes nothing; to a known one, resolved.
    envelope(om.patch(f"/mlmodels/{created['id']}",
                      json=[{"op": "replace", "path": "/owners", "value": [{"id": UNKNOWN_ID, "type": "team"}]}]), 404)
    assert get(om, created["id"], fields="owners")["owners"] == created["owners"]
    r = om.patch(f"/mlmodels/{created['id']}", json=[{"op": "replace", "path": "/owners",
                                                      "value": [{"id": team["id"], "type": "team"}]}])
    assert r.status_code == 200 and r.json()["owners"][0]["name"] == "ops"
    # A deleted user owns nothing new.
    om.delete(f"/users/{alice['id']}")
    envelope(om.put("/mlmodels", json={"name": "n", "service": "svc",
                                       "owners": [{"id": alice["id"], "type": "user"}]}), 404)


def test_a_user_email_is_checked_as_the_real_server_checks_it(om):
    # basic.json#/definitions/email: format email, ^\S+@\S+\.\S+$, 6..127 characters.
    for bad in ("x", "no-at-sign.example.com", "a@b", "a b@example.com", "a@" + "e" * 130 + ".com"):
        envelope(om.put("/users", json={"name": "carol", "email": bad}), 400)
    assert om.put("/users", json={"name": "carol", "email": "carol@example.com"}).status_code == 201
