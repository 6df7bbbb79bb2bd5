// Flag for the bot: an agent marks a message the bot should have answered.

import { api, showError } from "./api.js";
import { $, el, toast } from "./dom.js";
import { t } from "./i18n.js";
import { ia } from "./intents-state.js";
import { state } from "./state.js";

export async function openFlag() {
  const d = state.detail;
  if (!d) return;
  $("flag-error").textContent = "";
  try {
    ia.names ||= await api("GET", "/api/intents/names");
  } catch (err) { showError(err); return; }
  const picker = $("flag-intent");
  picker.replaceChildren(...ia.names.map((name) => {
    const option = el("option", "", name);
    option.value = name;
    return option;
  }));
  if (ia.names.includes(d.signals?.intent)) picker.value = d.signals.intent;
  const said = (d.transcript || []).filter((entry) => entry.role === "customer");
  $("flag-text").value = said.at(-1)?.text || d.last_message?.text || "";
  $("flag-dialog").showModal();
  picker.focus();
}

export async function submitFlag(event) {
  event.preventDefault();
  const id = state.openId;
  if (!id) return;
  try {
    await api("POST", `/api/tickets/${encodeURIComponent(id)}/flag`,
      { intent: $("flag-intent").value, text: $("flag-text").value.trim() || null });
    $("flag-dialog").close();
    toast(t("flag.done"));
  } catch (err) {
    $("flag-error").textContent = t("error", { detail: err.message });
  }
}
