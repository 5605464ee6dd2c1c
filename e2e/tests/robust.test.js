// How sure the verdicts are, in the workbench: with samples of the uncertain
// numbers set, the analysis says how likely some deal is acceptable to all
// and the evaluation of the mediator's draft shows acceptance by party, the
// robust repair and the thresholds, with the report's charts and readings,
// and the same numbers as `detente evaluate --samples`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launch, watchErrors, ARTIFACTS } from "./browser.js";

const URL = process.env.DETENTE_URL;
const BIN = process.env.DETENTE_BIN;
const PERCENT = /\d+% ± \d+(\.\d)?%/;
let browser, page, errors;

before(async () => {
  assert.ok(URL, "DETENTE_URL must name the running server");
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launch();
  page = await browser.context.newPage();
  errors = watchErrors(page);
});

after(async () => {
  await browser?.close();
});

async function analysed(after = 0) {
  await page.waitForFunction((n) => Number(document.body.dataset.analysed || 0) > n, after);
  return Number(await page.evaluate(() => document.body.dataset.analysed));
}

// `83% ± 1%`, as the CLI and the report write a probability.
function percent({ p, se }) {
  const s = se * 100;
  return `${Math.round(p * 100)}% ± ${s > 0 && s < 1 ? s.toFixed(1) : Math.round(s)}%`;
}

test("without samples the page shows no robust analysis", async () => {
  await page.goto(URL);
  await analysed();
  assert.equal(await page.textContent("[data-testid=scenario-name]"), "peace-talks");
  assert.equal(await page.textContent("[data-testid=analysis-robust]"), "");
  assert.equal(await page.locator("#charts svg.chance").count(), 0);
  assert.deepEqual(errors, []);
});

test("samples in the analysis colour the outcomes by their chance", async () => {
  const n = Number(await page.evaluate(() => document.body.dataset.analysed));
  await page.fill("[data-testid=analysis-samples]", "1000");
  await analysed(n);
  assert.match(await page.textContent("[data-testid=zone-nonempty]"),
    /^Some deal is acceptable to every party in \d+% ± \d+(\.\d)?% of the plausible cases\.$/);
  assert.match(await page.textContent("[data-testid=robust-deal]"), /^The deal most likely acceptable to all \(\d+% ± [\d.]+%\): crimea=/);
  assert.match(await page.textContent("[data-testid=solutions]"), PERCENT);
  assert.equal(await page.locator("#charts svg.chance").count(), 1);
  assert.match(await page.textContent("#fig-chance"), /Some deal is acceptable to every party in/);
  assert.deepEqual(errors, []);
});

test("samples on the mediator's draft show how sure each verdict is", async () => {
  await page.selectOption("[data-testid=proposal-base]", "mediator-draft");
  await page.fill("[data-testid=proposal-samples]", "2000");
  await page.fill("[data-testid=proposal-seed]", "7");
  await page.click("[data-testid=evaluate]");
  await page.waitForSelector("[data-testid=robust-acceptance]");
  const robust = await page.textContent("[data-testid=robust]");
  assert.match(robust, /How sure \(2,000 samples of the uncertain numbers, seed 7\)/);
  // The same numbers as the CLI's for the same samples and seed.
  const cli = JSON.parse(execFileSync(BIN, ["evaluate", "peace-talks", "--proposal", "mediator-draft",
    "--samples", "2000", "--seed", "7", "--json"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })).robust;
  for (const party of cli.parties) {
    assert.equal(await page.textContent(`[data-testid=robust-accept-${party.name}]`), percent(party.accept), party.name);
  }
  assert.equal(await page.textContent("[data-testid=robust-all-accept]"), percent(cli.all_accept));
  // Europe is the party in doubt: the report's sentence names the draft.
  const europe = cli.parties.find((p) => p.name === "europe").accept;
  assert.ok(europe.p > 0 && europe.p < 1, JSON.stringify(europe));
  assert.match(await page.textContent("#fig-acceptance figcaption"),
    new RegExp(`europe accepts mediator-draft in ${percent(europe).replace(/[.]/g, "\\.")} of the plausible cases\\.`));
  assert.match(await page.textContent("#fig-acceptance figcaption"), /Every party accepts mediator-draft in \d+% ± [\d.]+% of the plausible cases \(2000 samples\); the best repair, in/);
  assert.equal(await page.locator("#robust svg.acceptance .bar").count(), cli.parties.length * 2 + 2);
  // The robust repair, and where each verdict flips.
  assert.match(await page.textContent("[data-testid=robust-repair]"), /^Robust repair \(\d changes?\): .*every party accepts it in \d+% ± [\d.]+%/);
  assert.equal(await page.locator("[data-testid=thresholds] tbody tr").count(), cli.thresholds.length);
  assert.match(await page.textContent("[data-testid=thresholds]"), /parties\[1\]\.reservation/);
  assert.equal(await page.locator("#robust svg.tornado .tornado").count(), cli.thresholds.length);
  assert.match(await page.textContent("#fig-tornado figcaption"),
    /ukraine accepts the repair at the point values; the verdict flips if its reservation value is above 0\.\d+\./);
  await page.screenshot({ path: join(ARTIFACTS, "workbench-robust.png"), fullPage: true });
  assert.deepEqual(errors, []);
});

test("the robust repair can be taken, and clearing the samples hides the section", async () => {
  await page.click("[data-testid=robust-repair] button");
  await page.waitForFunction(() => /\(modified\)/.test(document.querySelector("[data-testid=robust-acceptance] thead")?.textContent || ""));
  assert.match(await page.textContent("[data-testid=robust-acceptance] thead"), /accepts mediator-draft \(modified\)/);
  await page.fill("[data-testid=proposal-samples]", "");
  await page.click("[data-testid=evaluate]");
  await page.waitForFunction(() => document.querySelector("[data-testid=robust]").textContent === "");
  assert.match(await page.textContent("[data-testid=acceptable]"), /acceptable to every party/i);
  assert.deepEqual(errors, []);
});

test("too many samples are refused with the server's message", async () => {
  await page.fill("[data-testid=proposal-samples]", "1000000");
  await page.click("[data-testid=evaluate]");
  await page.waitForSelector("[data-testid=error]:not([hidden])");
  assert.match(await page.textContent("[data-testid=error]"), /samples: 1000000 is outside 1\.\.=20000/);
});
