// The published versions: their diffs and rolling back.

import { api, showError } from "./api.js";
import { confirmDialog } from "./dialogs.js";
import { $, el, toast } from "./dom.js";
import { percent, when } from "./format.js";
import { t } from "./i18n.js";
import { setBusy } from "./intents-area.js";
import { loadIntents } from "./intents-list.js";

export async function loadVersions() {
  try {
    const versions = await api("GET", "/api/intents/versions");
    $("versions").replaceChildren(...versions.map(versionItem));
  } catch (err) { showError(err); }
}

export function versionItem(v) {
  const item = el("li", "version card");
  item.dataset.version = v.version;
  const head = el("div", "version-head");
  head.append(el("strong", "", `v${v.version}`));
  if (v.live) head.append(el("span", "badge live-badge", t("history.live")));
  head.append(el("span", "muted", `${when(v.created_at)} · ${v.author}`),
    el("span", "muted", t("history.summary", { intents: v.intents, examples: v.examples })));
  if (v.accuracy !== null && v.accuracy !== undefined) {
    head.append(el("span", "muted", t("history.accuracy", { accuracy: percent(v.accuracy) })));
  }
  const actions = el("span", "version-actions");
  const diffButton = el("button", "", t("history.diff"));
  diffButton.type = "button";
  diffButton.setAttribute("aria-expanded", "false");
  const diffBox = el("div", "diff");
  diffBox.hidden = true;
  diffButton.addEventListener("click", () => toggleDiff(v.version, diffButton, diffBox));
  if (v.version > 1) actions.append(diffButton); // the first version has nothing before it
  if (!v.live) {
    const back = el("button", "", t("history.rollback"));
    back.type = "button";
    back.addEventListener("click", () => rollback(v.version));
    actions.append(back);
  }
  head.append(actions);
  item.append(head);
  if (v.note) item.append(el("p", "note", v.note));
  item.append(diffBox);
  return item;
}

export async function toggleDiff(version, button, box) {
  const open = box.hidden;
  box.hidden = !open;
  button.setAttribute("aria-expanded", String(open));
  if (!open || box.childElementCount) return;
  try {
    renderDiff(await api("GET", `/api/intents/versions/${version}/diff`), box);
  } catch (err) {
    box.replaceChildren(el("p", "muted", err.message));
  }
}

export function renderDiff(diff, box) {
  const list = el("ul", "diff-list");
  for (const name of diff.added) list.append(el("li", "added", t("diff.added", { name })));
  for (const name of diff.removed) list.append(el("li", "removed", t("diff.removed", { name })));
  for (const change of diff.changed) {
    const item = el("li", "changed");
    item.append(el("strong", "", change.intent));
    const details = el("ul");
    for (const [key, cls] of [["examples_added", "added"], ["examples_removed", "removed"]]) {
      if (!change[key]) continue;
      const line = el("li", cls, `${t(`diff.${key}`)}: `);
      line.append(el("span", "", change[key].join(" · ")));
      details.append(line);
    }
    if (change.answers) {
      const line = el("li", "", `${t("diff.answers")}: `);
      for (const lang of ["zh", "en"]) {
        if ((change.answers.before[lang] || "") === (change.answers.after[lang] || "")) continue;
        line.append(el("del", "", change.answers.before[lang] || "—"), " → ",
          el("ins", "", change.answers.after[lang] || "—"), " ");
      }
      details.append(line);
    }
    if (change.variants) details.append(el("li", "", t("diff.variants")));
    if (change.handoff) {
      details.append(el("li", "", t("diff.handoff", { before: t(change.handoff.before ? "yes" : "no"),
        after: t(change.handoff.after ? "yes" : "no") })));
    }
    item.append(details);
    list.append(item);
  }
  if (!list.childElementCount) list.append(el("li", "muted", t("history.nochange")));
  box.replaceChildren(el("p", "muted small", t("history.compared", { version: diff.compared_with })), list);
}

export async function rollback(version) {
  const ok = await confirmDialog({ title: t("rollback.title", { version }), text: t("rollback.text"),
    ok: t("history.rollback") });
  if (!ok) return;
  setBusy("busy.rollback");
  try {
    const result = await api("POST", "/api/intents/rollback", { version });
    toast(t("rollback.done", { version: result.version, to: version }));
    await Promise.all([loadVersions(), loadIntents()]);
  } catch (err) { showError(err); }
  finally { setBusy(null); }
}
