// A fake WPS 表格 for the add-in's tests: the part of the ET object model main.js uses
// (Application, Workbook, Worksheets, Worksheet, Range with Value2 / NumberFormat / UsedRange),
// with the behaviour that matters for the writer contract: a one-cell Value2 is a scalar; text set
// through Value2 is parsed as WPS and Excel parse typed text (numbers, formulas, TRUE/FALSE, ISO
// dates) unless the cell is formatted as text (@) or the text starts with the ' prefix, which is
// dropped. Every call is counted, so tests can check chunking and that calls do not grow with rows.
"use strict";

const vm = require("node:vm");
const fs = require("node:fs");
const path = require("node:path");

const ADDIN = path.resolve(__dirname, "../../python/weiwen/wps/addin");
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

function columnNumber(letters) {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

function parseAddress(address) {
  const parts = address.replace(/\$/g, "").split(":");
  const cell = (text) => {
    const m = /^([A-Z]+)(\d+)$/.exec(text);
    if (!m) throw new Error(`bad address ${address}`);
    return [Number(m[2]), columnNumber(m[1])];
  };
  const [r1, c1] = cell(parts[0]);
  const [r2, c2] = parts.length > 1 ? cell(parts[1]) : [r1, c1];
  return [r1, c1, r2, c2];
}

function serialOf(y, m, d) {
  return (Date.UTC(y, m - 1, d) - Date.UTC(1899, 11, 30)) / 86400000;
}

class Range {
  constructor(sheet, r1, c1, r2, c2) {
    Object.assign(this, { sheet, r1, c1, r2, c2 });
  }
  get Row() { return this.r1; }
  get Column() { return this.c1; }
  get Rows() { return { Count: this.r2 - this.r1 + 1 }; }
  get Columns() { return { Count: this.c2 - this.c1 + 1 }; }
  cells(fn) {
    for (let r = this.r1; r <= this.r2; r++) for (let c = this.c1; c <= this.c2; c++) fn(r, c);
  }
  get Value2() {
    this.sheet.app.count("Value2.get");
    if (this.r1 === this.r2 && this.c1 === this.c2) return this.sheet.value(this.r1, this.c1);
    const rows = [];
    for (let r = this.r1; r <= this.r2; r++) {
      const row = [];
      for (let c = this.c1; c <= this.c2; c++) row.push(this.sheet.value(r, c));
      rows.push(row);
    }
    return rows;
  }
  set Value2(value) {
    this.sheet.app.count("Value2.set");
    this.sheet.app.maybeFail("Value2.set", this.sheet);
    const height = this.r2 - this.r1 + 1;
    const width = this.c2 - this.c1 + 1;
    if (!Array.isArray(value)) {
      this.cells((r, c) => this.sheet.set(r, c, value));
      return;
    }
    if (value.length !== height || value.some((row) => !Array.isArray(row) || row.length !== width)) {
      throw new Error(`Value2: a ${value.length}-row array for a ${height}x${width} range`);
    }
    value.forEach((row, i) => row.forEach((v, j) => this.sheet.set(this.r1 + i, this.c1 + j, v)));
  }
  get NumberFormat() {
    let format;
    this.cells((r, c) => {
      const f = this.sheet.format(r, c);
      format = format === undefined ? f : (format === f ? format : null);
    });
    return format;
  }
  set NumberFormat(format) {
    this.sheet.app.count("NumberFormat.set");
    this.cells((r, c) => this.sheet.setFormat(r, c, format));
  }
  ClearContents() {
    this.sheet.app.count("ClearContents");
    this.cells((r, c) => this.sheet.cells.delete(`${r},${c}`));
  }
  Clear() {
    this.sheet.app.count("Clear");
    this.cells((r, c) => {
      this.sheet.cells.delete(`${r},${c}`);
      this.sheet.formats.delete(`${r},${c}`);
    });
  }
}

class Worksheet {
  constructor(app, name) {
    this.app = app;
    this._name = name;
    this.cells = new Map();     // "r,c" -> value
    this.formats = new Map();   // "r,c" -> number format (General when absent)
  }
  get Name() { return this._name; }
  set Name(name) { this._name = name; }
  value(r, c) { return this.cells.get(`${r},${c}`); }
  format(r, c) { return this.formats.get(`${r},${c}`) || "General"; }
  setFormat(r, c, f) {
    if (f === "General") this.formats.delete(`${r},${c}`);
    else this.formats.set(`${r},${c}`, f);
  }
  // a value set as WPS takes it: text is parsed unless formatted as text or prefixed with '
  set(r, c, v) {
    const key = `${r},${c}`;
    if (v === null || v === undefined || v === "") {
      this.cells.delete(key);
      return;
    }
    if (typeof v === "string") {
      if (v.startsWith("'")) {
        v = v.slice(1);
      } else if (this.format(r, c) !== "@") {
        const date = ISO_DATE.exec(v.trim());
        if (v.startsWith("=")) v = { formula: v };
        else if (NUMBER.test(v.trim())) v = Number(v.trim());
        else if (/^(true|false)$/i.test(v.trim())) v = v.trim().toLowerCase() === "true";
        else if (date) {
          v = serialOf(Number(date[1]), Number(date[2]), Number(date[3]));
          if (this.format(r, c) === "General") this.setFormat(r, c, "yyyy-mm-dd");
        }
      }
    }
    this.cells.set(key, v);
  }
  get UsedRange() {
    let r1 = Infinity, c1 = Infinity, r2 = 0, c2 = 0;
    for (const key of [...this.cells.keys(), ...this.formats.keys()]) {
      const [r, c] = key.split(",").map(Number);
      r1 = Math.min(r1, r); c1 = Math.min(c1, c); r2 = Math.max(r2, r); c2 = Math.max(c2, c);
    }
    if (!r2) return new Range(this, 1, 1, 1, 1);
    return new Range(this, r1, c1, r2, c2);
  }
  Range(address) {
    this.app.count("Range");
    return new Range(this, ...parseAddress(address));
  }
  Activate() { this.app.active = this._name; }
  // rows × columns of {v, f} from A1 to the last used cell, for comparing with the CLI
  dump() {
    const used = this.UsedRange;
    const rows = [];
    for (let r = 1; r <= used.r2; r++) {
      const row = [];
      for (let c = 1; c <= used.c2; c++) {
        const v = this.value(r, c);
        row.push([v === undefined ? null : v, this.formats.get(`${r},${c}`) || null]);
      }
      rows.push(row);
    }
    return rows;
  }
}

class Sheets {
  constructor(app) { this.app = app; this.list = []; }
  get Count() { return this.list.length; }
  Item(which) {
    const sheet = typeof which === "number" ? this.list[which - 1]
      : this.list.find((s) => s.Name === which);
    if (!sheet) throw new Error(`no sheet ${which}`);
    return sheet;
  }
  Add(before, after) {
    this.app.count("Sheets.Add");
    const sheet = new Worksheet(this.app, `Sheet${this.list.length + 1}`);
    const at = after ? this.list.indexOf(after) + 1 : before ? this.list.indexOf(before) : 0;
    this.list.splice(at, 0, sheet);
    return sheet;
  }
}

class Application {
  constructor() {
    this.calls = {};
    this.alerts = [];
    this.ScreenUpdating = true;
    this.Calculation = -4105;     // automatic
    this.StatusBar = false;
    this.failure = null;          // {call, sheet}: that call throws, as a WPS error would
    this.ActiveWorkbook = null;
    this.active = null;
    this.screenLog = [];
  }
  count(name) { this.calls[name] = (this.calls[name] || 0) + 1; }
  maybeFail(call, sheet) {
    if (this.failure && this.failure.call === call && (!this.failure.sheet || this.failure.sheet === sheet.Name)) {
      throw new Error("模拟的 WPS 写入错误");
    }
  }
}

// A workbook from {FullName, sheets: [{name, values: rows, formats: rows}]} (what Python writes).
function workbookFrom(app, data) {
  const sheets = new Sheets(app);
  for (const s of data.sheets) {
    const sheet = new Worksheet(app, s.name);
    (s.values || []).forEach((row, i) => row.forEach((v, j) => {
      if (v !== null && v !== undefined && v !== "") sheet.cells.set(`${i + 1},${j + 1}`, v);
    }));
    (s.formats || []).forEach((row, i) => row.forEach((f, j) => {
      if (f && f !== "General") sheet.formats.set(`${i + 1},${j + 1}`, f);
    }));
    sheets.list.push(sheet);
  }
  return { FullName: data.FullName, Name: path.basename(data.FullName || "工作簿1"),
    Worksheets: sheets, Sheets: sheets };
}

function dumpWorkbook(book) {
  const out = {};
  for (const sheet of book.Worksheets.list) out[sheet.Name] = sheet.dump();
  return out;
}

// main.js loaded as WPS loads it (a classic script in the page), with this fake and `fetch`.
function loadAddin({ app, fetch, config }) {
  const context = {
    Application: app,
    WEIWEN_CONFIG: config,
    fetch,
    alert: (text) => app.alerts.push(String(text)),
    console,
    Promise,
  };
  context.window = context;
  vm.createContext(context);
  const code = fs.readFileSync(path.join(ADDIN, "main.js"), "utf8");
  vm.runInContext(code, context, { filename: "main.js" });
  return context;
}

// fetch as a browser does it for a page of `origin`: the CORS preflight first (a JSON POST with
// a custom header is never "simple"), then the request with its Origin; a response without
// Access-Control-Allow-Origin for that origin is a network error, as in the browser.
function corsFetch(origin, log = []) {
  return async (url, init = {}) => {
    const headers = Object.keys(init.headers || {}).map((h) => h.toLowerCase()).sort().join(", ");
    const pre = await fetch(url, { method: "OPTIONS", headers: {
      Origin: origin, "Access-Control-Request-Method": init.method || "GET",
      "Access-Control-Request-Headers": headers } });
    log.push({ preflight: pre.status, allow: pre.headers.get("access-control-allow-origin") });
    const allowedHeaders = (pre.headers.get("access-control-allow-headers") || "").toLowerCase();
    if (!pre.ok || pre.headers.get("access-control-allow-origin") !== origin ||
        headers.split(", ").some((h) => h && !allowedHeaders.includes(h))) {
      throw new TypeError("Failed to fetch (CORS preflight refused)");
    }
    const response = await fetch(url, { ...init, headers: { ...init.headers, Origin: origin } });
    log.push({ status: response.status, allow: response.headers.get("access-control-allow-origin") });
    if (response.headers.get("access-control-allow-origin") !== origin) {
      throw new TypeError("Failed to fetch (no CORS header)");
    }
    return response;
  };
}

module.exports = { Application, Worksheet, Range, workbookFrom, dumpWorkbook, loadAddin, corsFetch,
  parseAddress, ADDIN };
