// The mlmock dashboard: a thin view of the control plane (/_mlmock/api). No framework, no
// network access beyond the mock itself; every value is written with textContent.
"use strict";

const API = "api";
const state = { journalSince: 0, kind: null, lifecycleKinds: [], busy: false };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    node.append(child instanceof Node ? child : document.createTextNode(child == null ? "" : String(child)));
  }
  return node;
}

function say(message, error = false) {
  const status = document.getElementById("status");
  status.textContent = message;
  status.className = error ? "error" : "";
}

async function call(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(`${API}${path}`, options);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const message = data && data.error ? data.error.message : `${response.status}`;
    throw new Error(message);
  }
  return data;
}

async function act(label, fn) {
  try {
    await fn();
    say(label);
    await refresh();
  } catch (error) {
    say(`${label} failed: ${error.message}`, true);
  }
}

// ------------------------------------------------------------------ overview

function renderApis(apis) {
  const nav = document.getElementById("apis");
  if (nav.childElementCount) return;
  for (const api of apis) {
    nav.append(el("a", { href: api.swagger_ui, "data-api": api.name }, `${api.name} Swagger UI`));
    nav.append(el("a", { href: api.spec }, `${api.name} spec`));
  }
}

function renderResources(rows) {
  const body = document.querySelector("#resources tbody");
  body.replaceChildren(...rows.map((row) => {
    const open = () => showKind(row.api, row.kind, row.scope);
    const button = el("button", { onclick: (event) => { event.stopPropagation(); open(); } }, "show");
    return el("tr", { class: "clickable", "data-kind": `${row.api}.${row.kind}`, onclick: open },
      el("td", {}, row.api), el("td", {}, row.kind), el("td", { class: "wrap" }, row.scope || "—"),
      el("td", { class: "count" }, row.count), el("td", {}, button));
  }));
}

function renderFaults(rules) {
  const body = document.querySelector("#faults tbody");
  body.replaceChildren(...rules.map((rule) => {
    const effect = [rule.drop ? "drop" : "", rule.status ? `status ${rule.status}` : "",
      rule.delay_ms ? `delay ${rule.delay_ms.join("-")} ms` : "",
      rule.probability < 1 ? `p=${rule.probability}` : "", rule.skip ? `after ${rule.skip}` : ""]
      .filter(Boolean).join(", ");
    return el("tr", { "data-rule": rule.id },
      el("td", {}, rule.id), el("td", {}, rule.method), el("td", { class: "path" }, rule.path),
      el("td", {}, effect), el("td", {}, rule.remaining == null ? "∞" : rule.remaining), el("td", {}, rule.fired),
      el("td", {}, el("button", { onclick: () => act(`rule ${rule.id} removed`,
        () => call("DELETE", `/faults/${rule.id}`)) }, "remove")));
  }));
}

function renderLifecycles(data) {
  state.lifecycleKinds = data.kinds;
  const body = document.querySelector("#lifecycles tbody");
  body.replaceChildren(el("tr", {}, el("td", {}, "default"), el("td", { "data-pace": "default" }, data.policies.default),
    el("td", {}, "")),
  ...data.kinds.map((kind) => el("tr", {},
    el("td", {}, `${kind.api}.${kind.kind}`),
    el("td", { "data-pace": `${kind.api}.${kind.kind}` }, kind.progression),
    el("td", { class: "wrap" }, kind.states.join(", ")))));
  const select = document.getElementById("progression-kind");
  if (select.options.length === 1) {
    for (const kind of data.kinds) {
      select.append(el("option", { value: `${kind.api}.${kind.kind}` }, `${kind.api}.${kind.kind}`));
    }
  }
}

// After an action everything is redrawn; the periodic refresh only updates the states shown in
// the open kind, so that a state being chosen in a menu is not swept away.
async function refresh(periodic = false) {
  const overview = await call("GET", "/state");
  renderApis(await infoOnce());
  document.getElementById("clock").textContent = new Date(overview.clock.now_ms).toISOString();
  renderResources(overview.resources);
  renderFaults(overview.faults);
  renderLifecycles(await call("GET", "/lifecycles"));
  if (state.kind) await showKind(...state.kind, periodic);
}

let info = null;
async function infoOnce() {
  if (!info) info = (await call("GET", "")).apis;
  return info;
}

// ------------------------------------------------------------------ one kind's resources

