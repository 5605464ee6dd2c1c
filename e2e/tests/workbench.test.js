// The workbench in a real headless browser: load, edit a weight and see the
// frontier change, evaluate a proposal, run a forecast, download the
// scenario and the report.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { launch, watchErrors, ARTIFACTS } from "./browser.js";

const URL = process.env.DETENTE_URL;
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

// Waits for an analysis newer than `after` to be on the page.
async function analysed(after = 0) {
  await page.waitForFunction((n) => Number(document.body.dataset.analysed || 0) > n, after);
  return Number(await page.evaluate(() => document.body.dataset.analysed));
}

test("the page loads and draws the peace-talks utility space", async () => {
  await page.goto(URL);
  await analysed();
  assert.equal(await page.textContent("[data-testid=scenario-name]"), "peace-talks");
  // Three bargaining parties: three planes and the parallel coordinates.
  assert.equal(await page.locator("#charts svg.utility-plane").count(), 3);
  assert.equal(await page.locator("#charts svg.parallel").count(), 1);
  assert.ok((await page.locator("#charts .frontier circle").count()) > 0);
  assert.match(await page.textContent("#charts"), /agreement zone/);
  assert.deepEqual(errors, []);
});

test("changing a weight changes the frontier", async () => {
  const n = await analysed();
  await page.selectOption("[data-testid=scenario-select]", "car-sale");
  const m = await analysed(n);
  assert.equal(await page.textContent("[data-testid=scenario-name]"), "car-sale");
  const before = await page.getAttribute("#summary", "data-pareto");
  const line = await page.getAttribute("#charts .frontier polyline", "points");
  await page.fill("[data-testid=weight-buyer-warranty]", "20");
  await analysed(m);
  const after = await page.getAttribute("#summary", "data-pareto");
  assert.notEqual(after, before);
  assert.notEqual(await page.getAttribute("#charts .frontier polyline", "points"), line);
  await page.screenshot({ path: join(ARTIFACTS, "workbench-car-sale.png"), fullPage: true });
  assert.deepEqual(errors, []);
});

test("red lines, reservation values and options are edited in forms", async () => {
  // car-sale is loaded, with the buyer's warranty weight at 20.
  const summary = async () => page.textContent("#summary p");
  let n = Number(await page.evaluate(() => document.body.dataset.analysed));
  const before = await summary();
  // A new red line for the buyer: never a price of 16.
  const buyer = page.locator(".party[data-party=buyer]");
  await buyer.locator("select[aria-label=issue]").selectOption("price");
  await buyer.locator("select[aria-label=value]").selectOption("16");
  await buyer.locator("button", { hasText: "add red line" }).click();
  n = await analysed(n);
  assert.match(await buyer.textContent(), /price = 16/);
  const withRedLine = await summary();
  assert.notEqual(withRedLine, before);
  // A higher reservation value shrinks the agreement zone further.
  await page.fill("[data-testid=reservation-dealer]", "0.6");
  n = await analysed(n);
  assert.notEqual(await summary(), withRedLine);
  // A new option appears in the proposal form and in the analysis.
  await page.fill("[data-testid=options-warranty]", "none, 6-months, 12-months, 24-months, 36-months");
  await page.press("[data-testid=options-warranty]", "Enter");
  n = await analysed(n);
  assert.match(await page.textContent("[data-testid=value-warranty]"), /36-months/);
  assert.match(await summary(), /^105 outcomes/);
  assert.equal(await page.isHidden("[data-testid=error]"), true);
  assert.deepEqual(errors, []);
});

test("evaluating the mediator's draft shows the red line and the repair", async () => {
  await page.selectOption("[data-testid=scenario-select]", "peace-talks");
  await page.waitForFunction(() => document.querySelector("[data-testid=scenario-name]").textContent === "peace-talks");
  await page.selectOption("[data-testid=proposal-base]", "mediator-draft");
  await page.click("[data-testid=evaluate]");
  await page.waitForSelector("[data-testid=acceptable]");
  assert.equal(await page.textContent("[data-testid=acceptable]"), "Not acceptable to every party.");
  const ukraine = await page.textContent("#verdict tr[data-party=ukraine]");
  assert.match(ukraine, /rejects: crosses red line on unheld_donetsk/);
  assert.match(await page.textContent("[data-testid=repairs]"), /unheld_donetsk: russian-controlled-dmz → ukraine-stays/);
  assert.match(await page.textContent("[data-testid=reading]"), /nearest acceptable deal changes unheld_donetsk to ukraine-stays/);
  assert.ok((await page.locator("#proposal-charts .repair").count()) > 0);
  // Taking the first repair makes the draft acceptable.
  await page.click("[data-testid=repairs] li:first-child button");
  await page.waitForFunction(() => document.querySelector("[data-testid=acceptable]")?.textContent === "Acceptable to every party.");
  await page.screenshot({ path: join(ARTIFACTS, "workbench.png"), fullPage: true });
  assert.deepEqual(errors, []);
});

