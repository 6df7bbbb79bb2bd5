// Misses: messages the bot could not answer, grouped, to assign or dismiss.

import { api, showError } from "./api.js";
import { $, el, toast } from "./dom.js";
import { percent, when } from "./format.js";
import { t } from "./i18n.js";
import { draftRevision, isDraftConflict, takeTheirDraft } from "./intents-conflict.js";
import { loadIntents } from "./intents-list.js";
import { findIntent, ia, intentsOf } from "./intents-state.js";
import { whyText } from "./why.js";

// Hand-overs an agent marked as needing no person: taught to the triage, not to an intent.
const UNNECESSARY = "unnecessary";

export async function loadMisses() {
  try {
    if (!ia.data) await loadIntents();
    const groups = await api("GET", "/api/misses");
    const total = groups.reduce((sum, group) => sum + group.size, 0);
    $("misses-count").textContent = total ? String(total) : "";
    $("miss-groups").replaceChildren(...groups.map(groupItem));
    $("misses-none").hidden = groups.length > 0;
  } catch (err) { showError(err); }
}

export function intentPicker(selected) {
  const picker = el("select", "miss-intent");
  const none = el("option", "", t("misses.pick"));
  none.value = "";
  picker.append(none, ...intentsOf().map((intent) => {
    const option = el("option", "", intent.name);
    option.value = intent.name;
    return option;
  }));
  picker.value = findIntent(selected) ? selected : "";
  return picker;
}

export function groupItem(group) {
  const item = el("li", "miss-group card");
  item.dataset.group = group.id;
  const head = el("div", "miss-head");
  const picker = intentPicker(group.suggested_intent);
  picker.setAttribute("aria-label", t("misses.intent"));
  const ids = group.messages.map((m) => m.id);
  const assign = el("button", "primary", t("misses.assign"));
  assign.type = "button";
  assign.addEventListener("click", () => assignMisses(ids, picker.value));
  const dismiss = el("button", "", t("misses.dismiss"));
  dismiss.type = "button";
  dismiss.addEventListener("click", () => dismissMisses(ids));
  head.append(el("strong", "", group.size === 1 ? t("misses.group.one") : t("misses.group", { size: group.size })),
    picker, assign, dismiss);
  const unneeded = group.messages.filter((m) => m.source === UNNECESSARY).map((m) => m.id);
  if (unneeded.length) {
    const teach = el("button", "primary", t("misses.teach"));
    teach.type = "button";
    teach.title = t("misses.teach.title");
    teach.addEventListener("click", () => teachTriage(unneeded));
    head.append(teach);
  }
  const list = el("ul", "miss-messages");
  for (const miss of group.messages) list.append(missItem(miss, picker));
  item.append(head, list);
  return item;
}

export function missItem(miss, picker) {
  const item = el("li", "miss");
  item.dataset.miss = miss.id;
  const source = miss.source === "flagged" || miss.source === UNNECESSARY
    ? t(`misses.source.${miss.source}`, { who: miss.flagged_by || "?" })
    : t(`misses.source.${miss.source}`);
  const reason = miss.source === UNNECESSARY
    ? whyText(miss.extra?.why) || miss.extra?.person_reason || "" : "";
  const nearest = (miss.nearest || []).map((n) => `${n.intent} ${percent(n.confidence)}`).join(", ");
  const meta = [when(miss.at), source, reason ? t("misses.reason", { reason }) : "",
    miss.suggested_intent ? `→ ${miss.suggested_intent}` : "",
    nearest ? t("misses.nearest", { list: nearest }) : ""].filter(Boolean).join(" · ");
  const assign = el("button", "link", t("misses.assign.one"));
  assign.type = "button";
  assign.addEventListener("click", () => assignMisses([miss.id], picker.value));
  const dismiss = el("button", "link", t("misses.dismiss.one"));
  dismiss.type = "button";
  dismiss.addEventListener("click", () => dismissMisses([miss.id]));
  item.append(el("span", "miss-text", miss.text), el("span", "meta", meta));
  if (miss.source === UNNECESSARY) {
    const teach = el("button", "link", t("misses.teach.one"));
    teach.type = "button";
    teach.addEventListener("click", () => teachTriage([miss.id]));
    item.append(teach);
  }
  item.append(assign, dismiss);
  return item;
}

export async function assignMisses(ids, intent) {
  if (!intent) { toast(t("misses.needintent")); return; }
  try {
    const result = await api("POST", "/api/misses/assign", { ids, intent });
    toast(t("misses.assigned", { count: result.added, intent: result.intent }));
    await Promise.all([loadMisses(), loadIntents()]);
  } catch (err) { showError(err); }
}

export async function dismissMisses(ids) {
  try {
    await api("POST", "/api/misses/dismiss", { ids });
    toast(t("misses.dismissed"));
    await loadMisses();
  } catch (err) { showError(err); }
}

/** Add these messages to the draft's triage examples as "neutral" (no person needed). */
export async function teachTriage(ids) {
  try {
    const result = await api("POST", "/api/misses/triage",
      { ids, label: "neutral", revision: draftRevision() });
    toast(t("misses.taught", { count: result.added }));
    await Promise.all([loadMisses(), loadIntents()]);
  } catch (err) {
    if (isDraftConflict(err)) toast(takeTheirDraft(err));
    else showError(err);
  }
}
