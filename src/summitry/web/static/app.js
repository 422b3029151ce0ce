// summitry web app: what every page shares (jobs with progress and cancel, upload in
// every format the command line reads, re-run). Plain browser JavaScript; no library, nothing from another host.
"use strict";

const summitry = (() => {
  /** Fetch JSON; throw an Error carrying the API's error body as .body. */
  async function api(method, url, body) {
    const init = { method, headers: {} };
    if (body !== undefined) {
      init.headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const res = await fetch(url, init);
    let data = null;
    try { data = await res.json(); } catch (_) { data = null; }
    if (!res.ok) {
      const err = new Error((data && data.message) || `HTTP ${res.status}`);
      err.status = res.status;
      err.body = data || { message: err.message };
      throw err;
    }
    return data;
  }

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c);
    return node;
  }

  /**
   * Start a job (POST url with body), show its progress in `panel` with a Cancel
   * button, and resolve with the finished job; reject with an Error (.body: the API's
   * error) when it fails or is cancelled.
   */
  async function runJob(url, body, panel) {
    const bar = el("progress", { max: "1", value: "0" });
    const stage = el("span", { class: "stage", text: "starting…" });
    const elapsed = el("span", { class: "elapsed" });
    const cancel = el("button", { type: "button", class: "cancel", text: "Cancel" });
    panel.replaceChildren(bar, stage, elapsed, cancel);
    panel.hidden = false;
    let job = await api("POST", url, body);
    cancel.addEventListener("click", async () => {
      cancel.disabled = true;
      stage.textContent = "cancelling (after the current stage)…";
      try { await api("DELETE", `/api/jobs/${job.job_id}`); } catch (_) { /* gone */ }
    });
    while (["queued", "running"].includes(job.status)) {
      bar.max = job.total; bar.value = job.done;
      if (!cancel.disabled) stage.textContent = `${job.stage} (${job.done}/${job.total})`;
      elapsed.textContent = job.elapsed_s == null ? "" : `${job.elapsed_s.toFixed(1)} s`;
      await new Promise((r) => setTimeout(r, 250));
      job = await api("GET", `/api/jobs/${job.job_id}`);
    }
    bar.max = job.total; bar.value = job.done;
    cancel.remove();
    if (job.status === "done") {
      stage.textContent = "done";
      return job;
    }
    const err = new Error(job.error ? job.error.message : job.status);
    err.body = job.error || { message: job.status };
    err.status = job.status;
    stage.textContent = job.status === "cancelled" ? "cancelled" : `failed: ${err.message}`;
    panel.classList.add(job.status);
    throw err;
  }

  function wireRerun() {
    const panel = document.getElementById("job");
    for (const button of document.querySelectorAll("button.rerun")) {
      button.addEventListener("click", async () => {
        document.querySelectorAll("button.rerun").forEach((b) => { b.disabled = true; });
        try {
          const job = await runJob(`/api/runs/${button.dataset.run}/rerun`, undefined, panel);
          window.location.href = job.result.view;
        } catch (err) {
          panel.append(el("div", { class: "error-banner", role: "alert", text: err.message }));
          document.querySelectorAll("button.rerun").forEach((b) => { b.disabled = false; });
        }
      });
    }
  }

  function wireUpload() {
    const form = document.getElementById("upload");
    if (!form) return;
    const banner = document.getElementById("upload-error");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      banner.hidden = true;
      const file = document.getElementById("upload-file").files[0];
      if (!file) { banner.textContent = "Choose a file first."; banner.hidden = false; return; }
      const format = document.getElementById("upload-format").value;
      const json = format === "json" || (!format && (/\.json$/i.test(file.name) || file.type === "application/json"));
      const query = new URLSearchParams({ content: "true", filename: file.name });
      if (format) query.set("format", format);
      try {
        const res = await fetch(`/api/validate?${query}`, {
          method: "POST",
          headers: { "content-type": json ? "application/json" : /\.csv$/i.test(file.name) ? "text/csv" : "text/plain" },
          body: file, // the bytes as they are: the server reads them (UTF-8, bounded)
        });
        const data = await res.json();
        if (!res.ok) throw new Error(data.message);
        sessionStorage.setItem("summitry.upload", JSON.stringify(data.content));
        window.location.href = "/edit?upload=1";
      } catch (err) {
        banner.textContent = `${file.name}: ${err.message}`;
        banner.hidden = false;
      }
    });
  }

  /** A drafted scenario opened in the editor as the start page opens an uploaded file. */
  function wireDraftEdit() {
    const button = document.getElementById("draft-edit");
    if (!button) return;
    const banner = document.getElementById("draft-edit-error");
    button.addEventListener("click", async () => {
      banner.hidden = true;
      button.disabled = true;
      try {
        const yaml = await fetch(`/draft/${button.dataset.draft}/yaml`);
        if (!yaml.ok) throw new Error("this draft is no longer kept; draft it again");
        const res = await fetch("/api/validate?content=true", {
          method: "POST",
          headers: { "content-type": "application/yaml" },
          body: await yaml.text(),
        });
        const data = await res.json();
        if (!res.ok) throw new Error(data.message);
        sessionStorage.setItem("summitry.upload", JSON.stringify(data.content));
        window.location.href = "/edit?upload=1";
      } catch (err) {
        banner.textContent = err.message;
        banner.hidden = false;
        button.disabled = false;
      }
    });
  }

  async function drawView() {
    const box = document.getElementById("draw");
    if (!box) return;
    const panel = document.getElementById("job");
    try {
      await runJob(`/api/runs/${box.dataset.run}/view`, undefined, panel);
      window.location.reload();
    } catch (err) {
      panel.append(el("div", { class: "error-banner", role: "alert", text: err.message }));
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    wireRerun();
    wireUpload();
    wireDraftEdit();
    drawView();
  });

  return { api, el, runJob };
})();
