// The hand-over on the open ticket: why it happened (reason and triage bars), the FAQ answer
// the bot would have sent (one click into the reply box, never sent by itself), and "this
// hand-over was unnecessary" for the admins' misses list.

import { api, showError } from "./api.js";
import { $, announce, toast } from "./dom.js";
import { t } from "./i18n.js";
import { state } from "./state.js";
import { triageBars, whyText } from "./why.js";

export function renderHandover(d) {
  const signals = d.signals || {};
  const why = signals.why;
  $("t-why-main").hidden = !why;
  $("t-why-text").textContent = whyText(why);
  $("t-triage").replaceChildren(...triageBars(signals.triage_top));

  const suggestion = signals.suggested_reply;
  $("suggestion").hidden = !suggestion?.text;
  if (suggestion?.text) {
    $("suggestion-title").textContent = t("suggestion.title", { intent: suggestion.intent });
    $("suggestion-text").textContent = suggestion.text;
  }
  $("suggestion-use").disabled = d.status === "resolved";

  const marked = d.unnecessary;
  $("act-unnecessary").disabled = Boolean(marked);
  $("t-unnecessary").textContent = marked ? t("unnecessary.marked", { who: marked.by }) : "";
}

/** Put the suggested answer into the reply box for the agent to edit and send. */
export function useSuggestion() {
  const text = state.detail?.signals?.suggested_reply?.text;
  const box = $("reply-text");
  if (!text || box.disabled) return;
  box.value = text;
  box.focus();
  box.setSelectionRange(text.length, text.length);
  announce(t("suggestion.used"));
}

export async function markUnnecessary() {
  const id = state.openId;
  if (!id || $("act-unnecessary").disabled) return;
  $("act-unnecessary").disabled = true;
  try {
    const result = await api("POST", `/api/tickets/${encodeURIComponent(id)}/unnecessary`);
    if (state.openId === id && state.detail) {
      state.detail.unnecessary = { by: result.by, at: result.at };
      renderHandover(state.detail);
    }
    toast(t(result.recorded ? "unnecessary.done" : "unnecessary.already", { who: result.by }));
  } catch (err) {
    $("act-unnecessary").disabled = false;
    showError(err);
  }
}
