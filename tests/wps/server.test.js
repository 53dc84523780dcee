// main.js against a real Weiwen add-in server over real HTTP (started by tests/test_wps_node.py,
// which passes its port, token and a campaign workbook in the environment): the token, the CORS
// preflight from the add-in's origin, a wrong token and a foreign origin refused.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { Application, workbookFrom, loadAddin, corsFetch, ADDIN } = require("./fake_wps.js");

const PORT = Number(process.env.WEIWEN_WPS_PORT || 0);
const TOKEN = process.env.WEIWEN_WPS_TOKEN || "";
const FIXTURE = process.env.WEIWEN_WPS_FIXTURE || "";
const SKIP = PORT ? false : "needs a running server: run through pytest (tests/test_wps_node.py)";
const BASE = `http://127.0.0.1:${PORT}`;

function pressWith({ fetch, token = TOKEN }) {
  const app = new Application();
  app.ActiveWorkbook = workbookFrom(app, JSON.parse(fs.readFileSync(FIXTURE, "utf8")));
  const addin = loadAddin({ app, config: { port: PORT, token }, fetch });
  return { app, addin, book: app.ActiveWorkbook };
}

test("every ribbon button is an operation the server knows, with the same label", { skip: SKIP }, async () => {
  const response = await fetch(`${BASE}/api/wps/hello`, { headers: { "X-Weiwen-Token": TOKEN } });
  assert.equal(response.status, 200);
  const { operations } = await response.json();
  const ribbon = fs.readFileSync(path.join(ADDIN, "ribbon.xml"), "utf8");
  const buttons = [...ribbon.matchAll(/<button\b[^>]*?\btag="([^"]+)"[^>]*?\blabel="([^"]+)"/gs)];
  assert.ok(buttons.length >= 10);
  for (const [, tag, label] of buttons) assert.equal(operations[tag], label, tag);
  assert.deepEqual(Object.keys(operations).sort(), buttons.map((b) => b[1]).sort());
});

test("a button round trip: preflight, token, the sheets back in the fake WPS", { skip: SKIP }, async () => {
  const log = [];
  const { app, addin, book } = pressWith({ fetch: corsFetch("null", log) });
  addin.OnAction({ Id: "weiwenMerge", Tag: "merge" });
  const answer = await addin.Weiwen.pending;
  assert.equal(answer.ok, true, app.alerts.join("\n"));
  assert.deepEqual(log, [{ preflight: 204, allow: "null" }, { status: 200, allow: "null" }]);
  assert.equal(app.alerts.length, 1);
  assert.match(app.alerts[0], /^合并完成：读取 3 个文件/);
  const roster = book.Worksheets.Item("名册");
  assert.equal(roster.value(1, 1), "序号");
  const ids = [];
  for (let r = 2; r <= roster.UsedRange.r2; r++) ids.push(roster.value(r, 4));
  assert.equal(ids.length, 36);
  assert.ok(ids.every((id) => typeof id === "string" && id.length === 18), "ID numbers stay text");
  assert.equal(app.ScreenUpdating, true);
  assert.equal(app.active, "名册");
});

test("a wrong token is refused and the add-in says to reinstall", { skip: SKIP }, async () => {
  const log = [];
  const { app, addin } = pressWith({ fetch: corsFetch("null", log), token: "wrong-token-0000000000" });
  const answer = await addin.Weiwen.press("merge");
  assert.equal(answer.ok, false);
  assert.deepEqual(log.map((l) => l.status || l.preflight), [204, 403]);
  assert.match(app.alerts[0], /访问令牌不对/);
  assert.equal(app.calls["Value2.set"], undefined, "nothing written");
});

test("a page of another origin gets nothing: preflight refused, no CORS header", { skip: SKIP }, async () => {
  const evil = "http://evil.example";
  const pre = await fetch(`${BASE}/api/wps/run`, { method: "OPTIONS", headers: {
    Origin: evil, "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type, x-weiwen-token" } });
  assert.equal(pre.status, 403);
  assert.equal(pre.headers.get("access-control-allow-origin"), null);
  const post = await fetch(`${BASE}/api/wps/run`, { method: "POST", body: "{}", headers: {
    Origin: evil, "Content-Type": "application/json", "X-Weiwen-Token": TOKEN } });
  assert.equal(post.status, 403, "even with the right token");
  const { app, addin } = pressWith({ fetch: corsFetch(evil) });
  await addin.Weiwen.press("merge");
  assert.match(app.alerts[0], /连不上本机的走访慰问服务/);
});
