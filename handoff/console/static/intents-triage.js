// The brand's triage examples in the draft: listed per class, each with a remove button.
// They come from the misses list ("Teach: no person needed") and are published with the
// intents; the triage head learns them on every process after the publish.

import { api, showError } from "./api.js";
import { $, el, toast } from "./dom.js";
import { t } from "./i18n.js";
import { draftRevision, isDraftConflict, takeTheirDraft } from "./intents-conflict.js";
import { renderDraftBar, renderList } from "./intents-list.js";
import { ia } from "./intents-state.js";
import { className } from "./why.js";

export function renderTriage() {
  const examples = ia.data?.triage_examples || {};
  const items = [];
  for (const [label, texts] of Object.entries(examples)) {
    for (const text of texts) {
      const item = el("li", "triage-example");
      item.dataset.label = label;
      const remove = el("button", "link small", t("triage.remove"));
      remove.type = "button";
      remove.setAttribute("aria-label", `${t("triage.remove")}: ${text}`);
      remove.addEventListener("click", () => removeTriageExample(label, text));
      item.append(el("span", "badge", className(label)), el("span", "text", text), remove);
      items.push(item);
    }
  }
  if (!items.length) items.push(el("li", "muted small", t("triage.none")));
  $("triage-examples").replaceChildren(...items);
  const total = Object.values(examples).reduce((sum, texts) => sum + texts.length, 0);
  $("triage-count").textContent = total ? String(total) : "";
}

export async function removeTriageExample(label, text) {
  try {
    ia.data = await api("POST", "/api/triage-examples/remove",
      { label, texts: [text], revision: draftRevision() });
    toast(t("triage.removed"));
  } catch (err) {
    if (isDraftConflict(err)) toast(takeTheirDraft(err));
    else { showError(err); return; }
  }
  renderList();
  renderDraftBar();
  renderTriage();
}

/** The evaluation's view of the triage examples: added and removed per class. */
export function renderEvaluationTriage(rows) {
  $("eval-triage-box").hidden = !rows?.length;
  $("eval-triage").replaceChildren(...(rows || []).map((row) => {
    const parts = [t("eval.triage.row", { label: className(row.class), added: row.added,
      removed: row.removed, examples: row.examples })];
    if (row.to_person_now !== null && row.to_person_now !== undefined) {
      parts.push(t("eval.triage.now", { n: row.to_person_now, examples: row.examples }));
    }
    return el("li", "", parts.join(" · "));
  }));
}
