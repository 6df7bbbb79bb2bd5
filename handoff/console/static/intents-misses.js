// Misses: messages the bot could not answer, grouped, to assign or dismiss.

import { api, showError } from "./api.js";
import { $, el, toast } from "./dom.js";
import { percent, when } from "./format.js";
import { t } from "./i18n.js";
import { loadIntents } from "./intents-list.js";
import { findIntent, ia, intentsOf } from "./intents-state.js";

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
  const list = el("ul", "miss-messages");
  for (const miss of group.messages) list.append(missItem(miss, picker));
  item.append(head, list);
  return item;
}

export function missItem(miss, picker) {
  const item = el("li", "miss");
  item.dataset.miss = miss.id;
  const source = miss.source === "flagged"
    ? t("misses.source.flagged", { who: miss.flagged_by || "?" })
    : t(`misses.source.${miss.source}`);
  const nearest = (miss.nearest || []).map((n) => `${n.intent} ${percent(n.confidence)}`).join(", ");
  const meta = [when(miss.at), source, miss.suggested_intent ? `→ ${miss.suggested_intent}` : "",
    nearest ? t("misses.nearest", { list: nearest }) : ""].filter(Boolean).join(" · ");
  const assign = el("button", "link", t("misses.assign.one"));
  assign.type = "button";
  assign.addEventListener("click", () => assignMisses([miss.id], picker.value));
  const dismiss = el("button", "link", t("misses.dismiss.one"));
  dismiss.type = "button";
  dismiss.addEventListener("click", () => dismissMisses([miss.id]));
  item.append(el("span", "miss-text", miss.text), el("span", "meta", meta), assign, dismiss);
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
