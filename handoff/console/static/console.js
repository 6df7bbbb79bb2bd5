// Switchboard agent console. Vanilla JS, no build step, nothing loaded from outside.
// All customer and agent text is put on the page with textContent, never innerHTML.
// This module wires the page together and starts it; the parts are in their own modules.

import { addNote, claim, insertCanned, release, sendReply } from "./actions.js";
import { openResolve, openTransfer, submitResolve, submitTransfer } from "./dialogs.js";
import { $ } from "./dom.js";
import { markUnnecessary, useSuggestion } from "./handover.js";
import { onKey } from "./keyboard.js";
import { applyLanguage, toggleLanguage } from "./language.js";
import { ready } from "./partials.js";
import { loadQueue } from "./queue.js";
import { SESSION_KEY, setPresence, signIn, signOut, start } from "./session.js";
import { state } from "./state.js";
import { changeTier } from "./ticket.js";

function wire() {
  $("signin-form").addEventListener("submit", signIn);
  $("signout").addEventListener("click", () => signOut());
  for (const button of document.querySelectorAll("[data-lang-toggle]")) {
    button.addEventListener("click", toggleLanguage);
  }
  $("presence").addEventListener("change", setPresence);
  $("queue-filter").addEventListener("change", () => {
    state.filter = $("queue-filter").value;
    state.selectedId = null;
    loadQueue();
  });
  $("alert-close").addEventListener("click", () => { $("alert").hidden = true; });
  $("help-open").addEventListener("click", () => $("help-dialog").showModal());
  $("act-claim").addEventListener("click", claim);
  $("act-release").addEventListener("click", release);
  $("act-transfer").addEventListener("click", openTransfer);
  $("act-resolve").addEventListener("click", openResolve);
  $("reply-form").addEventListener("submit", sendReply);
  $("note-form").addEventListener("submit", addNote);
  $("canned").addEventListener("change", insertCanned);
  $("suggestion-use").addEventListener("click", useSuggestion);
  $("act-unnecessary").addEventListener("click", markUnnecessary);
  $("c-tier").addEventListener("change", changeTier);
  $("transfer-form").addEventListener("submit", submitTransfer);
  $("resolve-form").addEventListener("submit", submitResolve);
  for (const button of document.querySelectorAll("dialog [data-close]")) {
    button.addEventListener("click", () => button.closest("dialog").close());
  }
  document.addEventListener("keydown", onKey);
}

function boot() {
  wire();
  applyLanguage();
  try { state.session = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null"); }
  catch { state.session = null; }
  if (state.session && state.session.expiresAt > Date.now()) start();
  else signOut("");
}

// Once the markup is complete (partials.js); intents.js wires its part right after.
ready.then(boot);
