"""mockserver/devtools/seeding.py: a known state, replayed through the spec's create operations."""

from __future__ import annotations

import asyncio
import json

import pytest
from devtools_support import ROOT, S2, S, app, fresh_app, om, om_seed, q, root, wml_seed  # noqa: F401 (fixtures)

from mlmock.mockserver.devtools import seeding
from mlmock.mockserver.devtools.seeding import SeedError

# ----------------------------------------------------------------------------- documents


def test_yaml_and_json_documents_parse_alike():
    text = "openmetadata:\n  mlmodelService:\n    - {name: svc, serviceType: Mlflow, when: 2024-05-01}\n"
    assert seeding.parse(text) == {"openmetadata": {"mlmodelService": [
        {"name": "svc", "serviceType": "Mlflow", "when": "2024-05-01"}]}}
    assert seeding.parse(json.dumps(om_seed("m")).encode()) == om_seed("m")


@pytest.mark.parametrize("text", ["a: [1, 2", "x: .nan", "x: !!set {a}", "x: 1.0e+999", "{a: b}: c", "\udc80"])
def test_documents_json_cannot_carry_are_refused(text):
    with pytest.raises(SeedError):
        seeding.parse(text)


def test_a_missing_file_is_a_seed_error(tmp_path):
    with pytest.raises(SeedError, match="cannot read"):
        seeding.read(tmp_path / "absent.yaml")


@pytest.mark.parametrize(("data", "message"), [
    ([1], "maps API names"),
    ({"nope": {}}, "unknown API 'nope'"),
    ({"openmetadata": []}, "must map kind names"),
    ({"openmetadata": {"chart": []}}, "unknown kind 'chart'"),
    ({"openmetadata": {"mlmodel": {"name": "m"}}}, "must be a list"),
    ({"openmetadata": {"mlmodel": ["m"]}}, r"openmetadata.mlmodel\[0\] must be an object"),
    ({"wml": {"software_specification": [{"name": "s"}]}}, "read-only"),
])
def test_malformed_documents_name_their_bad_part(app, data, message):
    with pytest.raises(SeedError, match=message):
        seeding.plan(data, app.apis)


def test_an_empty_document_plans_nothing(app):
    assert seeding.plan(None, app.apis) == [] and seeding.plan({"openmetadata": None}, app.apis) == []


# ----------------------------------------------------------------------------- replay


def test_openmetadata_bodies_are_created_as_by_a_client(app, om):
    report = app.control.seed(om_seed("churn", "fraud"))
    assert app.control.journal_entries() == []  # seeding goes around the journal
    assert report["count"] == 3
    created = report["created"]["openmetadata"]
    assert [m["name"] for m in created["mlmodel"]] == ["churn", "fraud"]
    model = om.get(f"/mlmodels/{created['mlmodel'][0]['id']}").json()
    assert model["fullyQualifiedName"] == "svc.churn" and model["version"] == 0.1  # derived by the engine
    assert om.get("/mlmodels", params={"service": "svc"}).json()["paging"]["total"] == 2  # indexed


def test_wml_bodies_carry_their_space_and_reference_earlier_ones(app, root):
    report = app.control.seed(wml_seed())
    model_id = report["created"]["wml"]["model"][0]["id"]
    deployment_id = report["created"]["wml"]["deployment"][0]["id"]
    deployment = root.get(f"/ml/v4/deployments/{deployment_id}", params=q()).json()
    assert deployment["entity"]["asset"]["id"] == model_id
    assert deployment["metadata"]["space_id"] == S


def test_a_reference_to_nothing_earlier_is_a_400(app):
    data = {"wml": {"deployment": [{"name": "d", "online": {}, "asset": {"id": "${model:ghost}"}, "space_id": S}]}}
    with pytest.raises(SeedError, match=r"\$\{model:ghost\} names no model"):
        app.control.seed(data)


def test_a_refused_body_stops_the_seed_and_nothing_is_left(app, om):
    app.control.seed(om_seed("kept"))
    with pytest.raises(SeedError) as refused:
        app.control.seed({"openmetadata": {"mlmodel": [{"name": "new", "service": "svc"},
                                                       {"name": "bad", "service": "no-such-service"}]}})
    assert refused.value.status == 400
    assert "openmetadata.mlmodel[1]" in refused.value.message and "answered 404" in refused.value.message
    assert refused.value.answer["status"] == 404 and refused.value.answer["body"]["code"] == 404
    assert [m["name"] for m in om.get("/mlmodels").json()["data"]] == ["kept"]


def test_reset_replaces_the_state(app, om):
    app.control.seed(om_seed("old"))
    app.control.seed(om_seed("new"), reset=True)
    assert [m["name"] for m in om.get("/mlmodels").json()["data"]] == ["new"]


def test_a_path_or_text_can_be_given(app, om, tmp_path):
    path = tmp_path / "seed.yaml"
    path.write_text("openmetadata:\n  mlmodelService:\n    - {name: from-file, serviceType: Mlflow}\n")
    app.control.seed(path)
    app.control.seed("openmetadata:\n  mlmodelService:\n    - {name: from-text, serviceType: Mlflow}\n")
    names = [s["name"] for s in om.get("/services/mlmodelServices").json()["data"]]
    assert names == ["from-file", "from-text"]


def test_seeding_works_from_inside_a_running_event_loop(app, om):
    async def inside() -> dict:
        return app.control.seed(om_seed())

    assert asyncio.run(inside())["count"] == 1


def test_scopes_keep_seeded_resources_apart(app, root):
    app.control.seed({"wml": {"model": [*wml_seed(S)["wml"]["model"], *wml_seed(S2)["wml"]["model"]]}})
    assert len(root.get("/ml/v4/models", params=q(S)).json()["resources"]) == 1
    assert len(root.get("/ml/v4/models", params=q(S2)).json()["resources"]) == 1
