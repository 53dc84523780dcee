// Press buttons through main.js on a fake WPS 表格, against a running Weiwen server, as WPS would
// (the page's origin is "null": a CORS preflight before each request). Used by the Python tests.
//   node press.js WORKBOOK.json PORT TOKEN OUT.json TAG...
"use strict";

const fs = require("node:fs");
const { Application, workbookFrom, dumpWorkbook, loadAddin, corsFetch } = require("./fake_wps.js");

async function main() {
  const [source, port, token, out, ...tags] = process.argv.slice(2);
  const app = new Application();
  app.ActiveWorkbook = workbookFrom(app, JSON.parse(fs.readFileSync(source, "utf8")));
  const log = [];
  const addin = loadAddin({ app, config: { port: Number(port), token }, fetch: corsFetch("null", log) });
  const steps = [];
  for (const tag of tags) {
    const alerts = app.alerts.length;
    const calls = { ...app.calls };
    addin.OnAction({ Id: `weiwen-${tag}`, Tag: tag });
    const answer = await addin.Weiwen.pending;
    const made = {};
    for (const [k, v] of Object.entries(app.calls)) made[k] = v - (calls[k] || 0);
    steps.push({ tag, ok: answer.ok, alerts: app.alerts.slice(alerts), active: app.active,
      screen: app.ScreenUpdating, calls: made, http: log.splice(0), sheets: dumpWorkbook(app.ActiveWorkbook) });
  }
  fs.writeFileSync(out, JSON.stringify(steps));
}

main().catch((error) => { console.error(error); process.exit(1); });
