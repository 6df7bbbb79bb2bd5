// The admins' audit log.

import { api, showError } from "./api.js";
import { $, el } from "./dom.js";
import { when } from "./format.js";
import { t, WORDS } from "./i18n.js";

export async function loadAudit() {
  try {
    const entries = await api("GET", "/api/audit");
    const rows = entries.map((entry) => {
      const tr = el("tr");
      const action = WORDS.en[`audit.a.${entry.action}`] ? t(`audit.a.${entry.action}`) : entry.action;
      tr.append(el("td", "nowrap", when(entry.at)), el("td", "", entry.who), el("td", "", action),
        el("td", "detail", detailText(entry.detail)));
      return tr;
    });
    if (!rows.length) {
      const tr = el("tr");
      const td = el("td", "muted", t("audit.none"));
      td.colSpan = 4;
      tr.append(td);
      rows.push(tr);
    }
    $("audit-list").replaceChildren(...rows);
  } catch (err) { showError(err); }
}

export function detailText(detail) {
  return Object.entries(detail || {})
    .filter(([, value]) => value !== null && value !== "" && !(Array.isArray(value) && !value.length))
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(" · ") : value}`)
    .join("; ");
}