test("the forecast runs and is drawn", async () => {
  await page.click("[data-testid=run-forecast]");
  await page.waitForSelector("#forecast svg.forecast");
  assert.ok((await page.locator("#forecast svg.forecast").count()) >= 1);
  assert.match(await page.textContent("#forecast"), /the forecast settles at/);
  assert.deepEqual(errors, []);
});

test("a negotiation runs and its trace replays", async () => {
  await page.selectOption("[data-testid=scenario-select]", "car-sale");
  await page.waitForFunction(() => document.querySelector("[data-testid=scenario-name]").textContent === "car-sale");
  await page.fill("[data-testid=strategy-buyer]", "boulware");
  await page.fill("[data-testid=strategy-dealer]", "conceder");
  await page.fill("[data-testid=rounds]", "60");
  await page.click("[data-testid=run-negotiation]");
  await page.waitForSelector("#negotiation-charts svg.offers");
  assert.match(await page.textContent("[data-testid=end-reason]"), /^alternating: /);
  assert.match(await page.textContent("[data-testid=negotiation-result]"), /buyer boulware, dealer conceder/);
  assert.equal(await page.locator("#negotiation-charts svg.rounds").count(), 1);
  assert.match(await page.textContent("[data-testid=replay-event]"), /Step 1 of \d+ · round 0 · buyer: offer/);
  const last = await page.getAttribute("[data-testid=replay-step]", "max");
  await page.fill("[data-testid=replay-step]", last);
  assert.match(await page.textContent("[data-testid=replay-event]"), new RegExp(`Step ${Number(last) + 1} of`));
  await page.screenshot({ path: join(ARTIFACTS, "workbench-negotiation.png"), fullPage: true });
  // The downloaded report has the same session.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click("[data-testid=download-report]"),
  ]);
  const path = join(ARTIFACTS, "car-sale-negotiation.html");
  await download.saveAs(path);
  assert.match(readFileSync(path, "utf8"), /<figure id="negotiation-offers">/);
  assert.deepEqual(errors, []);
  // Back to the flagship for the downloads.
  await page.selectOption("[data-testid=scenario-select]", "peace-talks");
  await page.waitForFunction(() => document.querySelector("[data-testid=scenario-name]").textContent === "peace-talks");
});

test("the edited scenario downloads as TOML", async () => {
  await page.fill("[data-testid=reservation-ukraine]", "0.3");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click("[data-testid=download-toml]"),
  ]);
  assert.equal(download.suggestedFilename(), "peace-talks.toml");
  const path = join(ARTIFACTS, "peace-talks.toml");
  await download.saveAs(path);
  const text = readFileSync(path, "utf8");
  assert.match(text, /name = "peace-talks"/);
  assert.match(text, /reservation = 0\.3\n/);
  assert.deepEqual(errors, []);
});

test("the report downloads and renders every chart", async () => {
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click("[data-testid=download-report]"),
  ]);
  assert.equal(download.suggestedFilename(), "peace-talks.html");
  const path = join(ARTIFACTS, "workbench-report.html");
  await download.saveAs(path);
  const html = readFileSync(path, "utf8");
  assert.match(html, /<figure id="utility-space">/);
  assert.match(html, /<figure id="forecast">/);
  // The proposal is named as the workbench names it, not "custom".
  assert.match(html, /Proposal: mediator-draft/);
  assert.doesNotMatch(html, /\bcustom\b/);
  assert.deepEqual(errors, []);
});

test("a broken scenario shows the server's error", async () => {
  await page.click("#editor details summary");
  await page.fill("[data-testid=raw]", '{"name": "x", "issues": [], "parties": []}');
  await page.click("#raw-apply");
  await page.waitForSelector("[data-testid=error]:not([hidden])");
  assert.match(await page.textContent("[data-testid=error]"), /issue/);
});
