// The page's markup is in several files so that none grows past a screenful: index.html holds
// the sign-in, the top bar and the queue; each <div data-partial="NAME"> in it is replaced by
// the static file NAME (the intent editor, the dialogs) before the page is wired. `ready`
// resolves once they are all in place: console.js and intents.js start from it, in that order.
//
// The partials are the console's own files from its own origin (the Content-Security-Policy
// allows nothing else); DOMParser builds them inert (no script runs, nothing loads) and they
// are moved into the page as nodes. No data ever goes through here: that stays textContent.

const BASE = "/console/static/";
const FAILED = "控制台未能完整加载，请刷新页面。 The console did not load completely: reload the page.";

async function fill(slot) {
  const name = slot.dataset.partial;
  if (!/^[a-z0-9-]+\.html$/.test(name)) throw new Error(`not a console partial: ${name}`);
  const response = await fetch(BASE + name);
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  const parsed = new DOMParser().parseFromString(await response.text(), "text/html");
  slot.replaceWith(...[...parsed.body.childNodes].map((node) => document.adoptNode(node)));
}

async function load() {
  try {
    await Promise.all([...document.querySelectorAll("[data-partial]")].map(fill));
  } catch (error) {
    const notice = document.createElement("p");
    notice.className = "form-error";
    notice.setAttribute("role", "alert");
    notice.textContent = FAILED;
    document.body.prepend(notice);
    throw error;
  }
}

const loaded = new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve));
export const ready = loaded.then(load);
