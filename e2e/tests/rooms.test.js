// Live negotiation rooms in a real headless browser, each person in a
// browser context of their own (no shared cookies or storage): two people
// to agreement through the facilitator's page, three people under the
// mediator, a person chairing a mediated room, a person against boulware
// to the deadline, and a server killed with SIGKILL mid-room whose room
// goes on after a restart.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser, watchErrors } from "./browser.js";

const BASE = (process.env.DETENTE_URL || "").replace(/\/$/, "");
let browser;
const contexts = [];

before(async () => {
  assert.ok(BASE, "DETENTE_URL must name the running server");
  browser = await launchBrowser();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
});

async function api(base, method, path, token, body) {
  const headers = {};
  if (token) headers.Authorization = "Bearer " + token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let data;
  try { data = JSON.parse(text); } catch (_) { data = text; }
  if (!res.ok) throw new Error(method + " " + path + ": " + res.status + " " + text);
  return data;
}

// A person: a fresh browser context on a seat's link (the API gives it
// absolute; the facilitator's page too; a path is taken from `base`).
async function seat(base, link) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  const errors = watchErrors(page);
  page.on("dialog", (d) => d.accept());
  await page.goto(link.startsWith("http") ? link : base + link);
  await page.waitForFunction(() => document.body.dataset.version !== undefined);
  const token = new URLSearchParams(link.split("#")[1]).get("token");
  return { page, errors, token };
}

const version = (p) => p.page.evaluate(() => Number(document.body.dataset.version));
async function atVersion(p, v) {
  await p.page.waitForFunction((v) => Number(document.body.dataset.version) >= v, v);
}
async function over(p) {
  await p.page.waitForFunction(() => document.body.dataset.status === "over");
}

function decode(issues, index) {
  const out = new Array(issues.length);
  for (let k = issues.length - 1; k >= 0; k--) {
    const n = issues[k].values.length;
    out[k] = index % n;
    index = Math.floor(index / n);
  }
  return out;
}

