// The open ticket: its header, actions' state, signals, customer card, notes, activity.

import { api, ApiError, showError } from "./api.js";
import { $, el, toast } from "./dom.js";
import {
  badge, customerName, day, paintSla, percent, platformName, reasonText, when,
} from "./format.js";
import { renderHandover } from "./handover.js";
import { t, WORDS } from "./i18n.js";
import { upsert } from "./queue.js";
import { state } from "./state.js";
import { appendEntry, renderTranscript } from "./transcript.js";
import { whyText } from "./why.js";

export async function openTicket(id) {
  if (!id) return;
  state.openId = id;
  state.loading = true;
  state.buffered = [];
  for (const row of $("queue-list").children) row.classList.toggle("open", row.dataset.ticketId === id);
  try {
    const detail = await api("GET", `/api/tickets/${encodeURIComponent(id)}`);
    if (state.openId !== id) return;
    showDetail(detail, { fresh: true });
    loadCustomer(detail.customer.key);
  } catch (err) {
    showError(err);
  } finally {
    if (state.openId === id) state.loading = false;
  }
}

export function closeTicket() {
  state.openId = null;
  state.detail = null;
  state.customer = null;
  $("ticket-view").hidden = true;
  $("ticket-empty").hidden = false;
}

export function showDetail(detail, { fresh = false } = {}) {
  const keepDraft = !fresh;
  state.detail = detail;
  $("ticket-empty").hidden = true;
  $("ticket-view").hidden = false;
  renderDetail();
  renderTranscript(detail.transcript);
  for (const entry of state.buffered) appendEntry(entry);
  state.buffered = [];
  if (!keepDraft) { $("reply-text").value = ""; $("reply-error").textContent = ""; }
  upsert(summaryOf(detail));
}

export const DETAIL_ONLY = ["transcript", "signals", "notes", "history", "events"];

export function summaryOf(detail) {
  const summary = { ...detail };
  for (const key of DETAIL_ONLY) delete summary[key];
  return summary;
}

export function renderDetail() {
  const d = state.detail;
  const me = state.session?.username;
  $("t-name").textContent = customerName(d);
  const platform = platformName(d.customer.platform);
  $("t-platform").textContent = d.customer.username && d.customer.username !== d.customer.display_name
    ? `${platform} · @${d.customer.username}` : platform;
  $("t-channel").textContent = t(`channel.${d.channel}`);
  $("t-status").textContent = t(`status.${d.status}`);
  const held = d.agent === me ? t("held.you") : t("held.by", { agent: d.agent });
  $("t-agent").textContent = d.agent ? `· ${held}` : "";
  $("t-severity").replaceWith(Object.assign(badge("sev", d.severity), { id: "t-severity" }));
  $("t-tier").replaceWith(Object.assign(badge("tier", d.tier), { id: "t-tier" }));
  $("t-sla").dataset.slaFor = d.id;
  paintSla($("t-sla"), d);
  $("t-unreachable").hidden = !d.unreachable;
  $("t-unreachable").textContent = d.unreachable ? t("unreachable", { reason: d.unreachable }) : "";

  const resolved = d.status === "resolved";
  const mine = d.agent === me;
  $("act-claim").disabled = resolved || mine;
  $("act-release").disabled = resolved || !d.agent || (!mine && state.session?.role !== "admin");
  $("act-transfer").disabled = resolved;
  $("act-resolve").disabled = resolved;
  const blocked = resolved ? t("reply.resolved")
    : d.agent && !mine ? t("reply.heldby", { agent: d.agent }) : "";
  $("reply-send").disabled = Boolean(blocked);
  $("reply-text").disabled = resolved;
  $("reply-state").textContent = blocked;

  renderSignals(d.signals || {}, d.reason);
  renderHandover(d);
  renderCustomer(d);
  renderNotes(d.notes || []);
  renderEvents(d.events || []);
}

export function renderSignals(signals, reason) {
  $("t-reason").textContent = signals.why ? whyText(signals.why) : reasonText(reason);
  $("s-intent").textContent = signals.intent || t("signals.none");
  $("s-confidence").textContent = percent(signals.confidence);
  const negativity = Math.max(0, Math.min(1, Number(signals.negativity) || 0));
  $("s-negativity").textContent = percent(signals.negativity);
  $("s-negativity-bar").style.width = `${Math.round(negativity * 100)}%`;
  $("s-reasons").replaceChildren(...(signals.reasons || []).map((r) => el("li", "", r)));
}

export function renderCustomer(d) {
  $("c-tier").value = d.tier;
  const source = state.customer?.key === d.customer.key ? state.customer.tier_source : null;
  $("c-tier-source").textContent = source ? t(`customer.source.${source}`) : "";
  const history = d.history || {};
  $("c-tickets").textContent = history.tickets ?? "—";
  $("c-messages").textContent = history.messages ?? "—";
  $("c-since").textContent = day(history.first_seen);
}

export function renderNotes(notes) {
  const items = notes.map((note) => {
    const item = el("li");
    item.append(el("span", "meta", `${note.author} · ${when(note.ts)}`), document.createTextNode(note.text));
    return item;
  });
  if (!items.length) items.push(el("li", "muted", t("notes.none")));
  $("notes").replaceChildren(...items);
}

export function renderEvents(events) {
  $("events").replaceChildren(...events.map((event) => {
    const kind = WORDS.en[`event.${event.type}`] ? t(`event.${event.type}`) : event.type;
    const parts = [when(event.at), kind, event.by, event.detail].filter(Boolean);
    return el("li", "", parts.join(" · "));
  }));
}

export async function loadCustomer(key) {
  try {
    const customer = await api("GET", `/api/customers/${encodeURIComponent(key)}`);
    state.customer = customer;
    if (state.detail?.customer.key === key) renderCustomer(state.detail);
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 403)) showError(err);
  }
}

export async function changeTier() {
  const d = state.detail;
  if (!d) return;
  const tier = $("c-tier").value;
  try {
    state.customer = await api("PUT", `/api/customers/${encodeURIComponent(d.customer.key)}`, { tier });
    toast(t("customer.saved"));
    openTicket(d.id); // priority and SLA may follow the tier
  } catch (err) {
    $("c-tier").value = d.tier;
    showError(err);
  }
}
