// The console's shared state, and the hooks other parts of the page (the intent editor) add to.

export const state = {
  lang: null, // set by i18n.js as it loads, before anything renders
  session: null, filter: "open",
  tickets: new Map(), order: [], selectedId: null,
  openId: null, detail: null, customer: null, loading: false, buffered: [],
  canned: [], skewMs: 0, timers: [], sessionTimer: null, metricsTimer: null, syncTimer: null,
  source: null, dropped: false, retryMs: 1000, reconnectTimer: null, liveGeneration: 0,
  highlights: new Map(), // ticket id -> {cls: "arrived"|"flash", until: ms}, kept across redraws
};

// The intent editor (intents.js) hooks in here; its module runs before boot() (module scripts
// are deferred, boot waits for the page and its partials: partials.js).
export const hooks = { start: [], stop: [], language: [] };