test("two people reach agreement, starting from the facilitator's page", async () => {
  const fctx = await browser.newContext();
  contexts.push(fctx);
  const fpage = await fctx.newPage();
  const ferrors = watchErrors(fpage);
  await fpage.goto(BASE + "/rooms");
  await fpage.waitForSelector("[data-testid=player-dealer]");
  await fpage.selectOption("[data-testid=protocol]", "alternating");
  await fpage.fill("[data-testid=rounds]", "20");
  await fpage.click("[data-testid=create-button]");
  await fpage.waitForSelector("[data-testid=link-dealer]");
  const links = {};
  for (const party of ["buyer", "dealer"]) {
    const url = await fpage.inputValue(`[data-testid=link-${party}]`);
    links[party] = url.slice(url.indexOf("/seat"));
  }
  const buyer = await seat(BASE, links.buyer);
  const dealer = await seat(BASE, links.dealer);
  const room = new URLSearchParams(links.buyer.split("#")[1]).get("room");
  // The test plays both people: it picks the outcome both like best
  // relative to walking away (each page shows only its own side).
  const vb = await api(BASE, "GET", `/api/rooms/${room}/seat`, buyer.token);
  const vd = await api(BASE, "GET", `/api/rooms/${room}/seat`, dealer.token);
  assert.equal(vb.you.utilities.length, vd.you.utilities.length);
  assert.equal(vd.players[0].player, "human");
  let best = -1, score = -Infinity;
  vb.you.utilities.forEach((ub, i) => {
    const ud = vd.you.utilities[i];
    if (vb.you.crossed.includes(i) || vd.you.crossed.includes(i)) return;
    const s = Math.min(ub - vb.you.reservation, ud - vd.you.reservation);
    if (s > score) { score = s; best = i; }
  });
  assert.ok(score >= 0, "car-sale has an agreement zone");
  const values = decode(vb.issues, best);
  assert.match(await buyer.page.textContent("[data-testid=turn-title]"), /first offer/);
  for (const [k, issue] of vb.issues.entries()) {
    await buyer.page.selectOption(`[data-testid=issue-${issue.name}]`, String(values[k]));
  }
  // The buyer's own utility follows the offer being built.
  assert.equal(await buyer.page.textContent("[data-testid=offer-utility]"), vb.you.utilities[best].toFixed(3));
  // Each value is labelled with the offer's utility if it were chosen.
  const chosen = await buyer.page.$eval(`[data-testid=issue-${vb.issues[0].name}]`, (sel) => sel.options[sel.selectedIndex].textContent);
  assert.ok(chosen.includes("(" + vb.you.utilities[best].toFixed(3)), chosen);
  await buyer.page.click("[data-testid=send-offer]");
  // The dealer's page updates without a reload.
  await atVersion(dealer, 1);
  await dealer.page.waitForSelector("[data-testid=accept]:not([disabled])");
  assert.match(await dealer.page.textContent("[data-testid=standing]"), /buyer/);
  assert.match(await dealer.page.textContent("[data-testid=standing]"), new RegExp(vd.you.utilities[best].toFixed(3)));
  await dealer.page.click("[data-testid=accept]");
  await atVersion(buyer, 2);
  for (const p of [buyer, dealer]) {
    if ((await p.page.evaluate(() => document.body.dataset.status)) === "settling") {
      await p.page.fill("[data-testid=reason]", "better for me");
      await p.page.click("[data-testid=vote-yes]");
    }
  }
  for (const p of [buyer, dealer]) {
    await over(p);
    assert.match(await p.page.textContent("[data-testid=end-title]"), /^Agreement/);
  }
  // A reload, and a second tab, resume the seat.
  await buyer.page.reload();
  await over(buyer);
  assert.match(await buyer.page.textContent("[data-testid=end-title]"), /^Agreement/);
  const second = await buyer.page.context().newPage();
  await second.goto(BASE + links.buyer);
  await second.waitForFunction(() => document.body.dataset.status === "over");
  // The facilitator's page shows the result.
  await fpage.waitForFunction(() => [...document.querySelectorAll("[data-testid=room-status]")].some((e) => e.textContent === "agreement"));
  // The room's report: the offers in each party's utility space.
  const [download] = await Promise.all([fpage.waitForEvent("download"), fpage.click("[data-testid=download-report]")]);
  const html = readFileSync(await download.path(), "utf8");
  assert.match(html, /<svg/);
  assert.match(html, /buyer \(person\)/);
  assert.deepEqual([...buyer.errors, ...dealer.errors, ...ferrors], []);
});

test("three people under the mediator reach agreement by voting", async () => {
  const r = await api(BASE, "POST", "/api/rooms", null, {
    scenario: "water-sharing", protocol: "mediated", rounds: 10, seed: 3,
    seats: ["upstream", "midstream", "downstream"].map((party) => ({ party, player: "human" })),
  });
  const fac = r.facilitator_token;
  const people = {};
  for (const s of r.seats) people[s.party] = await seat(BASE, s.link);
  for (;;) {
    const f = await api(BASE, "GET", `/api/rooms/${r.room}`, fac);
    if (f.status === "over") break;
    if (f.status === "settling") {
      for (const p of Object.values(people)) {
        await atVersion(p, f.version);
        if ((await p.page.evaluate(() => document.body.dataset.status)) === "settling") {
          const before = await version(p);
          await p.page.click("[data-testid=vote-yes]");
          await atVersion(p, before + 1);
        }
      }
      continue;
    }
    const p = people[f.waiting_for];
    await atVersion(p, f.version);
    const title = await p.page.textContent("[data-testid=turn-title]");
    let yes = true;
    if (/proposes/.test(title)) {
      const cards = await p.page.$$eval("[data-testid=standing] .offer-card strong", (e) => e.map((x) => x.textContent));
      // Cards: "Current text", u, "Proposed text", u.
      yes = Number(cards[3]) >= Number(cards[1]);
    }
    await p.page.fill("[data-testid=reason]", yes ? "it is no worse for us" : "worse for us");
    await p.page.click(yes ? "[data-testid=vote-yes]" : "[data-testid=vote-no]");
    await atVersion(p, f.version + 1);
  }
  for (const p of Object.values(people)) {
    await over(p);
    assert.match(await p.page.textContent("[data-testid=end-title]"), /^Agreement/);
    // Others' reasons never reach a seat.
    assert.doesNotMatch(await p.page.textContent("body"), /for us/);
    assert.deepEqual(p.errors, []);
  }
  const events = await api(BASE, "GET", `/api/rooms/${r.room}/events`, fac);
  assert.ok(events.events.some((e) => e.event.reason === "it is no worse for us"));
  // The facilitator's page watches a batch made with the API from its link.
  const fctx = await browser.newContext();
  contexts.push(fctx);
  const fpage = await fctx.newPage();
  await fpage.goto(`${BASE}/rooms#batch=${r.batch}&token=${fac}`);
  await fpage.waitForFunction(() => [...document.querySelectorAll("[data-testid=room-status]")].some((e) => e.textContent === "agreement"));
});

