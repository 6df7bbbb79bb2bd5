// Switchboard agent console. Vanilla JS, no build step, nothing loaded from outside.
// All customer and agent text is put on the page with textContent, never innerHTML.
"use strict";

// --- Words --------------------------------------------------------------------------------
const WORDS = {
  en: {
    "title": "Switchboard · Agent console",
    "signin.subtitle": "Agent console", "signin.username": "Username", "signin.password": "Password",
    "signin.submit": "Sign in", "signin.bad": "Wrong username or password.",
    "signin.expired": "Your session ended. Please sign in again.",
    "signout": "Sign out", "dismiss": "Dismiss", "cancel": "Cancel", "close": "Close",
    "metric.queue": "Queue", "metric.oldest": "Oldest wait", "metric.first": "Avg first response",
    "metric.sla": "SLA met", "metric.handoff": "Handoff rate", "metric.auto": "Auto-answered",
    "presence.label": "Your status", "presence.online": "Online", "presence.away": "Away",
    "presence.offline": "Offline",
    "live.live": "Live", "live.connecting": "Connecting…", "live.reconnecting": "Reconnecting…",
    "queue.title": "Queue", "queue.filter": "Show", "queue.empty": "Nobody is waiting. Nice.",
    "filter.open": "Open", "filter.waiting": "Waiting", "filter.assigned": "Assigned",
    "filter.resolved": "Resolved",
    "ticket.none": "Pick a ticket from the queue.",
    "ticket.hint": "j / k to move, Enter to open, ? for all shortcuts",
    "sev.crisis": "Crisis", "sev.negative": "Negative", "sev.normal": "Normal",
    "tier.new": "New", "tier.regular": "Regular", "tier.loyal": "Loyal", "tier.vip": "VIP",
    "status.waiting": "waiting", "status.assigned": "assigned", "status.resolved": "resolved",
    "channel.private": "private chat", "channel.comment": "comment",
    "holder.none": "unclaimed", "holder.you": "you", "held.by": "held by {agent}",
    "held.you": "held by you",
    "sla.answered": "answered", "sla.resolved": "resolved", "sla.over": "+{time} late",
    "sla.title": "Time left to the first response",
    "priority.title": "Priority (1 = most urgent)",
    "reason.intent": "Topic for a person: {detail}", "reason.no_answer": "No answer yet for {detail}",
    "reason.repeated_failure": "The bot did not understand, twice",
    "act.claim": "Claim", "act.release": "Release", "act.transfer": "Transfer", "act.resolve": "Resolve",
    "role.bot": "Bot", "role.agent": "Agent", "role.customer": "Customer",
    "transcript.label": "Conversation", "metrics.label": "Today's numbers",
    "reply.hint": "Ctrl+Enter to send", "reply.label": "Reply to the customer",
    "reply.placeholder": "Write to the customer…", "reply.send": "Send", "reply.sending": "sending…",
    "reply.heldby": "{agent} holds this ticket.", "reply.resolved": "This ticket is resolved.",
    "canned.label": "Canned reply", "canned.pick": "Canned reply…",
    "signals.title": "Why the bot handed off", "signals.intent": "Intent",
    "signals.confidence": "Confidence", "signals.negativity": "Negativity", "signals.none": "none",
    "customer.title": "Customer", "customer.tier": "Tier", "customer.tickets": "Tickets",
    "customer.messages": "Messages", "customer.since": "Customer since",
    "customer.source.profile": "Tier set by hand", "customer.source.history": "Tier from history",
    "customer.saved": "Tier saved.",
    "notes.title": "Internal notes", "notes.label": "New note",
    "notes.placeholder": "Add a note for colleagues (never sent)", "notes.add": "Add",
    "notes.none": "No notes yet.",
    "events.title": "Activity",
    "event.opened": "opened", "event.claimed": "claimed", "event.released": "released",
    "event.reopened": "reopened", "event.replied": "replied", "event.resolved": "resolved",
    "event.transferred": "transferred", "event.breached": "SLA missed", "event.rated": "rated",
    "event.unreachable": "unreachable",
    "transfer.title": "Transfer ticket", "transfer.to": "To", "transfer.ok": "Transfer",
    "transfer.agents": "Agents", "transfer.teams": "Teams", "transfer.team": "team {team}",
    "transfer.done": "Ticket transferred.",
    "resolve.title": "Resolve ticket", "resolve.text": "The bot takes the conversation back.",
    "resolve.csat": "Ask the customer for a satisfaction rating", "resolve.ok": "Resolve",
    "resolve.done": "Ticket resolved.",
    "claimed": "You hold this ticket now.", "released": "Ticket is back in the queue.",
    "new.ticket": "New ticket: {severity}, {name}",
    "breach": "SLA missed: {name} ({severity}, {tier}) is still waiting for a first reply.",
    "unreachable": "The customer can't be reached on their platform: {reason}",
    "error": "Something went wrong: {detail}",
    "help.title": "Keyboard shortcuts", "help.move": "Move in the queue", "help.open": "Open the ticket",
    "help.claim": "Claim", "help.reply": "Write a reply", "help.send": "Send the reply",
    "help.transfer": "Transfer", "help.resolve": "Resolve",
    "help.escape": "Leave the text box / close", "help.help": "This list",
    "lang.other": "中文",
  },
  zh: {
    "title": "Switchboard · 客服工作台",
    "signin.subtitle": "客服工作台", "signin.username": "用户名", "signin.password": "密码",
    "signin.submit": "登录", "signin.bad": "用户名或密码错误。",
    "signin.expired": "登录已过期，请重新登录。",
    "signout": "退出", "dismiss": "知道了", "cancel": "取消", "close": "关闭",
    "metric.queue": "排队", "metric.oldest": "最长等待", "metric.first": "平均首次响应",
    "metric.sla": "SLA 达成", "metric.handoff": "转人工率", "metric.auto": "自动解答",
    "presence.label": "我的状态", "presence.online": "在线", "presence.away": "离开",
    "presence.offline": "离线",
    "live.live": "实时", "live.connecting": "连接中…", "live.reconnecting": "重新连接中…",
    "queue.title": "队列", "queue.filter": "显示", "queue.empty": "暂无等待的客户。",
    "filter.open": "未完成", "filter.waiting": "等待中", "filter.assigned": "处理中",
    "filter.resolved": "已解决",
    "ticket.none": "从左侧队列选择一个工单。",
    "ticket.hint": "j / k 移动，Enter 打开，? 查看全部快捷键",
    "sev.crisis": "危机", "sev.negative": "负面", "sev.normal": "普通",
    "tier.new": "新客", "tier.regular": "常客", "tier.loyal": "忠实", "tier.vip": "VIP",
    "status.waiting": "等待中", "status.assigned": "处理中", "status.resolved": "已解决",
    "channel.private": "私聊", "channel.comment": "评论",
    "holder.none": "未认领", "holder.you": "我", "held.by": "由 {agent} 处理",
    "held.you": "由我处理",
    "sla.answered": "已响应", "sla.resolved": "已解决", "sla.over": "超时 {time}",
    "sla.title": "距首次响应时限",
    "priority.title": "优先级（1 最紧急）",
    "reason.intent": "需人工处理的问题：{detail}", "reason.no_answer": "暂无答案：{detail}",
    "reason.repeated_failure": "机器人多次未能理解",
    "act.claim": "认领", "act.release": "放回", "act.transfer": "转交", "act.resolve": "解决",
    "role.bot": "机器人", "role.agent": "客服", "role.customer": "客户",
    "transcript.label": "对话", "metrics.label": "实时数据",
    "reply.hint": "Ctrl+Enter 发送", "reply.label": "回复客户",
    "reply.placeholder": "输入回复…", "reply.send": "发送", "reply.sending": "发送中…",
    "reply.heldby": "该工单由 {agent} 处理。", "reply.resolved": "该工单已解决。",
    "canned.label": "快捷回复", "canned.pick": "快捷回复…",
    "signals.title": "转人工原因", "signals.intent": "意图",
    "signals.confidence": "置信度", "signals.negativity": "负面程度", "signals.none": "无",
    "customer.title": "客户", "customer.tier": "等级", "customer.tickets": "工单数",
    "customer.messages": "消息数", "customer.since": "首次联系",
    "customer.source.profile": "等级为手动设置", "customer.source.history": "等级按历史计算",
    "customer.saved": "等级已保存。",
    "notes.title": "内部备注", "notes.label": "新备注",
    "notes.placeholder": "给同事的备注（不会发给客户）", "notes.add": "添加",
    "notes.none": "暂无备注。",
    "events.title": "操作记录",
    "event.opened": "创建", "event.claimed": "认领", "event.released": "放回",
    "event.reopened": "重新打开", "event.replied": "回复", "event.resolved": "解决",
    "event.transferred": "转交", "event.breached": "SLA 超时", "event.rated": "评价",
    "event.unreachable": "无法送达",
    "transfer.title": "转交工单", "transfer.to": "转交给", "transfer.ok": "转交",
    "transfer.agents": "客服", "transfer.teams": "小组", "transfer.team": "{team} 组",
    "transfer.done": "工单已转交。",
    "resolve.title": "解决工单", "resolve.text": "对话将交回机器人。",
    "resolve.csat": "请客户评价满意度", "resolve.ok": "解决",
    "resolve.done": "工单已解决。",
    "claimed": "你已认领该工单。", "released": "工单已放回队列。",
    "new.ticket": "新工单：{severity}，{name}",
    "breach": "SLA 超时：{name}（{severity}，{tier}）仍在等待首次回复。",
    "unreachable": "无法在客户的平台上联系到客户：{reason}",
    "error": "出错了：{detail}",
    "help.title": "键盘快捷键", "help.move": "在队列中移动", "help.open": "打开工单",
    "help.claim": "认领", "help.reply": "输入回复", "help.send": "发送回复",
    "help.transfer": "转交", "help.resolve": "解决",
    "help.escape": "离开输入框 / 关闭", "help.help": "显示本列表",
    "lang.other": "English",
  },
};

