"""The dashboard (/_mlmock/) in a real browser: Debian's Chromium driven by Playwright.

Skips unless both are installed (``.ci/install-browser.sh`` installs them). ``playwright install``
cannot download its own browsers here, so the system Chromium is launched through
``executable_path``.
"""

from __future__ import annotations

import os
import shutil

import httpx
import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (.ci/install-browser.sh)")

CHROMIUM = os.environ.get("MLMOCK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 15_000

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                reason="apt-get install chromium (.ci/install-browser.sh)")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server():
    from mlmock.mockserver import Settings, create_app
    from mlmock.mockserver.devtools.live import LiveServer

    app = create_app(settings=Settings(token="t"))
    with LiveServer(app) as live:
        yield app, live.url


@pytest.fixture
def page(browser, server):
    app, url = server
    app.control.reset()
    context = browser.new_context(base_url=url)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A refused control request (a 4xx the test provokes) is logged by the browser, and shown by the page.
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "status of 4" not in message.text else None)
    yield page
    context.close()
    assert errors == [], errors


def _seed(app) -> str:
    from mlmock.mockserver.core.catalogue import DEFAULT_SPACE_ID as space

    app.control.set_progression("manual", "wml", "deployment")
    report = app.control.seed({
        "openmetadata": {"mlmodelService": [{"name": "svc", "serviceType": "Mlflow"}],
                         "mlmodel": [{"name": "churn", "service": "svc"}]},
        "wml": {"model": [{"name": "m", "type": "scikit-learn_1.3", "software_spec": {"name": "runtime-24.1-py3.11"},
                           "space_id": space}],
                "deployment": [{"name": "d", "online": {}, "asset": {"id": "${model:m}"}, "space_id": space}]}})
    return report["created"]["wml"]["deployment"][0]["id"]


def test_resources_journal_and_fault_rules_live(page, server):
    app, url = server
    _seed(app)
    expect = sync_api.expect
    page.goto("/_mlmock/")
    expect(page.locator("tr[data-kind='openmetadata.mlmodel'] td.count")).to_have_text("1")
    expect(page.locator("tr[data-kind='wml.deployment']")).to_be_visible()

    client = httpx.Client(base_url=url, headers={"Authorization": "Bearer t"}, timeout=10)
    client.get("/api/v1/mlmodels", params={"limit": 3})
    row = page.locator("#journal tbody tr[data-path='/api/v1/mlmodels']").first
    expect(row).to_contain_text("limit=3")
    expect(row).to_contain_text("200")

    page.select_option("#fault-method", "GET")
    page.fill("#fault-path", "/api/v1/mlmodels")
    page.fill("#fault-status", "503")
    page.fill("#fault-times", "1")
    page.click("#fault-add")
    expect(page.locator("#faults tbody tr")).to_have_count(1)
    expect(page.locator("#faults tbody tr")).to_contain_text("status 503")
    assert client.get("/api/v1/mlmodels").status_code == 503
    expect(page.locator("#journal tbody tr td.s5").first).to_have_text("503")
    expect(page.locator("#journal tbody tr").first).to_contain_text("rule 1: status 503")
    page.reload()  # the spent rule is gone from the server, and from the page once reloaded
    expect(page.locator("#faults tbody tr")).to_have_count(0)

    page.fill("#fault-path", "/nothing")
    page.fill("#fault-status", "500")
    page.click("#fault-add")
    page.locator("#faults tbody tr button").click()
    expect(page.locator("#faults tbody tr")).to_have_count(0)
    assert app.control.fault_rules() == []

    page.fill("#journal-filter", "/ml/*")
    expect(page.locator("#journal tbody tr:visible")).to_have_count(0)
    page.fill("#journal-filter", "")
    page.click("#journal-clear")
    expect(page.locator("#journal tbody tr")).to_have_count(0)
    assert app.control.journal_entries() == []
    client.close()


def test_lifecycle_buttons_clock_and_reset(page, server):
    app, url = server
    deployment = _seed(app)
    expect = sync_api.expect
    page.goto("/_mlmock/")
    page.locator("tr[data-kind='wml.deployment'] button").click()
    item = page.locator(f"#items tr[data-id='{deployment}']")
    expect(item.locator("td.state")).to_have_text("initializing")
    item.locator("button.step").click()
    expect(item.locator("td.state")).to_have_text("ready")
    item.locator("select").select_option("failed")
    item.locator("button.force").click()
    expect(item.locator("td.state")).to_have_text("failed")
    assert app.control.resource("wml", "deployment", deployment)["entity"]["status"]["state"] == "failed"

    page.select_option("#progression-kind", "wml.training")
    page.fill("#progression-value", "reads:2")
    page.click("#progression-set")
    expect(page.locator("td[data-pace='wml.training']")).to_have_text("reads:2")
    page.fill("#progression-value", "soon")
    page.click("#progression-set")
    expect(page.locator("#status")).to_contain_text("progression must be")

    clock = page.locator("#clock")
    expect(clock).not_to_be_empty()
    before = clock.text_content()
    page.fill("#advance-ms", str(24 * 3600 * 1000))
    page.click("#advance")
    expect(clock).not_to_have_text(before)

    page.click("#reset")
    expect(page.locator("tr[data-kind='openmetadata.mlmodel']")).to_have_count(0)
    expect(page.locator("#status")).to_have_text("everything reset")
    assert app.control.resources("wml", "deployment")["items"] == []


def test_swagger_ui_of_each_api_renders_its_operations(page, server):
    page.goto("/_mlmock/")
    links = page.locator("#apis a[data-api]")
    sync_api.expect(links).to_have_count(2)
    targets = {api: page.locator(f"#apis a[data-api='{api}']").get_attribute("href") for api in ("openmetadata", "wml")}
    assert targets == {"openmetadata": "/api/v1/ui/", "wml": "/ui/"}
    for api, operation in (("openmetadata", "listMlModels"), ("wml", "deployments_create")):
        page.goto(targets[api])
        sync_api.expect(page.locator(f"[id*='{operation}']").first).to_be_attached()