// Offers the page's default (the seat's own best outcome) until the room
// is over or `until` actions are in the history.
async function insist(p, until = Infinity) {
  for (;;) {
    await p.page.waitForFunction(() => document.body.dataset.status === "over" || !document.querySelector("#act").hidden);
    if ((await p.page.evaluate(() => document.body.dataset.status)) === "over") return;
    if ((await p.page.locator("[data-testid=history] tr").count()) >= until) return;
    const v = await version(p);
    await p.page.click("[data-testid=send-offer]");
    await atVersion(p, v + 1);
  }
}

test("a person against boulware holds out to the deadline", async () => {
  const r = await api(BASE, "POST", "/api/rooms", null, {
    scenario: "car-sale", protocol: "alternating", rounds: 10, seed: 3,
    seats: [{ party: "buyer", player: "human" }, { party: "dealer", player: "boulware" }],
  });
  const buyer = await seat(BASE, r.seats[0].link);
  assert.match(await buyer.page.textContent("[data-testid=clock]"), /round 1 of 10/);
  await insist(buyer);
  assert.equal(await buyer.page.textContent("[data-testid=end-title]"), "No agreement");
  assert.match(await buyer.page.textContent("[data-testid=end-detail]"), /deadline/);
  assert.equal(await buyer.page.locator("[data-testid=history] tr").count(), 20);
  assert.deepEqual(buyer.errors, []);
});

// Starts `detente serve` on `port` (0: any) with a rooms database.
async function startServer(db, port) {
  const child = spawn(process.env.DETENTE_BIN, ["serve", "--port", String(port), "--rooms", db], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const url = await new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/detente workbench: (http:\/\/\S+)\//);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error("the server exited with " + code + ": " + out)));
  });
  return { child, url };
}