const LANG_KEY = "switchboard.console.lang";
const SESSION_KEY = "switchboard.console.session";
const STATUSES = { open: ["waiting", "assigned"], waiting: ["waiting"],
  assigned: ["assigned"], resolved: ["resolved"] };

const state = {
  lang: pickLanguage(), session: null, filter: "open",
  tickets: new Map(), order: [], selectedId: null,
  openId: null, detail: null, customer: null, loading: false, buffered: [],
  canned: [], skewMs: 0, timers: [], sessionTimer: null, metricsTimer: null, syncTimer: null,
  source: null, dropped: false, retryMs: 1000, reconnectTimer: null,
  highlights: new Map(), // ticket id -> {cls: "arrived"|"flash", until: ms}, kept across redraws
};

const $ = (id) => document.getElementById(id);

// Other console scripts (intents.js) add their words to WORDS and hook in here; they load
// before boot() runs (all scripts are deferred, boot waits for DOMContentLoaded).
const hooks = { start: [], stop: [], language: [] };

function pickLanguage() {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === "zh" || saved === "en") return saved;
  return (navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en";
}

function t(key, params = {}) {
  const text = WORDS[state.lang][key] ?? WORDS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

function applyLanguage() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  for (const el of document.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  for (const el of document.querySelectorAll("[data-lang-toggle]")) el.textContent = t("lang.other");
  for (const sev of ["crisis", "negative", "normal"]) $(`m-${sev}`).title = t(`sev.${sev}`);
  $("transcript").setAttribute("aria-label", t("transcript.label"));
  $("metrics").setAttribute("aria-label", t("metrics.label"));
  setLive(state.source ? $("live").dataset.state : "connecting");
  renderCanned();
  renderQueue();
  if (state.detail) {
    renderDetail();
    renderTranscript(state.detail.transcript);
  }
  updateTitle();
  hooks.language.forEach((fn) => fn());
}

function toggleLanguage() {
  state.lang = state.lang === "zh" ? "en" : "zh";
  localStorage.setItem(LANG_KEY, state.lang);
  applyLanguage();
}

// --- Formatting ----------------------------------------------------------------------------
const now = () => (Date.now() + state.skewMs) / 1000;

function clock(seconds) {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = String(Math.floor((total % 3600) / 60)).padStart(2, "0");
  const s = String(total % 60).padStart(2, "0");
  return h ? `${h}:${m}:${s}` : `${m}:${s}`;
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  const total = Math.round(seconds);
  const zh = state.lang === "zh";
  if (total < 60) return zh ? `${total}秒` : `${total}s`;
  const m = Math.floor(total / 60);
  if (m < 60) return zh ? `${m}分${total % 60}秒` : `${m}m ${total % 60}s`;
  return zh ? `${Math.floor(m / 60)}小时${m % 60}分` : `${Math.floor(m / 60)}h ${m % 60}m`;
}

// The bot's hand-over reasons are short codes ("intent:complaint"); agents get words.
function reasonText(reason) {
  const [code, ...rest] = String(reason || "").split(":");
  const detail = rest.join(":");
  const key = { intent: "reason.intent", no_answer: "reason.no_answer",
    repeated_failure: "reason.repeated_failure" }[code];
  return key && (detail || code === "repeated_failure") ? t(key, { detail }) : String(reason || "");
}

const percent = (v) => (v === null || v === undefined ? "—" : `${Math.round(v * 100)}%`);

function when(ts) {
  if (!ts) return "";
  const date = new Date(ts * 1000);
  const locale = state.lang === "zh" ? "zh-CN" : "en-GB";
  const sameDay = date.toDateString() === new Date().toDateString();
  const options = sameDay ? { hour: "2-digit", minute: "2-digit" }
    : { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" };
  return new Intl.DateTimeFormat(locale, options).format(date);
}

function day(ts) {
  if (!ts) return "—";
  const locale = state.lang === "zh" ? "zh-CN" : "en-GB";
  return new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", day: "numeric" })
    .format(new Date(ts * 1000));
}

const PLATFORMS = { webchat: ["Web chat", "网页聊天"], wechat: ["WeChat", "微信"],
  wecom_kf: ["WeCom", "微信客服"], telegram: ["Telegram", "Telegram"] };
const platformName = (name) => PLATFORMS[name]?.[state.lang === "zh" ? 1 : 0] ?? name;

// Web chat visitors have no name: a short, stable tag tells two of them apart.
const customerName = (ticket) => ticket.customer.display_name || ticket.customer.username
  || `${t("role.customer")} ${ticket.customer.key.split(":").pop().slice(-6)}`;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function badge(kind, value) {
  return el("span", `badge ${kind}-${value}`, t(`${kind}.${value}`));
}

/** The SLA clock of a ticket: time left to the first response, or how late it is. */
function sla(ticket) {
  if (ticket.status === "resolved") return { text: t("sla.resolved"), cls: "met" };
  if (ticket.first_response_at) return { text: t("sla.answered"), cls: "met" };
  const left = ticket.sla_deadline - now();
  if (ticket.breached || left <= 0) return { text: t("sla.over", { time: clock(-left) }), cls: "breached" };
  return { text: clock(left), cls: left < 120 ? "soon" : "" };
}

function paintSla(node, ticket) {
  const { text, cls } = sla(ticket);
  node.textContent = text;
  node.className = `sla ${cls}`;
  node.title = t("sla.title");
}

// --- API -----------------------------------------------------------------------------------
class ApiError extends Error {
  constructor(status, detail, body = null) { super(detail); this.status = status; this.body = body; }
}

function detailOf(body, fallback) {
  if (body && typeof body.detail === "string") return body.detail;
  if (body && Array.isArray(body.detail) && body.detail[0]?.msg) return body.detail[0].msg;
  if (body && typeof body.detail?.message === "string") return body.detail.message;
  return fallback;
}

async function api(method, path, body) {
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
function noteServerClock(response) {
  const date = Date.parse(response.headers.get("Date") || "");
  if (Number.isNaN(date)) return;
  const skew = date - Date.now();
  state.skewMs = Math.abs(skew) > 3000 ? skew : 0;
}

function showError(err) {
  if (err instanceof ApiError && err.status === 401) return;
  toast(t("error", { detail: err.message }));
}

function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 5000);
}

function announce(text) {
  $("announcer").textContent = text;
}

// --- Session -------------------------------------------------------------------------------
async function signIn(event) {
  event.preventDefault();
  $("signin-error").textContent = "";
  const form = new URLSearchParams({ username: $("signin-user").value.trim(),
    password: $("signin-password").value });
  try {
    const response = await fetch("/api/auth/token", { method: "POST", body: form });
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const reason = response.status === 401 ? t("signin.bad") : detailOf(data, response.statusText);
      $("signin-error").textContent = reason;
      return;
    }
    state.session = { token: data.access_token, username: data.username, role: data.role,
      expiresAt: Date.now() + (data.expires_in || 0) * 1000 };
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(state.session));
    $("signin-password").value = "";
    start();
  } catch (err) {
    $("signin-error").textContent = t("error", { detail: err.message });
  }
}

