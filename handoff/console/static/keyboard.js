// The queue's keyboard shortcuts (the intent editor has its own, in intents.js).

import { claim, sendReply } from "./actions.js";
import { openResolve, openTransfer } from "./dialogs.js";
import { $ } from "./dom.js";
import { useSuggestion } from "./handover.js";
import { move } from "./queue.js";
import { state } from "./state.js";
import { openTicket } from "./ticket.js";

const TYPING = new Set(["INPUT", "TEXTAREA", "SELECT"]);

export function onKey(event) {
  if (!state.session || document.querySelector("dialog[open]")) return;
  if (state.area === "intents") return; // the intent editor has its own keys (intents.js)
  const target = event.target;
  if (target.id === "reply-text" && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    sendReply();
    return;
  }
  if (TYPING.has(target.tagName)) {
    if (event.key === "Escape") { target.blur(); $("queue-list").focus(); }
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
  const action = {
    j: () => move(1), ArrowDown: () => move(1), k: () => move(-1), ArrowUp: () => move(-1),
    Enter: () => openTicket(state.selectedId), c: claim, r: () => $("reply-text").focus(),
    e: openResolve, t: openTransfer, u: useSuggestion, "?": () => $("help-dialog").showModal(),
  }[event.key];
  if (!action || (event.key === "Enter" && target.tagName === "BUTTON")) return;
  event.preventDefault();
  action();
}
