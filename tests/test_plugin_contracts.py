"""mlmock/contract_items.py: ``pytest --mlmock-target-url URL --mlmock-api API`` runs the contract
suite as one pytest item per rule and subject, against a correct and a defective server."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from mlmock.mockserver import Settings, create_app
from mlmock.mockserver.devtools.live import LiveServer

sys.path.insert(0, str(Path(__file__).parent / "contracts"))
from om_defects import NoopUpsertTouches, TotalIsPageSize  # noqa: E402


def _pytest(tmp_path, url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider",
                           "-p", "no:pytest_openmetadata", "--rootdir", str(tmp_path), str(tmp_path),
                           "--mlmock-target-url", url, "--mlmock-api", "openmetadata", "--mlmock-token", "t",
                           "--mlmock-max-examples", "2", *args],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)


def test_each_rule_and_subject_is_an_item_that_passes_on_a_correct_server(tmp_path):
    with LiveServer(create_app(settings=Settings(token="t"))) as server:
        proc = _pytest(tmp_path, server.url, "-m", "pagination", "--junitxml", str(tmp_path / "j.xml"))
    assert proc.returncode == 0, proc.stdout[-3000:]
    cases = ET.parse(tmp_path / "j.xml").getroot().iter("testcase")
    ids = [f"{c.get('classname')}::{c.get('name')}" for c in cases]  # JUnit splits the node id
    assert any("pagination.total" in i and i.endswith("::mlmodel") for i in ids), ids
    assert all("openmetadata" in i and "pagination." in i for i in ids) and len(ids) > 5, ids


def test_a_defect_fails_its_item_with_the_rule_and_a_reproduction(tmp_path):
    with LiveServer(TotalIsPageSize(create_app(settings=Settings(token="t")))) as server:
        proc = _pytest(tmp_path, server.url, "-k", "pagination.total", "-rf")
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert "FAILED ::openmetadata::pagination.total::mlmodel" in proc.stdout
    assert "reproduce: curl -sS -X GET" in proc.stdout


def test_the_api_is_required(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:pytest_openmetadata", str(tmp_path),
                           "--mlmock-target-url", "http://127.0.0.1:1"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 4 and "--mlmock-target-url needs --mlmock-api" in proc.stderr


def test_a_broken_reading_warns_by_default_and_fails_with_strict(tmp_path):
    # NoopUpsertTouches breaks reading 24 (a no-op upsert leaves updatedAt alone), not the reference.
    with LiveServer(NoopUpsertTouches(create_app(settings=Settings(token="t")))) as server:
        lenient = _pytest(tmp_path, server.url, "-k", "conflict.version-rules", "-rf")
        strict = _pytest(tmp_path, server.url, "-k", "conflict.version-rules", "-rf", "--mlmock-strict")
    assert lenient.returncode == 0, lenient.stdout[-3000:]
    assert "ContractReading" in lenient.stdout and "reading 24" in lenient.stdout.lower(), lenient.stdout[-3000:]
    assert strict.returncode == 1, strict.stdout[-3000:]
    assert "FAILED ::openmetadata::conflict.version-rules" in strict.stdout


def test_an_unreachable_target_stops_the_run_with_one_line(tmp_path):
    proc = _pytest(tmp_path, "http://127.0.0.1:9", "-k", "pagination.total")
    assert proc.returncode == 4, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "mlmock contract suite cannot run: " in proc.stdout + proc.stderr
