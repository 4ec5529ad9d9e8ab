"""mockserver/server.py: what ``mlmock serve`` builds from its options (in process)."""

from __future__ import annotations

import json

import pytest
from devtools_support import ROOT, om_seed, q, wml_seed

from mlmock.mockserver.server import DETERMINISTIC_START_MS, ConfigError, Options, build


def _seed_file(tmp_path, data=None):
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(data or {**om_seed("churn"), **wml_seed()}))
    return str(path)


def _models(app, make_client) -> list[dict]:
    return make_client(app, token=app.token).get("/mlmodels").json()["data"]


def test_a_seeded_run_repeats_ids_and_timestamps(tmp_path, make_client):
    seed_file = _seed_file(tmp_path)
    first = _models(build(Options(seed=7, seed_file=seed_file)), make_client)
    again = _models(build(Options(seed=7, seed_file=seed_file)), make_client)
    other = _models(build(Options(seed=8, seed_file=seed_file)), make_client)
    assert first == again and first[0]["id"] != other[0]["id"]
    assert first[0]["updatedAt"] == DETERMINISTIC_START_MS


def test_a_full_reset_of_a_seeded_run_starts_the_same_sequence_again(tmp_path, make_client):
    app = build(Options(seed=3))
    first = app.control.seed(om_seed("m"))
    app.control.reset()
    assert app.control.seed(om_seed("m")) == first


def test_a_seeded_run_progresses_per_read_and_the_clock_stands_still(tmp_path, make_client):
    app = build(Options(seed=1, seed_file=_seed_file(tmp_path)))
    assert app.control.lifecycles()["policies"] == {"default": "reads:1"}
    deployment = app.control.resources("wml", "deployment")["items"][0]["id"]
    root = make_client(app, token=app.token, base_url=ROOT)
    state = root.get(f"/ml/v4/deployments/{deployment}", params=q()).json()["entity"]["status"]["state"]
    assert state == "ready"  # one step per read, though no time passed
    assert app.control.clock() == {"now_ms": DETERMINISTIC_START_MS}


def test_progressions_set_the_default_and_single_kinds_and_survive_a_reset():
    app = build(Options(progressions=["manual", "wml.deployment=reads:2"]))
    expected = {"default": "manual", "wml.deployment": "reads:2"}
    assert app.control.lifecycles()["policies"] == expected
    app.control.set_progression("immediate")
    app.control.reset()
    assert app.control.lifecycles()["policies"] == expected


@pytest.mark.parametrize("values", [["soon"], ["wml.deployment=soon"], ["deployment=manual"],
                                    ["wml.ghost=manual"], ["openmetadata.mlmodel=manual"]])
def test_bad_progressions_are_config_errors(values):
    with pytest.raises(ConfigError, match="--progression"):
        build(Options(progressions=values))


def test_a_state_file_is_seeded_once(tmp_path, make_client, capsys):
    state = str(tmp_path / "state.sqlite")
    seed_file = _seed_file(tmp_path, om_seed("churn"))
    first = build(Options(state_file=state, seed_file=seed_file))
    first.engine.store.close()
    assert "seeded 2 resources" in capsys.readouterr().err
    second = build(Options(state_file=state, seed_file=seed_file))
    assert "not applied" in capsys.readouterr().err
    assert [m["name"] for m in _models(second, make_client)] == ["churn"]
    second.engine.store.close()


@pytest.mark.parametrize(("content", "message"), [
    ("openmetadata: {mlmodel: [{name: m, service: ghost}]}", "answered 404"),
    ("nope: {}", "unknown API"),
    ("[unclosed", "not YAML or JSON"),
])
def test_a_bad_seed_file_is_a_config_error(tmp_path, content, message):
    path = tmp_path / "seed.yaml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message):
        build(Options(seed_file=str(path)))


def test_journal_options_and_a_bad_state_file(tmp_path):
    app = build(Options(journal_size=5, journal_body_limit=10))
    assert (app.journal.size, app.journal.body_limit) == (5, 10)
    with pytest.raises(ConfigError):
        build(Options(journal_size=-1))
    with pytest.raises(ConfigError, match="--state-file"):
        build(Options(state_file=str(tmp_path)))  # a directory


def test_auto_spaces_makes_an_unknown_wml_space_on_first_use(make_client):
    space = "0a1b2c3d-0000-4000-8000-00000000abcd"
    for auto, status in ((False, 404), (True, 200)):
        app = build(Options(auto_spaces=auto))
        client = make_client(app, token=app.token, base_url="http://wml.test")
        assert client.get("/ml/v4/models", params=q(space)).status_code == status
        assert client.get(f"/v2/spaces/{space}").status_code == status