function signOut(message) {
  if (state.session && message === undefined) {
    // Signing out on purpose means "give me no new tickets"; best effort.
    api("PUT", "/api/me/presence", { status: "offline" }).catch(() => {});
  }
  stopLive();
  hooks.stop.forEach((fn) => fn());
  state.session = null;
  sessionStorage.removeItem(SESSION_KEY);
  state.tickets.clear();
  state.order = [];
  closeTicket();
  $("app").hidden = true;
  $("signin").hidden = false;
  $("signin-error").textContent = message || "";
  $("signin-user").focus();
}

function start() {
  $("signin").hidden = true;
  $("app").hidden = false;
  $("me").textContent = `${state.session.username} · ${state.session.role}`;
  applyLanguage();
  $("queue-list").focus();
  loadMe();
  loadQueue();
  loadMetrics();
  loadCanned();
  connectEvents();
  state.timers.push(setInterval(loadMetrics, 10000));
  state.timers.push(setInterval(tick, 1000));
  state.timers.push(setInterval(loadMe, 30000)); // the server may have changed our presence
  hooks.start.forEach((fn) => fn());
  const left = state.session.expiresAt - Date.now();
  if (left > 0) state.sessionTimer = setTimeout(() => signOut(t("signin.expired")), left);
}

function stopLive() {
  state.timers.forEach(clearInterval);
  state.timers = [];
  for (const timer of [state.sessionTimer, state.reconnectTimer, state.metricsTimer,
    state.syncTimer]) clearTimeout(timer);
  state.source?.close();
  state.source = null;
  state.dropped = false;
  state.retryMs = 1000;
}

