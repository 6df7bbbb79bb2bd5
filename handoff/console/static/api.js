// The handoff API: fetch with the session token, errors, the server's clock.

import { toast } from "./dom.js";
import { t } from "./i18n.js";
import { signOut } from "./session.js";
import { state } from "./state.js";

export class ApiError extends Error {
  constructor(status, detail, body = null) { super(detail); this.status = status; this.body = body; }
}

export function detailOf(body, fallback) {
  if (body && typeof body.detail === "string") return body.detail;
  if (body && Array.isArray(body.detail) && body.detail[0]?.msg) return body.detail[0].msg;
  if (body && typeof body.detail?.message === "string") return body.detail.message;
  return fallback;
}

export async function api(method, path, body) {
  const headers = { Authorization: `Bearer ${state.session?.token}` };
  const init = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  noteServerClock(response);
  if (response.status === 401) {
    signOut(t("signin.expired"));
    throw new ApiError(401, t("signin.expired"));
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, detailOf(data, response.statusText), data);
  return data;
}

// SLA countdowns use the server's clock: a laptop a minute off must not hide a breach.
export function noteServerClock(response) {
  const date = Date.parse(response.headers.get("Date") || "");
  if (Number.isNaN(date)) return;
  const skew = date - Date.now();
  state.skewMs = Math.abs(skew) > 3000 ? skew : 0;
}

export function showError(err) {
  if (err instanceof ApiError && err.status === 401) return;
  toast(t("error", { detail: err.message }));
}
