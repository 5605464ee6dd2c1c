// The detente workbench: edits a scenario held here as detente's native JSON
// structure, and asks the server (stateless) to analyse, evaluate, forecast
// and export it. Charts arrive as SVG drawn by the server.
"use strict";

const state = {
  scenario: null,  // native JSON structure
  seq: 0,          // drops answers to superseded analyses
  timer: null,
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function status(text) { $("status").textContent = text; }

function showError(message) {
  const box = $("error");
  if (message) { box.textContent = message; box.hidden = false; }
  else { box.textContent = ""; box.hidden = true; }
}

async function api(path, body) {
  const opts = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  const res = await fetch(path, opts);
  if (!res.ok) {
    let msg = res.status + " " + res.statusText;
    try { const e = await res.json(); msg = e.error.message; } catch (_) { /* not JSON */ }
    throw new Error(msg);
  }
  return res;
}

// ---- charts ---------------------------------------------------------------

function figure(chart) {
  const fig = el("figure", { id: "fig-" + chart.id, "data-chart": chart.id });
  fig.append(el("h2", { text: chart.title }));
  const holder = el("div", { class: "svg-holder" });
  // The SVG is markup drawn by the server from escaped text: no script.
  holder.innerHTML = chart.svg;
  fig.append(holder);
  if (chart.legend && chart.legend.length) {
    const ul = el("ul", { class: "legend" });
    for (const l of chart.legend) ul.append(el("li", { text: l.text }));
    fig.append(ul);
  }
  const cap = el("figcaption");
  for (const p of chart.reading || []) cap.append(el("p", { text: p }));
  fig.append(cap);
  return fig;
}

function showCharts(target, charts) {
  const box = $(target);
  box.replaceChildren(...charts.map(figure));
}

// ---- analysis -------------------------------------------------------------

const fmt = (x) => (x === null || x === undefined ? "?" : Number(x).toFixed(3));

// ---- uncertain numbers -------------------------------------------------------

// A whole number as Rust's `{:.0}` writes it (ties to even), so the page's
// percentages are those of the report and the CLI.
function round0(x) {
  const r = Math.round(x);
  return (Math.abs(x % 1) === 0.5 && r % 2 !== 0) ? r - 1 : r;
}

// A probability {p, se} as the report and the CLI write it: `83% ± 1%`.
function percent(prob) {
  if (!prob) return "—";
  const se = prob.se * 100;
  const s = se > 0 && se < 1 ? se.toFixed(1) : String(round0(se));
  return `${round0(prob.p * 100)}% ± ${s}%`;
}

// The `samples` and `seed` of a request from a panel's inputs; none when
// the samples field is empty (the point values only).
function samplesOf(prefix) {
  const raw = $(prefix + "-samples").value.trim();
  if (!raw) return {};
  return { samples: Number(raw), seed: Number($(prefix + "-seed").value) || 0 };
}

const count = (n) => Number(n).toLocaleString("en");

function showSummary(a) {
  const box = $("summary");
  const zone = a.agreement_zone;
  const parts = [
    el("p", { text: `${a.outcome_count} outcomes; frontier by ${a.method}; ` +
      (zone.count === null ? "" : `${zone.count} outcomes in the agreement zone; `) +
      `${a.pareto.count} efficient utility vectors, ${zone.pareto.count} of them in the zone.` }),
  ];
  const t = el("table", { "data-testid": "solutions" });
  const chances = a.robust ? a.robust.solutions : null;
  const head = el("tr", {}, el("th", { text: "solution" }), ...a.bargainers.map((b) => el("th", { text: "u(" + b + ")" })),
    chances ? el("th", { text: "acceptable to all (sampled)" }) : null);
  t.append(el("thead", {}, head));
  const body = el("tbody");
  const names = { nash: "Nash", kalai_smorodinsky: "Kalai–Smorodinsky", max_welfare: "max welfare", egalitarian: "egalitarian" };
  for (const [k, label] of Object.entries(names)) {
    const s = a.solutions[k];
    body.append(el("tr", { "data-solution": k }, el("td", { text: label }),
      ...a.bargainers.map((_, i) => el("td", { class: "n", text: s ? fmt(s.utilities[i]) : "—" })),
      chances ? el("td", { class: "n", text: percent(chances[k]) }) : null));
  }
  t.append(body);
  parts.push(t);
  box.replaceChildren(...parts);
  box.dataset.pareto = JSON.stringify(a.pareto.points.map((p) => p.utilities));
}

// An outcome in words: `issue=value, …`.
const outcomeText = (o) => Object.entries(o).map(([k, x]) => `${k}=${x}`).join(", ");

// The analysis's robust object in the CLI's sentences (`analyze --samples`);
// the outcomes coloured by their chance come with the charts.
function showAnalysisRobust(r) {
  const box = $("analysis-robust");
  if (!r) { box.replaceChildren(); return; }
  const parts = [
    el("p", { class: "muted", text: `Uncertain numbers: ${count(r.samples)} samples, seed ${r.seed}.` }),
    el("p", { "data-testid": "zone-nonempty",
      text: `Some deal is acceptable to every party in ${percent(r.zone_nonempty)} of the plausible cases.` }),
    el("p", { "data-testid": "robust-deal", text: r.robust_deal
      ? `The deal most likely acceptable to all (${percent(r.robust_deal.probability)}): ${outcomeText(r.robust_deal.outcome)}.`
      : "No deal is acceptable to all in any sample." }),
  ];
  const names = { nash: "Nash", kalai_smorodinsky: "Kalai-Smorodinsky", max_welfare: "max welfare", egalitarian: "egalitarian" };
  const shown = Object.entries(names).filter(([k]) => r.solutions[k]).map(([k, n]) => `${n} ${percent(r.solutions[k])}`);
  if (shown.length) parts.push(el("p", { text: `The point model's solutions are acceptable to all in: ${shown.join("; ")}.` }));
  box.replaceChildren(...parts);
}

async function analyze() {
  const seq = ++state.seq;
  status("analysing…");
  try {
    const res = await api("/api/analyze", Object.assign({ scenario: state.scenario }, samplesOf("analysis")));
    const v = await res.json();
    if (seq !== state.seq) return;
    showError(null);
    showSummary(v.analysis);
    showAnalysisRobust(v.analysis.robust);
    showCharts("charts", v.charts);
    status("up to date");
    document.body.dataset.analysed = String(seq);
  } catch (e) {
    if (seq !== state.seq) return;
    showError(e.message);
    status("error");
  }
}

// Called on every edit: the analysis follows as you type.
function changed() {
  $("raw").value = JSON.stringify(state.scenario, null, 2);
  reanalyse();
}

function reanalyse() {
  clearTimeout(state.timer);
  state.timer = setTimeout(analyze, 250);
}

// ---- the editor -----------------------------------------------------------

function issueValues(issue) {
  if (issue.options) return issue.options.map(String);
  const kind = issue.kind;
  if (kind === "integer" && issue.max - issue.min <= 400) {
    const out = [];
    for (let x = issue.min; x <= issue.max; x++) out.push(String(x));
    return out;
  }
  if (kind === "continuous" && issue.step && (issue.max - issue.min) / issue.step <= 400) {
    const out = [];
    for (let x = issue.min; x < issue.max - 1e-9 * issue.step; x += issue.step) out.push(String(+x.toFixed(10)));
    out.push(String(issue.max));
    return out;
  }
  return null; // too many: a number input
}

function numberInput(value, attrs, onchange) {
  return el("input", Object.assign({ type: "number", value: value, step: "any" }, attrs), null);
}

function renderParties() {
  const box = $("parties");
  box.replaceChildren();
  const issues = state.scenario.issues;
  state.scenario.parties.forEach((p, pi) => {
    const div = el("div", { class: "party", "data-party": p.name });
    div.append(el("h4", { text: p.name + (p.role === "mediator" ? " (mediator)" : "") }));
    const res = numberInput(p.reservation ?? 0, { "data-testid": `reservation-${p.name}`, min: "0", max: "1", step: "0.01" });
    res.addEventListener("input", () => {
      const x = parseFloat(res.value);
      if (!Number.isNaN(x)) { p.reservation = x; changed(); }
    });
    div.append(el("div", { class: "row" }, el("span", { text: "reservation" }), el("span"), res));
    if (p.weights) {
      for (const issue of issues) {
        if (!p.values || !(issue.name in p.values)) continue;
        const w = p.weights[issue.name] ?? 0;
        const range = el("input", { type: "range", min: "0", max: "10", step: "0.1", value: w, "aria-label": `${p.name} weight of ${issue.name}` });
        const num = numberInput(w, { "data-testid": `weight-${p.name}-${issue.name}`, min: "0", step: "0.1" });
        const set = (x) => {
          if (Number.isNaN(x) || x < 0) return;
          p.weights[issue.name] = x;
          changed();
        };
        range.addEventListener("input", () => { num.value = range.value; set(parseFloat(range.value)); });
        num.addEventListener("input", () => { range.value = num.value; set(parseFloat(num.value)); });
        div.append(el("div", { class: "row" }, el("span", { text: "weight: " + issue.name }), range, num));
      }
    }
    // Red lines: listed, removable, and a simple one-condition form to add.
    (p.red_lines || []).forEach((r, ri) => {
      const when = Object.entries(r.when).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(", ");
      const rm = el("button", { type: "button", class: "small", "data-testid": `remove-red-line-${p.name}-${ri}`, text: "remove" });
      rm.addEventListener("click", () => { p.red_lines.splice(ri, 1); renderParties(); changed(); });
      div.append(el("div", { class: "redline" }, el("span", { class: "bad", text: "red line:" }),
        el("span", { text: when + (r.note ? " — " + r.note : "") }), rm));
    });
    const issueSel = el("select", { "aria-label": "issue" }, ...issues.map((i) => el("option", { value: i.name, text: i.name })));
    const valueSel = el("select", { "aria-label": "value" });
    const fill = () => {
      const issue = issues.find((i) => i.name === issueSel.value);
      const vals = issueValues(issue) || [String(issue.min)];
      valueSel.replaceChildren(...vals.map((v) => el("option", { value: v, text: v })));
    };
    issueSel.addEventListener("change", fill);
    fill();
    const add = el("button", { type: "button", class: "small", text: "add red line" });
    add.addEventListener("click", () => {
      const issue = issues.find((i) => i.name === issueSel.value);
      const v = issue.options ? valueSel.value : Number(valueSel.value);
      p.red_lines = p.red_lines || [];
      p.red_lines.push({ when: { [issue.name]: v }, note: "added in the workbench" });
      renderParties();
      changed();
    });
    div.append(el("div", { class: "redline" }, el("span", { text: "new:" }), issueSel, valueSel, add));
    box.append(div);
  });
}

function renderIssues() {
  const box = $("issues");
  box.replaceChildren();
  for (const issue of state.scenario.issues) {
    if (!issue.options) {
      box.append(el("div", { class: "row" }, el("span", { text: issue.name }),
        el("span", { class: "muted", text: `${issue.kind} ${issue.min}…${issue.max}` + (issue.step ? ` step ${issue.step}` : "") }), el("span")));
      continue;
    }
    const input = el("input", { type: "text", value: issue.options.join(", "), "data-testid": `options-${issue.name}`, "aria-label": `options of ${issue.name}` });
    input.addEventListener("change", () => {
      const names = input.value.split(",").map((s) => s.trim()).filter(Boolean);
      if (!names.length) return;
      const old = issue.options;
      issue.options = names;
      // Keep each party's value for options that stay; new options get 0.
      for (const p of state.scenario.parties) {
        const v = p.values && p.values[issue.name];
        if (v && typeof v === "object" && !Array.isArray(v) && !v.points) {
          const next = {};
          for (const n of names) next[n] = n in v ? v[n] : 0;
          p.values[issue.name] = next;
        }
      }
      // Proposals naming a removed option move to the first option.
      for (const pr of state.scenario.proposals || []) {
        if (!names.includes(pr.outcome[issue.name])) pr.outcome[issue.name] = names[0];
      }
      if (old.join() !== names.join()) { renderAll(false); changed(); }
    });
    box.append(el("div", { class: "row" }, el("span", { text: issue.name }), input, el("span")));
  }
}

// ---- proposals --------------------------------------------------------------

function renderProposal() {
  const base = $("proposal-base");
  const proposals = state.scenario.proposals || [];
  base.replaceChildren(el("option", { value: "", text: "(custom)" }),
    ...proposals.map((p) => el("option", { value: p.name, text: p.name })));
  if (proposals.length) base.value = proposals[0].name;
  fillProposal();
}

function fillProposal() {
  const name = $("proposal-base").value;
  const p = (state.scenario.proposals || []).find((x) => x.name === name);
  const box = $("proposal-values");
  box.replaceChildren();
  for (const issue of state.scenario.issues) {
    const vals = issueValues(issue);
    const current = p ? String(p.outcome[issue.name]) : (vals ? vals[0] : String(issue.min));
    let input;
    if (vals) {
      input = el("select", { "data-issue": issue.name, "data-testid": `value-${issue.name}` },
        ...vals.map((v) => el("option", { value: v, text: v })));
      input.value = current;
    } else {
      input = el("input", { type: "number", step: "any", value: current, "data-issue": issue.name, "data-testid": `value-${issue.name}` });
    }
    box.append(el("label", {}, el("span", { text: issue.name }), input));
  }
}

function proposalOutcome() {
  const out = {};
  for (const input of $("proposal-values").querySelectorAll("[data-issue]")) {
    const issue = state.scenario.issues.find((i) => i.name === input.dataset.issue);
    out[issue.name] = issue.options ? input.value : Number(input.value);
  }
  return out;
}

// The proposal of an evaluation: the chosen proposal by name with the values
// changed from it (so verdicts say `mediator-draft` or `mediator-draft
// (modified)`), or every value of a custom outcome.
function proposalRequest() {
  const outcome = proposalOutcome();
  const name = $("proposal-base").value;
  const p = (state.scenario.proposals || []).find((x) => x.name === name);
  if (!p) return { outcome };
  const edits = {};
  for (const [k, x] of Object.entries(outcome)) {
    if (String(p.outcome[k]) !== String(x)) edits[k] = x;
  }
  return Object.keys(edits).length ? { proposal: name, outcome: edits } : { proposal: name };
}

// Puts an outcome's values into the proposal form and evaluates it.
function useOutcome(outcome) {
  for (const [k, val] of Object.entries(outcome)) {
    const input = $("proposal-values").querySelector(`[data-issue="${CSS.escape(k)}"]`);
    if (input) input.value = String(val);
  }
  evaluate();
}

async function evaluate() {
  status("evaluating…");
  try {
    const res = await api("/api/evaluate", Object.assign({ scenario: state.scenario }, proposalRequest(), samplesOf("proposal")));
    const v = await res.json();
    showError(null);
    showVerdict(v);
    showCharts("proposal-charts", v.charts.slice(0, 1));
    showRobust(v);
    status("evaluated");
  } catch (e) {
    showError(e.message);
    status("error");
  }
}

function showVerdict(v) {
  const e = v.evaluation;
  const t = el("table");
  t.append(el("thead", {}, el("tr", {}, ...["party", "utility", "reservation", "verdict"].map((h) => el("th", { text: h })))));
  const body = el("tbody");
  for (const p of e.parties) {
    const why = p.red_lines_crossed.map((r) => `crosses red line on ${r.issues.join(", ")}` + (r.note ? ` (“${r.note}”)` : ""));
    if (p.utility < p.reservation_value) why.push("below its reservation value");
    body.append(el("tr", { "data-party": p.name },
      el("td", { text: p.name + (p.role === "mediator" ? " (mediator)" : "") }),
      el("td", { class: "n", text: fmt(p.utility) }),
      el("td", { class: "n", text: fmt(p.reservation_value) }),
      el("td", { class: p.accepts ? "good" : "bad", text: p.accepts ? "accepts" : "rejects: " + why.join("; ") })));
  }
  t.append(body);
  const parts = [
    el("p", { "data-testid": "acceptable", class: e.acceptable_to_all ? "good" : "bad",
      text: e.acceptable_to_all ? "Acceptable to every party." : "Not acceptable to every party." }),
    t,
    el("p", { "data-testid": "reading", text: v.reading }),
  ];
  if (e.repairs.length) {
    const ol = el("ol", { "data-testid": "repairs" });
    for (const r of e.repairs) {
      const li = el("li", { text: r.changes.map((c) => `${c.issue}: ${c.from} → ${c.to}`).join("; ") + " " });
      const use = el("button", { type: "button", class: "small", text: "use" });
      use.addEventListener("click", () => useOutcome(r.outcome));
      li.append(use);
      ol.append(li);
    }
    parts.push(el("p", { text: "Repairs (fewest changes, best Nash product first):" }), ol);
  }
  $("verdict").replaceChildren(...parts);
}

// How sure the verdicts are (`evaluate --samples`): acceptance by party of
// the proposal and of its best robust repair, acceptance by all, the robust
// repair, and the thresholds; then the report's acceptance and tornado
// charts, whose readings say it in sentences ("ukraine accepts … in 83% ±
// 1% of the plausible cases", "the verdict flips if … is above 0.463").
function showRobust(v) {
  const box = $("robust");
  const r = v.evaluation.robust;
  if (!r) { box.replaceChildren(); return; }
  const label = v.evaluation.proposal;
  const best = r.repairs[0];
  const repaired = new Map(r.repair_parties.map((a) => [a.name, a.accept]));
  const parts = [el("h3", { text: `How sure (${count(r.samples)} samples of the uncertain numbers, seed ${r.seed})` })];

  const t = el("table", { "data-testid": "robust-acceptance" });
  t.append(el("thead", {}, el("tr", {}, el("th", { text: "party" }), el("th", { text: "utility (90% of cases)" }),
    el("th", { text: `accepts ${label}` }), best ? el("th", { text: "accepts the best repair" }) : null)));
  const body = el("tbody");
  for (const a of r.parties) {
    const u = a.utility;
    body.append(el("tr", { "data-party": a.name },
      el("td", { text: a.name }),
      el("td", { class: "n", text: `${fmt(u.mean)} (${fmt(u.q05)}–${fmt(u.q95)})` }),
      el("td", { class: "n", "data-testid": `robust-accept-${a.name}`, text: percent(a.accept) }),
      best ? el("td", { class: "n", text: percent(repaired.get(a.name)) }) : null));
  }
  body.append(el("tr", { class: "all" }, el("td", { text: "every party" }), el("td"),
    el("td", { class: "n", "data-testid": "robust-all-accept", text: percent(r.all_accept) }),
    best ? el("td", { class: "n", text: percent(best.all_accept) }) : null));
  t.append(body);
  parts.push(t);

  if (r.repair_size === null || r.repair_size === undefined) {
    parts.push(el("p", { text: "Robust repairs: the space is too large to search." }));
  } else if (r.repair_size > 0 && best) {
    const k = r.repair_size;
    const p = el("p", { "data-testid": "robust-repair",
      text: `Robust repair (${k} change${k === 1 ? "" : "s"}): ` +
        best.changes.map((c) => `${c.issue}: ${c.from} → ${c.to}`).join("; ") +
        `; every party accepts it in ${percent(best.all_accept)}. ` });
    const use = el("button", { type: "button", class: "small", text: "use" });
    use.addEventListener("click", () => useOutcome(best.outcome));
    p.append(use);
    parts.push(p);
  } else if (r.repair_size > 0) {
    parts.push(el("p", { text: "No change makes a deal acceptable to all in any sample." }));
  }

  if (r.thresholds.length) {
    parts.push(el("h3", { text: "What would have to be true (the other numbers at their point values)" }));
    const th = el("table", { "data-testid": "thresholds" });
    th.append(el("thead", {}, el("tr", {}, ...["party", "uncertain number", "of", "point value", "flips at", "below", "above"]
      .map((h) => el("th", { text: h })))));
    const tb = el("tbody");
    for (const x of r.thresholds) {
      tb.append(el("tr", { "data-party": x.party },
        el("td", { text: x.party }),
        el("td", { text: x.parameter }),
        el("td", { text: x.subject === "repair" ? "the repair" : "the proposal" }),
        el("td", { class: "n", text: fmt(x.point) }),
        el("td", { class: "n", text: fmt(x.value) }),
        el("td", { class: x.verdict_below === "accepts" ? "good" : "bad", text: x.verdict_below }),
        el("td", { class: x.verdict_above === "accepts" ? "good" : "bad", text: x.verdict_above })));
    }
    th.append(tb);
    parts.push(th);
  }
  // The report's charts, each with its reading (the tornado's says where each verdict flips).
  const charts = (v.charts || []).filter((c) => c.id === "acceptance" || c.id === "tornado");
  parts.push(el("div", { class: "robust-charts" }, ...charts.map(figure)));
  box.replaceChildren(...parts);
}

// ---- forecast ----------------------------------------------------------------

function renderForecast() {
  const has = !!state.scenario.forecast;
  $("run-forecast").disabled = !has;
  $("forecast-note").textContent = has
    ? `${state.scenario.forecast.actors.length} actors on ${state.scenario.forecast.dimensions.length} dimension(s).`
    : "This scenario has no forecasting model (a forecast section).";
  $("forecast").replaceChildren();
}

async function forecast() {
  status("forecasting…");
  try {
    const v = await (await api("/api/forecast", { scenario: state.scenario })).json();
    showError(null);
    showCharts("forecast", v.charts);
    status("forecast done");
  } catch (e) {
    showError(e.message);
    status("error");
  }
}

// ---- negotiation -----------------------------------------------------------------

function renderNegotiation() {
  const box = $("strategy-inputs");
  box.replaceChildren(...state.scenario.parties.map((p) => el("label", {},
    el("span", { text: `strategy of ${p.name}` + (p.role === "mediator" ? " (mediator)" : "") }),
    el("input", { type: "text", list: "strategy-names", placeholder: "default", "data-party": p.name, "data-testid": `strategy-${p.name}` }))));
  $("negotiation-result").replaceChildren();
  $("negotiation-charts").replaceChildren();
  $("replay").hidden = true;
  state.trace = [];
}

async function negotiate() {
  status("negotiating…");
  const strategies = [...$("strategy-inputs").querySelectorAll("input")].map((i) => i.value.trim());
  const body = {
    scenario: state.scenario,
    rounds: Number($("rounds").value) || 100,
    seed: Number($("seed").value) || 0,
  };
  if ($("protocol").value) body.protocol = $("protocol").value;
  if (strategies.some((x) => x)) body.strategies = strategies;
  try {
    const v = await (await api("/api/negotiate", body)).json();
    showError(null);
    // The downloaded report replays the same session.
    const { scenario, ...settings } = body;
    state.lastNegotiation = settings;
    const r = v.result;
    const parts = [
      el("p", { "data-testid": "end-reason", text: `${r.protocol}: ${r.end_reason} after ${r.rounds} round(s).` }),
      el("p", { text: "Strategies: " + r.parties.map((p, i) => `${p} ${r.strategies[i]}`).join(", ") }),
    ];
    if (r.agreement) {
      parts.push(el("p", { text: "Agreement: " + Object.entries(r.agreement).map(([k, x]) => `${k} = ${x}`).join(", ") }));
    }
    parts.push(el("p", { text: "Utilities: " + r.parties.map((p, i) => `${p} ${fmt(r.utilities[i])}`).join(", ") }));
    $("negotiation-result").replaceChildren(...parts);
    showCharts("negotiation-charts", v.charts);
    state.trace = v.trace;
    state.traceParties = v.parties;
    const step = $("replay-step");
    step.max = String(Math.max(0, v.trace.length - 1));
    step.value = "0";
    $("replay").hidden = v.trace.length === 0;
    showStep(0);
    status("negotiation done");
  } catch (e) {
    showError(e.message);
    status("error");
  }
}

function showStep(i) {
  const e = state.trace[i];
  if (!e) { $("replay-event").replaceChildren(); return; }
  const parts = [el("p", { text: `Step ${i + 1} of ${state.trace.length} · round ${e.round} · ${e.actor}: ${e.action}` })];
  if (e.outcome) {
    parts.push(el("p", { class: "muted", text: Object.entries(e.outcome).map(([k, x]) => `${k} = ${x}`).join(", ") }));
  }
  const utilities = Object.entries(e.utilities);
  if (utilities.length) {
    parts.push(el("p", { text: utilities.map(([p, u]) => `${p} ${fmt(u)}`).join(", ") }));
  }
  $("replay-event").replaceChildren(...parts);
}

function play() {
  const step = $("replay-step");
  if (state.playing) { clearInterval(state.playing); state.playing = null; $("replay-play").textContent = "Play"; return; }
  $("replay-play").textContent = "Pause";
  state.playing = setInterval(() => {
    const next = Number(step.value) + 1;
    if (next > Number(step.max)) { play(); return; }
    step.value = String(next);
    showStep(next);
  }, 120);
}

// ---- loading and downloads ------------------------------------------------------

function renderAll(proposal = true) {
  $("scenario-name").textContent = state.scenario.name;
  $("scenario-description").textContent = state.scenario.description || "";
  renderParties();
  renderIssues();
  // A new set of options needs new proposal fields, even when the
  // proposal list stays.
  if (proposal) renderProposal(); else fillProposal();
  renderForecast();
  renderNegotiation();
}

function load(scenario) {
  state.scenario = scenario;
  state.lastNegotiation = null;
  $("verdict").replaceChildren();
  $("proposal-charts").replaceChildren();
  $("robust").replaceChildren();
  renderAll();
  changed();
}

async function download(path, body, fallback) {
  status("preparing download…");
  try {
    const res = await api(path, body);
    const cd = res.headers.get("Content-Disposition") || "";
    const m = /filename="([^"]+)"/.exec(cd);
    const blob = await res.blob();
    const a = el("a", { href: URL.createObjectURL(blob), download: m ? m[1] : fallback });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    showError(null);
    status("downloaded");
  } catch (e) {
    showError(e.message);
    status("error");
  }
}

