"""Served-operation discovery: nothing is 'not served' on a complete server; framework 404s are."""

from __future__ import annotations

import pytest
from servers import MOCK_TOKEN, TOKEN, independent_app, mock_app

import mlmock.spec as specs
from mlmock.contracts import discovery
from mlmock.contracts.target import Target
from mlmock.mockserver.core.catalogue import DEFAULT_SPACE_ID

DEFAULTS = {"version": "2024-05-01", "space_id": DEFAULT_SPACE_ID}


@pytest.mark.parametrize("api", ["openmetadata", "wml"])
def test_the_mock_serves_every_documented_operation(api):
    target = Target.from_asgi(mock_app(), token=MOCK_TOKEN)
    assert [op.operation_id for op in discovery.unserved(specs.declaration(api), target, DEFAULTS)] == []


def test_a_partial_implementation_is_told_apart_from_unknown_ids():
    target = Target.from_asgi(independent_app(TOKEN), token=TOKEN)
    unserved = {op.operation_id for op in discovery.unserved(specs.declaration("openmetadata"), target, DEFAULTS)}
    # Served routes answer an unknown id with a 404 in the envelope: served. Missing routes: not served.
    assert unserved == {"getCatalogVersion", "bulkCreateOrUpdateMlModels", "getSpecificMlModelVersion",
                        # the independent server has no users and teams, nor service patch/versions/restore
                        "patchMlModelService", "restoreMlModelService", "listAllMlModelServiceVersion",
                        "getSpecificMlModelServiceVersion",
                        "createUser", "createOrUpdateUser", "listUsers", "getUserByID", "getUserByFQN",
                        "patchUser", "deleteUser",
                        "createTeam", "createOrUpdateTeam", "listTeams", "getTeamByID", "getTeamByFQN",
                        "patchTeam", "deleteTeam",
                        # nor dashboards and dashboard services (reading 44)
                        *(f"{verb}{single}{suffix}" for single in ("Dashboard", "DashboardService")
                          for verb, suffix in (("create", ""), ("createOrUpdate", ""), ("restore", ""),
                                               ("get", "ByID"), ("get", "ByFQN"), ("patch", ""), ("delete", ""),
                                               ("listAll", "Version"), ("getSpecific", "Version"))),
                        "listDashboards", "listDashboardServices"}


def test_the_error_envelope_comes_from_the_spec():
    assert discovery.envelope_keys(specs.declaration("openmetadata")) == {"code", "message"}
    assert discovery.envelope_keys(specs.declaration("wml")) == {"trace", "errors"}
