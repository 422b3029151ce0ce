// The scenario editor: an actors x issues table checked against the server's rules as
// the user types, a run form with progress and cancel, and read-only views of beliefs,
// messages and events. Each number shows the evidence recorded for it, each issue what the
// ends of its scale mean; an edited scenario is named "<name> (edited)" unless the user
// names it. The scenario lives in this tab only (never shared on the server).
"use strict";

(() => {
  const { api, el, runJob } = summitry;
  const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
  let scn = null;
  let original = null; // the scenario as loaded, to tell an edited one by
  let named = false; // the user named the scenario: keep that name
  let evidence = {}; // field path -> evidence entries
  let timer = null;
  let checks = 0;
  let valid = false;

  const $ = (id) => document.getElementById(id);

  // Edits are kept in this tab (sessionStorage), so a reload or the back button keeps them.
  const KEPT = `summitry.edit:${window.location.search}`;

  function keep() {
    sessionStorage.setItem(KEPT, JSON.stringify({ scenario: scn, original, named }));
  }

  async function load() {
    const kept = sessionStorage.getItem(KEPT);
    if (kept) {
      $("kept").hidden = false;
      const data = JSON.parse(kept);
      if (data.scenario) {
        original = data.original;
        named = Boolean(data.named);
        return data.scenario;
      }
      return data;
    }
    return loadOriginal();
  }

  // -- the scenario's name: an edited scenario is named as such ---------------------------

  const EDITED = " (edited)";

  function withoutName(s) { return JSON.stringify({ ...s, name: "" }); }

  /** Name the scenario "<original> (edited)" once it differs from the original. */
  function rename() {
    if (named || !original) return;
    const base = original.name;
    const edited = withoutName(scn) !== withoutName(original);
    scn.name = edited && !base.endsWith(EDITED) ? base + EDITED : base;
    showName();
  }

  function showName() {
    $("scenario-name").textContent = scn.name;
    if ($("run-name").value !== scn.name) $("run-name").value = scn.name;
  }

  async function loadOriginal() {
    const q = new URLSearchParams(window.location.search);
    if (q.get("scenario")) {
      return api("GET", `/api/scenarios/${encodeURIComponent(q.get("scenario"))}`);
    }
    if (q.get("run")) {
      return (await api("GET", `/api/runs/${encodeURIComponent(q.get("run"))}`)).scenario;
    }
    if (q.get("upload")) {
      const text = sessionStorage.getItem("summitry.upload");
      if (text) return JSON.parse(text);
      throw new Error("this tab holds no uploaded scenario; upload it again from the start page");
    }
    throw new Error("no scenario chosen; pick one on the start page");
  }

  /** A number when the text is one, null when empty, else the text (the server names it). */
  function parse(text) {
    const s = text.trim();
    if (s === "") return null;
    return NUMBER.test(s) ? Number(s) : s;
  }

  function field(path, value, label) {
    const input = el("input", { type: "text", inputmode: "decimal", "data-path": path, "aria-label": label });
    input.value = value === null || value === undefined ? "" : String(value);
    return input;
  }

  function label(actor) { return actor.name || actor.id; }

  /** Evidence entries by the field path they support. */
  function indexEvidence() {
    evidence = {};
    for (const e of scn.evidence || []) (evidence[e.supports] = evidence[e.supports] || []).push(e);
  }

  function where(e) {
    let text = e.source;
    if (e.paragraph !== null && e.paragraph !== undefined) text += `, paragraph ${e.paragraph}`;
    if (e.fact_date) text += `, fact of ${e.fact_date}`;
    return text;
  }

  /** The evidence recorded for a number (its own path, then the wider ones), beside it. */
  function sources(what, ...paths) {
    const found = paths.flatMap((p) => evidence[p] || []);
    if (!found.length) {
      return el("span", { class: "ev none", "data-evidence": paths[0], title: `no evidence recorded for the ${what}`, text: "no source" });
    }
    return el("details", { class: "ev", "data-evidence": paths[0] },
      el("summary", { title: `evidence for the ${what}`, text: `${found.length} source${found.length === 1 ? "" : "s"}` }),
      el("ul", {}, ...found.map((e) => el("li", {}, e.rationale, " ", el("span", { class: "src", text: where(e) })))));
  }

  /** What the ends of an issue's scale mean. */
  function anchors(issue) {
    const s = issue.scale;
    const ends = [[s.min, s.low], [s.max, s.high]].filter(([, words]) => words);
    return el("div", { class: "anchors" }, ...ends.map(([at, words]) =>
      el("div", {}, el("b", { text: `${at}` }), ` ${words}`)));
  }

  function scaleWords(issue) {
    const s = issue.scale;
    return `${s.min}${s.low ? ` (${s.low})` : ""} to ${s.max}${s.high ? ` (${s.high})` : ""}`;
  }

  function number(path, value, text, what, ...paths) {
    return el("div", { class: "num" },
      el("label", {}, text, field(path, value, what)), sources(what, ...paths));
  }

  function buildGrid() {
    indexEvidence();
    const grid = $("grid");
    const head = el("tr", {}, el("th", { text: "actor" }), el("th", { text: "capability" }));
    scn.issues.forEach((issue, j) => {
      const about = issue.description
        ? el("details", { class: "about" }, el("summary", { text: "about this issue" }), el("p", { text: issue.description }))
        : "";
      head.append(el("th", { "data-issue": issue.id },
        el("div", { class: "issue-head", text: issue.id }),
        el("div", { class: "scale", text: `scale ${issue.scale.min} to ${issue.scale.max}` }),
        anchors(issue), about,
        number(`issues[${j}].status_quo`, issue.status_quo, "status quo", `status quo of ${issue.id}`,
          `issues.${issue.id}.status_quo`, `issues.${issue.id}`)));
    });
    const body = el("tbody");
    scn.actors.forEach((actor, k) => {
      const row = el("tr", { "data-actor": actor.id });
      row.append(el("th", { class: "actor", text: label(actor), title: actor.id }));
      row.append(el("td", {}, number(`actors[${k}].capability`, actor.capability, "", `capability of ${actor.id}`,
        `actors.${actor.id}.capability`, `actors.${actor.id}`)));
      for (const issue of scn.issues) {
        const stance = (scn.positions[actor.id] || {})[issue.id] || {};
        const at = `positions.${actor.id}.${issue.id}`;
        const veto = el("input", {
          type: "checkbox", "data-path": `actors[${k}].veto`, "data-issue": issue.id,
          "aria-label": `${actor.id} can veto ${issue.id}`,
        });
        veto.checked = actor.veto.includes(issue.id);
        const position = number(`${at}.position`, stance.position, "position", `position of ${actor.id} on ${issue.id}`,
          `${at}.position`, at);
        position.querySelector("input").title = `scale ${scaleWords(issue)}`;
        row.append(el("td", { "data-cell": `${actor.id}.${issue.id}` }, el("div", { class: "cell" },
          position,
          number(`${at}.salience`, stance.salience, "salience", `salience of ${actor.id} on ${issue.id}`, `${at}.salience`),
          el("label", {}, "veto", veto))));
      }
      body.append(row);
    });
    grid.replaceChildren(el("thead", {}, head), body);
  }

  /** Copy one edited input into the scenario. */
  function apply(input) {
    const path = input.dataset.path;
    let m = path.match(/^positions\.([^.]+)\.([^.]+)\.(position|salience)$/);
    if (m) {
      const [, actor, issue] = m;
      const stances = (scn.positions[actor] = scn.positions[actor] || {});
      const pos = document.querySelector(`[data-path="positions.${actor}.${issue}.position"]`).value;
      const sal = document.querySelector(`[data-path="positions.${actor}.${issue}.salience"]`).value;
      if (pos.trim() === "" && sal.trim() === "") {
        delete stances[issue];
      } else {
        const old = stances[issue] || { position_sd: null, salience_sd: null };
        stances[issue] = { ...old, position: parse(pos) ?? "", salience: parse(sal) ?? "" };
      }
      return;
    }
    if ((m = path.match(/^actors\[(\d+)\]\.capability$/))) {
      scn.actors[Number(m[1])].capability = parse(input.value) ?? "";
    } else if ((m = path.match(/^actors\[(\d+)\]\.veto$/))) {
      const actor = scn.actors[Number(m[1])];
      const chosen = new Set(actor.veto);
      if (input.checked) chosen.add(input.dataset.issue); else chosen.delete(input.dataset.issue);
      actor.veto = scn.issues.map((i) => i.id).filter((id) => chosen.has(id));
    } else if ((m = path.match(/^issues\[(\d+)\]\.status_quo$/))) {
      scn.issues[Number(m[1])].status_quo = parse(input.value);
    }
  }

  /** The input a field path points at, or null. */
  function inputFor(path) {
    if (!path) return null;
    let m = path.match(/^actors\[(\d+)\]\.veto\[(\d+)\]/);
    if (m) {
      const actor = scn.actors[Number(m[1])];
      const issue = actor && actor.veto[Number(m[2])];
      if (issue) return document.querySelector(`[data-path="actors[${m[1]}].veto"][data-issue="${CSS.escape(issue)}"]`);
    }
    for (let p = path; p; ) {
      const found = document.querySelector(`[data-path="${CSS.escape(p)}"]`);
      if (found) return found;
      const cut = p.search(/(\.[^.[\]]+|\[\d+\])$/);
      if (cut <= 0) break;
      p = p.slice(0, cut);
    }
    m = path.match(/^positions\.([^.]+)\.([^.]+)/);
    if (m) return document.querySelector(`[data-path="positions.${CSS.escape(m[1])}.${CSS.escape(m[2])}.position"]`);
    return null;
  }

  function clearErrors() {
    for (const node of document.querySelectorAll(".cell-error")) node.remove();
    for (const node of document.querySelectorAll("input.invalid")) {
      node.classList.remove("invalid");
      node.removeAttribute("aria-invalid");
    }
    $("form-error").hidden = true;
  }

  /** Show an API error next to the input it names, or above the table. */
  function showError(error) {
    const target = inputFor(error.path);
    if (target) {
      target.classList.add("invalid");
      target.setAttribute("aria-invalid", "true");
      (target.closest("td, th") || target.parentElement).append(el("span", { class: "cell-error", role: "alert", text: error.rule || error.message }));
      target.focus({ preventScroll: false });
    } else {
      $("form-error").textContent = error.message;
      $("form-error").hidden = false;
    }
    const validity = $("validity");
    validity.className = "validity bad";
    validity.textContent = target ? "not valid: see the marked field" : "not valid";
  }

  function updateRun() {
    $("run").disabled = !valid;
    $("save").disabled = !valid;
  }

  async function save() {
    const res = await fetch("/api/yaml", {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(scn),
    });
    if (!res.ok) {
      showError(await res.json());
      return;
    }
    const link = el("a", {
      href: URL.createObjectURL(await res.blob()),
      download: (res.headers.get("content-disposition") || "").match(/filename="([^"]+)"/)?.[1] || "scenario.yaml",
    });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }

  function schedule() {
    valid = false;
    updateRun();
    $("validity").className = "validity";
    $("validity").textContent = "checking…";
    clearTimeout(timer);
    timer = setTimeout(check, 250);
  }

  async function check() {
    const mine = ++checks;
    let res, data;
    try {
      res = await fetch("/api/validate", {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(scn),
      });
      data = await res.json();
    } catch (err) {
      data = { message: `could not reach the server: ${err.message}` };
      res = { ok: false };
    }
    if (mine !== checks) return; // a newer check is under way
    clearErrors();
    valid = res.ok;
    if (valid) {
      $("validity").className = "validity ok";
      $("validity").textContent = `valid · input ${data.input_sha256.slice(0, 12)}`;
    } else {
      showError(data);
    }
    updateRun();
  }

  async function run() {
    const models = [...document.querySelectorAll("input[name=model]:checked")].map((i) => i.value);
    const body = {
      scenario: scn,
      models: models.length ? models : null,
      samples: parse($("samples").value),
      seed: parse($("seed").value),
    };
    valid = false;
    updateRun();
    clearErrors();
    try {
      const job = await runJob("/api/jobs", body, $("job"));
      window.location.href = job.result.view;
    } catch (err) {
      if (err.status !== "cancelled") showError(err.body);
      valid = true;
      updateRun();
    }
  }

  // -- beliefs, messages, events (read only) ----------------------------------------------

  function table(head, rows) {
    return el("table", {},
      el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { text: h })))),
      el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", { text: c ?? "" }))))));
  }

  function describe(change, names) {
    const who = change.actor ? names[change.actor] || change.actor : "";
    const amount = change.to != null ? `to ${change.to}` : change.by != null ? `by ${change.by > 0 ? "+" : ""}${change.by}` : "";
    if (change.kind === "message") {
      const to = change.audience.map((a) => names[a] || a).join(", ");
      return `message from ${names[change.sender] || change.sender} to ${to}: ${change.issue} at ${change.position}`;
    }
    if (change.kind === "belief") {
      return `${names[change.observer] || change.observer} believes of ${names[change.about] || change.about}` +
        `${change.issue ? ` on ${change.issue}` : ""}: ${["position", "salience", "capability"].filter((k) => change[k] != null).map((k) => `${k} ${change[k]}`).join(", ")}`;
    }
    return [change.kind.replace("_", " "), who, change.issue || "", amount].filter(Boolean).join(" ");
  }

  function buildPerception() {
    const names = Object.fromEntries(scn.actors.map((a) => [a.id, label(a)]));
    const parts = [];
    if (scn.beliefs.length) {
      parts.push(el("h3", { text: "Beliefs" }), table(
        ["observer", "about", "issue", "position", "salience", "capability"],
        scn.beliefs.map((b) => [names[b.observer] || b.observer, names[b.about] || b.about, b.issue, b.position, b.salience, b.capability])));
    }
    if (scn.messages.length) {
      parts.push(el("h3", { text: "Messages" }), table(
        ["message", "from", "to", "issue", "position told", "salience told"],
        scn.messages.map((m) => [m.id, names[m.sender] || m.sender, m.audience.map((a) => names[a] || a).join(", "), m.issue, m.position, m.salience])));
    }
    $("beliefs").replaceChildren(...parts);
    $("beliefs-section").hidden = parts.length === 0;
    if (scn.events.length) {
      $("events").replaceChildren(table(
        ["date", "event", "changes"],
        scn.events.map((e) => [e.date, e.label, e.changes.length ? e.changes.map((c) => describe(c, names)).join("; ") : "(a milestone: nothing changes)"])));
      $("events-section").hidden = false;
    }
  }

  document.addEventListener("DOMContentLoaded", async () => {
    try {
      scn = await load();
    } catch (err) {
      $("loading").hidden = true;
      $("load-error").textContent = err.message;
      $("load-error").hidden = false;
      return;
    }
    original = original || JSON.parse(JSON.stringify(scn));
    showName();
    $("run-name").addEventListener("input", () => {
      named = true;
      scn.name = $("run-name").value;
      $("scenario-name").textContent = scn.name;
      keep();
      schedule();
    });
    $("scenario-description").textContent = (scn.description || "").split("\n\n")[0];
    $("salience-scale").textContent = scn.salience_scale === 100 ? "0 to 100" : "0 to 1";
    buildGrid();
    buildPerception();
    $("grid").addEventListener("input", (event) => {
      if (!event.target.dataset.path) return;
      apply(event.target);
      rename();
      keep();
      schedule();
    });
    $("run").addEventListener("click", run);
    $("start-over").addEventListener("click", () => {
      sessionStorage.removeItem(KEPT);
      window.location.reload();
    });
    $("save").addEventListener("click", save);
    $("loading").hidden = true;
    $("editor").hidden = false;
    check();
  });
})();