async function loadMe() {
  try {
    const me = await api("GET", "/api/me");
    $("presence").value = me.status;
  } catch (err) { showError(err); }
}

async function setPresence() {
  try {
    const me = await api("PUT", "/api/me/presence", { status: $("presence").value });
    $("presence").value = me.status;
  } catch (err) { showError(err); }
}

// --- Metrics strip -------------------------------------------------------------------------
async function loadMetrics() {
  try {
    const m = await api("GET", "/api/metrics/summary");
    for (const sev of ["crisis", "negative", "normal"]) {
      const count = m.queue?.[sev] ?? 0;
      $(`m-${sev}`).textContent = count;
      $(`m-${sev}`).classList.toggle("zero", !count);
    }
    $("m-oldest").textContent = duration(m.oldest_wait_seconds);
    $("m-first").textContent = duration(m.first_response_seconds_avg);
    $("m-sla").textContent = percent(m.sla_attainment);
    $("m-handoff").textContent = percent(m.handoff_rate);
    $("m-auto").textContent = percent(m.auto_answer_rate);
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) console.warn("metrics", err);
  }
}

// --- Queue ---------------------------------------------------------------------------------
const inFilter = (ticket) => STATUSES[state.filter].includes(ticket.status);

function byUrgency(a, b) {
  if (state.filter === "resolved") return (b.resolved_at || 0) - (a.resolved_at || 0);
  return (a.priority - b.priority) || (a.sla_deadline - b.sla_deadline);
}

