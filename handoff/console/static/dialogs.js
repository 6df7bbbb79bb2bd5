// The transfer and resolve dialogs, and a shared yes/no confirmation.

import { act } from "./actions.js";
import { api, showError } from "./api.js";
import { $, el } from "./dom.js";
import { t } from "./i18n.js";
import { state } from "./state.js";

export async function openTransfer() {
  if (!state.detail || $("act-transfer").disabled) return;
  $("transfer-error").textContent = "";
  const target = $("transfer-target");
  try {
    const agents = await api("GET", "/api/agents");
    const people = el("optgroup");
    people.label = t("transfer.agents");
    for (const agent of agents) {
      if (agent.username === state.detail.agent || agent.username === state.session.username) continue;
      const option = el("option", "", `${agent.username} · ${t(`presence.${agent.status}`)}`
        + ` · ${agent.load}/${agent.capacity}`);
      option.value = `agent:${agent.username}`;
      people.append(option);
    }
    const teams = el("optgroup");
    teams.label = t("transfer.teams");
    const names = new Set([state.detail.team, ...agents.flatMap((agent) => agent.teams)]);
    for (const name of [...names].filter(Boolean).sort()) {
      const option = el("option", "", t("transfer.team", { team: name }));
      option.value = `team:${name}`;
      teams.append(option);
    }
    target.replaceChildren(people, teams);
    $("transfer-dialog").showModal();
    target.focus();
  } catch (err) { showError(err); }
}

export async function submitTransfer(event) {
  event.preventDefault();
  const [kind, ...rest] = $("transfer-target").value.split(":");
  const name = rest.join(":");
  const body = kind === "agent" ? { agent: name, team: null } : { agent: null, team: name };
  if (await act("transfer", body, "transfer.done")) $("transfer-dialog").close();
  else $("transfer-error").textContent = $("toast").textContent;
}

export function openResolve() {
  if (!state.detail || $("act-resolve").disabled) return;
  $("resolve-error").textContent = "";
  $("resolve-dialog").showModal();
  $("resolve-ok").focus();
}

export async function submitResolve(event) {
  event.preventDefault();
  if (await act("resolve", { ask_csat: $("resolve-csat").checked }, "resolve.done")) {
    $("resolve-dialog").close();
    $("queue-list").focus();
  } else {
    $("resolve-error").textContent = $("toast").textContent;
  }
}

/** A modal yes/no question; resolves to true when confirmed. */
export function confirmDialog({ title, text, list = [], ok }) {
  const dialog = $("confirm-dialog");
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-list").replaceChildren(...list.map((line) => el("li", "", line)));
  $("confirm-ok").textContent = ok;
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.returnValue = "";
    dialog.showModal();
    $("confirm-ok").focus();
  });
}
