// Two admins editing at once: every save names the draft revision it was made on; when another
// admin saved first, the server answers 409 with their draft, which is loaded here. The open
// intent's form takes their examples with this admin's own additions and removals applied on
// top (answers stay as typed), so saving again keeps both changes.

import { ApiError } from "./api.js";
import { t } from "./i18n.js";
import { renderExamples } from "./intents-editor.js";
import { renderDraftBar, renderList } from "./intents-list.js";
import { findIntent, ia } from "./intents-state.js";

export const draftRevision = () => ia.data?.draft?.revision ?? null;

export function withRevision(path) {
  const revision = draftRevision();
  return revision === null ? path : `${path}?revision=${encodeURIComponent(revision)}`;
}

export function isDraftConflict(err) {
  return err instanceof ApiError && err.status === 409 && err.body?.detail?.code === "draft_conflict";
}

/** Load the other admin's draft from a 409; returns the message to show. */
export function takeTheirDraft(err) {
  const detail = err.body.detail;
  ia.data = detail.current;
  rebaseExamples(findIntent(ia.original));
  renderList();
  renderDraftBar();
  return t("draft.conflict", { who: detail.updated_by || t("draft.conflict.publish") });
}

function rebaseExamples(theirs) {
  if (!theirs || !ia.base) return;
  const base = new Set(ia.base.examples);
  const mine = new Set(ia.examples);
  const added = ia.examples.filter((text) => !base.has(text));
  const removed = new Set(ia.base.examples.filter((text) => !mine.has(text)));
  ia.examples = [...new Set([...added, ...theirs.examples.filter((text) => !removed.has(text))])];
  ia.base = theirs;
  renderExamples();
}
