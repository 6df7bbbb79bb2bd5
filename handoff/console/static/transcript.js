// The conversation of the open ticket.

import { $, el } from "./dom.js";
import { customerName, when } from "./format.js";
import { t } from "./i18n.js";
import { state } from "./state.js";

export function renderTranscript(entries) {
  $("transcript").replaceChildren(...entries.map((entry) => bubble(entry)));
  scrollTranscript(true);
}

export function bubble(entry, extra = "") {
  const doubt = entry.state === "in_doubt" ? "in-doubt" : "";
  const item = el("li", `bubble ${entry.role} ${doubt} ${extra}`.replace(/\s+/g, " ").trim());
  item.dataset.entryId = entry.id;
  const who = entry.role === "customer" ? customerName(state.detail) : t(`role.${entry.role}`);
  const author = entry.role === "agent" && entry.agent ? `${who} ${entry.agent}` : who;
  item.append(el("span", "meta", `${author} · ${when(entry.ts)}`), document.createTextNode(entry.text));
  // The platform never confirmed this reply: the customer may not have it, and it is not
  // sent again by itself (docs/delivery.md, "In doubt").
  if (doubt) item.append(el("span", "doubt-note", t("transcript.in_doubt")));
  return item;
}

/** A live transcript entry: append it once, replacing our own "sending…" bubble if it is one. */
export function appendEntry(entry) {
  const list = $("transcript");
  const shown = [...list.children];
  const pending = entry.role === "agent" && shown.find((node) => node.classList.contains("pending")
    && (node.dataset.entryId === entry.id || node.dataset.text === entry.text));
  if (!pending && shown.some((node) => node.dataset.entryId === entry.id)) return;
  const node = bubble(entry, "new");
  if (pending) pending.replaceWith(node);
  else list.append(node);
  if (state.detail && !state.detail.transcript.some((e) => e.id === entry.id)) {
    state.detail.transcript.push(entry);
  }
  scrollTranscript(entry.role !== "customer");
}

export function scrollTranscript(force) {
  const list = $("transcript");
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 120;
  if (force || nearBottom) list.scrollTop = list.scrollHeight;
}
