// The intent list and the draft bar.

import { api, showError } from "./api.js";
import { $, el } from "./dom.js";
import { when } from "./format.js";
import { t } from "./i18n.js";
import { closeEditor, fillForm, openIntent } from "./intents-editor.js";
import { f1, findIntent, ia, intentsOf } from "./intents-state.js";
import { renderTriage } from "./intents-triage.js";
import { className } from "./why.js";

export async function loadIntents() {
  try {
    ia.data = await api("GET", "/api/intents");
    renderList();
    renderDraftBar();
    renderTriage();
    if (ia.selected && !ia.dirty) {
      if (findIntent(ia.selected)) fillForm(findIntent(ia.selected));
      else closeEditor();
    }
  } catch (err) { showError(err); }
}

// The live version's F1 comes with its publication; the first version (seeded from the
// intents/ folder) has none until an evaluation measured it.
export function liveF1(intent) {
  if (intent.f1 !== null && intent.f1 !== undefined) return intent.f1;
  return ia.evaluation?.intents.find((row) => row.intent === intent.name)?.f1_before ?? null;
}

export function changedNames() {
  const changes = ia.data?.draft?.changes || {};
  return new Set([...(changes.added || []), ...(changes.changed || []).map((c) => c.intent)]);
}

export function matches(intent, query) {
  if (!query) return true;
  const texts = [intent.name, ...intent.examples, ...Object.values(intent.answers || {})];
  return texts.some((text) => String(text).toLowerCase().includes(query));
}

export function renderList() {
  const query = $("intent-search").value.trim().toLowerCase();
  const changed = changedNames();
  const rows = intentsOf().filter((intent) => matches(intent, query)).map((intent) => {
    const row = el("tr", "intent-row");
    row.dataset.intent = intent.name;
    row.tabIndex = 0;
    row.classList.toggle("selected", intent.name === ia.selected);
    row.setAttribute("aria-selected", String(intent.name === ia.selected));
    const name = el("td", "intent-name", intent.name);
    if (changed.has(intent.name)) {
      const dot = el("span", "edited-dot", "●");
      dot.title = t("ia.edited");
      name.append(" ", dot);
    }
    if (intent.handoff) name.append(" ", el("span", "badge handoff-badge", t("draft.handoff")));
    row.append(name, el("td", "num", intent.example_count), el("td", "num", f1(liveF1(intent))));
    row.addEventListener("click", () => openIntent(intent.name));
    row.addEventListener("keydown", (event) => {
      if (event.key === "Enter") openIntent(intent.name);
      if (event.key === "ArrowDown") row.nextElementSibling?.focus();
      if (event.key === "ArrowUp") row.previousElementSibling?.focus();
    });
    return row;
  });
  $("intent-list").replaceChildren(...rows);
  $("intent-none").hidden = rows.length > 0;
}

export function renderDraftBar() {
  const draft = ia.data?.draft;
  const edited = Boolean(draft?.edited);
  $("draft-bar").classList.toggle("edited", edited);
  $("draft-title").textContent = !ia.data ? "" : edited
    ? t("draft.edited", { based: draft.based_on, who: draft.updated_by, when: when(draft.updated_at) })
    : t("draft.clean", { live: ia.data.live_version ?? "—" });
  const changes = draft?.changes || {};
  const items = [
    ...(changes.added || []).map((name) => t("draft.added", { name })),
    ...(changes.removed || []).map((name) => t("draft.removed", { name })),
    ...(changes.changed || []).map(changeText),
    ...(changes.triage || []).map((row) => t("draft.triage", { label: className(row.class),
      changes: [row.added.length ? t("draft.examples_added", { n: row.added.length }) : "",
        row.removed.length ? t("draft.examples_removed", { n: row.removed.length }) : ""]
        .filter(Boolean).join(", ") })),
  ];
  $("draft-changes").replaceChildren(...(edited ? items : []).map((text) => el("li", "", text)));
  $("draft-discard").disabled = ia.busy || !edited;
  $("draft-evaluate").disabled = ia.busy || (!edited && !ia.dirty);
  $("draft-publish").disabled = ia.busy || (!edited && !ia.dirty);
}

export function changeText(change) {
  const parts = [];
  if (change.examples_added) parts.push(t("draft.examples_added", { n: change.examples_added.length }));
  if (change.examples_removed) parts.push(t("draft.examples_removed", { n: change.examples_removed.length }));
  for (const key of ["answers", "variants", "handoff"]) if (change[key]) parts.push(t(`draft.${key}`));
  return `${change.intent}: ${parts.join(", ")}`;
}
