// Formatting for people: clocks, durations, dates, percentages, names, badges, SLA clocks.

import { el } from "./dom.js";
import { t } from "./i18n.js";
import { state } from "./state.js";

export const now = () => (Date.now() + state.skewMs) / 1000;

export function clock(seconds) {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = String(Math.floor((total % 3600) / 60)).padStart(2, "0");
  const s = String(total % 60).padStart(2, "0");
  return h ? `${h}:${m}:${s}` : `${m}:${s}`;
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  const total = Math.round(seconds);
  const zh = state.lang === "zh";
  if (total < 60) return zh ? `${total}秒` : `${total}s`;
  const m = Math.floor(total / 60);
  if (m < 60) return zh ? `${m}分${total % 60}秒` : `${m}m ${total % 60}s`;
  return zh ? `${Math.floor(m / 60)}小时${m % 60}分` : `${Math.floor(m / 60)}h ${m % 60}m`;
}

// The bot's hand-over reasons are short codes ("intent:complaint"); agents get words.
export function reasonText(reason) {
  const [code, ...rest] = String(reason || "").split(":");
  const detail = rest.join(":");
  const key = { intent: "reason.intent", no_answer: "reason.no_answer",
    repeated_failure: "reason.repeated_failure" }[code];
  return key && (detail || code === "repeated_failure") ? t(key, { detail }) : String(reason || "");
}

export const percent = (v) => (v === null || v === undefined ? "—" : `${Math.round(v * 100)}%`);

export function when(ts) {
  if (!ts) return "";
  const date = new Date(ts * 1000);
  const locale = state.lang === "zh" ? "zh-CN" : "en-GB";
  const sameDay = date.toDateString() === new Date().toDateString();
  const options = sameDay ? { hour: "2-digit", minute: "2-digit" }
    : { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" };
  return new Intl.DateTimeFormat(locale, options).format(date);
}

export function day(ts) {
  if (!ts) return "—";
  const locale = state.lang === "zh" ? "zh-CN" : "en-GB";
  return new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", day: "numeric" })
    .format(new Date(ts * 1000));
}

export const PLATFORMS = { webchat: ["Web chat", "网页聊天"], wechat: ["WeChat", "微信"],
  wecom_kf: ["WeCom", "微信客服"], telegram: ["Telegram", "Telegram"] };
export const platformName = (name) => PLATFORMS[name]?.[state.lang === "zh" ? 1 : 0] ?? name;

// Web chat visitors have no name: a short, stable tag tells two of them apart.
export const customerName = (ticket) => ticket.customer.display_name || ticket.customer.username
  || `${t("role.customer")} ${ticket.customer.key.split(":").pop().slice(-6)}`;


export function badge(kind, value) {
  return el("span", `badge ${kind}-${value}`, t(`${kind}.${value}`));
}

/** The SLA clock of a ticket: time left to the first response, or how late it is. */
export function sla(ticket) {
  if (ticket.status === "resolved") return { text: t("sla.resolved"), cls: "met" };
  if (ticket.first_response_at) return { text: t("sla.answered"), cls: "met" };
  const left = ticket.sla_deadline - now();
  if (ticket.breached || left <= 0) return { text: t("sla.over", { time: clock(-left) }), cls: "breached" };
  return { text: clock(left), cls: left < 120 ? "soon" : "" };
}

export function paintSla(node, ticket) {
  const { text, cls } = sla(ticket);
  node.textContent = text;
  node.className = `sla ${cls}`;
  node.title = t("sla.title");
}
