// The metrics strip in the header.

import { api, ApiError } from "./api.js";
import { $ } from "./dom.js";
import { duration, percent } from "./format.js";

export async function loadMetrics() {
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
