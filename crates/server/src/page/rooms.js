// detente rooms: the seat page (/seat#room=ID&token=TOKEN) and the
// facilitator's page (/rooms). Tokens travel only in the Authorization
// header; the seat's token is in the link's fragment, which browsers never
// send to a server, so a reload or a second tab finds it again.
"use strict";

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("data-")) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : String(c));
  return e;
}

function showError(message) {
  const box = $("error");
  if (!message) { box.hidden = true; box.textContent = ""; return; }
  box.hidden = false;
  box.textContent = message;
}

async function api(method, path, token, body) {
  const headers = {};
  if (token) headers["Authorization"] = "Bearer " + token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let data = null;
  try { data = JSON.parse(text); } catch (_) { data = text; }
  if (!res.ok) {
    const msg = data && data.error ? data.error.message : res.status + " " + text;
    const err = new Error(msg);
    err.status = res.status;
    throw err;
  }
  return data;
}

const fmt = (u) => (u === null || u === undefined ? "–" : Number(u).toFixed(3));
const outcomeText = (o) => (o ? Object.entries(o).map(([k, v]) => k + ": " + v).join(", ") : "");

// Follows the room's server-sent events with the token in a header
// (EventSource cannot send one), calling back on every update and
// reconnecting after a failure.
function follow(room, token, onUpdate, onState) {
  let stopped = false;
  async function loop() {
    while (!stopped) {
      try {
        const res = await fetch("/api/rooms/" + room + "/stream", { headers: { Authorization: "Bearer " + token } });
        if (!res.ok || !res.body) throw new Error("stream " + res.status);
        onState("live");
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let cut;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            if (block.split("\n").some((l) => l.startsWith("event: update"))) onUpdate();
          }
        }
      } catch (_) { /* reconnect below */ }
      onState("reconnecting…");
      await new Promise((r) => setTimeout(r, 1500));
      onUpdate();
    }
  }
  loop();
  return () => { stopped = true; };
}

// ---------------------------------------------------------------- seat

