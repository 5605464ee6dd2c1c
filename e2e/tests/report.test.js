// A report written by `detente report` opens offline in the browser, runs its
// script without error, and draws every chart.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { launch, watchErrors, ARTIFACTS } from "./browser.js";

const REPORT = process.env.DETENTE_REPORT;
let browser;

after(async () => {
  await browser?.close();
});

test("the report renders every chart without script errors", async () => {
  assert.ok(REPORT, "DETENTE_REPORT must name a report written by detente report --forecast");
  browser = await launch();
  const page = await browser.context.newPage();
  const errors = watchErrors(page);
  // Any request other than the file itself would be a report that is not
  // self-contained.
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(REPORT).href);
  await page.waitForFunction(() => document.documentElement.dataset.ready === "1");
  for (const id of ["utility-space", "parallel-frontier", "forecast"]) {
    assert.equal(await page.locator(`figure#${id} svg`).first().isVisible(), true, id);
  }
  assert.equal(await page.locator("figure#utility-space svg.utility-plane").count(), 3);
  assert.ok((await page.locator("svg .density rect").count()) > 100);
  assert.ok((await page.locator("svg .frontier circle").count()) > 0);
  assert.ok((await page.locator("svg .solution").count()) > 0);
  assert.ok((await page.locator("svg .repair").count()) > 0);
  // Every chart has a reading.
  const figures = await page.locator("figure").count();
  assert.equal(await page.locator("figure figcaption p").first().isVisible(), true);
  assert.ok(figures >= 3);
  // The legend's script hides and shows a series.
  const legend = page.locator("figure#utility-space li[data-series=outcomes]");
  await legend.click();
  assert.equal(await page.locator("figure#utility-space .density").first().isVisible(), false);
  await legend.click();
  assert.equal(await page.locator("figure#utility-space .density").first().isVisible(), true);
  await page.screenshot({ path: join(ARTIFACTS, "report.png"), fullPage: true });
  assert.deepEqual(errors, []);
  assert.deepEqual(requests.filter((u) => !u.startsWith("file:")), []);
});