async function loadQueue() {
  try {
    const list = await api("GET", `/api/tickets?status=${encodeURIComponent(state.filter)}`);
    state.tickets = new Map(list.map((ticket) => [ticket.id, ticket]));
    if (!state.tickets.has(state.selectedId)) state.selectedId = list[0]?.id ?? null;
    renderQueue();
  } catch (err) { showError(err); }
}

/** Insert, update or drop one ticket after a live event; true when it is new to the list. */
function upsert(ticket) {
  const known = state.tickets.has(ticket.id);
  if (inFilter(ticket)) state.tickets.set(ticket.id, ticket);
  else state.tickets.delete(ticket.id);
  if (state.selectedId === ticket.id && !state.tickets.has(ticket.id)) {
    const index = state.order.indexOf(ticket.id);
    state.selectedId = state.order[index + 1] ?? state.order[index - 1] ?? null;
  }
  if (state.selectedId === null && state.tickets.size) state.selectedId = ticket.id;
  renderQueue();
  return !known && state.tickets.has(ticket.id);
}

function renderQueue() {
  const list = $("queue-list");
  state.order = [...state.tickets.values()].sort(byUrgency).map((ticket) => ticket.id);
  list.replaceChildren(...state.order.map((id) => queueRow(state.tickets.get(id))));
  $("queue-count").textContent = state.order.length;
  $("queue-empty").hidden = state.order.length > 0;
  if (state.selectedId) list.setAttribute("aria-activedescendant", `row-${state.selectedId}`);
  else list.removeAttribute("aria-activedescendant");
  updateTitle();
}

function queueRow(ticket) {
  const row = el("li", "queue-row");
  row.id = `row-${ticket.id}`;
  row.dataset.ticketId = ticket.id;
  row.dataset.severity = ticket.severity;
  row.dataset.priority = ticket.priority;
  row.setAttribute("role", "option");
  row.setAttribute("aria-selected", String(ticket.id === state.selectedId));
  row.classList.toggle("selected", ticket.id === state.selectedId);
  row.classList.toggle("open", ticket.id === state.openId);
  const highlight = state.highlights.get(ticket.id);
  if (highlight && highlight.until > Date.now()) row.classList.add(highlight.cls);

  const top = el("div", "row-top");
  const clockNode = el("span", "sla");
  clockNode.dataset.slaFor = ticket.id;
  paintSla(clockNode, ticket);
  top.append(badge("sev", ticket.severity), badge("tier", ticket.tier),
    el("span", "row-name", customerName(ticket)), el("span", "row-platform", platformName(ticket.customer.platform)),
    clockNode);

  const preview = el("div", "row-preview", ticket.last_message?.text ?? "");
  const bottom = el("div", "row-bottom");
  const priority = el("span", "priority", `P${ticket.priority}`);
  priority.title = t("priority.title");
  bottom.append(priority, el("span", "row-reason", reasonText(ticket.reason)),
    el("span", "row-holder", holder(ticket)));
  row.append(top, preview, bottom);
  row.addEventListener("click", () => { select(ticket.id); openTicket(ticket.id); });
  return row;
}

function holder(ticket) {
  if (!ticket.agent) return t("holder.none");
  return ticket.agent === state.session?.username ? t("holder.you") : ticket.agent;
}

function select(id) {
  state.selectedId = id;
  for (const row of $("queue-list").children) {
    const on = row.dataset.ticketId === id;
    row.classList.toggle("selected", on);
    row.setAttribute("aria-selected", String(on));
    if (on) row.scrollIntoView({ block: "nearest" });
  }
  $("queue-list").setAttribute("aria-activedescendant", `row-${id}`);
}

function move(step) {
  if (!state.order.length) return;
  const index = state.order.indexOf(state.selectedId);
  const next = index < 0 ? 0 : Math.min(state.order.length - 1, Math.max(0, index + step));
  select(state.order[next]);
  $("queue-list").focus();
}

function updateTitle() {
  const waiting = [...state.tickets.values()].filter((ticket) => ticket.status === "waiting").length;
  document.title = (waiting ? `(${waiting}) ` : "") + t("title");
}

/** Once a second: every visible SLA clock. */
function tick() {
  for (const node of document.querySelectorAll(".sla[data-sla-for]")) {
    const ticket = node.dataset.slaFor === state.openId && state.detail
      ? state.detail : state.tickets.get(node.dataset.slaFor);
    if (ticket) paintSla(node, ticket);
  }
}

function highlight(id, cls, seconds) {
  state.highlights.set(id, { cls, until: Date.now() + seconds * 1000 });
  $(`row-${id}`)?.classList.add(cls);
  setTimeout(() => {
    if ((state.highlights.get(id)?.until ?? 0) <= Date.now()) state.highlights.delete(id);
    $(`row-${id}`)?.classList.remove(cls);
  }, seconds * 1000);
}

