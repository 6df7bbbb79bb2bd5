// Evaluating, publishing and discarding the draft.

import { api, ApiError, showError } from "./api.js";
import { draftRevision, isDraftConflict, takeTheirDraft, withRevision } from "./intents-conflict.js";
import { confirmDialog } from "./dialogs.js";
import { $, announce, el, toast } from "./dom.js";
import { percent } from "./format.js";
import { t } from "./i18n.js";
import { setBusy } from "./intents-area.js";
import { closeEditor, fillForm, saveIntent } from "./intents-editor.js";
import { loadVersions } from "./intents-history.js";
import { loadIntents, renderList } from "./intents-list.js";
import { renderEvaluationTriage } from "./intents-triage.js";
import { f1, findIntent, ia, TABS } from "./intents-state.js";

export async function evaluate() {
  if (!(await saveIntent())) return;
  setBusy("busy.evaluating");
  try {
    ia.evaluation = await api("POST", "/api/intents/evaluate");
    renderEvaluation();
    renderList();
    for (const name of TABS) $(`panel-${name}`).hidden = true;
    $("panel-evaluation").hidden = false;
    $("eval-back").focus();
  } catch (err) { showError(err); }
  finally { setBusy(null); }
}

export function renderEvaluation() {
  const e = ia.evaluation;
  const delta = e.accuracy_after - e.accuracy_before;
  $("eval-accuracy").textContent = t("eval.accuracy", { before: percent(e.accuracy_before),
    after: percent(e.accuracy_after) });
  $("eval-accuracy").dataset.trend = delta < -0.005 ? "down" : delta > 0.005 ? "up" : "same";
  $("eval-worse").hidden = false;
  $("eval-worse").classList.toggle("ok", !e.worse.length);
  $("eval-worse").querySelector("strong").textContent = e.worse.length ? t("eval.worse") : t("eval.better");
  $("eval-worse-list").replaceChildren(...e.worse.map((text) => el("li", "", text)));
  const rows = [...e.intents].sort((a, b) => (a.delta ?? -2) - (b.delta ?? -2));
  $("eval-f1").replaceChildren(...rows.map((row) => {
    const tr = el("tr");
    const d = row.delta === null || Math.abs(row.delta) >= 0.005 ? row.delta : 0;
    const cell = el("td", `num delta ${d === null ? "" : d < -0.02 ? "down" : d > 0.02 ? "up" : ""}`,
      d === null ? "—" : `${d > 0 ? "+" : ""}${d.toFixed(2)}`);
    tr.append(el("td", "", row.intent), el("td", "num", row.examples), el("td", "num", f1(row.f1_before)),
      el("td", "num", f1(row.f1_after)), cell);
    return tr;
  }));
  const outcome = (name) => (name === "(fallback)" ? t("eval.fallback") : name);
  $("eval-changed").replaceChildren(...e.changed.map((row) => {
    const tr = el("tr");
    tr.append(el("td", "message", row.text), el("td", "", outcome(row.before)),
      el("td", "", outcome(row.after)), el("td", "muted", row.expected || "—"));
    return tr;
  }));
  $("eval-changed-none").hidden = e.changed.length > 0;
  renderEvaluationTriage(e.triage);
  const findings = e.findings.map((f) => {
    const item = el("li", `finding ${f.severity}`);
    item.append(el("span", `badge sev-${f.severity === "error" ? "crisis" : "negative"}`, f.severity),
      document.createTextNode(` ${f.intent ? `${f.intent}: ` : ""}${f.message}`));
    return item;
  });
  if (!findings.length) findings.push(el("li", "muted", t("eval.findings.none")));
  $("eval-findings").replaceChildren(...findings);
}

export async function openPublish() {
  if (!(await saveIntent())) return;
  ia.confirmWorse = false;
  $("publish-note").value = "";
  $("publish-worse").hidden = true;
  $("publish-error").textContent = "";
  $("publish-ok").textContent = t("publish.ok");
  $("publish-ok").disabled = false;
  $("publish-dialog").showModal();
  $("publish-note").focus();
}

export async function submitPublish(event) {
  event.preventDefault();
  $("publish-ok").disabled = true;
  $("publish-error").textContent = "";
  setBusy("busy.publishing");
  $("publish-error").textContent = t("busy.publishing");
  try {
    const result = await api("POST", "/api/intents/publish",
      { note: $("publish-note").value.trim(), confirm: ia.confirmWorse, revision: draftRevision() });
    $("publish-dialog").close();
    toast(t("publish.done", { version: result.version.version }));
    announce(t("publish.done", { version: result.version.version }));
    ia.evaluation = null;
    $("panel-evaluation").hidden = true;
    $(`panel-${ia.tab}`).hidden = false;
    await loadIntents();
    if (ia.tab === "history") loadVersions();
  } catch (err) {
    $("publish-error").textContent = "";
    if (err instanceof ApiError && err.status === 409 && Array.isArray(err.body?.detail?.worse)) {
      ia.confirmWorse = true;
      $("publish-worse").hidden = false;
      $("publish-worse-list").replaceChildren(...err.body.detail.worse.map((text) => el("li", "", text)));
      $("publish-ok").textContent = t("publish.anyway");
    } else if (isDraftConflict(err)) {
      $("publish-error").textContent = takeTheirDraft(err);
    } else {
      $("publish-error").textContent = t("error", { detail: err.message });
    }
  } finally {
    $("publish-ok").disabled = false;
    setBusy(null);
  }
}

export async function discardDraft() {
  const ok = await confirmDialog({ title: t("draft.discard.title"), text: t("draft.discard.text"),
    ok: t("draft.discard") });
  if (!ok) return;
  try {
    await api("DELETE", withRevision("/api/intents-draft"));
    ia.dirty = false;
    ia.evaluation = null;
    $("panel-evaluation").hidden = true;
    $(`panel-${ia.tab}`).hidden = false;
    toast(t("draft.discarded"));
    await loadIntents();
    if (ia.selected && findIntent(ia.selected)) fillForm(findIntent(ia.selected));
    else closeEditor();
  } catch (err) {
    if (isDraftConflict(err)) toast(takeTheirDraft(err));
    else showError(err);
  }
}
