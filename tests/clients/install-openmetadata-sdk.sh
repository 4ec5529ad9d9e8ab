#!/usr/bin/env bash
# Install the official OpenMetadata SDK (openmetadata-ingestion 2.0.7.0) into the current Python
# environment: $PYTHON if set, otherwise the `python` (or `python3`) found on PATH.
#
#   PYTHON=/path/to/venv/bin/python bash tests/clients/install-openmetadata-sdk.sh
#
# A plain `pip install openmetadata-ingestion==2.0.7.0` cannot work: the wheel requires
# certifi>=2026.10.19 (newer than anything published) and collate-data-diff -> dbt-core pulls an
# sdist that downloads from GitHub at build time. So the two distributions are installed with
# --no-deps and their import-time dependencies come, pinned, from requirements-openmetadata.txt.
# Safe to run again (idempotent). Do not follow it with `pip check`: the wheel's unused declared
# dependencies (dbt-core, httpx, lxml, ...) are deliberately absent, so it always complains.
#
# The wheel also registers a pytest plugin (pytest11 entry point "pytest_openmetadata") that every
# pytest run in the environment then loads: about 20 s of extra start-up. The SDK tests do not need
# it; disable it with `-p no:pytest_openmetadata` (pytest addopts or PYTEST_ADDOPTS).
set -euo pipefail

OPENMETADATA_INGESTION_VERSION="2.0.7.0"
COLLATE_DATA_DIFF_VERSION="0.11.18"

here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
requirements="${here}/requirements-openmetadata.txt"

if [[ -z "${PYTHON:-}" ]]; then
    if command -v python >/dev/null 2>&1; then
        PYTHON=python
    else
        PYTHON=python3
    fi
fi

"${PYTHON}" -c '
import sys
if sys.version_info[:2] < (3, 10):
    sys.exit("openmetadata-ingestion 2.0.7.0 needs Python >= 3.10, not " + sys.version.split()[0])
'

pip_install() {
    "${PYTHON}" -m pip install --disable-pip-version-check --no-input "$@"
}

# Dependencies first, the SDK last: the SDK's pytest plugin becomes visible to pytest only once
# everything it imports is in place, so pytest runs in a shared venv never see a half-installed SDK.
pip_install -r "${requirements}"
pip_install --no-deps \
    "openmetadata-ingestion==${OPENMETADATA_INGESTION_VERSION}" \
    "collate-data-diff==${COLLATE_DATA_DIFF_VERSION}"

echo "Checking that the SDK imports (5-8 s)..."
"${PYTHON}" -W ignore -c '
import time
from importlib.metadata import version

start = time.monotonic()
import metadata.sdk
from metadata.ingestion.ometa.ometa_api import OpenMetadata

# The wheel registers this module as a pytest11 plugin, so pytest imports it in every run in this
# environment: if it failed to import, every pytest run here would fail at start-up.
import _openmetadata_testutils.pytest_openmetadata.plugin

print("openmetadata-ingestion", version("openmetadata-ingestion"),
      "imports in %.1f s" % (time.monotonic() - start))
'