// --- The open ticket -----------------------------------------------------------------------
async function openTicket(id) {
  if (!id) return;
  state.openId = id;
  state.loading = true;
  state.buffered = [];
  for (const row of $("queue-list").children) row.classList.toggle("open", row.dataset.ticketId === id);
  try {
    const detail = await api("GET", `/api/tickets/${encodeURIComponent(id)}`);
    if (state.openId !== id) return;
    showDetail(detail, { fresh: true });
    loadCustomer(detail.customer.key);
  } catch (err) {
    showError(err);
  } finally {
    if (state.openId === id) state.loading = false;
  }
}

function closeTicket() {
  state.openId = null;
  state.detail = null;
  state.customer = null;
  $("ticket-view").hidden = true;
  $("ticket-empty").hidden = false;
}

function showDetail(detail, { fresh = false } = {}) {
  const keepDraft = !fresh;
  state.detail = detail;
  $("ticket-empty").hidden = true;
  $("ticket-view").hidden = false;
  renderDetail();
  renderTranscript(detail.transcript);
  for (const entry of state.buffered) appendEntry(entry);
  state.buffered = [];
  if (!keepDraft) { $("reply-text").value = ""; $("reply-error").textContent = ""; }
  upsert(summaryOf(detail));
}

const DETAIL_ONLY = ["transcript", "signals", "notes", "history", "events"];

function summaryOf(detail) {
  const summary = { ...detail };
  for (const key of DETAIL_ONLY) delete summary[key];
  return summary;
}

function renderDetail() {
  const d = state.detail;
  const me = state.session?.username;
  $("t-name").textContent = customerName(d);
  const platform = platformName(d.customer.platform);
  $("t-platform").textContent = d.customer.username && d.customer.username !== d.customer.display_name
    ? `${platform} · @${d.customer.username}` : platform;
  $("t-channel").textContent = t(`channel.${d.channel}`);
  $("t-status").textContent = t(`status.${d.status}`);
  const held = d.agent === me ? t("held.you") : t("held.by", { agent: d.agent });
  $("t-agent").textContent = d.agent ? `· ${held}` : "";
  $("t-severity").replaceWith(Object.assign(badge("sev", d.severity), { id: "t-severity" }));
  $("t-tier").replaceWith(Object.assign(badge("tier", d.tier), { id: "t-tier" }));
  $("t-sla").dataset.slaFor = d.id;
  paintSla($("t-sla"), d);
  $("t-unreachable").hidden = !d.unreachable;
  $("t-unreachable").textContent = d.unreachable ? t("unreachable", { reason: d.unreachable }) : "";

  const resolved = d.status === "resolved";
  const mine = d.agent === me;
  $("act-claim").disabled = resolved || mine;
  $("act-release").disabled = resolved || !d.agent || (!mine && state.session?.role !== "admin");
  $("act-transfer").disabled = resolved;
  $("act-resolve").disabled = resolved;
  const blocked = resolved ? t("reply.resolved")
    : d.agent && !mine ? t("reply.heldby", { agent: d.agent }) : "";
  $("reply-send").disabled = Boolean(blocked);
  $("reply-text").disabled = resolved;
  $("reply-state").textContent = blocked;

  renderSignals(d.signals || {}, d.reason);
  renderCustomer(d);
  renderNotes(d.notes || []);
  renderEvents(d.events || []);
}

function renderSignals(signals, reason) {
  $("t-reason").textContent = reasonText(reason);
  $("s-intent").textContent = signals.intent || t("signals.none");
  $("s-confidence").textContent = percent(signals.confidence);
  const negativity = Math.max(0, Math.min(1, Number(signals.negativity) || 0));
  $("s-negativity").textContent = percent(signals.negativity);
  $("s-negativity-bar").style.width = `${Math.round(negativity * 100)}%`;
  $("s-reasons").replaceChildren(...(signals.reasons || []).map((r) => el("li", "", r)));
}

function renderCustomer(d) {
  $("c-tier").value = d.tier;
  const source = state.customer?.key === d.customer.key ? state.customer.tier_source : null;
  $("c-tier-source").textContent = source ? t(`customer.source.${source}`) : "";
  const history = d.history || {};
  $("c-tickets").textContent = history.tickets ?? "—";
  $("c-messages").textContent = history.messages ?? "—";
  $("c-since").textContent = day(history.first_seen);
}

function renderNotes(notes) {
  const items = notes.map((note) => {
    const item = el("li");
    item.append(el("span", "meta", `${note.author} · ${when(note.ts)}`), document.createTextNode(note.text));
    return item;
  });
  if (!items.length) items.push(el("li", "muted", t("notes.none")));
  $("notes").replaceChildren(...items);
}

function renderEvents(events) {
  $("events").replaceChildren(...events.map((event) => {
    const kind = WORDS.en[`event.${event.type}`] ? t(`event.${event.type}`) : event.type;
    const parts = [when(event.at), kind, event.by, event.detail].filter(Boolean);
    return el("li", "", parts.join(" · "));
  }));
}

