"""mockserver/devtools/snapshots.py: the whole state out and back in, exactly."""

from __future__ import annotations

import copy
import json

import pytest
from devtools_support import ROOT, app, fresh_app, om, om_seed, q, root, wml_seed  # noqa: F401 (fixtures)

from mlmock.mockserver import Engine, Store, create_app
from mlmock.mockserver.core.errors import BadRequest
from mlmock.mockserver.devtools import snapshots


def _views(om, root) -> dict:
    """What clients see: lists, a version history, a deleted model, WML models."""
    models = om.get("/mlmodels", params={"include": "all", "limit": 100}).json()["data"]
    return {"models": models,
            "versions": [om.get(f"/mlmodels/{m['id']}/versions").json() for m in models],
            "services": om.get("/services/mlmodelServices").json(),
            "wml": root.get("/ml/v4/models", params=q()).json()["resources"]}


def _scene(app, om) -> None:
    report = app.control.seed({**om_seed("churn", "fraud", "gone"), **wml_seed(deployment=False)})
    ids = {m["name"]: m["id"] for m in report["created"]["openmetadata"]["mlmodel"]}
    om.patch(f"/mlmodels/{ids['churn']}", json=[{"op": "add", "path": "/description", "value": "v2"}])
    om.delete(f"/mlmodels/{ids['gone']}")
    model = report["created"]["wml"]["model"][0]["id"]
    app.engine.store.put_blob("wml", "model", model, "content", {"name": "model.zip"}, b"\x00\x01binary")


def test_a_snapshot_restores_exactly_what_clients_saw(app, om, root):
    _scene(app, om)
    before = _views(om, root)
    snapshot = app.control.snapshot()
    json.dumps(snapshot)  # a JSON document
    app.control.reset()
    assert _views(om, root)["models"] == []
    assert app.control.restore(snapshot)["restored"] == len(snapshot["resources"])
    assert _views(om, root) == before
    model = next(r for r in snapshot["resources"] if r["kind"] == "model")
    assert app.engine.store.blob("wml", "model", model["id"], "content")[1] == b"\x00\x01binary"


def test_a_snapshot_moves_to_another_server(app, om, root, make_client):
    _scene(app, om)
    snapshot = app.control.snapshot()
    other = create_app(engine=Engine(Store()))
    other.control.restore(snapshot)
    assert _views(make_client(other, token=other.token), make_client(other, token=other.token, base_url=ROOT)) \
        == _views(om, root)


def test_the_store_is_written_in_one_piece_and_keeps_indexes(app, om):
    _scene(app, om)
    snapshot = app.control.snapshot()
    app.control.restore(snapshot)
    assert om.get("/mlmodels", params={"service": "svc"}).json()["paging"]["total"] == 2
    assert om.get("/mlmodels/name/svc.churn").json()["description"] == "v2"
    assert om.post("/mlmodels", json={"name": "churn", "service": "svc"}).status_code == 409  # unique keys kept


def _broken(snapshot: dict) -> list[dict]:
    cases = []
    for change in (
        lambda s: s.update(format="other"),
        lambda s: s.update(version=2),
        lambda s: s.update(resources={}),
        lambda s: s["resources"].append(5),
        lambda s: s["resources"][0].update(id=7),
        lambda s: s["resources"][0].update(doc=[]),
        lambda s: s["resources"][0].update(deleted="no"),
        lambda s: s["resources"][0].update(attrs={"fqn": "x"}),
        lambda s: s["resources"][0].update(history=[{"key": 1, "doc": {}}]),
        lambda s: s["resources"][0].update(blobs=[{"key": "k", "meta": {}, "data": "***"}]),
        lambda s: s["resources"][0].update(scope=None),
        lambda s: s["resources"].append(copy.deepcopy(s["resources"][0])),
    ):
        broken = copy.deepcopy(snapshot)
        change(broken)
        cases.append(broken)
    return cases


def test_a_malformed_snapshot_is_a_400_and_changes_nothing(app, om, root):
    _scene(app, om)
    before = _views(om, root)
    snapshot = app.control.snapshot()
    for broken in [None, [], "x", *_broken(snapshot)]:
        with pytest.raises(BadRequest, match="snapshot"):
            app.control.restore(broken)
        assert _views(om, root) == before


def test_restore_puts_back_the_seeded_catalogues():
    app = fresh_app()
    snapshot = {"format": snapshots.FORMAT, "version": snapshots.VERSION, "resources": []}
    app.control.restore(snapshot)
    assert any(row["kind"] == "space" for row in app.control.summary())
