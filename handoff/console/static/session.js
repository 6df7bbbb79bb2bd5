// Signing in and out, starting and stopping the live page, the agent's presence.

import { loadCanned } from "./actions.js";
import { api, detailOf, showError } from "./api.js";
import { $ } from "./dom.js";
import { t } from "./i18n.js";
import { applyLanguage } from "./language.js";
import { connectEvents } from "./live.js";
import { loadMetrics } from "./metrics.js";
import { loadQueue, tick } from "./queue.js";
import { hooks, state } from "./state.js";
import { closeTicket } from "./ticket.js";

export const SESSION_KEY = "switchboard.console.session";

export async function signIn(event) {
  event.preventDefault();
  $("signin-error").textContent = "";
  const form = new URLSearchParams({ username: $("signin-user").value.trim(),
    password: $("signin-password").value });
  try {
    const response = await fetch("/api/auth/token", { method: "POST", body: form });
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      $("signin-error").textContent = signInRefusal(response, data);
      return;
    }
    state.session = { token: data.access_token, username: data.username, role: data.role,
      expiresAt: Date.now() + (data.expires_in || 0) * 1000 };
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(state.session));
    $("signin-password").value = "";
    start();
  } catch (err) {
    $("signin-error").textContent = t("error", { detail: err.message });
  }
}

function signInRefusal(response, data) {
  if (response.status === 401) return t("signin.bad");
  if (response.status === 429) {
    const seconds = Number(response.headers.get("Retry-After")) || data?.detail?.retry_after || 60;
    return t("signin.throttled", { seconds });
  }
  return detailOf(data, response.statusText);
}

export function signOut(message) {
  if (state.session && message === undefined) {
    // Signing out on purpose ends the session on the server (the token and its live stream
    // stop working) and sets the agent offline. keepalive: it outlives a closing tab.
    fetch("/api/auth/token", { method: "DELETE", keepalive: true,
      headers: { Authorization: `Bearer ${state.session.token}` } }).catch(() => {});
  }
  stopLive();
  hooks.stop.forEach((fn) => fn());
  state.session = null;
  sessionStorage.removeItem(SESSION_KEY);
  state.tickets.clear();
  state.order = [];
  closeTicket();
  $("app").hidden = true;
  $("signin").hidden = false;
  $("signin-error").textContent = message || "";
  $("signin-user").focus();
}

export function start() {
  $("signin").hidden = true;
  $("app").hidden = false;
  $("me").textContent = `${state.session.username} · ${state.session.role}`;
  applyLanguage();
  $("queue-list").focus();
  loadMe();
  loadQueue();
  loadMetrics();
  loadCanned();
  connectEvents();
  state.timers.push(setInterval(loadMetrics, 10000));
  state.timers.push(setInterval(tick, 1000));
  state.timers.push(setInterval(loadMe, 30000)); // the server may have changed our presence
  hooks.start.forEach((fn) => fn());
  const left = state.session.expiresAt - Date.now();
  if (left > 0) state.sessionTimer = setTimeout(() => signOut(t("signin.expired")), left);
}

export function stopLive() {
  state.timers.forEach(clearInterval);
  state.timers = [];
  for (const timer of [state.sessionTimer, state.reconnectTimer, state.metricsTimer,
    state.syncTimer]) clearTimeout(timer);
  state.source?.close();
  state.source = null;
  state.liveGeneration += 1; // a stream still being set up must not start after this
  state.dropped = false;
  state.retryMs = 1000;
}

export async function loadMe() {
  try {
    const me = await api("GET", "/api/me");
    $("presence").value = me.status;
  } catch (err) { showError(err); }
}

export async function setPresence() {
  try {
    const me = await api("PUT", "/api/me/presence", { status: $("presence").value });
    $("presence").value = me.status;
  } catch (err) { showError(err); }
}
