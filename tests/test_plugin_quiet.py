"""A user's own pytest run with mlmock's fixtures prints no warning that mlmock causes."""

from __future__ import annotations

import subprocess
import sys

USER_TESTS = '''
import httpx
import requests


def test_openmetadata(openmetadata_mock):
    r = requests.get(openmetadata_mock.url + "/api/v1/mlmodels", headers=openmetadata_mock.headers, timeout=10)
    assert r.status_code == 200


def test_wml(wml_mock):
    r = httpx.get(wml_mock.url + "/ml/v4/models", params={"space_id": wml_mock.space_id, "version": "2024-05-01"},
                  headers=wml_mock.headers, verify=wml_mock.ssl_context)
    assert r.status_code == 200
'''


def test_a_users_pytest_run_shows_no_warning(tmp_path):
    (tmp_path / "test_user.py").write_text(USER_TESTS)
    # Without the OpenMetadata SDK's own pytest plugin (when installed): its warnings are not mlmock's.
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
                           "-p", "no:pytest_openmetadata", str(tmp_path)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "warning" not in (proc.stdout + proc.stderr).lower(), proc.stdout + proc.stderr