async function init() {
  const list = await (await api("/api/scenarios")).json();
  const sel = $("scenario-select");
  sel.replaceChildren(...list.scenarios.map((s) => el("option", { value: s.name, text: s.name })));
  sel.value = list.default;
  sel.addEventListener("change", async () => {
    try { load((await (await api("/api/scenarios/" + encodeURIComponent(sel.value))).json()).scenario); }
    catch (e) { showError(e.message); }
  });
  $("upload").addEventListener("change", async (ev) => {
    const file = ev.target.files[0];
    if (!file) return;
    try {
      // The file's bytes, whatever its format: the server takes uploads only
      // as application/octet-stream (a type other pages cannot send without
      // a CORS preflight, which the server never grants).
      const res = await fetch("/api/upload?filename=" + encodeURIComponent(file.name), {
        method: "POST",
        headers: { "Content-Type": "application/octet-stream" },
        body: file,
      });
      const v = await res.json();
      if (!res.ok) throw new Error(v.error.message);
      status("read: " + v.detected);
      load(v.scenario);
    } catch (e) { showError(e.message); }
    ev.target.value = "";
  });
  $("proposal-base").addEventListener("change", fillProposal);
  $("evaluate").addEventListener("click", evaluate);
  for (const id of ["analysis-samples", "analysis-seed"]) $(id).addEventListener("input", reanalyse);
  $("run-forecast").addEventListener("click", forecast);
  $("run-negotiation").addEventListener("click", negotiate);
  $("replay-step").addEventListener("input", () => showStep(Number($("replay-step").value)));
  $("replay-play").addEventListener("click", play);
  api("/api/strategies").then((r) => r.json()).then((v) => {
    $("strategy-names").replaceChildren(...v.strategies.map((x) => el("option", { value: x.name, text: x.description })));
  }).catch(() => { /* the names are only suggestions */ });
  $("download-toml").addEventListener("click", () => download("/api/export/toml", { scenario: state.scenario }, "scenario.toml"));
  $("download-report").addEventListener("click", () =>
    download("/api/export/report", Object.assign(
      { scenario: state.scenario, forecast: !!state.scenario.forecast }, proposalRequest(),
      state.lastNegotiation ? { negotiation: state.lastNegotiation } : {}), "report.html"));
  $("raw-apply").addEventListener("click", () => {
    try { load(JSON.parse($("raw").value)); showError(null); }
    catch (e) { showError("The JSON does not parse: " + e.message); }
  });
  load((await (await api("/api/scenarios/" + encodeURIComponent(list.default))).json()).scenario);
}

init().catch((e) => showError(e.message));