test("a server killed with SIGKILL mid-room loses no acknowledged action", { skip: !process.env.DETENTE_BIN }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "detente-rooms-"));
  const db = join(dir, "rooms.db");
  let server = await startServer(db, 0);
  try {
    const port = new URL(server.url).port;
    const r = await api(server.url, "POST", "/api/rooms", null, {
      scenario: "car-sale", protocol: "alternating", rounds: 10, seed: 3,
      seats: [{ party: "buyer", player: "human" }, { party: "dealer", player: "boulware" }],
    });
    const buyer = await seat(server.url, r.seats[0].link);
    await insist(buyer, 6);
    const acknowledged = await version(buyer);
    assert.equal(acknowledged, 3);
    // Boulware's offers are worth less to the buyer than walking away: the
    // page says so and offers no accept.
    assert.ok(await buyer.page.isVisible("[data-testid=cannot-accept]"));
    assert.ok(await buyer.page.isDisabled("[data-testid=accept]"));
    server.child.kill("SIGKILL");
    await new Promise((res) => server.child.once("exit", res));
    await buyer.page.waitForFunction(() => document.querySelector("[data-testid=live]").textContent !== "live");
    server = await startServer(db, port);
    // The page reconnects by itself and finds the room as it was.
    await buyer.page.waitForFunction(() => document.querySelector("[data-testid=live]").textContent === "live");
    await atVersion(buyer, acknowledged);
    assert.equal(await buyer.page.locator("[data-testid=history] tr").count(), 6);
    await insist(buyer);
    assert.match(await buyer.page.textContent("[data-testid=end-detail]"), /deadline/);
    const events = await api(server.url, "GET", `/api/rooms/${r.room}/events`, r.facilitator_token);
    assert.equal(events.events.length, 10);
  } finally {
    server.child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a person chairs a mediated room: drafts a revision, sees the votes, closes the talks", async () => {
  const r = await api(BASE, "POST", "/api/rooms", null, {
    scenario: "car-sale", protocol: "mediated", rounds: 10, seed: 2,
    seats: [{ party: "buyer", player: "human" }, { party: "dealer", player: "human" }, { party: "mediator", player: "human" }],
  });
  assert.deepEqual(r.seats.map((s) => s.party), ["buyer", "dealer", "mediator"]);
  assert.ok(r.seats.every((s) => s.link.startsWith(BASE + "/seat#room=")), r.seats[0].link);
  const fac = r.facilitator_token;
  const people = {};
  for (const s of r.seats) people[s.party] = await seat(BASE, s.link);
  const chair = people.mediator;
  // The chair sees the text and an editor, but no preferences (a neutral
  // mediator has none); the parties wait for its draft.
  await chair.page.waitForSelector("[data-testid=propose]");
  assert.match(await chair.page.textContent("[data-testid=who]"), /mediator/);
  assert.equal(await chair.page.isVisible("#prefs"), false);
  assert.equal(await chair.page.isVisible("[data-testid=send-offer]"), false);
  assert.equal(await people.buyer.page.isVisible("[data-testid=propose]"), false);
  assert.match(await people.buyer.page.textContent("[data-testid=turn-title]"), /Waiting for the mediator/);
  // The test plays everyone: the revision is the outcome both parties like
  // best relative to walking away.
  const vb = await api(BASE, "GET", `/api/rooms/${r.room}/seat`, people.buyer.token);
  const vd = await api(BASE, "GET", `/api/rooms/${r.room}/seat`, people.dealer.token);
  const text = vb.turn.text.outcome;
  let current = 0;
  for (const issue of vb.issues) current = current * issue.values.length + issue.values.indexOf(String(text[issue.name]));
  let best = -1, score = -Infinity;
  vb.you.utilities.forEach((ub, i) => {
    const ud = vd.you.utilities[i];
    if (i === current || vb.you.crossed.includes(i) || vd.you.crossed.includes(i)) return;
    const s = Math.min(ub - vb.you.reservation, ud - vd.you.reservation);
    if (s > score) { score = s; best = i; }
  });
  assert.ok(score >= 0, "car-sale has an agreement zone beyond the opening text");
  const values = decode(vb.issues, best);
  for (const [k, issue] of vb.issues.entries()) {
    await chair.page.selectOption(`[data-testid=issue-${issue.name}]`, String(values[k]));
  }
  const v0 = await version(chair);
  await chair.page.click("[data-testid=propose]");
  await atVersion(chair, v0 + 1);
  // Both parties vote yes on their own pages.
  for (const party of ["buyer", "dealer"]) {
    const f = await api(BASE, "GET", `/api/rooms/${r.room}`, fac);
    assert.equal(f.waiting_for, party);
    const p = people[party];
    await atVersion(p, f.version);
    assert.match(await p.page.textContent("[data-testid=turn-title]"), /proposes/);
    await p.page.fill("[data-testid=reason]", "we can live with it");
    await p.page.click("[data-testid=vote-yes]");
    await atVersion(p, f.version + 1);
  }
  // The chair's record shows the votes, never the reasons; then it closes.
  const f = await api(BASE, "GET", `/api/rooms/${r.room}`, fac);
  assert.equal(f.waiting_for, "mediator");
  await atVersion(chair, f.version);
  await chair.page.waitForSelector("[data-testid=vote-table]");
  const record = await chair.page.textContent("[data-testid=votes]");
  assert.match(record, /buyer yes/);
  assert.match(record, /dealer yes/);
  assert.match(record, /kept/);
  assert.doesNotMatch(await chair.page.textContent("body"), /live with it/);
  await chair.page.click("[data-testid=close-talks]");
  for (const party of ["buyer", "dealer"]) {
    const g = await api(BASE, "GET", `/api/rooms/${r.room}`, fac);
    assert.equal(g.waiting_for, party);
    const p = people[party];
    await atVersion(p, g.version);
    assert.match(await p.page.textContent("[data-testid=turn-title]"), /Final text/);
    await p.page.click("[data-testid=vote-yes]");
    await atVersion(p, g.version + 1);
  }
  for (;;) {
    const g = await api(BASE, "GET", `/api/rooms/${r.room}`, fac);
    if (g.status !== "settling") break;
    for (const party of ["buyer", "dealer"]) {
      const p = people[party];
      await atVersion(p, g.version);
      if ((await p.page.evaluate(() => document.body.dataset.status)) === "settling") {
        const before = await version(p);
        await p.page.click("[data-testid=vote-yes]");
        await atVersion(p, before + 1);
      }
    }
  }
  for (const p of Object.values(people)) {
    await over(p);
    assert.match(await p.page.textContent("[data-testid=end-title]"), /^Agreement/);
    assert.deepEqual(p.errors, []);
  }
  const t = await api(BASE, "GET", `/api/rooms/${r.room}/transcript`, fac);
  assert.equal(t.result.rounds, 1);
  assert.ok(t.events.some((e) => e.event.type === "close"));
});

