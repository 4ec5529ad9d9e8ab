"""Shared pieces of the development-tool tests (journal, faults, seeding, control plane).

One app serving both APIs on a fixed clock, built once per session and fully reset (resources,
journal, fault rules, lifecycle pace, clock) by the ``dev`` fixtures of each module.
"""

from __future__ import annotations

import functools

import pytest

from mlmock.mockserver import Engine, MockApp, Store, create_app
from mlmock.mockserver.core.catalogue import DEFAULT_SPACE_ID, OTHER_SPACE_ID
from mlmock.mockserver.core.engine import Clock

START_MS = 1_700_000_000_000
ROOT = "http://mlmock.test"
S, S2 = DEFAULT_SPACE_ID, OTHER_SPACE_ID
V = "2024-05-01"
SW = {"name": "runtime-24.1-py3.11"}


@functools.cache
def shared_app() -> MockApp:
    return create_app(engine=Engine(Store(), clock=Clock(START_MS)))


def fresh_app() -> MockApp:
    app = shared_app()
    app.control.reset()
    return app


def om_seed(*models: str, service: str = "svc") -> dict:
    return {"openmetadata": {"mlmodelService": [{"name": service, "serviceType": "Mlflow"}],
                             "mlmodel": [{"name": m, "service": service, "algorithm": "KMeans"} for m in models]}}


def wml_seed(space: str = S, *, deployment: bool = True) -> dict:
    kinds: dict = {"model": [{"name": "churn", "type": "scikit-learn_1.3", "software_spec": SW, "space_id": space}]}
    if deployment:
        kinds["deployment"] = [{"name": "churn-online", "online": {}, "asset": {"id": "${model:churn}"},
                                "space_id": space}]
    return {"wml": kinds}


def q(space: str = S, **params) -> dict:
    return {"version": V, "space_id": space, **params}


# The fixtures of the modules that need a fresh app per test (imported by name where used).
@pytest.fixture
def app():
    return fresh_app()


@pytest.fixture
def om(app, make_client):
    return make_client(app, token=app.token)


@pytest.fixture
def root(app, make_client):
    return make_client(app, token=app.token, base_url=ROOT)
