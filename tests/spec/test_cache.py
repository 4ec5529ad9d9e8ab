"""The spec cache (spec/cache.py): same documents as PyYAML, invalidated by any change of the
bytes, and a damaged or unusable cache is never an error."""

from __future__ import annotations

import os

import pytest
import yaml

from mlmock import spec
from mlmock.spec import cache

SPEC = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\nx-items: [1, 2.5, true, null, 'a']\n"


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MLMOCK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("MLMOCK_SPEC_CACHE", raising=False)
    return tmp_path / "cache" / "spec"


def _no_parsing(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("parsed although the cache holds the document")

    monkeypatch.setattr(cache.yaml, "safe_load", refuse)


def test_a_cached_document_is_the_parsed_one(tmp_path, cache_dir, monkeypatch):
    source = tmp_path / "api.yaml"
    source.write_text(SPEC)
    first, digest = cache.parse_yaml(source)
    assert first == yaml.safe_load(SPEC)
    assert len(list(cache_dir.glob("yaml-api-*.bin"))) == 1
    _no_parsing(monkeypatch)
    again, same = cache.parse_yaml(source)
    assert again == first and same == digest


def test_the_real_specs_read_back_identical(cache_dir):
    for api in spec.available():
        parsed = yaml.safe_load(spec.path(api).read_text(encoding="utf-8"))
        assert cache.parse_yaml(spec.path(api))[0] == parsed  # parsed, then stored
        assert cache.parse_yaml(spec.path(api))[0] == parsed  # read from the cache


def test_a_changed_spec_is_parsed_again(tmp_path, cache_dir):
    source = tmp_path / "api.yaml"
    source.write_text(SPEC)
    _, before = cache.parse_yaml(source)
    source.write_text(SPEC.replace("'a'", "'b'"))
    changed, after = cache.parse_yaml(source)
    assert changed["x-items"][-1] == "b"
    assert after != before
    source.write_text(SPEC)  # and back: the first entry is still good
    assert cache.parse_yaml(source) == (yaml.safe_load(SPEC), before)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped", "empty", "other-key"])
def test_a_corrupt_cache_file_is_ignored(tmp_path, cache_dir, damage):
    source = tmp_path / "api.yaml"
    source.write_text(SPEC)
    cache.parse_yaml(source)
    [entry] = cache_dir.glob("yaml-api-*.bin")
    raw = entry.read_bytes()
    if damage == "garbage":
        entry.write_bytes(os.urandom(len(raw)))
    elif damage == "truncated":
        entry.write_bytes(raw[: len(raw) - 7])
    elif damage == "flipped":
        entry.write_bytes(raw[:-3] + bytes([raw[-3] ^ 0x40]) + raw[-2:])
    elif damage == "empty":
        entry.write_bytes(b"")
    else:  # a well-formed entry stored for other bytes under this file name
        other = tmp_path / "other" / "api.yaml"
        other.parent.mkdir()
        other.write_text(SPEC.replace("'a'", "'z'"))
        digest = cache.key(other.read_bytes(), "yaml", yaml.__version__)
        cache.store("yaml-api", digest, {"wrong": True})
        entry.write_bytes(next(p for p in cache_dir.glob("yaml-api-*.bin") if p != entry).read_bytes())
    assert cache.parse_yaml(source)[0] == yaml.safe_load(SPEC)
    assert cache.parse_yaml(source)[0] == yaml.safe_load(SPEC)  # rewritten, or ignored again


def test_the_cache_can_be_turned_off(tmp_path, cache_dir, monkeypatch):
    monkeypatch.setenv("MLMOCK_SPEC_CACHE", "0")
    source = tmp_path / "api.yaml"
    source.write_text(SPEC)
    assert cache.parse_yaml(source)[0] == yaml.safe_load(SPEC)
    assert not cache_dir.exists()


def test_an_unwritable_cache_directory_is_no_error(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("MLMOCK_CACHE_DIR", str(blocker))
    source = tmp_path / "api.yaml"
    source.write_text(SPEC)
    assert cache.parse_yaml(source)[0] == yaml.safe_load(SPEC)
    assert cache.store("x", cache.key("k"), 1) is False


def test_values_marshal_cannot_hold_are_not_stored(tmp_path, cache_dir):
    source = tmp_path / "api.yaml"
    source.write_text("when: 2024-01-01\n")  # a datetime.date
    document, _ = cache.parse_yaml(source)
    assert document == yaml.safe_load("when: 2024-01-01\n")
    assert not list(cache_dir.glob("yaml-api-*.bin"))


def test_old_entries_are_pruned(tmp_path, cache_dir):
    for n in range(cache.KEEP + 3):
        cache.store("yaml-api", cache.key(str(n)), n)
    assert len(list(cache_dir.glob("yaml-api-*.bin"))) == cache.KEEP
