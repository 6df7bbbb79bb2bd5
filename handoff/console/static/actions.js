// Acting on the open ticket: claim, release, reply, notes, canned replies.

import { api, ApiError, showError } from "./api.js";
import { $, el, toast } from "./dom.js";
import { now } from "./format.js";
import { t } from "./i18n.js";
import { upsert } from "./queue.js";
import { state } from "./state.js";
import { renderDetail, showDetail, summaryOf } from "./ticket.js";
import { bubble, scrollTranscript } from "./transcript.js";

export async function act(path, body, done) {
  const id = state.openId;
  if (!id) return null;
  try {
    const detail = await api("POST", `/api/tickets/${encodeURIComponent(id)}/${path}`, body);
    if (state.openId === id) showDetail(detail);
    else upsert(summaryOf(detail));
    if (done) toast(t(done));
    return detail;
  } catch (err) {
    showError(err);
    return null;
  }
}

export const claim = () => { if (!$("act-claim").disabled) act("claim", undefined, "claimed"); };
export const release = () => { if (!$("act-release").disabled) act("release", undefined, "released"); };

export async function sendReply(event) {
  event?.preventDefault();
  const box = $("reply-text");
  const text = box.value.trim();
  const id = state.openId;
  if (!text || !id || $("reply-send").disabled) return;
  $("reply-send").disabled = true;
  $("reply-error").textContent = "";
  try {
    const result = await api("POST", `/api/tickets/${encodeURIComponent(id)}/messages`, { text });
    box.value = "";
    if (state.openId === id && !$(`transcript`).querySelector(`[data-entry-id="${CSS.escape(result.reply_id)}"]`)) {
      const node = bubble({ id: result.reply_id, role: "agent", text, ts: now() }, "pending");
      node.dataset.text = text;
      node.querySelector(".meta").textContent += ` · ${t("reply.sending")}`;
      $("transcript").append(node);
      scrollTranscript(true);
    }
  } catch (err) {
    $("reply-error").textContent = t("error", { detail: err.message });
  } finally {
    if (state.detail) renderDetail();
  }
}

export async function addNote(event) {
  event.preventDefault();
  const text = $("note-text").value.trim();
  if (!text) return;
  if (await act("notes", { text })) $("note-text").value = "";
}

export function insertCanned() {
  const choice = state.canned.find((item) => item.id === $("canned").value);
  $("canned").value = "";
  if (!choice) return;
  const text = choice.text[state.lang] || choice.text.en || choice.text.zh || "";
  const box = $("reply-text");
  const start = box.selectionStart ?? box.value.length;
  box.setRangeText(text, start, box.selectionEnd ?? start, "end");
  box.focus();
}

export async function loadCanned() {
  try {
    state.canned = await api("GET", "/api/canned");
  } catch (err) {
    state.canned = [];
    if (!(err instanceof ApiError && err.status === 404)) showError(err);
  }
  renderCanned();
}

export function renderCanned() {
  $("canned").hidden = state.canned.length === 0;
  const pick = el("option", "", t("canned.pick"));
  pick.value = "";
  $("canned").replaceChildren(pick, ...state.canned.map((item) => {
    const option = el("option", "", item.title);
    option.value = item.id;
    option.title = item.text[state.lang] || "";
    return option;
  }));
}
