"""``mlmock validate``: the passive judgement on a recording; reports; exit codes 0, 1, 2."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import om_defects
import workflows

from mlmock import har
from mlmock.cli import main


def _record(tmp_path, upstream, name="s.har", workflow=workflows.openmetadata):
    path = tmp_path / name
    recorder = har.Recorder(path)
    workflows.run(workflow, upstream, recorder=recorder, strict=False)
    recorder.close()
    return path


def test_a_clean_recording_exits_0(tmp_path, capsys):
    path = _record(tmp_path, workflows.mock())
    report = tmp_path / "r.json"
    assert main(["validate", str(path), "--report", str(report)]) == 0
    data = json.loads(report.read_text())
    assert data["violations"] == [] and data["judged"] == data["exchanges"] > 20
    assert "no violations" in capsys.readouterr().out


def test_a_recording_of_a_defect_exits_1_with_reports(tmp_path, capsys):
    app = om_defects.PostUpserts(workflows.mock())
    app.token = workflows.TOKEN
    path = _record(tmp_path, app)
    report, junit = tmp_path / "r.json", tmp_path / "j.xml"
    assert main(["validate", str(path), "--api", "openmetadata", "--report", str(report),
                 "--junit-xml", str(junit)]) == 1
    data = json.loads(report.read_text())
    violation = next(v for v in data["violations"] if v["rule"] == "conflict.duplicate-create")
    assert violation["provenance"] == data["rules"]["conflict.duplicate-create"]["provenance"]
    assert violation["operation"] == "createMlModel"
    assert violation["exchange"]["request"]["method"] == "POST"
    assert violation["exchange"]["response"]["status"] == 201
    failures = ET.parse(junit).getroot().iter("failure")
    assert any("live mlmodel" in (f.get("message") or "") for f in failures)
    out = capsys.readouterr()
    assert "conflict.duplicate-create" in out.out and "FAIL conflict.duplicate-create" in out.err


def test_a_truncated_recording_exits_2(tmp_path, capsys):
    path = _record(tmp_path, workflows.mock())
    cut = tmp_path / "cut.har"
    cut.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    assert main(["validate", str(cut)]) == 2
    assert "truncated" in capsys.readouterr().err


def test_the_proxy_records_no_secret(tmp_path):
    path = _record(tmp_path, workflows.mock(), workflow=workflows.wml)
    text = path.read_text()
    assert f"Bearer {workflows.TOKEN}" not in text and "REDACTED" in text
