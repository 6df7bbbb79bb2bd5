// Live updates: the event stream, its reconnects, and what each event changes.

import { api, showError } from "./api.js";
import { $, announce } from "./dom.js";
import { customerName } from "./format.js";
import { t } from "./i18n.js";
import { loadMetrics } from "./metrics.js";
import { highlight, loadQueue, renderQueue, upsert } from "./queue.js";
import { state } from "./state.js";
import { openTicket, renderDetail } from "./ticket.js";
import { appendEntry } from "./transcript.js";

export function setLive(mode) {
  const node = $("live");
  node.dataset.state = mode;
  node.textContent = t(`live.${mode}`);
}

export function connectEvents() {
  const source = new EventSource(`/api/events?token=${encodeURIComponent(state.session.token)}`);
  state.source = source;
  setLive(state.dropped ? "reconnecting" : "connecting");
  source.onopen = () => {
    state.retryMs = 1000;
    setLive("live");
    // Whatever changed while the stream was down: read it again once.
    if (state.dropped) {
      state.dropped = false;
      loadQueue();
      if (state.openId) openTicket(state.openId);
    }
  };
  source.onerror = () => {
    if (state.source !== source) return;
    source.close();
    state.dropped = true;
    setLive("reconnecting");
    const delay = state.retryMs + Math.random() * 500;
    state.retryMs = Math.min(state.retryMs * 2, 30000);
    state.reconnectTimer = setTimeout(async () => {
      try { await api("GET", "/api/me"); } catch { if (!state.session) return; }
      if (state.session) connectEvents();
    }, delay);
  };
  source.addEventListener("ticket", (event) => onTicket(JSON.parse(event.data)));
  source.addEventListener("message", (event) => onMessage(JSON.parse(event.data)));
  source.addEventListener("breach", (event) => onBreach(JSON.parse(event.data)));
}

export function onTicket(ticket) {
  const isNew = upsert(ticket);
  // The header strip follows the queue; a burst of changes costs one request.
  clearTimeout(state.metricsTimer);
  state.metricsTimer = setTimeout(loadMetrics, 1000);
  if (isNew && ticket.status === "waiting") {
    highlight(ticket.id, "arrived", 4);
    announce(t("new.ticket", { severity: t(`sev.${ticket.severity}`), name: customerName(ticket) }));
  }
  if (ticket.id === state.openId && state.detail) {
    const newMessage = ticket.last_message?.ts !== state.detail.last_message?.ts;
    Object.assign(state.detail, ticket);
    renderDetail();
    if (newMessage) syncTranscript();
  }
}

/** A new transcript entry: appended as it comes, or read from the ticket when the event
 *  names it without its content. */
export function onMessage({ ticket_id: id, entry }) {
  const ticket = state.tickets.get(id);
  if (ticket && entry?.role === "customer") {
    ticket.last_message = { text: entry.text, ts: entry.ts };
    renderQueue();
  }
  if (id !== state.openId) return;
  if (!entry) syncTranscript();
  else if (state.loading) state.buffered.push(entry);
  else appendEntry(entry);
}

// Several events in a burst cause one read of the ticket.
export function syncTranscript() {
  clearTimeout(state.syncTimer);
  state.syncTimer = setTimeout(async () => {
    const id = state.openId;
    if (!id || state.loading) return;
    try {
      const detail = await api("GET", `/api/tickets/${encodeURIComponent(id)}`);
      if (state.openId !== id || !state.detail) return;
      for (const entry of detail.transcript) appendEntry(entry);
      Object.assign(state.detail, detail, { transcript: state.detail.transcript });
      renderDetail();
    } catch (err) { showError(err); }
  }, 150);
}

export function onBreach(ticket) {
  upsert(ticket);
  highlight(ticket.id, "flash", 4);
  const text = t("breach", { name: customerName(ticket), severity: t(`sev.${ticket.severity}`),
    tier: t(`tier.${ticket.tier}`) });
  $("alert-text").textContent = text;
  $("alert").hidden = false;
  clearTimeout(onBreach.timer);
  onBreach.timer = setTimeout(() => { $("alert").hidden = true; }, 20000);
}
