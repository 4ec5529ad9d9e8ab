"""``mlmock serve --seed-file x.har``: a fresh mock starts with the state a recording left behind."""

from __future__ import annotations

import pytest
import workflows

from mlmock import har
from mlmock.mockserver.core.errors import MockError
from mlmock.mockserver.devtools import seeding


def _recorded(tmp_path, workflow):
    path = tmp_path / "session.har"
    recorder = har.Recorder(path)
    workflows.run(workflow, workflows.mock(), recorder=recorder)
    recorder.close()
    return path


def _last_states(path, prefix):
    """id -> last representation shown, and the ids a successful DELETE removed (from the recording)."""
    import json

    last, deleted = {}, set()
    for entry in har.read(path):
        if not entry.path.startswith(prefix) or not 200 <= entry.status < 300 or "rev=" in entry.query:
            continue
        if entry.method == "DELETE":
            deleted.add(entry.path.rsplit("/", 1)[-1])
            continue
        try:
            doc = json.loads(entry.response_body)
        except ValueError:
            continue
        id_ = doc.get("id") if isinstance(doc, dict) else None
        id_ = id_ or (doc.get("metadata", {}).get("id") if isinstance(doc, dict) else None)
        if id_:
            last[id_] = doc
    return last, deleted


def test_openmetadata_models_come_back_with_ids_versions_and_content(tmp_path):
    path = _recorded(tmp_path, workflows.openmetadata)
    last, _ = _last_states(path, "/api/v1/mlmodels")
    fresh = workflows.mock()
    report = fresh.control.seed(seeding.read(path))
    assert report["count"] > 10 and report["ids"] >= 7
    from starlette.testclient import TestClient

    with TestClient(fresh, base_url="http://mlmock.test") as client:
        listed = client.get("/api/v1/mlmodels", params={"limit": 100}, headers=workflows.AUTH).json()["data"]
        assert listed
        for model in listed:
            recorded = last.get(model["id"])
            assert recorded is not None, f"{model['name']} has an id the recording never showed"
            again = client.get(f"/api/v1/mlmodels/name/{model['fullyQualifiedName']}", headers=workflows.AUTH)
            assert again.status_code == 200 and again.json()["id"] == model["id"]
            assert again.json()["version"] == recorded["version"]
            assert again.json().get("description") == recorded.get("description")
        hard = [doc for id_, doc in last.items() if id_ not in {m["id"] for m in listed}]
        for doc in hard:  # the soft-deleted one is restored in the recording; the hard-deleted one is gone
            assert client.get(f"/api/v1/mlmodels/{doc['id']}", params={"include": "all"},
                              headers=workflows.AUTH).status_code == 404


def test_wml_resources_come_back_by_their_recorded_ids(tmp_path):
    path = _recorded(tmp_path, workflows.wml)
    last, deleted = _last_states(path, "/ml/v4/")
    fresh = workflows.mock()
    fresh.control.seed(seeding.read(path))
    from starlette.testclient import TestClient

    models = [doc for doc in last.values() if doc.get("entity", {}).get("type") == "scikit-learn_1.3"]
    assert len(models) >= 6
    with TestClient(fresh, base_url="http://mlmock.test") as client:
        for doc in models:
            meta = doc["metadata"]
            got = client.get(f"/ml/v4/models/{meta['id']}", headers=workflows.AUTH,
                             params={"version": workflows.WML_V, "space_id": meta["space_id"]})
            if meta["id"] in deleted:
                assert got.status_code == 404
            else:
                assert got.status_code == 200, got.text
                assert got.json()["metadata"]["name"] == meta["name"]


def test_a_bad_har_seed_is_a_clear_error(tmp_path):
    path = tmp_path / "cut.har"
    path.write_text('{"log": {"entries": [')
    with pytest.raises(MockError, match="truncated"):
        seeding.read(path)