async function showKind(api, kind, scope, periodic = false) {
  state.kind = [api, kind, scope];
  const query = scope ? `?scope=${encodeURIComponent(scope)}` : "";
  const data = await call("GET", `/resources/${encodeURIComponent(api)}/${encodeURIComponent(kind)}${query}`);
  const shown = [...document.querySelectorAll("#items tbody tr")].map((row) => row.dataset.id);
  if (periodic && shown.join() === data.items.map((item) => item.id).join()) {
    for (const item of data.items) {
      const cell = document.querySelector(`#items tr[data-id="${CSS.escape(item.id)}"] td.state`);
      if (cell) cell.textContent = item.state == null ? "" : item.state;
    }
    return;
  }
  const lifecycle = state.lifecycleKinds.find((k) => k.api === api && k.kind === kind);
  document.getElementById("kind-panel").hidden = false;
  document.getElementById("kind-title").textContent = `${api}.${kind}${scope ? ` in ${scope}` : ""}`;
  const body = document.querySelector("#items tbody");
  body.replaceChildren(...data.items.map((item) => {
    const cell = el("td", {});
    if (lifecycle) {
      const base = `/resources/${encodeURIComponent(api)}/${encodeURIComponent(kind)}/${encodeURIComponent(item.id)}`;
      const select = el("select", { "aria-label": "state" }, ...lifecycle.states.map((s) => el("option", {}, s)));
      cell.append(
        el("button", { class: "step", onclick: () => act(`${item.id} stepped`, () => call("POST", `${base}/step`)) },
          "step"),
        " ", select, " ",
        el("button", { class: "force", onclick: () => act(`${item.id} forced to ${select.value}`,
          () => call("POST", `${base}/state`, { state: select.value })) }, "force"));
    }
    return el("tr", { "data-id": item.id },
      el("td", { class: "wrap" }, item.id), el("td", {}, item.name), el("td", { class: "wrap" }, item.scope || "—"),
      el("td", { class: "state" }, item.state == null ? "" : item.state), cell);
  }));
}

// ------------------------------------------------------------------ journal

async function pollJournal() {
  if (document.getElementById("journal-pause").checked) return;
  const data = await call("GET", `/journal?since=${state.journalSince}`);
  const body = document.querySelector("#journal tbody");
  for (const entry of data.entries) {
    state.journalSince = Math.max(state.journalSince, entry.seq);
    const status = entry.dropped ? "dropped" : entry.status;
    const row = el("tr", { class: "clickable", "data-seq": entry.seq, "data-path": entry.path,
      onclick: () => showEntry(entry) },
      el("td", {}, entry.seq), el("td", {}, entry.time.slice(11, 23)), el("td", {}, entry.method),
      el("td", { class: "path" }, entry.path + (entry.query ? `?${entry.query}` : "")),
      el("td", { class: entry.dropped ? "dropped" : `s${String(entry.status)[0]}` }, status),
      el("td", {}, entry.duration_ms.toFixed(1)), el("td", {}, entry.fault || ""));
    body.prepend(row);
  }
  while (body.childElementCount > 500) body.lastElementChild.remove();
  applyJournalFilter();
  document.getElementById("journal-count").textContent = `(${body.childElementCount} shown)`;
}

function globToRegExp(glob) {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`);
}

function applyJournalFilter() {
  const glob = document.getElementById("journal-filter").value.trim();
  const pattern = glob ? globToRegExp(glob) : null;
  for (const row of document.querySelectorAll("#journal tbody tr")) {
    row.hidden = pattern ? !pattern.test(row.dataset.path) : false;
  }
}

function showEntry(entry) {
  const detail = document.getElementById("journal-detail");
  detail.hidden = false;
  detail.textContent = JSON.stringify(entry, null, 2);
}

// ------------------------------------------------------------------ wiring

function number(id) {
  const value = document.getElementById(id).value;
  return value === "" ? undefined : Number(value);
}

function wire() {
  document.getElementById("reset").addEventListener("click", () => act("everything reset", async () => {
    await call("POST", "/reset");
    document.querySelector("#journal tbody").replaceChildren();
    state.journalSince = 0;
    state.kind = null;
    document.getElementById("kind-panel").hidden = true;
  }));
  document.getElementById("advance").addEventListener("click", () => act("clock advanced",
    () => call("POST", "/clock", { advance_ms: number("advance-ms") || 0 })));
  document.getElementById("journal-clear").addEventListener("click", () => act("journal cleared", async () => {
    await call("DELETE", "/journal");
    document.querySelector("#journal tbody").replaceChildren();
  }));
  document.getElementById("journal-filter").addEventListener("input", applyJournalFilter);
  document.getElementById("fault-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const rule = { method: document.getElementById("fault-method").value,
      path: document.getElementById("fault-path").value || "*" };
    const status = number("fault-status"), delay = number("fault-delay"), times = number("fault-times");
    const probability = number("fault-probability");
    if (status !== undefined) rule.status = status;
    if (delay !== undefined) rule.delay_ms = delay;
    if (times !== undefined) rule.times = times;
    if (probability !== undefined) rule.probability = probability;
    if (document.getElementById("fault-drop").checked) rule.drop = true;
    act("rule added", () => call("POST", "/faults", rule));
  });
  document.getElementById("faults-clear").addEventListener("click", () => act("rules cleared",
    () => call("DELETE", "/faults")));
  document.getElementById("progression-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const target = document.getElementById("progression-kind").value;
    const body = { progression: document.getElementById("progression-value").value };
    if (target) [body.api, body.kind] = target.split(".");
    act("pace set", () => call("PUT", "/lifecycles", body));
  });
}

async function tick() {
  try {
    await pollJournal();
  } catch (error) {
    say(`journal: ${error.message}`, true);
  }
}

wire();
refresh().then(() => say("connected")).catch((error) => say(error.message, true));
tick();
setInterval(tick, 1000);
setInterval(() => refresh(true).catch((error) => say(error.message, true)), 3000);
