#!/usr/bin/env bash
# The dashboard's browser test (tests/test_dashboard.py) needs a real Chromium and Playwright.
# `playwright install` downloads its own browser build, which CI cannot fetch: Debian's chromium
# package is used instead, driven through executable_path. Without them the test skips.
set -euo pipefail
PLAYWRIGHT_VERSION="1.65.2"
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
python -m pip install --quiet "playwright==${PLAYWRIGHT_VERSION}"
chromium --version 2>/dev/null || true