test("the facilitator's page makes rooms from an uploaded scenario file", async () => {
  const fctx = await browser.newContext();
  contexts.push(fctx);
  const fpage = await fctx.newPage();
  const ferrors = watchErrors(fpage);
  await fpage.goto(BASE + "/rooms");
  await fpage.waitForSelector("[data-testid=player-dealer]");
  await fpage.setInputFiles("[data-testid=scenario-file]", join(process.cwd(), "..", "tests", "data", "native", "lease.toml"));
  await fpage.waitForSelector("[data-testid=player-seller]");
  assert.match(await fpage.$eval("[data-testid=scenario]", (s) => s.options[s.selectedIndex].textContent), /lease \(uploaded\)/);
  await fpage.selectOption("[data-testid=protocol]", "alternating");
  await fpage.selectOption("[data-testid=player-seller]", "boulware");
  await fpage.click("[data-testid=create-button]");
  await fpage.waitForSelector("[data-testid=link-buyer]");
  const url = await fpage.inputValue("[data-testid=link-buyer]");
  const buyer = await seat(BASE, url);
  assert.match(await buyer.page.textContent("[data-testid=who]"), /buyer · lease/);
  // A file that is no scenario is refused with the reader's message.
  await fpage.setInputFiles("[data-testid=scenario-file]", { name: "notes.toml", mimeType: "text/plain", buffer: Buffer.from("this is = not [a scenario") });
  await fpage.waitForSelector("[data-testid=error]:not([hidden])");
  assert.match(await fpage.textContent("[data-testid=error]"), /notes\.toml/);
  // The refused upload is a 4xx the browser logs; nothing else may be.
  assert.deepEqual([...buyer.errors, ...ferrors.filter((e) => !/status of 422/.test(e))], []);
});
