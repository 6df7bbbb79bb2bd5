// Switching between the queue and the intent editor, its tabs, and its life cycle.

import { $ } from "./dom.js";
import { t } from "./i18n.js";
import { loadAudit } from "./intents-audit.js";
import { collectVariants, renderExamples, renderVariants } from "./intents-editor.js";
import { renderEvaluation } from "./intents-evaluate.js";
import { loadVersions } from "./intents-history.js";
import { loadIntents, renderDraftBar, renderList } from "./intents-list.js";
import { loadMisses } from "./intents-misses.js";
import { ia, isAdmin, TABS } from "./intents-state.js";
import { state } from "./state.js";

export function setArea(area) {
  const intents = area === "intents" && isAdmin();
  state.area = intents ? "intents" : "queue";
  $("queue-area").hidden = intents;
  $("intents-area").hidden = !intents;
  for (const button of document.querySelectorAll("#areas [data-area]")) {
    button.setAttribute("aria-pressed", String(button.dataset.area === state.area));
  }
  if (intents) {
    setTab(ia.tab);
    if (ia.tab !== "misses") loadMisses(); // for the count on the tab
  }
  else if (location.hash) history.replaceState(null, "", location.pathname);
}

export function setTab(tab) {
  ia.tab = TABS.includes(tab) ? tab : "intents";
  for (const name of TABS) {
    $(`tab-${name}`).setAttribute("aria-selected", String(name === ia.tab));
    $(`panel-${name}`).hidden = name !== ia.tab;
  }
  $("panel-evaluation").hidden = true;
  history.replaceState(null, "", `#${ia.tab}`);
  loadIntents(); // the draft bar and the intent names are needed on every tab
  if (ia.tab === "misses") loadMisses();
  if (ia.tab === "history") loadVersions();
  if (ia.tab === "audit") loadAudit();
}

export function onStart() {
  $("areas").hidden = !isAdmin();
  ia.names = null;
  const tab = location.hash.slice(1);
  if (isAdmin() && TABS.includes(tab)) { ia.tab = tab; setArea("intents"); }
  else setArea("queue");
}

export function onStop() {
  Object.assign(ia, { data: null, selected: null, original: null, examples: [], dirty: false,
    evaluation: null, names: null });
  $("areas").hidden = true;
  state.area = "queue";
  $("queue-area").hidden = false;
  $("intents-area").hidden = true;
  $("intent-form").hidden = true;
  $("editor-empty").hidden = false;
}

export function onLanguage() {
  for (const node of document.querySelectorAll("[data-i18n-aria-label]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nAriaLabel));
  }
  if (!ia.data) return;
  renderList();
  renderDraftBar();
  renderVariants(ia.selected === null ? null : collectVariants());
  renderExamples();
  if (ia.evaluation) renderEvaluation();
}

export function setBusy(key) {
  ia.busy = Boolean(key);
  $("ia-busy").hidden = !key;
  $("ia-busy").textContent = key ? t(key) : "";
  renderDraftBar();
}
