// Live updates: the event stream, its reconnects, and what each event changes.

import { api, showError } from "./api.js";
import { $, announce } from "./dom.js";
import { customerName } from "./format.js";
import { t } from "./i18n.js";
import { loadMetrics } from "./metrics.js";
import { highlight, loadQueue, renderQueue, upsert } from "./queue.js";
import { signOut } from "./session.js";
import { state } from "./state.js";
import { openTicket, renderDetail } from "./ticket.js";
import { appendEntry } from "./transcript.js";

export function setLive(mode) {
  const node = $("live");
  node.dataset.state = mode;
  node.textContent = t(`live.${mode}`);
}

// EventSource cannot send the Authorization header, and a token must never sit in a URL (logs,
// history): each connection trades the token for a single-use stream ticket first.
export async function connectEvents() {
  const generation = state.liveGeneration;
  setLive(state.dropped ? "reconnecting" : "connecting");
  let ticket;
  try {
    ({ ticket } = await api("POST", "/api/events/ticket"));
  } catch {
    if (state.session && generation === state.liveGeneration) retryLater(generation);
    return; // a 401 has signed us out already
  }
  if (!state.session || generation !== state.liveGeneration) return; // signed out meanwhile
  const source = new EventSource(`/api/events?ticket=${encodeURIComponent(ticket)}`);
  state.source = source;
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
    state.source = null;
    retryLater(state.liveGeneration);
  };
  // Signed out elsewhere, password or role changed, or revoked by an admin.
  source.addEventListener("session_ended", () => {
    if (state.source === source) signOut(t("signin.ended"));
  });
  source.addEventListener("ticket", (event) => onTicket(JSON.parse(event.data)));
  source.addEventListener("message", (event) => onMessage(JSON.parse(event.data)));
  source.addEventListener("breach", (event) => onBreach(JSON.parse(event.data)));
}

function retryLater(generation) {
  state.dropped = true;
  setLive("reconnecting");
  const delay = state.retryMs + Math.random() * 500;
  state.retryMs = Math.min(state.retryMs * 2, 30000);
  clearTimeout(state.reconnectTimer);
  state.reconnectTimer = setTimeout(() => {
    if (state.session && generation === state.liveGeneration) connectEvents();
  }, delay);
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
