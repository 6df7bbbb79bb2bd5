// The intent editor's state and small look-ups shared by its parts.

import { state } from "./state.js";

export const TABS = ["intents", "misses", "history", "audit"];
export const VARIANTS = ["vip", "loyal", "regular", "new", "private", "comment"];
export const TIERS = ["new", "regular", "loyal", "vip"];
export const ia = {
  tab: "intents", data: null, selected: null, original: null, examples: [], dirty: false,
  evaluation: null, confirmWorse: false, names: null, busy: false, base: null,
};

export const isAdmin = () => state.session?.role === "admin";
export const f1 = (value) => (value === null || value === undefined ? "—" : value.toFixed(2));
export const intentsOf = () => ia.data?.intents ?? [];
export const findIntent = (name) => intentsOf().find((intent) => intent.name === name);