async function loadCustomer(key) {
  try {
    const customer = await api("GET", `/api/customers/${encodeURIComponent(key)}`);
    state.customer = customer;
    if (state.detail?.customer.key === key) renderCustomer(state.detail);
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 403)) showError(err);
  }
}

async function changeTier() {
  const d = state.detail;
  if (!d) return;
  const tier = $("c-tier").value;
  try {
    state.customer = await api("PUT", `/api/customers/${encodeURIComponent(d.customer.key)}`, { tier });
    toast(t("customer.saved"));
    openTicket(d.id); // priority and SLA may follow the tier
  } catch (err) {
    $("c-tier").value = d.tier;
    showError(err);
  }
}

// --- Transcript ----------------------------------------------------------------------------
function renderTranscript(entries) {
  $("transcript").replaceChildren(...entries.map((entry) => bubble(entry)));
  scrollTranscript(true);
}

function bubble(entry, extra = "") {
  const item = el("li", `bubble ${entry.role} ${extra}`.trim());
  item.dataset.entryId = entry.id;
  const who = entry.role === "customer" ? customerName(state.detail) : t(`role.${entry.role}`);
  const author = entry.role === "agent" && entry.agent ? `${who} ${entry.agent}` : who;
  item.append(el("span", "meta", `${author} · ${when(entry.ts)}`), document.createTextNode(entry.text));
  return item;
}

/** A live transcript entry: append it once, replacing our own "sending…" bubble if it is one. */
function appendEntry(entry) {
  const list = $("transcript");
  const shown = [...list.children];
  const pending = entry.role === "agent" && shown.find((node) => node.classList.contains("pending")
    && (node.dataset.entryId === entry.id || node.dataset.text === entry.text));
  if (!pending && shown.some((node) => node.dataset.entryId === entry.id)) return;
  const node = bubble(entry, "new");
  if (pending) pending.replaceWith(node);
  else list.append(node);
  if (state.detail && !state.detail.transcript.some((e) => e.id === entry.id)) {
    state.detail.transcript.push(entry);
  }
  scrollTranscript(entry.role !== "customer");
}

function scrollTranscript(force) {
  const list = $("transcript");
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 120;
  if (force || nearBottom) list.scrollTop = list.scrollHeight;
}

// --- Actions -------------------------------------------------------------------------------
async function act(path, body, done) {
  const id = state.openId;
  if (!id) return null;
  try {
    const detail = await api("POST", `/api/tickets/${encodeURIComponent(id)}/${path}`, body);
    if (state.openId === id) showDetail(detail);
    else upsert(summaryOf(detail));
    if (done) toast(t(done));
    return detail;
  } catch (err) {
    showError(err);
    return null;
  }
}

const claim = () => { if (!$("act-claim").disabled) act("claim", undefined, "claimed"); };
const release = () => { if (!$("act-release").disabled) act("release", undefined, "released"); };

async function sendReply(event) {
  event?.preventDefault();
  const box = $("reply-text");
  const text = box.value.trim();
  const id = state.openId;
  if (!text || !id || $("reply-send").disabled) return;
  $("reply-send").disabled = true;
  $("reply-error").textContent = "";
  try {
    const result = await api("POST", `/api/tickets/${encodeURIComponent(id)}/messages`, { text });
    box.value = "";
    if (state.openId === id && !$(`transcript`).querySelector(`[data-entry-id="${CSS.escape(result.reply_id)}"]`)) {
      const node = bubble({ id: result.reply_id, role: "agent", text, ts: now() }, "pending");
      node.dataset.text = text;
      node.querySelector(".meta").textContent += ` · ${t("reply.sending")}`;
      $("transcript").append(node);
      scrollTranscript(true);
    }
  } catch (err) {
    $("reply-error").textContent = t("error", { detail: err.message });
  } finally {
    if (state.detail) renderDetail();
  }
}

async function addNote(event) {
  event.preventDefault();
  const text = $("note-text").value.trim();
  if (!text) return;
  if (await act("notes", { text })) $("note-text").value = "";
}

function insertCanned() {
  const choice = state.canned.find((item) => item.id === $("canned").value);
  $("canned").value = "";
  if (!choice) return;
  const text = choice.text[state.lang] || choice.text.en || choice.text.zh || "";
  const box = $("reply-text");
  const start = box.selectionStart ?? box.value.length;
  box.setRangeText(text, start, box.selectionEnd ?? start, "end");
  box.focus();
}

async function loadCanned() {
  try {
    state.canned = await api("GET", "/api/canned");
  } catch (err) {
    state.canned = [];
    if (!(err instanceof ApiError && err.status === 404)) showError(err);
  }
  renderCanned();
}

function renderCanned() {
  $("canned").hidden = state.canned.length === 0;
  const pick = el("option", "", t("canned.pick"));
  pick.value = "";
  $("canned").replaceChildren(pick, ...state.canned.map((item) => {
    const option = el("option", "", item.title);
    option.value = item.id;
    option.title = item.text[state.lang] || "";
    return option;
  }));
}

