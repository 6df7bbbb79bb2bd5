// Why a ticket reached a person, in the agent's language: the triage's reason (handoff/why.py
// takes it apart on the server) and the triage classes as small bars with their numbers.

import { el } from "./dom.js";
import { t, WORDS } from "./i18n.js";

export const className = (label) => (WORDS.en[`triage.${label}`] ? t(`triage.${label}`) : label);

const score = (value) => (typeof value === "number" ? ` ${value.toFixed(2)}` : "");

/** The whole reason: "投诉 0.94", "asked for a person: 'get me a human'", "危机：…". */
export function whyText(why) {
  if (!why) return "";
  if (why.kind === "human_request") {
    return why.quote ? t("why.asked", { quote: why.quote }) : t("why.asked.plain");
  }
  if (why.kind === "other") return why.detail || why.text;
  if (why.detail) return t("why.detail", { kind: className(why.kind), detail: why.detail });
  return `${className(why.kind)}${score(why.score)}`;
}

/** The queue row's badge: the class and its score, no quotes or details. */
export function whyBadge(why) {
  const text = why.kind === "other" ? t("why.other") : `${className(why.kind)}${score(why.score)}`;
  const node = el("span", `why-badge why-${why.kind}`, text);
  node.title = whyText(why);
  return node;
}

/** One compact horizontal bar per triage class, most likely first, with the number. */
export function triageBars(top) {
  return (top || []).map((row) => {
    const item = el("li", `triage-bar why-${row.class}`);
    item.dataset.class = row.class;
    const bar = el("span", "bar");
    const fill = el("span", "fill");
    fill.style.width = `${Math.round(Math.max(0, Math.min(1, row.p)) * 100)}%`;
    bar.append(fill);
    item.append(el("span", "label", className(row.class)), bar, el("span", "num", row.p.toFixed(2)));
    return item;
  });
}
