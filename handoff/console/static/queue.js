// The ticket queue: loading, ordering, rows, selection, SLA clocks and highlights.

import { api, showError } from "./api.js";
import { $, el } from "./dom.js";
import { badge, customerName, paintSla, platformName, reasonText } from "./format.js";
import { t } from "./i18n.js";
import { state } from "./state.js";
import { openTicket } from "./ticket.js";
import { whyBadge } from "./why.js";

export const STATUSES = { open: ["waiting", "assigned"], waiting: ["waiting"],
  assigned: ["assigned"], resolved: ["resolved"] };

export const inFilter = (ticket) => STATUSES[state.filter].includes(ticket.status);

export function byUrgency(a, b) {
  if (state.filter === "resolved") return (b.resolved_at || 0) - (a.resolved_at || 0);
  return (a.priority - b.priority) || (a.sla_deadline - b.sla_deadline);
}

export async function loadQueue() {
  try {
    const list = await api("GET", `/api/tickets?status=${encodeURIComponent(state.filter)}`);
    state.tickets = new Map(list.map((ticket) => [ticket.id, ticket]));
    if (!state.tickets.has(state.selectedId)) state.selectedId = list[0]?.id ?? null;
    renderQueue();
  } catch (err) { showError(err); }
}

/** Insert, update or drop one ticket after a live event; true when it is new to the list. */
export function upsert(ticket) {
  const known = state.tickets.has(ticket.id);
  if (inFilter(ticket)) state.tickets.set(ticket.id, ticket);
  else state.tickets.delete(ticket.id);
  if (state.selectedId === ticket.id && !state.tickets.has(ticket.id)) {
    const index = state.order.indexOf(ticket.id);
    state.selectedId = state.order[index + 1] ?? state.order[index - 1] ?? null;
  }
  if (state.selectedId === null && state.tickets.size) state.selectedId = ticket.id;
  renderQueue();
  return !known && state.tickets.has(ticket.id);
}

export function renderQueue() {
  const list = $("queue-list");
  state.order = [...state.tickets.values()].sort(byUrgency).map((ticket) => ticket.id);
  list.replaceChildren(...state.order.map((id) => queueRow(state.tickets.get(id))));
  $("queue-count").textContent = state.order.length;
  $("queue-empty").hidden = state.order.length > 0;
  if (state.selectedId) list.setAttribute("aria-activedescendant", `row-${state.selectedId}`);
  else list.removeAttribute("aria-activedescendant");
  updateTitle();
}

export function queueRow(ticket) {
  const row = el("li", "queue-row");
  row.id = `row-${ticket.id}`;
  row.dataset.ticketId = ticket.id;
  row.dataset.severity = ticket.severity;
  row.dataset.priority = ticket.priority;
  row.setAttribute("role", "option");
  row.setAttribute("aria-selected", String(ticket.id === state.selectedId));
  row.classList.toggle("selected", ticket.id === state.selectedId);
  row.classList.toggle("open", ticket.id === state.openId);
  const highlight = state.highlights.get(ticket.id);
  if (highlight && highlight.until > Date.now()) row.classList.add(highlight.cls);

  const top = el("div", "row-top");
  const clockNode = el("span", "sla");
  clockNode.dataset.slaFor = ticket.id;
  paintSla(clockNode, ticket);
  top.append(badge("sev", ticket.severity), badge("tier", ticket.tier),
    el("span", "row-name", customerName(ticket)), el("span", "row-platform", platformName(ticket.customer.platform)),
    clockNode);

  const preview = el("div", "row-preview", ticket.last_message?.text ?? "");
  const bottom = el("div", "row-bottom");
  const priority = el("span", "priority", `P${ticket.priority}`);
  priority.title = t("priority.title");
  // The triage's reason when it asked for a person, else the bot's reason code in words.
  const reason = ticket.why ? whyBadge(ticket.why) : el("span", "row-reason", reasonText(ticket.reason));
  bottom.append(priority, reason, el("span", "row-holder", holder(ticket)));
  row.append(top, preview, bottom);
  row.addEventListener("click", () => { select(ticket.id); openTicket(ticket.id); });
  return row;
}

export function holder(ticket) {
  if (!ticket.agent) return t("holder.none");
  return ticket.agent === state.session?.username ? t("holder.you") : ticket.agent;
}

export function select(id) {
  state.selectedId = id;
  for (const row of $("queue-list").children) {
    const on = row.dataset.ticketId === id;
    row.classList.toggle("selected", on);
    row.setAttribute("aria-selected", String(on));
    if (on) row.scrollIntoView({ block: "nearest" });
  }
  $("queue-list").setAttribute("aria-activedescendant", `row-${id}`);
}

export function move(step) {
  if (!state.order.length) return;
  const index = state.order.indexOf(state.selectedId);
  const next = index < 0 ? 0 : Math.min(state.order.length - 1, Math.max(0, index + step));
  select(state.order[next]);
  $("queue-list").focus();
}

export function updateTitle() {
  const waiting = [...state.tickets.values()].filter((ticket) => ticket.status === "waiting").length;
  document.title = (waiting ? `(${waiting}) ` : "") + t("title");
}

/** Once a second: every visible SLA clock. */
export function tick() {
  for (const node of document.querySelectorAll(".sla[data-sla-for]")) {
    const ticket = node.dataset.slaFor === state.openId && state.detail
      ? state.detail : state.tickets.get(node.dataset.slaFor);
    if (ticket) paintSla(node, ticket);
  }
}

export function highlight(id, cls, seconds) {
  state.highlights.set(id, { cls, until: Date.now() + seconds * 1000 });
  $(`row-${id}`)?.classList.add(cls);
  setTimeout(() => {
    if ((state.highlights.get(id)?.until ?? 0) <= Date.now()) state.highlights.delete(id);
    $(`row-${id}`)?.classList.remove(cls);
  }, seconds * 1000);
}
