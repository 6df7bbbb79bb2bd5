// Switching the page between English and Chinese, and re-labelling everything on it.

import { renderCanned } from "./actions.js";
import { $ } from "./dom.js";
import { LANG_KEY, t } from "./i18n.js";
import { setLive } from "./live.js";
import { renderQueue, updateTitle } from "./queue.js";
import { hooks, state } from "./state.js";
import { renderDetail } from "./ticket.js";
import { renderTranscript } from "./transcript.js";

export function applyLanguage() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  for (const el of document.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  for (const el of document.querySelectorAll("[data-lang-toggle]")) el.textContent = t("lang.other");
  for (const sev of ["crisis", "negative", "normal"]) $(`m-${sev}`).title = t(`sev.${sev}`);
  $("transcript").setAttribute("aria-label", t("transcript.label"));
  $("metrics").setAttribute("aria-label", t("metrics.label"));
  setLive(state.source ? $("live").dataset.state : "connecting");
  renderCanned();
  renderQueue();
  if (state.detail) {
    renderDetail();
    renderTranscript(state.detail.transcript);
  }
  updateTitle();
  hooks.language.forEach((fn) => fn());
}

export function toggleLanguage() {
  state.lang = state.lang === "zh" ? "en" : "zh";
  localStorage.setItem(LANG_KEY, state.lang);
  applyLanguage();
}
