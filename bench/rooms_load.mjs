#!/usr/bin/env node
// Load on live negotiation rooms: N rooms at once, each a person (simulated
// here) against a detente agent, one action per second per person, over
// loopback; reports action latency percentiles and checks that no
// acknowledged action is missing from the rooms' event logs.
//
//     node bench/rooms_load.mjs [--rooms 100] [--seconds 60] [--agent boulware] [--burst]
//
// Starts `target/release/detente serve` (or $DETENTE) on a free port with a
// fresh rooms database in a temporary folder, and stops it at the end. Node's
// standard library only. Each simulated person sends its own best outcome
// (as its seat view gives it) once a second on a keep-alive connection of
// its own; the latency of an action is from sending the POST to having read
// and parsed the whole answer (the person's seat view after the agent's
// reply, as the update the seat page asks for, with the event committed to
// SQLite with synchronous=FULL). One
// event loop drives every person, so the client's own cost is small and
// does not queue the people behind each other as client threads would.
// --burst: every person acts at the same instant each second (the worst
// case); otherwise each at its own phase within the second.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = process.env.DETENTE || join(ROOT, "target/release/detente");

function args() {
  const a = { rooms: 100, seconds: 60, agent: "boulware", burst: false };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === "--burst") a.burst = true;
    else if (k === "--rooms") a.rooms = Number(argv[++i]);
    else if (k === "--seconds") a.seconds = Number(argv[++i]);
    else if (k === "--agent") a.agent = argv[++i];
    else throw new Error("unknown argument " + k);
  }
  if (!(a.rooms >= 1 && a.seconds >= 1)) throw new Error("--rooms and --seconds must be at least 1");
  return a;
}

function request(agent, port, method, path, token, body) {
  return new Promise((resolve, reject) => {
    const headers = {};
    if (token) headers.Authorization = "Bearer " + token;
    const data = body === undefined ? undefined : JSON.stringify(body);
    if (data !== undefined) {
      headers["Content-Type"] = "application/json";
      headers["Content-Length"] = Buffer.byteLength(data);
    }
    const req = http.request({ host: "127.0.0.1", port, method, path, headers, agent }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode, body: text ? JSON.parse(text) : null });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    if (data !== undefined) req.write(data);
    req.end();
  });
}

function bestOutcome(view) {
  const us = view.you.utilities;
  let i = 0;
  for (let k = 1; k < us.length; k++) if (us[k] > us[i]) i = k;
  const values = new Array(view.issues.length);
  for (let k = view.issues.length - 1; k >= 0; k--) {
    const n = view.issues[k].values.length;
    values[k] = i % n;
    i = Math.floor(i / n);
  }
  return Object.fromEntries(view.issues.map((iss, k) => [iss.name, iss.values[values[k]]]));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function person(port, room, token, seconds, start) {
  // One connection per person, as a browser tab has.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const first = await request(agent, port, "GET", `/api/rooms/${room}/seat`, token);
  const offer = { type: "offer", outcome: bestOutcome(first.body) };
  // As the seat page does: after the first view, ask for updates (the
  // history from the entries already held).
  let have = first.body.history.length;
  const latencies = [];
  let acknowledged = 0, errors = 0;
  for (let k = 0; ; k++) {
    const due = start + k * 1000;
    if (due > start + seconds * 1000) break;
    await sleep(due - performance.now());
    const t0 = performance.now();
    const res = await request(agent, port, "POST", `/api/rooms/${room}/actions?since=${have}`, token, offer);
    latencies.push(performance.now() - t0);
    if (res.status === 200) {
      acknowledged++;
      have = res.body.history_from + res.body.history.length;
      if (res.body.status !== "running") break;
    } else errors++;
  }
  agent.destroy();
  return { room, acknowledged, errors, latencies };
}

async function main() {
  const a = args();
  const tmp = mkdtempSync(join(tmpdir(), "detente-rooms-load-"));
  const server = spawn(BIN, ["serve", "--port", "0", "--rooms", join(tmp, "rooms.db")], { stdio: ["ignore", "pipe", "ignore"] });
  try {
    const port = await new Promise((resolve, reject) => {
      let out = "";
      server.stdout.on("data", (d) => {
        out += d;
        const m = out.match(/http:\/\/[^\s]*:(\d+)/);
        if (m) resolve(Number(m[1]));
      });
      server.on("exit", (code) => reject(new Error("the server exited: " + code)));
    });
    const admin = new http.Agent({ keepAlive: false });
    // Enough rounds that no room ends before the run does.
    const created = await request(admin, port, "POST", "/api/rooms", null, {
      scenario: "car-sale", protocol: "alternating", rounds: a.seconds + 10, count: a.rooms, seed: 1,
      seats: [{ party: "buyer", player: "human" }, { party: "dealer", player: a.agent }],
    });
    if (created.status !== 201) throw new Error("creating rooms: " + JSON.stringify(created.body));
    const fac = created.body.facilitator_token;
    const rooms = created.body.rooms;
    const start = performance.now() + 1000;
    const out = await Promise.all(rooms.map((r, i) =>
      person(port, r.room, r.seats[0].token, a.seconds, start + (a.burst ? 0 : (1000 * i) / rooms.length))));
    const lat = out.flatMap((o) => o.latencies).sort((x, y) => x - y);
    const acknowledged = out.reduce((s, o) => s + o.acknowledged, 0);
    const errors = out.reduce((s, o) => s + o.errors, 0);
    let lost = 0;
    for (const o of out) {
      const ev = await request(admin, port, "GET", `/api/rooms/${o.room}/events`, fac);
      const stored = ev.body.events.filter((e) => e.event.type === "offer").length;
      lost += Math.max(0, o.acknowledged - stored);
    }
    const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
    const median = lat.length % 2 ? lat[(lat.length - 1) / 2] : (lat[lat.length / 2 - 1] + lat[lat.length / 2]) / 2;
    console.log(`rooms ${a.rooms}, ${a.seconds} s, agent ${a.agent}${a.burst ? " (burst)" : ""}: ` +
      `${lat.length} actions (${(lat.length / a.seconds).toFixed(0)}/s), ${acknowledged} acknowledged, ` +
      `${errors} refused, ${lost} acknowledged actions missing from the logs`);
    console.log(`latency ms: median ${median.toFixed(1)}, p90 ${q(0.9).toFixed(1)}, p99 ${q(0.99).toFixed(1)}, max ${lat[lat.length - 1].toFixed(1)}`);
    process.exitCode = lost === 0 && errors === 0 ? 0 : 1;
  } finally {
    server.kill("SIGKILL");
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e.message); process.exit(2); });
