// The WPS add-in's main.js against a fake WPS 表格 (no WPS, no browser, no server): ribbon
// callbacks, reads, chunked writes, screen updating, the messages. node --test tests/wps/
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { Application, workbookFrom, loadAddin, ADDIN } = require("./fake_wps.js");

const CONFIG = { port: 18765, token: "t".repeat(32) };
const SETTINGS = { name: "参数", values: [["项目", "值"], ["活动名称", "2027年春节慰问"]] };

function setUp({ sheets = [SETTINGS], fetch, config = CONFIG, fullName = "/活动/Weiwen.xlsm" } = {}) {
  const app = new Application();
  app.ActiveWorkbook = workbookFrom(app, { FullName: fullName, sheets });
  const posted = [];
  const addin = loadAddin({ app, config, fetch: fetch || (async (url, init) => {
    posted.push({ url, init, body: JSON.parse(init.body) });
    return { status: 200, text: async () => JSON.stringify({ ok: true, message: "完成。", writes: [] }) };
  }) });
  return { app, addin, posted, book: app.ActiveWorkbook };
}

function answer(body, status = 200) {
  return async () => ({ status, text: async () => JSON.stringify(body) });
}

test("every ribbon callback exists and is a plain (not async) function", () => {
  const ribbon = fs.readFileSync(path.join(ADDIN, "ribbon.xml"), "utf8");
  const callbacks = new Set([...ribbon.matchAll(/\b(on\w+|get\w+)="([^"]+)"/g)].map((m) => m[2]));
  assert.deepEqual([...callbacks].sort(), ["OnAction", "OnAddinLoad"]);
  const { addin } = setUp();
  for (const name of callbacks) {
    assert.equal(typeof addin[name], "function", name);
    assert.equal(addin[name].constructor.name, "Function", `${name} must not be async`);
  }
  const tags = [...ribbon.matchAll(/\btag="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(tags.includes("merge") && tags.length >= 10, tags.join());
});

test("a button posts its tag, the workbook's path and every sheet read with one Value2 each", async () => {
  const sheets = [SETTINGS, { name: "名册", values: [["序号", "户主姓名"], [1, "张三"], [2, "李四"]] },
    { name: "xlwings.conf", values: [["KEY", "VALUE"]] }];
  const { addin, app, posted } = setUp({ sheets });
  const returned = addin.OnAction({ Id: "weiwenMerge", Tag: "merge" });
  assert.equal(returned, true, "the callback returns at once");
  await addin.Weiwen.pending;
  assert.equal(posted.length, 1);
  const { url, init, body } = posted[0];
  assert.equal(url, "http://127.0.0.1:18765/api/wps/run");
  assert.equal(init.headers["X-Weiwen-Token"], CONFIG.token);
  assert.equal(body.operation, "merge");
  assert.equal(body.workbook, "/活动/Weiwen.xlsm");
  assert.deepEqual(Object.keys(body.sheets), ["参数", "名册"]);
  assert.deepEqual(body.sheets["名册"], [["序号", "户主姓名"], [1, "张三"], [2, "李四"]]);
  assert.equal(app.calls["Value2.get"], 2);
});

// values made in main.js's own context (another realm): compared as plain JSON
const plain = (value) => JSON.parse(JSON.stringify(value));

test("reads: one cell is a scalar, a range rows × columns, errors and blanks are null, dates serials", () => {
  const { addin } = setUp();
  const api = addin.Weiwen;
  const W = { toRows: (...a) => plain(api.toRows(...a)), cellIn: api.cellIn,
    readWorkbook: { call: (_, book) => plain(api.readWorkbook(book)) } };
  assert.deepEqual(W.toRows(5, 1, 1), [[5]]);
  assert.deepEqual(W.toRows(undefined, 1, 1), [[null]]);
  assert.deepEqual(W.toRows("东湖社区", 1, 1), [["东湖社区"]]);
  assert.deepEqual(W.toRows([[1, ""], [null, "x"]], 2, 2), [[1, null], [null, "x"]]);
  assert.deepEqual(W.toRows([1, 2, 3], 1, 3), [[1, 2, 3]], "a single row may come back flat");
  assert.deepEqual(W.toRows([1, 2, 3], 3, 1), [[1], [2], [3]], "a single column may come back flat");
  // #DIV/0! #N/A #VALUE! as the signed and the unsigned codes, next to ordinary numbers
  assert.deepEqual(W.toRows([[-2146826281, -2146826246, 2148141023, 2023, -7]], 1, 5),
    [[null, null, null, 2023, -7]]);
  assert.equal(W.cellIn(new Date(2027, 0, 20)), 46407);
  assert.equal(W.cellIn(new Date(2027, 0, 20, 12, 0, 0)), 46407.5);
  assert.equal(W.cellIn(true), true);
  assert.equal(W.cellIn(Infinity), null);

  const sheets = [SETTINGS, { name: "单值", values: [["只有一格"]] },
    { name: "偏移", values: [[null, null], [null, "B2"]] }, { name: "空表", values: [] }];
  const { book } = setUp({ sheets });
  const read = W.readWorkbook.call(null, book);
  assert.deepEqual(read["单值"], [["只有一格"]]);
  assert.deepEqual(read["偏移"], [[null, null], [null, "B2"]], "rows from A1 even when the used range starts at B2");
  assert.deepEqual(read["空表"], [[null]]);
});

test("writes go in chunks of rows with screen updating off, restored afterwards", async () => {
  const rows = [["序号", "户主姓名", "身份证号", "金额", "领取日期"]];
  for (let i = 1; i <= 10; i++) rows.push([i, `户主${i}`, `33010619400101${String(i).padStart(4, "0")}`, "=1+1", 46407]);
  const writes = [{ sheet: "名册", rows, create: true, clear: null, clear_all: false,
    text_columns: [3], formats: [[2, 5, 10, "yyyy-mm-dd"]] }];
  const { app, addin, book } = setUp({
    config: { ...CONFIG, chunk_rows: 3 },
    fetch: answer({ ok: true, message: "合并完成。", writes, activate: "名册" }),
  });
  const seen = [];
  Object.defineProperty(app, "ScreenUpdating", {
    get() { return this._screen === undefined ? true : this._screen; },
    set(v) { seen.push(v); this._screen = v; },
  });
  const result = await addin.Weiwen.press("merge");
  assert.equal(result.ok, true);
  assert.equal(app.calls["Value2.set"], 4, "11 rows in chunks of 3");
  assert.deepEqual(seen, [false, true]);
  assert.equal(app.Calculation, -4105, "calculation restored");
  assert.deepEqual(app.alerts, ["合并完成。"]);
  assert.equal(app.active, "名册");
  const sheet = book.Worksheets.Item("名册");
  assert.equal(sheet.value(11, 3), "330106194001010010", "an ID number set in a text column stays text");
  assert.equal(sheet.format(5, 3), "@");
  assert.deepEqual(sheet.value(2, 4), { formula: "=1+1" }, "the fake parses text as WPS does");
  assert.equal(sheet.format(7, 5), "yyyy-mm-dd");
  assert.equal(app.StatusBar, false, "the status bar is given back");
});

test("an error while writing restores screen updating and says what to do", async () => {
  const writes = [{ sheet: "名册", rows: [["序号"], [1]], create: false, clear: [2, 1, 5, 3],
    clear_all: false, text_columns: [], formats: [] }];
  const { app, addin } = setUp({
    sheets: [SETTINGS, { name: "名册", values: [["序号"], [9], [9]] }],
    fetch: answer({ ok: true, label: "合并回收表", message: "合并完成。", writes }),
  });
  app.failure = { call: "Value2.set", sheet: "名册" };
  const result = await addin.Weiwen.press("merge");
  assert.equal(result.ok, false);
  assert.equal(app.ScreenUpdating, true);
  assert.equal(app.alerts.length, 1);
  assert.match(app.alerts[0], /“合并回收表”没有完成.*模拟的 WPS 写入错误.*不要保存/);
  app.failure = null;
  const again = await addin.Weiwen.press("merge");
  assert.equal(again.ok, true, "the next press works: nothing stays busy");
});

test("the server's refusal is the one message shown, and nothing is written", async () => {
  const { app, addin } = setUp({ fetch: answer({ ok: false, message: "另一个操作正在处理这个活动。" }, 409) });
  const result = await addin.Weiwen.press("merge");
  assert.equal(result.ok, false);
  assert.deepEqual(app.alerts, ["另一个操作正在处理这个活动。"]);
  assert.equal(app.calls["Value2.set"], undefined);
});

test("messages without a server: not installed, not reachable, refused, not a campaign", async () => {
  let r = setUp({ config: {} });
  await r.addin.Weiwen.press("merge");
  assert.match(r.app.alerts[0], /weiwen wps install/);

  r = setUp({ fetch: async () => { throw new TypeError("Failed to fetch"); } });
  await r.addin.Weiwen.press("merge");
  assert.match(r.app.alerts[0], /连不上本机的走访慰问服务（127\.0\.0\.1:18765）.*weiwen wps serve/);

  r = setUp({ fetch: async () => ({ status: 403, text: async () => "<p>拒绝访问</p>" }) });
  await r.addin.Weiwen.press("merge");
  assert.match(r.app.alerts[0], /访问令牌不对.*weiwen wps install/);

  r = setUp({ sheets: [{ name: "Sheet1", values: [["别的表格"]] }] });
  await r.addin.Weiwen.press("merge");
  assert.match(r.app.alerts[0], /不是走访慰问的活动工作簿/);
  assert.equal(r.posted.length, 0);
});

test("a second press while one runs is refused at once", async () => {
  let release;
  const slow = () => new Promise((resolve) => { release = () => resolve({ status: 200,
    text: async () => JSON.stringify({ ok: true, message: "完成。", writes: [] }) }); });
  const { app, addin } = setUp({ fetch: slow });
  const first = addin.Weiwen.press("merge");
  const second = await addin.Weiwen.press("check");
  assert.match(second.message, /上一个按钮的操作还没有结束/);
  release();
  await first;
  assert.deepEqual(app.alerts, [second.message, "完成。"]);
});

test("main.js is ES2018: no later syntax, no later library calls", (t) => {
  let acorn;
  try {
    acorn = require("/usr/share/nodejs/acorn");
  } catch (e) {
    try { acorn = require("acorn"); } catch (e2) { t.skip("acorn is not installed (Debian: node-acorn)"); return; }
  }
  const code = fs.readFileSync(path.join(ADDIN, "main.js"), "utf8");
  acorn.parse(code, { ecmaVersion: 2018, sourceType: "script" });
  assert.throws(() => acorn.parse("var x = a?.b;", { ecmaVersion: 2018 }), "the check itself refuses ES2020");
  const later = /\.(flat|flatMap|fromEntries|replaceAll|allSettled|any|at|trimStart|trimEnd)\(|globalThis|structuredClone|randomUUID/;
  assert.doesNotMatch(code, later);
  const tree = JSON.stringify(acorn.parse(code, { ecmaVersion: 2018 }));
  assert.doesNotMatch(tree, /"async":true|"AwaitExpression"/, "no async functions: ribbon callbacks stay plain");
});