async function openTransfer() {
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

async function submitTransfer(event) {
  event.preventDefault();
  const [kind, ...rest] = $("transfer-target").value.split(":");
  const name = rest.join(":");
  const body = kind === "agent" ? { agent: name, team: null } : { agent: null, team: name };
  if (await act("transfer", body, "transfer.done")) $("transfer-dialog").close();
  else $("transfer-error").textContent = $("toast").textContent;
}

function openResolve() {
  if (!state.detail || $("act-resolve").disabled) return;
  $("resolve-error").textContent = "";
  $("resolve-dialog").showModal();
  $("resolve-ok").focus();
}

async function submitResolve(event) {
  event.preventDefault();
  if (await act("resolve", { ask_csat: $("resolve-csat").checked }, "resolve.done")) {
    $("resolve-dialog").close();
    $("queue-list").focus();
  } else {
    $("resolve-error").textContent = $("toast").textContent;
  }
}

// --- Live updates --------------------------------------------------------------------------
function setLive(mode) {
  const node = $("live");
  node.dataset.state = mode;
  node.textContent = t(`live.${mode}`);
}

function connectEvents() {
  const source = new EventSource(`/api/events?token=${encodeURIComponent(state.session.token)}`);
  state.source = source;
  setLive(state.dropped ? "reconnecting" : "connecting");
  source.onopen = () => {
    state.retryMs = 1000;
    setLive("live");
    // Whatever changed while the stream was down: read it again once.
    if (state.dropped) {
      state.dropped = false;
      loadQueue();
      if (state.openId) openTicket(state.openId);
    }
  };
  source.onerror = () => {
    if (state.source !== source) return;
    source.close();
    state.dropped = true;
    setLive("reconnecting");
    const delay = state.retryMs + Math.random() * 500;
    state.retryMs = Math.min(state.retryMs * 2, 30000);
    state.reconnectTimer = setTimeout(async () => {
      try { await api("GET", "/api/me"); } catch { if (!state.session) return; }
      if (state.session) connectEvents();
    }, delay);
  };
  source.addEventListener("ticket", (event) => onTicket(JSON.parse(event.data)));
  source.addEventListener("message", (event) => onMessage(JSON.parse(event.data)));
  source.addEventListener("breach", (event) => onBreach(JSON.parse(event.data)));
}

function onTicket(ticket) {
  const isNew = upsert(ticket);
  // The header strip follows the queue; a burst of changes costs one request.
  clearTimeout(state.metricsTimer);
  state.metricsTimer = setTimeout(loadMetrics, 1000);
  if (isNew && ticket.status === "waiting") {
    highlight(ticket.id, "arrived", 4);
    announce(t("new.ticket", { severity: t(`sev.${ticket.severity}`), name: customerName(ticket) }));
  }
  if (ticket.id === state.openId && state.detail) {
    const newMessage = ticket.last_message?.ts !== state.detail.last_message?.ts;
    Object.assign(state.detail, ticket);
    renderDetail();
    if (newMessage) syncTranscript();
  }
}

/** A new transcript entry: appended as it comes, or read from the ticket when the event
 *  names it without its content. */
function onMessage({ ticket_id: id, entry }) {
  const ticket = state.tickets.get(id);
  if (ticket && entry?.role === "customer") {
    ticket.last_message = { text: entry.text, ts: entry.ts };
    renderQueue();
  }
  if (id !== state.openId) return;
  if (!entry) syncTranscript();
  else if (state.loading) state.buffered.push(entry);
  else appendEntry(entry);
}

// Several events in a burst cause one read of the ticket.
function syncTranscript() {
  clearTimeout(state.syncTimer);
  state.syncTimer = setTimeout(async () => {
    const id = state.openId;
    if (!id || state.loading) return;
    try {
      const detail = await api("GET", `/api/tickets/${encodeURIComponent(id)}`);
      if (state.openId !== id || !state.detail) return;
      for (const entry of detail.transcript) appendEntry(entry);
      Object.assign(state.detail, detail, { transcript: state.detail.transcript });
      renderDetail();
    } catch (err) { showError(err); }
  }, 150);
}

function onBreach(ticket) {
  upsert(ticket);
  highlight(ticket.id, "flash", 4);
  const text = t("breach", { name: customerName(ticket), severity: t(`sev.${ticket.severity}`),
    tier: t(`tier.${ticket.tier}`) });
  $("alert-text").textContent = text;
  $("alert").hidden = false;
  clearTimeout(onBreach.timer);
  onBreach.timer = setTimeout(() => { $("alert").hidden = true; }, 20000);
}

// --- Keyboard ------------------------------------------------------------------------------
const TYPING = new Set(["INPUT", "TEXTAREA", "SELECT"]);

function onKey(event) {
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
    e: openResolve, t: openTransfer, "?": () => $("help-dialog").showModal(),
  }[event.key];
  if (!action || (event.key === "Enter" && target.tagName === "BUTTON")) return;
  event.preventDefault();
  action();
}

// --- Start ---------------------------------------------------------------------------------
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

document.addEventListener("DOMContentLoaded", boot);
