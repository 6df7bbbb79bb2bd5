// Editing one intent: name, examples, answers, variants, saving, deleting, preview.

import { api, showError } from "./api.js";
import { confirmDialog } from "./dialogs.js";
import { $, el, toast } from "./dom.js";
import { t } from "./i18n.js";
import { draftRevision, isDraftConflict, takeTheirDraft, withRevision } from "./intents-conflict.js";
import { renderDraftBar, renderList } from "./intents-list.js";
import { findIntent, ia, TIERS, VARIANTS } from "./intents-state.js";

export async function openIntent(name) {
  if (ia.dirty && !(await saveIntent())) return;
  const intent = findIntent(name);
  if (!intent) return;
  ia.selected = name;
  fillForm(intent);
  renderList();
  $("panel-evaluation").hidden = true;
  $(`panel-${ia.tab}`).hidden = false;
}

export function newIntent() {
  ia.selected = "";
  fillForm({ name: "", examples: [], answers: {}, variants: {}, handoff: false });
  renderList();
  $("e-name").focus();
}

export function closeEditor() {
  ia.selected = null;
  ia.dirty = false;
  $("intent-form").hidden = true;
  $("editor-empty").hidden = false;
}

export function fillForm(intent) {
  ia.original = intent.name || null;
  ia.base = intent; // what the form started from: a conflicting save is replayed on top
  ia.examples = [...intent.examples];
  $("editor-empty").hidden = true;
  $("intent-form").hidden = false;
  $("e-name").value = intent.name;
  $("e-handoff").checked = Boolean(intent.handoff);
  $("e-answer-zh").value = intent.answers?.zh || "";
  $("e-answer-en").value = intent.answers?.en || "";
  $("e-error").textContent = "";
  $("e-delete").disabled = !intent.name;
  renderVariants(intent.variants || {});
  $("e-variants-box").open = Object.keys(intent.variants || {}).length > 0;
  renderExamples();
  setDirty(false);
  loadPreview();
}

export function setDirty(dirty) {
  ia.dirty = dirty;
  $("e-dirty").hidden = !dirty;
  renderDraftBar();
}

export function renderExamples() {
  const filter = $("e-filter").value.trim().toLowerCase();
  $("e-count").textContent = ia.examples.length;
  $("e-examples").replaceChildren(...ia.examples
    .filter((text) => !filter || text.toLowerCase().includes(filter))
    .map((text) => {
      const item = el("li", "example");
      const remove = el("button", "ghost remove", "×");
      remove.type = "button";
      remove.setAttribute("aria-label", t("editor.remove", { text }));
      remove.title = t("editor.remove", { text });
      remove.addEventListener("click", () => {
        ia.examples = ia.examples.filter((e) => e !== text);
        renderExamples();
        setDirty(true);
      });
      item.append(el("span", "example-text", text), remove);
      return item;
    }));
}

export function addExamples() {
  const box = $("e-new-example");
  const lines = box.value.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  if (!lines.length) return;
  const known = new Set(ia.examples);
  const fresh = [...new Set(lines)].filter((line) => !known.has(line));
  const duplicates = lines.filter((line) => known.has(line));
  ia.examples = [...fresh.reverse(), ...ia.examples]; // newest on top, where the eye is
  box.value = "";
  $("e-error").textContent = duplicates.length
    ? t("editor.duplicates", { text: duplicates.join(" · ") }) : "";
  renderExamples();
  if (fresh.length) setDirty(true);
}

export function renderVariants(variants) {
  const rows = VARIANTS.map((key) => {
    const row = el("div", "variant");
    const label = key === "private" || key === "comment" ? t(`channel.${key}`) : t(`tier.${key}`);
    row.append(el("span", "variant-name", label));
    for (const lang of ["zh", "en"]) {
      const box = el("textarea");
      box.rows = 2;
      box.maxLength = 2000;
      box.dataset.variant = key;
      box.dataset.lang = lang;
      box.value = variants?.[key]?.[lang] || "";
      box.setAttribute("aria-label", `${label} · ${lang === "zh" ? "中文" : "English"}`);
      box.placeholder = lang === "zh" ? "中文" : "English";
      row.append(box);
    }
    return row;
  });
  $("e-variants").replaceChildren(...rows);
}

export function collectVariants() {
  const variants = {};
  for (const box of $("e-variants").querySelectorAll("textarea")) {
    const text = box.value.trim();
    if (!text) continue;
    (variants[box.dataset.variant] ||= {})[box.dataset.lang] = text;
  }
  return variants;
}

/** Save the open intent into the draft; true when saved (or nothing to save). */
export async function saveIntent(event) {
  event?.preventDefault();
  if (ia.selected === null || !ia.dirty) return true;
  addExamples(); // text left in the box counts too
  const name = $("e-name").value.trim();
  if (!name) {
    $("e-error").textContent = t("editor.noname");
    $("e-name").focus();
    return false;
  }
  const body = {
    examples: ia.examples,
    answers: { zh: $("e-answer-zh").value.trim(), en: $("e-answer-en").value.trim() },
    variants: collectVariants(),
    handoff: $("e-handoff").checked,
    rename_from: ia.original && ia.original !== name ? ia.original : null,
    revision: draftRevision(),
  };
  $("e-error").textContent = "";
  $("e-save").disabled = true;
  try {
    ia.data = await api("PUT", `/api/intents/${encodeURIComponent(name)}`, body);
    ia.selected = name;
    ia.original = name;
    setDirty(false);
    renderList();
    loadPreview();
    toast(t("editor.saved"));
    return true;
  } catch (err) {
    $("e-error").textContent = isDraftConflict(err) ? takeTheirDraft(err)
      : t("error", { detail: err.message });
    return false;
  } finally {
    $("e-save").disabled = false;
  }
}

export async function deleteIntent() {
  const name = ia.original;
  if (!name) return;
  const ok = await confirmDialog({ title: t("editor.delete.title", { name }),
    text: t("editor.delete.text"), ok: t("editor.delete").replace("…", "") });
  if (!ok) return;
  try {
    ia.data = await api("DELETE", withRevision(`/api/intents/${encodeURIComponent(name)}`));
    closeEditor();
    renderList();
    renderDraftBar();
    toast(t("editor.deleted"));
  } catch (err) {
    if (isDraftConflict(err)) $("e-error").textContent = takeTheirDraft(err);
    else showError(err);
  }
}

export async function loadPreview() {
  const name = ia.original;
  const box = $("preview");
  if (!name || !findIntent(name)) {
    box.replaceChildren(el("dd", "muted", t("preview.unsaved")));
    return;
  }
  try {
    const texts = await api("POST", "/api/intents/preview", { intent: name,
      language: $("p-language").value, channel: $("p-channel").value });
    if (ia.original !== name) return;
    box.replaceChildren(...TIERS.flatMap((tier) => [
      el("dt", "", t(`tier.${tier}`)), el("dd", "preview-text", texts[tier] || "—")]));
  } catch (err) { showError(err); }
}
