// Switchboard console: the admins' intent editor (docs/intents-api.md), and the agents'
// "flag for the bot" action. This module wires them; the parts are in intents-*.js.
// All user text goes on the page with textContent, never innerHTML.

import "./intents-words.js";
import { $ } from "./dom.js";
import { openFlag, submitFlag } from "./flag.js";
import { onLanguage, onStart, onStop, setArea, setTab } from "./intents-area.js";
import {
  addExamples, deleteIntent, loadPreview, newIntent, renderExamples, saveIntent, setDirty,
} from "./intents-editor.js";
import { discardDraft, evaluate, openPublish, submitPublish } from "./intents-evaluate.js";
import { renderList } from "./intents-list.js";
import { ia, TABS } from "./intents-state.js";
import { ready } from "./partials.js";
import { hooks, state } from "./state.js";

const TYPING = new Set(["INPUT", "TEXTAREA", "SELECT"]);

function onKey(event) {
  if (state.area !== "intents" || document.querySelector("dialog[open]")) return;
  const target = event.target;
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
    event.preventDefault();
    if (ia.selected !== null) saveIntent();
    return;
  }
  if (target.id === "e-new-example" && event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    addExamples();
    return;
  }
  if (TYPING.has(target.tagName)) {
    if (event.key === "Escape") target.blur();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
  if (event.key === "/") {
    event.preventDefault();
    if (ia.tab !== "intents") setTab("intents");
    $("intent-search").focus();
  } else if (event.key === "?") {
    $("help-dialog").showModal();
  }
}

function wire() {
  for (const button of document.querySelectorAll("#areas [data-area]")) {
    button.addEventListener("click", () => setArea(button.dataset.area));
  }
  for (const name of TABS) $(`tab-${name}`).addEventListener("click", () => setTab(name));
  $("intent-search").addEventListener("input", renderList);
  $("intent-new").addEventListener("click", newIntent);
  $("intent-form").addEventListener("submit", saveIntent);
  $("intent-form").addEventListener("input", (event) => {
    // The add box, the example filter and the preview menus are not part of the intent.
    if (!event.target.closest("#e-new-example, #e-filter, .preview-head")) setDirty(true);
  });
  $("e-add").addEventListener("click", addExamples);
  $("e-filter").addEventListener("input", renderExamples);
  $("e-delete").addEventListener("click", deleteIntent);
  $("p-language").addEventListener("change", loadPreview);
  $("p-channel").addEventListener("change", loadPreview);
  $("draft-discard").addEventListener("click", discardDraft);
  $("draft-evaluate").addEventListener("click", evaluate);
  $("draft-publish").addEventListener("click", openPublish);
  $("eval-back").addEventListener("click", () => setTab(ia.tab));
  $("publish-form").addEventListener("submit", submitPublish);
  $("confirm-form").addEventListener("submit", (event) => {
    event.preventDefault();
    $("confirm-dialog").close("ok");
  });
  $("act-flag").addEventListener("click", openFlag);
  $("flag-form").addEventListener("submit", submitFlag);
  document.addEventListener("keydown", onKey);
}

ready.then(wire);
hooks.start.push(onStart);
hooks.stop.push(onStop);
hooks.language.push(onLanguage);
