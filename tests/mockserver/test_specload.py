"""connexion's spec validation is skipped only for bytes that passed it before (http/specload.py)."""

from __future__ import annotations

import connexion
import pytest
from connexion.exceptions import InvalidSpecification

from mlmock import spec as specs
from mlmock.mockserver.http import specload

VALID = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
         "paths": {"/x": {"get": {"operationId": "x", "responses": {"200": {"description": "ok"}}}}}}
INVALID = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
           "paths": {"/x": {"get": {"operationId": "x", "responses": {"200": {"no-description": 1}}}}}}


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MLMOCK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("MLMOCK_SPEC_CACHE", raising=False)


@pytest.fixture
def validations(monkeypatch):
    """How often connexion's own check ran; the digest of the 'spec file' is settable."""
    calls = []
    original = specload._ORIGINAL

    def counting(cls, spec):
        calls.append(1)
        original(cls, spec)

    monkeypatch.setattr(specload, "_ORIGINAL", counting)
    digest = {"value": "bytes-1"}
    monkeypatch.setattr(specs, "digest", lambda api: digest["value"])
    return calls, digest


def _add(document) -> None:
    specload.add_api(connexion.AsyncApp(__name__), "openmetadata", document,
                     resolver=lambda _op: (lambda: None))


def test_a_verdict_is_recorded_and_reused(validations):
    calls, _ = validations
    _add(VALID)
    _add(VALID)
    _add(VALID)
    assert len(calls) == 1


def test_changed_bytes_are_validated_again(validations):
    calls, digest = validations
    _add(VALID)
    digest["value"] = "bytes-2"
    _add(VALID)
    assert len(calls) == 2


def test_an_invalid_spec_is_refused_every_time(validations):
    calls, _ = validations
    for _ in range(2):
        with pytest.raises(InvalidSpecification):
            _add(INVALID)
    assert len(calls) == 2


def test_a_corrupt_verdict_is_ignored(validations, tmp_path):
    calls, _ = validations
    _add(VALID)
    for entry in (tmp_path / "cache" / "spec").glob("connexion-valid-*.bin"):
        entry.write_bytes(b"mlmock-spec-cache 1\n" + b"\0" * 40)
    _add(VALID)
    assert len(calls) == 2


def test_the_check_runs_outside_add_api(validations):
    """Specifications connexion builds for anyone else are validated as always."""
    calls, _ = validations
    _add(VALID)
    with pytest.raises(InvalidSpecification):
        connexion.AsyncApp(__name__).add_api(INVALID, resolver=lambda _op: (lambda: None))
    assert len(calls) == 2