function seatPage() {
  const params = new URLSearchParams(location.hash.slice(1));
  const room = params.get("room");
  const token = params.get("token");
  if (!room || !token) { showError("This link has no room or token: open the link your facilitator gave you."); return; }
  let view = null;
  let deadlineAt = null;
  let built = false;
  let busy = false;
  // The text the chair's editor was last reset to.
  let lastText = null;

  const selects = [];
  function buildOffer(v) {
    const box = $("builder");
    box.textContent = "";
    v.issues.forEach((issue, k) => {
      const sel = el("select", { id: "issue-" + k, "data-testid": "issue-" + issue.name });
      issue.values.forEach((value, i) => sel.append(el("option", { value: String(i) }, value)));
      sel.addEventListener("change", updateOfferUtility);
      selects[k] = sel;
      box.append(el("label", { htmlFor: "issue-" + k }, issue.name), sel);
    });
    // Start from one's own best outcome; a chair starts from the text.
    if (v.you) {
      const us = v.you.utilities;
      let best = 0;
      for (let i = 1; i < us.length; i++) if (us[i] > us[best]) best = i;
      setOffer(decode(v, best));
    } else {
      updateOfferUtility();
    }
    built = true;
  }
  function setOutcome(o) {
    setOffer(view.issues.map((issue) => issue.values.indexOf(String(o[issue.name]))));
  }
  function chosen() {
    const outcome = {};
    view.issues.forEach((issue, k) => { outcome[issue.name] = issue.values[Number(selects[k].value)]; });
    return outcome;
  }
  function decode(v, index) {
    const sizes = v.issues.map((i) => i.values.length);
    const out = new Array(sizes.length);
    for (let k = sizes.length - 1; k >= 0; k--) { out[k] = index % sizes[k]; index = Math.floor(index / sizes[k]); }
    return out;
  }
  function setOffer(values) { values.forEach((x, k) => { selects[k].value = String(x); }); updateOfferUtility(); }
  function offerIndex() {
    let index = 0;
    view.issues.forEach((issue, k) => { index = index * issue.values.length + Number(selects[k].value); });
    return index;
  }
  // Each option shows the offer's utility with that value and the other
  // issues as they are, so one sees where each choice leads.
  function labelOptions() {
    if (!view.you) return;
    const sizes = view.issues.map((issue) => issue.values.length);
    const digits = selects.map((sel) => Number(sel.value));
    selects.forEach((sel, k) => {
      [...sel.options].forEach((opt, v) => {
        let index = 0;
        sizes.forEach((n, j) => { index = index * n + (j === k ? v : digits[j]); });
        opt.textContent = view.issues[k].values[v] + " (" + fmt(view.you.utilities[index]) + (view.you.crossed.includes(index) ? ", red line" : "") + ")";
      });
    });
  }
  function updateOfferUtility() {
    if (!view) return;
    labelOptions();
    $("offer-utility-line").hidden = !view.you;
    if (!view.you) return;
    const i = offerIndex();
    const u = view.you.utilities[i];
    $("offer-utility").textContent = fmt(u);
    const crossed = view.you.crossed.includes(i);
    $("offer-warning").textContent = crossed ? "crosses one of your red lines" : u < view.you.reservation ? "below your reservation value" : "";
  }

  // After the first load the page asks for updates: the history from
  // the entries it has, without the parts that never change.
  const since = () => (view ? "?since=" + view.history.length : "");
  function merge(update) {
    if (!view || update.issues) { view = update; return; }
    const history = view.history.slice(0, update.history_from).concat(update.history);
    view = Object.assign({}, view, update, { history });
  }

  async function act(body) {
    if (busy) return;
    busy = true;
    showError("");
    try {
      merge(await api("POST", "/api/rooms/" + room + "/actions" + since(), token, body));
      render();
    } catch (e) {
      showError(e.message);
    } finally {
      busy = false;
    }
  }

  $("send-offer").addEventListener("click", () => act({ type: "offer", outcome: chosen() }));
  $("propose").addEventListener("click", () => act({ type: "propose", outcome: chosen() }));
  $("close-talks").addEventListener("click", () => {
    if (confirm("Close the talks? Each party will say whether it accepts the current text; there are no more revisions.")) act({ type: "close" });
  });
  $("accept").addEventListener("click", () => act({ type: "accept" }));
  $("end-negotiation").addEventListener("click", () => {
    if (confirm("Walk away? The negotiation ends without agreement for everyone.")) act({ type: "end" });
  });
  $("vote-yes").addEventListener("click", () => act({ type: "vote", accept: true, reason: $("reason").value }));
  $("vote-no").addEventListener("click", () => act({ type: "vote", accept: false, reason: $("reason").value }));

  function card(title, o, utility) {
    const c = el("div", { class: "offer-card" }, el("strong", {}, title), el("div", {}, outcomeText(o)));
    if (view.you) c.append(el("div", {}, "Your utility: ", el("strong", {}, fmt(utility))));
    return c;
  }

  // The chair's record: each revision (what it changed in the text) with
  // the parties' votes on it and whether it was kept.
  function renderVotes(v) {
    const box = $("votes");
    box.textContent = "";
    const rows = [];
    let text = null, current = null;
    v.history.forEach((h) => {
      if (h.action === "propose") {
        if (text === null) { text = h.outcome; return; } // the opening text
        const changes = Object.keys(h.outcome).filter((k) => String(h.outcome[k]) !== String(text[k])).map((k) => k + " → " + h.outcome[k]);
        current = { round: h.round, changes, votes: [], verdict: "" };
        rows.push(current);
      } else if (current && h.action.startsWith("vote-")) {
        current.votes.push(h.actor + (h.action === "vote-yes" ? " yes" : " no"));
      } else if (current && h.action === "keep") {
        current.verdict = "kept";
        text = h.outcome;
      } else if (current && h.action === "discard") {
        current.verdict = "dropped";
      }
    });
    if (!rows.length) { box.append(el("p", { class: "muted" }, "No revision proposed yet.")); return; }
    const table = el("table", { "data-testid": "vote-table" });
    table.append(el("tr", {}, el("th", {}, "Round"), el("th", {}, "Changes"), el("th", {}, "Votes"), el("th", {}, "")));
    rows.forEach((r) => table.append(el("tr", {}, el("td", { class: "n" }, r.round + 1), el("td", {}, r.changes.join("; ")),
      el("td", {}, r.votes.join(", ")), el("td", {}, r.verdict))));
    box.append(table);
  }

  function render() {
    const v = view;
    document.body.dataset.version = String(v.version);
    document.body.dataset.status = v.status;
    const chair = v.role === "mediator";
    $("who").textContent = "You are " + v.party + (chair ? " (the mediator)" : "") + " · " + v.scenario + " · " + v.protocol;
    document.title = "detente: " + v.party;
    $("chair").hidden = !chair;
    $("prefs").hidden = !v.you;
    $("party-buttons").hidden = chair;
    $("chair-buttons").hidden = !chair;
    $("act-title").textContent = chair ? "Your revision of the text" : "Your offer";
    if (chair) renderVotes(v);
    if (v.you) $("reservation").textContent = fmt(v.you.reservation);
    const rl = $("redlines");
    rl.textContent = "";
    if (v.you && v.you.red_lines.length) {
      rl.append(el("p", {}, "Your red lines (outcomes you cannot accept):"));
      const ul = el("ul");
      v.you.red_lines.forEach((n) => ul.append(el("li", {}, n || "(no note)")));
      rl.append(ul);
    }
    if (!built) buildOffer(v);
    deadlineAt = v.time.seconds_left === null ? null : Date.now() + v.time.seconds_left * 1000;
    tick();
    // History.
    const tb = $("history");
    tb.textContent = "";
    v.history.forEach((h) => {
      const tr = el("tr", { class: h.mine ? "mine" : "" },
        el("td", { class: "n" }, h.round + 1), el("td", {}, h.mine ? "you" : h.actor), el("td", {}, h.action),
        el("td", {}, outcomeText(h.outcome)), el("td", { class: "n" }, fmt(h.utility)));
      tb.append(tr);
    });
    // What is asked.
    const t = v.turn;
    const standing = $("standing");
    standing.textContent = "";
    $("act").hidden = true;
    $("vote").hidden = true;
    if (v.status === "over") {
      $("turn-title").textContent = "The negotiation is over.";
      const r = v.result;
      $("end").hidden = false;
      $("end-title").textContent = r.agreement ? "Agreement" + (r.settled ? " (improved after the vote)" : "") : "No agreement";
      const why = { agreement: "", walkaway: (r.by === v.party ? "You" : r.by) + " walked away.", deadline: "The deadline passed.", failure: "A participant failed." }[r.end_reason] || r.end_reason;
      $("end-detail").textContent = (r.agreement ? outcomeText(r.agreement) + ". " : why + " ") +
        (v.you ? "Your utility: " + fmt(r.utility) + " (walking away was worth " + fmt(v.you.reservation) + ")." : "");
      return;
    }
    $("end").hidden = true;
    if (!t) { $("turn-title").textContent = "Waiting…"; return; }
    if (t.asked === "settle" && chair) {
      $("turn-title").textContent = "The parties agreed. detente proposed to them a deal better for every person; waiting for their answers.";
      return;
    }
    if (t.asked === "settle") {
      $("turn-title").textContent = "You have an agreement. detente found a deal that is better for you, and acceptable to everyone. Accept it? It replaces the agreement only if every person accepts.";
      standing.append(card("Proposed deal", t.proposal, t.utility), el("p", { class: "muted" }, t.answered + " of " + t.of + " answered."));
      $("vote").hidden = false;
      return;
    }
    if (!t.yours) {
      $("turn-title").textContent = t.asked === "propose" ? "Waiting for the mediator (" + t.party + ") to propose a revision of the text…" : "Waiting for " + t.party + "…";
      if (t.standing) standing.append(card("Offer on the table (" + t.standing.by + ")", t.standing.outcome, t.standing.utility));
      return;
    }
    if (t.asked === "propose") {
      $("turn-title").textContent = "Your turn: revise the text and put it to the vote, or close the talks.";
      standing.append(card("Current text", t.text.outcome, t.text.utility));
      if (lastText !== JSON.stringify(t.text.outcome)) { lastText = JSON.stringify(t.text.outcome); setOutcome(t.text.outcome); }
      $("act").hidden = false;
      updateOfferUtility();
    } else if (t.asked === "act") {
      $("turn-title").textContent = t.standing ? "Your turn: accept their offer, or make a counter-offer." : "Your turn: make the first offer.";
      if (t.standing) standing.append(card("Their offer (" + t.standing.by + ")", t.standing.outcome, t.standing.utility));
      $("act").hidden = false;
      // The protocol refuses an accept below one's reservation value or
      // across one's red line: say so before the click.
      let refusable = "";
      if (t.standing) {
        let index = 0;
        v.issues.forEach((issue) => { index = index * issue.values.length + issue.values.indexOf(String(t.standing.outcome[issue.name])); });
        if (v.you.crossed.includes(index)) refusable = "It crosses one of your red lines: you cannot accept it.";
        else if (t.standing.utility < v.you.reservation) refusable = "It is worth less to you than walking away: you cannot accept it.";
      }
      if (refusable) standing.append(el("p", { class: "bad", "data-testid": "cannot-accept" }, refusable));
      $("accept").disabled = !t.standing || refusable !== "";
      updateOfferUtility();
    } else if (t.asked === "vote") {
      $("turn-title").textContent = "The mediator proposes to change the text. Vote.";
      standing.append(card("Current text", t.text.outcome, t.text.utility), card("Proposed text", t.proposal.outcome, t.proposal.utility));
      $("vote").hidden = false;
    } else if (t.asked === "final-vote") {
      $("turn-title").textContent = "Final text: do you accept it rather than walk away?";
      standing.append(card("Final text", t.text.outcome, t.text.utility));
      $("vote").hidden = false;
    }
  }

  function tick() {
    if (!view) return;
    const parts = [];
    if (view.time.rounds) parts.push("round " + Math.min(view.time.round + 1, view.time.rounds) + " of " + view.time.rounds);
    if (deadlineAt !== null && view.status === "running") {
      const s = Math.max(0, Math.round((deadlineAt - Date.now()) / 1000));
      parts.push(Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0") + " left");
      if (s === 0) load();
    }
    $("clock").textContent = parts.join(" · ");
  }
  setInterval(tick, 1000);

  let loading = false;
  async function load() {
    if (loading) return;
    loading = true;
    try {
      merge(await api("GET", "/api/rooms/" + room + "/seat" + since(), token));
      render();
      showError("");
    } catch (e) {
      showError(e.status === 401 ? "This link's token is not valid for this room." : e.message);
    } finally {
      loading = false;
    }
  }
  load();
  follow(room, token, load, (s) => { $("live").textContent = s; });
}

// --------------------------------------------------------- facilitator

function roomsPage() {
  const STORE = "detente-batches";
  const saved = () => JSON.parse(localStorage.getItem(STORE) || "[]");
  let strategies = [];

  // An uploaded scenario (native JSON, as the server read it) and its name.
  let uploaded = null;
  const UPLOADED = "\u0000uploaded";

  async function loadScenario() {
    const name = $("scenario").value;
    const data = name === UPLOADED ? uploaded.scenario : await api("GET", "/api/scenarios/" + encodeURIComponent(name));
    const all = (data.scenario || data).parties;
    const parties = all.filter((p) => (p.role || "party") !== "mediator");
    const named = all.find((p) => p.role === "mediator");
    const box = $("seats");
    box.textContent = "";
    parties.forEach((p, i) => {
      const sel = el("select", { "data-testid": "player-" + p.name, "data-party": p.name });
      sel.append(el("option", { value: "human" }, "a person"));
      strategies.forEach((s) => sel.append(el("option", { value: s }, "agent: " + s)));
      if (i > 0 && parties.length === 2) sel.value = "human";
      box.append(el("div", { class: "seat-row" }, el("span", {}, p.name), sel));
    });
    // The chair of a mediated room: detente's mediator or a person.
    const chair = named ? named.name : "mediator";
    const sel = el("select", { "data-testid": "player-mediator", "data-party": chair, "data-mediator": "1" });
    sel.append(el("option", { value: "detente" }, "detente's mediator"), el("option", { value: "human" }, "a person"));
    const row = el("div", { class: "seat-row", id: "mediator-row" }, el("span", {}, chair + " (mediator)"), sel);
    row.dataset.named = named ? "1" : "";
    box.append(row);
    showChair();
  }
  // The mediator's seat is offered where the room has a mediator: a
  // mediated protocol, or the scenario's default when it names one.
  function showChair() {
    const row = $("mediator-row");
    if (!row) return;
    const p = $("protocol").value;
    row.hidden = !(p.startsWith("mediated") || (p === "" && row.dataset.named));
  }
  $("protocol").addEventListener("change", showChair);

  // /rooms#batch=B&token=T watches a batch created elsewhere (with the
  // API): its progress, results and transcripts, without the seats' links,
  // which only their creator has.
  function adopt() {
    const params = new URLSearchParams(location.hash.slice(1));
    const batch = params.get("batch"), token = params.get("token");
    if (!batch || !token) return;
    const list = saved().filter((b) => b.batch !== batch);
    list.unshift({ batch, token, rooms: null, scenario: "batch " + batch });
    localStorage.setItem(STORE, JSON.stringify(list.slice(0, 20)));
    history.replaceState(null, "", location.pathname);
  }

  async function init() {
    adopt();
    try {
      const list = await api("GET", "/api/scenarios");
      list.scenarios.forEach((s) => $("scenario").append(el("option", { value: s.name }, s.name)));
      $("scenario").value = "car-sale";
      const st = await api("GET", "/api/strategies");
      strategies = st.strategies.map((s) => s.name);
      await loadScenario();
    } catch (e) { showError(e.message); }
    renderBatches();
    setInterval(renderBatches, 2000);
  }
  $("scenario").addEventListener("change", () => loadScenario().catch((e) => showError(e.message)));
  // A file is read by the server's upload route (as the workbench reads
  // one) and offered in the scenario list.
  $("scenario-file").addEventListener("change", async (ev) => {
    const file = ev.target.files[0];
    if (!file) return;
    showError("");
    try {
      const res = await fetch("/api/upload?filename=" + encodeURIComponent(file.name), {
        method: "POST", headers: { "Content-Type": "application/octet-stream" }, body: file,
      });
      const v = await res.json();
      if (!res.ok) throw new Error(v.error.message);
      uploaded = { name: v.scenario.name || file.name, scenario: v.scenario };
      let opt = [...$("scenario").options].find((o) => o.value === UPLOADED);
      if (!opt) { opt = el("option", { value: UPLOADED }); $("scenario").append(opt); }
      opt.textContent = uploaded.name + " (uploaded)";
      $("scenario").value = UPLOADED;
      await loadScenario();
    } catch (e) { showError(e.message); }
    ev.target.value = "";
  });

  $("create").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    showError("");
    const seats = [...$("seats").querySelectorAll("select")]
      .filter((s) => !s.dataset.mediator || !$("mediator-row").hidden)
      .map((s) => ({ party: s.dataset.party, player: s.value }));
    const own = $("scenario").value === UPLOADED;
    const body = { scenario: own ? uploaded.scenario : $("scenario").value, seats, count: Number($("count").value) || 1, seed: Number($("seed").value) || 0 };
    if (own) body.name = uploaded.name;
    if ($("protocol").value) body.protocol = $("protocol").value;
    if ($("rounds").value) body.rounds = Number($("rounds").value);
    if ($("minutes").value) body.minutes = Number($("minutes").value);
    try {
      const r = await api("POST", "/api/rooms", $("server-token").value || null, body);
      const list = saved();
      list.unshift({ batch: r.batch, token: r.facilitator_token, rooms: r.rooms, scenario: own ? uploaded.name : body.scenario });
      localStorage.setItem(STORE, JSON.stringify(list.slice(0, 20)));
      renderBatches();
    } catch (e) { showError(e.message); }
  });

  async function download(path, token, name, type) {
    const headers = { Authorization: "Bearer " + token };
    const res = await fetch(path, { headers });
    if (!res.ok) { showError((await res.json()).error.message); return; }
    const blob = new Blob([await res.text()], { type });
    const a = el("a", { href: URL.createObjectURL(blob), download: name });
    document.body.append(a);
    a.click();
    a.remove();
  }

  async function renderBatches() {
    const box = $("batches");
    const list = saved();
    const parts = [];
    for (const b of list) {
      let status = null;
      try { status = await api("GET", "/api/batches/" + b.batch, b.token); } catch (_) { continue; }
      const byId = Object.fromEntries(status.rooms.map((r) => [r.room, r]));
      const div = el("div", { class: "batch", "data-testid": "batch" });
      const csv = el("button", { type: "button", "data-testid": "download-csv" }, "Results (CSV)");
      csv.addEventListener("click", () => download("/api/batches/" + b.batch + "/results.csv", b.token, "rooms-" + b.batch + ".csv", "text/csv"));
      div.append(el("h3", {}, b.scenario + " · " + status.rooms.length + " room(s) "), csv);
      const table = el("table");
      table.append(el("tr", {}, el("th", {}, "Room"), el("th", {}, "Status"), el("th", {}, "Seats (private links)"), el("th", {}, "")));
      for (const r of b.rooms || status.rooms.map((x) => ({ room: x.room, seats: [] }))) {
        const s = byId[r.room] || {};
        const links = el("div", { class: "links" });
        r.seats.forEach((seat) => {
          const url = location.origin + "/seat#room=" + r.room + "&token=" + seat.token;
          links.append(el("label", {}, seat.party, el("input", { readOnly: true, value: url, "data-testid": "link-" + seat.party })));
        });
        const res = s.result;
        const statusText = s.status === "over" ? (res.agreement ? "agreement" : res.end_reason) : (s.status || "?") + (s.waiting_for ? " (waiting for " + s.waiting_for + ")" : "");
        const cell = el("td", {});
        if (s.status === "over") {
          const t = el("button", { type: "button" }, "Transcript (JSON)");
          t.addEventListener("click", () => download("/api/rooms/" + r.room + "/transcript", b.token, "room-" + r.room + ".json", "application/json"));
          const h = el("button", { type: "button", "data-testid": "download-report" }, "Report (HTML)");
          h.addEventListener("click", () => download("/api/rooms/" + r.room + "/report", b.token, "room-" + r.room + ".html", "text/html"));
          cell.append(t, " ", h);
        }
        table.append(el("tr", { "data-testid": "room-row" }, el("td", {}, r.room), el("td", { "data-testid": "room-status" }, statusText), el("td", {}, links), cell));
      }
      div.append(table);
      parts.push(div);
    }
    box.replaceChildren(...parts);
  }
  init();
}

if (document.body.dataset.page === "seat") seatPage();
else roomsPage();
