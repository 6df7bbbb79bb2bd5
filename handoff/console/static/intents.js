// Switchboard console: the admins' intent editor (docs/intents-api.md), and the agents'
// "flag for the bot" action. Uses console.js's helpers ($, el, t, api, toast, when, state).
// All user text goes on the page with textContent, never innerHTML.
"use strict";

(() => {
  Object.assign(WORDS.en, {
    "area.label": "Area", "area.queue": "Queue", "area.intents": "Intents",
    "ia.tabs": "Intent editor", "ia.tab.intents": "Intents", "ia.tab.misses": "Misses",
    "ia.tab.history": "History", "ia.tab.audit": "Audit",
    "ia.search": "Search", "ia.search.placeholder": "Search names, examples, answers",
    "ia.new": "New intent", "ia.none": "No intent matches.",
    "ia.col.name": "Intent", "ia.col.examples": "Examples", "ia.col.f1": "F1",
    "ia.col.f1.title": "F1 of the live version (cross-validated; 1 is perfect)",
    "ia.edited": "changed in the draft",
    "draft.label": "Draft", "draft.discard": "Discard", "draft.evaluate": "Evaluate",
    "draft.publish": "Publish…",
    "draft.clean": "Live version {live}. No unpublished changes.",
    "draft.edited": "Draft based on version {based}, edited by {who} {when}:",
    "draft.added": "new intent {name}", "draft.removed": "deleted intent {name}",
    "draft.examples_added": "examples +{n}", "draft.examples_removed": "examples −{n}",
    "draft.answers": "answer", "draft.variants": "variants", "draft.handoff": "hand-off",
    "draft.discard.title": "Discard the draft?",
    "draft.discard.text": "Every unpublished change is lost. The live version stays as it is.",
    "draft.discarded": "Draft discarded.",
    "busy.evaluating": "Evaluating the draft (cross-validation takes a few seconds)…",
    "busy.publishing": "Evaluating and publishing…", "busy.rollback": "Rolling back…",
    "editor.none": "Pick an intent to edit, or search.", "editor.name": "Name",
    "editor.handoff": "Always hand off to a person", "editor.unsaved": "unsaved",
    "editor.save": "Save to draft", "editor.delete": "Delete…", "editor.examples": "Examples",
    "editor.add.label": "New examples", "editor.add": "Add",
    "editor.add.placeholder": "Type an example and press Enter (paste several, one per line; Chinese or English)",
    "editor.filter": "Filter examples", "editor.remove": "Remove example: {text}",
    "editor.answers": "Answer", "editor.variants": "Variants per tier or channel (optional)",
    "editor.variants.hint": "Used instead of the answer for these customers; leave empty to use the answer.",
    "editor.saved": "Saved to the draft. Evaluate and publish to make it live.",
    "editor.delete.title": "Delete intent {name}?",
    "editor.delete.text": "It is removed from the draft; customers keep it until you publish.",
    "editor.deleted": "Intent deleted from the draft.",
    "editor.duplicates": "Already there: {text}",
    "editor.noname": "Give the intent a name: lower-case letters, digits and _ (e.g. gift_wrap).",
    "preview.title": "Preview (saved draft)", "preview.language": "Language",
    "preview.channel": "Channel", "preview.unsaved": "Save the intent to see its answer here.",
    "eval.title": "Evaluation of the draft", "eval.back": "Back to the intents",
    "eval.accuracy": "Accuracy (cross-validated): {before} → {after}",
    "eval.worse": "What gets worse", "eval.better": "Nothing gets worse.",
    "eval.f1": "F1 per intent (cross-validated), biggest drop first",
    "eval.before": "Before", "eval.after": "After", "eval.expected": "Taught as",
    "eval.changed": "Messages whose answer would change", "eval.message": "Message",
    "eval.changed.none": "No known message changes its answer.",
    "eval.findings": "Checks", "eval.findings.none": "No problems found.",
    "eval.fallback": "(not understood)",
    "publish.title": "Publish the draft",
    "publish.text": "Customers get the new answers within seconds, on every process.",
    "publish.note": "What changed (for the history)", "publish.ok": "Publish",
    "publish.anyway": "Publish anyway", "publish.worse": "This draft makes things worse:",
    "publish.done": "Version {version} is live.",
    "history.live": "live", "history.by": "{author}", "history.diff": "Diff",
    "history.rollback": "Roll back to this version",
    "history.summary": "{intents} intents · {examples} examples",
    "history.accuracy": "accuracy {accuracy}",
    "history.compared": "Compared with version {version}:",
    "history.nochange": "No change in the intents.",
    "rollback.title": "Roll back to version {version}?",
    "rollback.text": "Its intents are published again as a new version, live within seconds.",
    "rollback.done": "Version {version} is live (same as version {to}).",
    "diff.added": "New intent {name}", "diff.removed": "Deleted intent {name}",
    "diff.examples_added": "Examples added", "diff.examples_removed": "Examples removed",
    "diff.answers": "Answer changed", "diff.variants": "Variants changed",
    "diff.handoff": "Hand-off: {before} → {after}",
    "misses.hint": "Messages the bot could not answer, and messages agents flagged, grouped by meaning. Assign a group to an intent to teach it (into the draft), or dismiss it.",
    "misses.none": "Nothing to learn from right now.",
    "misses.group": "{size} messages", "misses.group.one": "1 message",
    "misses.intent": "Intent for this group", "misses.pick": "Pick an intent…",
    "misses.assign": "Assign to intent", "misses.dismiss": "Dismiss",
    "misses.assign.one": "Assign", "misses.dismiss.one": "Dismiss",
    "misses.source.fallback": "not understood", "misses.source.repeated_failure": "handed off",
    "misses.source.flagged": "flagged by {who}", "misses.nearest": "nearest: {list}",
    "misses.assigned": "{count} examples added to {intent} in the draft. Evaluate and publish to make it live.",
    "misses.dismissed": "Dismissed.", "misses.needintent": "Pick an intent first.",
    "audit.when": "When", "audit.who": "Who", "audit.action": "Action", "audit.detail": "Detail",
    "audit.none": "No admin actions yet.",
    "audit.a.intent.put": "edited intent", "audit.a.intent.delete": "deleted intent",
    "audit.a.draft.discard": "discarded the draft", "audit.a.intents.publish": "published",
    "audit.a.intents.rollback": "rolled back", "audit.a.misses.assign": "assigned misses",
    "audit.a.misses.dismiss": "dismissed misses",
    "flag.open": "Flag for the bot…", "flag.title": "The bot should have answered this",
    "flag.text": "Customer message", "flag.intent": "With the answer of intent",
    "flag.hint": "An admin reviews it in the misses list.", "flag.ok": "Flag",
    "flag.done": "Thanks: it is on the admins' misses list.",
    "help.search": "Search intents (admins)", "help.save": "Save the intent to the draft (admins)",
    "yes": "yes", "no": "no",
  });
  Object.assign(WORDS.zh, {
    "area.label": "区域", "area.queue": "队列", "area.intents": "意图",
    "ia.tabs": "意图编辑", "ia.tab.intents": "意图", "ia.tab.misses": "未答问题",
    "ia.tab.history": "版本历史", "ia.tab.audit": "操作日志",
    "ia.search": "搜索", "ia.search.placeholder": "搜索名称、例句、答案",
    "ia.new": "新建意图", "ia.none": "没有匹配的意图。",
    "ia.col.name": "意图", "ia.col.examples": "例句", "ia.col.f1": "F1",
    "ia.col.f1.title": "线上版本的 F1（交叉验证，1 为满分）",
    "ia.edited": "草稿中已修改",
    "draft.label": "草稿", "draft.discard": "放弃", "draft.evaluate": "评估",
    "draft.publish": "发布…",
    "draft.clean": "线上版本 {live}，没有未发布的修改。",
    "draft.edited": "草稿基于版本 {based}，{who} 于 {when} 修改：",
    "draft.added": "新意图 {name}", "draft.removed": "删除意图 {name}",
    "draft.examples_added": "例句 +{n}", "draft.examples_removed": "例句 −{n}",
    "draft.answers": "答案", "draft.variants": "变体", "draft.handoff": "转人工",
    "draft.discard.title": "放弃草稿？",
    "draft.discard.text": "所有未发布的修改都会丢失，线上版本不变。",
    "draft.discarded": "草稿已放弃。",
    "busy.evaluating": "正在评估草稿（交叉验证需要几秒钟）…",
    "busy.publishing": "正在评估并发布…", "busy.rollback": "正在回滚…",
    "editor.none": "选择一个意图进行编辑，或搜索。", "editor.name": "名称",
    "editor.handoff": "总是转人工", "editor.unsaved": "未保存",
    "editor.save": "保存到草稿", "editor.delete": "删除…", "editor.examples": "例句",
    "editor.add.label": "新例句", "editor.add": "添加",
    "editor.add.placeholder": "输入例句后按 Enter（可粘贴多条，每行一条；中英文均可）",
    "editor.filter": "筛选例句", "editor.remove": "删除例句：{text}",
    "editor.answers": "答案", "editor.variants": "按等级或渠道的变体（可选）",
    "editor.variants.hint": "对这些客户用变体代替答案；留空则使用答案。",
    "editor.saved": "已保存到草稿。评估并发布后生效。",
    "editor.delete.title": "删除意图 {name}？",
    "editor.delete.text": "将从草稿中删除；发布前客户仍会看到它。",
    "editor.deleted": "意图已从草稿中删除。",
    "editor.duplicates": "已存在：{text}",
    "editor.noname": "请填写意图名称：小写字母、数字和 _（例如 gift_wrap）。",
    "preview.title": "预览（已保存的草稿）", "preview.language": "语言",
    "preview.channel": "渠道", "preview.unsaved": "保存意图后在此查看答案。",
    "eval.title": "草稿评估", "eval.back": "返回意图列表",
    "eval.accuracy": "准确率（交叉验证）：{before} → {after}",
    "eval.worse": "变差的地方", "eval.better": "没有变差的地方。",
    "eval.f1": "各意图 F1（交叉验证），下降最多的在前",
    "eval.before": "之前", "eval.after": "之后", "eval.expected": "所属意图",
    "eval.changed": "回答会改变的消息", "eval.message": "消息",
    "eval.changed.none": "已知消息的回答都不变。",
    "eval.findings": "检查", "eval.findings.none": "没有发现问题。",
    "eval.fallback": "（未理解）",
    "publish.title": "发布草稿",
    "publish.text": "几秒钟内所有进程都会使用新答案。",
    "publish.note": "修改说明（记入历史）", "publish.ok": "发布",
    "publish.anyway": "仍然发布", "publish.worse": "该草稿会让效果变差：",
    "publish.done": "版本 {version} 已上线。",
    "history.live": "线上", "history.by": "{author}", "history.diff": "差异",
    "history.rollback": "回滚到此版本",
    "history.summary": "{intents} 个意图 · {examples} 条例句",
    "history.accuracy": "准确率 {accuracy}",
    "history.compared": "与版本 {version} 相比：",
    "history.nochange": "意图没有变化。",
    "rollback.title": "回滚到版本 {version}？",
    "rollback.text": "将把它的意图作为新版本重新发布，几秒钟内生效。",
    "rollback.done": "版本 {version} 已上线（与版本 {to} 相同）。",
    "diff.added": "新意图 {name}", "diff.removed": "删除意图 {name}",
    "diff.examples_added": "新增例句", "diff.examples_removed": "删除例句",
    "diff.answers": "答案已修改", "diff.variants": "变体已修改",
    "diff.handoff": "转人工：{before} → {after}",
    "misses.hint": "机器人没能回答的消息，以及客服标记的消息，按意思分组。把一组分配给某个意图即可教会机器人（写入草稿），或忽略。",
    "misses.none": "目前没有需要学习的消息。",
    "misses.group": "{size} 条消息", "misses.group.one": "1 条消息",
    "misses.intent": "该组的意图", "misses.pick": "选择意图…",
    "misses.assign": "分配给意图", "misses.dismiss": "忽略",
    "misses.assign.one": "分配", "misses.dismiss.one": "忽略",
    "misses.source.fallback": "未理解", "misses.source.repeated_failure": "已转人工",
    "misses.source.flagged": "由 {who} 标记", "misses.nearest": "最接近：{list}",
    "misses.assigned": "已将 {count} 条例句加入草稿中的 {intent}。评估并发布后生效。",
    "misses.dismissed": "已忽略。", "misses.needintent": "请先选择意图。",
    "audit.when": "时间", "audit.who": "操作人", "audit.action": "操作", "audit.detail": "详情",
    "audit.none": "暂无管理操作。",
    "audit.a.intent.put": "编辑意图", "audit.a.intent.delete": "删除意图",
    "audit.a.draft.discard": "放弃草稿", "audit.a.intents.publish": "发布",
    "audit.a.intents.rollback": "回滚", "audit.a.misses.assign": "分配未答问题",
    "audit.a.misses.dismiss": "忽略未答问题",
    "flag.open": "标记给机器人…", "flag.title": "机器人本应回答这条消息",
    "flag.text": "客户消息", "flag.intent": "应使用的意图答案",
    "flag.hint": "管理员会在未答问题列表中处理。", "flag.ok": "标记",
    "flag.done": "谢谢，已加入管理员的未答问题列表。",
    "help.search": "搜索意图（管理员）", "help.save": "保存意图到草稿（管理员）",
    "yes": "是", "no": "否",
  });

  const TABS = ["intents", "misses", "history", "audit"];
  const VARIANTS = ["vip", "loyal", "regular", "new", "private", "comment"];
  const TIERS = ["new", "regular", "loyal", "vip"];
  const ia = {
    tab: "intents", data: null, selected: null, original: null, examples: [], dirty: false,
    evaluation: null, confirmWorse: false, names: null, busy: false,
  };

  const isAdmin = () => state.session?.role === "admin";
  const f1 = (value) => (value === null || value === undefined ? "—" : value.toFixed(2));
  const intentsOf = () => ia.data?.intents ?? [];
  const findIntent = (name) => intentsOf().find((intent) => intent.name === name);

  // --- Areas and tabs ------------------------------------------------------------------------
  function setArea(area) {
    const intents = area === "intents" && isAdmin();
    state.area = intents ? "intents" : "queue";
    $("queue-area").hidden = intents;
    $("intents-area").hidden = !intents;
    for (const button of document.querySelectorAll("#areas [data-area]")) {
      button.setAttribute("aria-pressed", String(button.dataset.area === state.area));
    }
    if (intents) {
      setTab(ia.tab);
      if (ia.tab !== "misses") loadMisses(); // for the count on the tab
    }
    else if (location.hash) history.replaceState(null, "", location.pathname);
  }

  function setTab(tab) {
    ia.tab = TABS.includes(tab) ? tab : "intents";
    for (const name of TABS) {
      $(`tab-${name}`).setAttribute("aria-selected", String(name === ia.tab));
      $(`panel-${name}`).hidden = name !== ia.tab;
    }
    $("panel-evaluation").hidden = true;
    history.replaceState(null, "", `#${ia.tab}`);
    loadIntents(); // the draft bar and the intent names are needed on every tab
    if (ia.tab === "misses") loadMisses();
    if (ia.tab === "history") loadVersions();
    if (ia.tab === "audit") loadAudit();
  }

  function onStart() {
    $("areas").hidden = !isAdmin();
    ia.names = null;
    const tab = location.hash.slice(1);
    if (isAdmin() && TABS.includes(tab)) { ia.tab = tab; setArea("intents"); }
    else setArea("queue");
  }

  function onStop() {
    Object.assign(ia, { data: null, selected: null, original: null, examples: [], dirty: false,
      evaluation: null, names: null });
    $("areas").hidden = true;
    state.area = "queue";
    $("queue-area").hidden = false;
    $("intents-area").hidden = true;
    $("intent-form").hidden = true;
    $("editor-empty").hidden = false;
  }

  function onLanguage() {
    for (const node of document.querySelectorAll("[data-i18n-aria-label]")) {
      node.setAttribute("aria-label", t(node.dataset.i18nAriaLabel));
    }
    if (!ia.data) return;
    renderList();
    renderDraftBar();
    renderVariants(ia.selected === null ? null : collectVariants());
    renderExamples();
    if (ia.evaluation) renderEvaluation();
  }

  function setBusy(key) {
    ia.busy = Boolean(key);
    $("ia-busy").hidden = !key;
    $("ia-busy").textContent = key ? t(key) : "";
    renderDraftBar();
  }

  // --- Intents list and draft bar -----------------------------------------------------------
  async function loadIntents() {
    try {
      ia.data = await api("GET", "/api/intents");
      renderList();
      renderDraftBar();
      if (ia.selected && !ia.dirty) {
        if (findIntent(ia.selected)) fillForm(findIntent(ia.selected));
        else closeEditor();
      }
    } catch (err) { showError(err); }
  }

  // The live version's F1 comes with its publication; the first version (seeded from the
  // intents/ folder) has none until an evaluation measured it.
  function liveF1(intent) {
    if (intent.f1 !== null && intent.f1 !== undefined) return intent.f1;
    return ia.evaluation?.intents.find((row) => row.intent === intent.name)?.f1_before ?? null;
  }

  function changedNames() {
    const changes = ia.data?.draft?.changes || {};
    return new Set([...(changes.added || []), ...(changes.changed || []).map((c) => c.intent)]);
  }

  function matches(intent, query) {
    if (!query) return true;
    const texts = [intent.name, ...intent.examples, ...Object.values(intent.answers || {})];
    return texts.some((text) => String(text).toLowerCase().includes(query));
  }

  function renderList() {
    const query = $("intent-search").value.trim().toLowerCase();
    const changed = changedNames();
    const rows = intentsOf().filter((intent) => matches(intent, query)).map((intent) => {
      const row = el("tr", "intent-row");
      row.dataset.intent = intent.name;
      row.tabIndex = 0;
      row.classList.toggle("selected", intent.name === ia.selected);
      row.setAttribute("aria-selected", String(intent.name === ia.selected));
      const name = el("td", "intent-name", intent.name);
      if (changed.has(intent.name)) {
        const dot = el("span", "edited-dot", "●");
        dot.title = t("ia.edited");
        name.append(" ", dot);
      }
      if (intent.handoff) name.append(" ", el("span", "badge handoff-badge", t("draft.handoff")));
      row.append(name, el("td", "num", intent.example_count), el("td", "num", f1(liveF1(intent))));
      row.addEventListener("click", () => openIntent(intent.name));
      row.addEventListener("keydown", (event) => {
        if (event.key === "Enter") openIntent(intent.name);
        if (event.key === "ArrowDown") row.nextElementSibling?.focus();
        if (event.key === "ArrowUp") row.previousElementSibling?.focus();
      });
      return row;
    });
    $("intent-list").replaceChildren(...rows);
    $("intent-none").hidden = rows.length > 0;
  }

  function renderDraftBar() {
    const draft = ia.data?.draft;
    const edited = Boolean(draft?.edited);
    $("draft-bar").classList.toggle("edited", edited);
    $("draft-title").textContent = !ia.data ? "" : edited
      ? t("draft.edited", { based: draft.based_on, who: draft.updated_by, when: when(draft.updated_at) })
      : t("draft.clean", { live: ia.data.live_version ?? "—" });
    const changes = draft?.changes || {};
    const items = [
      ...(changes.added || []).map((name) => t("draft.added", { name })),
      ...(changes.removed || []).map((name) => t("draft.removed", { name })),
      ...(changes.changed || []).map(changeText),
    ];
    $("draft-changes").replaceChildren(...(edited ? items : []).map((text) => el("li", "", text)));
    $("draft-discard").disabled = ia.busy || !edited;
    $("draft-evaluate").disabled = ia.busy || (!edited && !ia.dirty);
    $("draft-publish").disabled = ia.busy || (!edited && !ia.dirty);
  }

  function changeText(change) {
    const parts = [];
    if (change.examples_added) parts.push(t("draft.examples_added", { n: change.examples_added.length }));
    if (change.examples_removed) parts.push(t("draft.examples_removed", { n: change.examples_removed.length }));
    for (const key of ["answers", "variants", "handoff"]) if (change[key]) parts.push(t(`draft.${key}`));
    return `${change.intent}: ${parts.join(", ")}`;
  }

  // --- The editor -----------------------------------------------------------------------------
  async function openIntent(name) {
    if (ia.dirty && !(await saveIntent())) return;
    const intent = findIntent(name);
    if (!intent) return;
    ia.selected = name;
    fillForm(intent);
    renderList();
    $("panel-evaluation").hidden = true;
    $(`panel-${ia.tab}`).hidden = false;
  }

  function newIntent() {
    ia.selected = "";
    fillForm({ name: "", examples: [], answers: {}, variants: {}, handoff: false });
    renderList();
    $("e-name").focus();
  }

  function closeEditor() {
    ia.selected = null;
    ia.dirty = false;
    $("intent-form").hidden = true;
    $("editor-empty").hidden = false;
  }

  function fillForm(intent) {
    ia.original = intent.name || null;
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

  function setDirty(dirty) {
    ia.dirty = dirty;
    $("e-dirty").hidden = !dirty;
    renderDraftBar();
  }

  function renderExamples() {
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

  function addExamples() {
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

  function renderVariants(variants) {
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

  function collectVariants() {
    const variants = {};
    for (const box of $("e-variants").querySelectorAll("textarea")) {
      const text = box.value.trim();
      if (!text) continue;
      (variants[box.dataset.variant] ||= {})[box.dataset.lang] = text;
    }
    return variants;
  }

  /** Save the open intent into the draft; true when saved (or nothing to save). */
  async function saveIntent(event) {
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
      $("e-error").textContent = t("error", { detail: err.message });
      return false;
    } finally {
      $("e-save").disabled = false;
    }
  }

  async function deleteIntent() {
    const name = ia.original;
    if (!name) return;
    const ok = await confirmDialog({ title: t("editor.delete.title", { name }),
      text: t("editor.delete.text"), ok: t("editor.delete").replace("…", "") });
    if (!ok) return;
    try {
      ia.data = await api("DELETE", `/api/intents/${encodeURIComponent(name)}`);
      closeEditor();
      renderList();
      renderDraftBar();
      toast(t("editor.deleted"));
    } catch (err) { showError(err); }
  }

  async function loadPreview() {
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

  // --- Evaluate and publish ---------------------------------------------------------------------
  async function evaluate() {
    if (!(await saveIntent())) return;
    setBusy("busy.evaluating");
    try {
      ia.evaluation = await api("POST", "/api/intents/evaluate");
      renderEvaluation();
      renderList();
      for (const name of TABS) $(`panel-${name}`).hidden = true;
      $("panel-evaluation").hidden = false;
      $("eval-back").focus();
    } catch (err) { showError(err); }
    finally { setBusy(null); }
  }

  function renderEvaluation() {
    const e = ia.evaluation;
    const delta = e.accuracy_after - e.accuracy_before;
    $("eval-accuracy").textContent = t("eval.accuracy", { before: percent(e.accuracy_before),
      after: percent(e.accuracy_after) });
    $("eval-accuracy").dataset.trend = delta < -0.005 ? "down" : delta > 0.005 ? "up" : "same";
    $("eval-worse").hidden = false;
    $("eval-worse").classList.toggle("ok", !e.worse.length);
    $("eval-worse").querySelector("strong").textContent = e.worse.length ? t("eval.worse") : t("eval.better");
    $("eval-worse-list").replaceChildren(...e.worse.map((text) => el("li", "", text)));
    const rows = [...e.intents].sort((a, b) => (a.delta ?? -2) - (b.delta ?? -2));
    $("eval-f1").replaceChildren(...rows.map((row) => {
      const tr = el("tr");
      const d = row.delta === null || Math.abs(row.delta) >= 0.005 ? row.delta : 0;
      const cell = el("td", `num delta ${d === null ? "" : d < -0.02 ? "down" : d > 0.02 ? "up" : ""}`,
        d === null ? "—" : `${d > 0 ? "+" : ""}${d.toFixed(2)}`);
      tr.append(el("td", "", row.intent), el("td", "num", row.examples), el("td", "num", f1(row.f1_before)),
        el("td", "num", f1(row.f1_after)), cell);
      return tr;
    }));
    const outcome = (name) => (name === "(fallback)" ? t("eval.fallback") : name);
    $("eval-changed").replaceChildren(...e.changed.map((row) => {
      const tr = el("tr");
      tr.append(el("td", "message", row.text), el("td", "", outcome(row.before)),
        el("td", "", outcome(row.after)), el("td", "muted", row.expected || "—"));
      return tr;
    }));
    $("eval-changed-none").hidden = e.changed.length > 0;
    const findings = e.findings.map((f) => {
      const item = el("li", `finding ${f.severity}`);
      item.append(el("span", `badge sev-${f.severity === "error" ? "crisis" : "negative"}`, f.severity),
        document.createTextNode(` ${f.intent ? `${f.intent}: ` : ""}${f.message}`));
      return item;
    });
    if (!findings.length) findings.push(el("li", "muted", t("eval.findings.none")));
    $("eval-findings").replaceChildren(...findings);
  }

  async function openPublish() {
    if (!(await saveIntent())) return;
    ia.confirmWorse = false;
    $("publish-note").value = "";
    $("publish-worse").hidden = true;
    $("publish-error").textContent = "";
    $("publish-ok").textContent = t("publish.ok");
    $("publish-ok").disabled = false;
    $("publish-dialog").showModal();
    $("publish-note").focus();
  }

  async function submitPublish(event) {
    event.preventDefault();
    $("publish-ok").disabled = true;
    $("publish-error").textContent = "";
    setBusy("busy.publishing");
    $("publish-error").textContent = t("busy.publishing");
    try {
      const result = await api("POST", "/api/intents/publish",
        { note: $("publish-note").value.trim(), confirm: ia.confirmWorse });
      $("publish-dialog").close();
      toast(t("publish.done", { version: result.version.version }));
      announce(t("publish.done", { version: result.version.version }));
      ia.evaluation = null;
      $("panel-evaluation").hidden = true;
      $(`panel-${ia.tab}`).hidden = false;
      await loadIntents();
      if (ia.tab === "history") loadVersions();
    } catch (err) {
      $("publish-error").textContent = "";
      if (err instanceof ApiError && err.status === 409 && Array.isArray(err.body?.detail?.worse)) {
        ia.confirmWorse = true;
        $("publish-worse").hidden = false;
        $("publish-worse-list").replaceChildren(...err.body.detail.worse.map((text) => el("li", "", text)));
        $("publish-ok").textContent = t("publish.anyway");
      } else {
        $("publish-error").textContent = t("error", { detail: err.message });
      }
    } finally {
      $("publish-ok").disabled = false;
      setBusy(null);
    }
  }

  async function discardDraft() {
    const ok = await confirmDialog({ title: t("draft.discard.title"), text: t("draft.discard.text"),
      ok: t("draft.discard") });
    if (!ok) return;
    try {
      await api("DELETE", "/api/intents-draft");
      ia.dirty = false;
      ia.evaluation = null;
      $("panel-evaluation").hidden = true;
      $(`panel-${ia.tab}`).hidden = false;
      toast(t("draft.discarded"));
      await loadIntents();
      if (ia.selected && findIntent(ia.selected)) fillForm(findIntent(ia.selected));
      else closeEditor();
    } catch (err) { showError(err); }
  }

  // --- History ----------------------------------------------------------------------------------
  async function loadVersions() {
    try {
      const versions = await api("GET", "/api/intents/versions");
      $("versions").replaceChildren(...versions.map(versionItem));
    } catch (err) { showError(err); }
  }

  function versionItem(v) {
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

  async function toggleDiff(version, button, box) {
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

  function renderDiff(diff, box) {
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

  async function rollback(version) {
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

  // --- Misses -----------------------------------------------------------------------------------
  async function loadMisses() {
    try {
      if (!ia.data) await loadIntents();
      const groups = await api("GET", "/api/misses");
      const total = groups.reduce((sum, group) => sum + group.size, 0);
      $("misses-count").textContent = total ? String(total) : "";
      $("miss-groups").replaceChildren(...groups.map(groupItem));
      $("misses-none").hidden = groups.length > 0;
    } catch (err) { showError(err); }
  }

  function intentPicker(selected) {
    const picker = el("select", "miss-intent");
    const none = el("option", "", t("misses.pick"));
    none.value = "";
    picker.append(none, ...intentsOf().map((intent) => {
      const option = el("option", "", intent.name);
      option.value = intent.name;
      return option;
    }));
    picker.value = findIntent(selected) ? selected : "";
    return picker;
  }

  function groupItem(group) {
    const item = el("li", "miss-group card");
    item.dataset.group = group.id;
    const head = el("div", "miss-head");
    const picker = intentPicker(group.suggested_intent);
    picker.setAttribute("aria-label", t("misses.intent"));
    const ids = group.messages.map((m) => m.id);
    const assign = el("button", "primary", t("misses.assign"));
    assign.type = "button";
    assign.addEventListener("click", () => assignMisses(ids, picker.value));
    const dismiss = el("button", "", t("misses.dismiss"));
    dismiss.type = "button";
    dismiss.addEventListener("click", () => dismissMisses(ids));
    head.append(el("strong", "", group.size === 1 ? t("misses.group.one") : t("misses.group", { size: group.size })),
      picker, assign, dismiss);
    const list = el("ul", "miss-messages");
    for (const miss of group.messages) list.append(missItem(miss, picker));
    item.append(head, list);
    return item;
  }

  function missItem(miss, picker) {
    const item = el("li", "miss");
    item.dataset.miss = miss.id;
    const source = miss.source === "flagged"
      ? t("misses.source.flagged", { who: miss.flagged_by || "?" })
      : t(`misses.source.${miss.source}`);
    const nearest = (miss.nearest || []).map((n) => `${n.intent} ${percent(n.confidence)}`).join(", ");
    const meta = [when(miss.at), source, miss.suggested_intent ? `→ ${miss.suggested_intent}` : "",
      nearest ? t("misses.nearest", { list: nearest }) : ""].filter(Boolean).join(" · ");
    const assign = el("button", "link", t("misses.assign.one"));
    assign.type = "button";
    assign.addEventListener("click", () => assignMisses([miss.id], picker.value));
    const dismiss = el("button", "link", t("misses.dismiss.one"));
    dismiss.type = "button";
    dismiss.addEventListener("click", () => dismissMisses([miss.id]));
    item.append(el("span", "miss-text", miss.text), el("span", "meta", meta), assign, dismiss);
    return item;
  }

  async function assignMisses(ids, intent) {
    if (!intent) { toast(t("misses.needintent")); return; }
    try {
      const result = await api("POST", "/api/misses/assign", { ids, intent });
      toast(t("misses.assigned", { count: result.added, intent: result.intent }));
      await Promise.all([loadMisses(), loadIntents()]);
    } catch (err) { showError(err); }
  }

  async function dismissMisses(ids) {
    try {
      await api("POST", "/api/misses/dismiss", { ids });
      toast(t("misses.dismissed"));
      await loadMisses();
    } catch (err) { showError(err); }
  }

  // --- Audit ------------------------------------------------------------------------------------
  async function loadAudit() {
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

  function detailText(detail) {
    return Object.entries(detail || {})
      .filter(([, value]) => value !== null && value !== "" && !(Array.isArray(value) && !value.length))
      .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(" · ") : value}`)
      .join("; ");
  }

  // --- Flag from a ticket (agents and admins) ---------------------------------------------------
  async function openFlag() {
    const d = state.detail;
    if (!d) return;
    $("flag-error").textContent = "";
    try {
      ia.names ||= await api("GET", "/api/intents/names");
    } catch (err) { showError(err); return; }
    const picker = $("flag-intent");
    picker.replaceChildren(...ia.names.map((name) => {
      const option = el("option", "", name);
      option.value = name;
      return option;
    }));
    if (ia.names.includes(d.signals?.intent)) picker.value = d.signals.intent;
    const said = (d.transcript || []).filter((entry) => entry.role === "customer");
    $("flag-text").value = said.at(-1)?.text || d.last_message?.text || "";
    $("flag-dialog").showModal();
    picker.focus();
  }

  async function submitFlag(event) {
    event.preventDefault();
    const id = state.openId;
    if (!id) return;
    try {
      await api("POST", `/api/tickets/${encodeURIComponent(id)}/flag`,
        { intent: $("flag-intent").value, text: $("flag-text").value.trim() || null });
      $("flag-dialog").close();
      toast(t("flag.done"));
    } catch (err) {
      $("flag-error").textContent = t("error", { detail: err.message });
    }
  }

  // --- Shared bits ------------------------------------------------------------------------------
  /** A modal yes/no question; resolves to true when confirmed. */
  function confirmDialog({ title, text, list = [], ok }) {
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

  document.addEventListener("DOMContentLoaded", wire);
  hooks.start.push(onStart);
  hooks.stop.push(onStop);
  hooks.language.push(onLanguage);
})();
