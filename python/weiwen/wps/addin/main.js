/*
 * 走访慰问: the 慰问 tab inside WPS 表格 (a WPS JS add-in). ES2018, a classic script.
 *
 * Each button of ribbon.xml calls OnAction with its control; the control's Tag is the operation
 * (the same tags as the Excel ribbon). The button reads every worksheet of the open workbook with
 * one Range.Value2 each, posts {operation, workbook, sheets} to the local Weiwen server
 * (`weiwen wps serve`, 127.0.0.1, started at login; port and token come from config.js, written by
 * `weiwen wps install`), and sets what comes back: Value2 in chunks of rows, with screen updating
 * off (restored whatever happens), then shows the one message. The file on disk is never touched
 * here; the clerk saves the workbook in WPS, as in Excel.
 *
 * Ribbon callbacks stay plain functions (a WPS build refused a ribbon with async callbacks); the
 * work after the request goes on in promise callbacks.
 */
(function (root) {
  "use strict";

  var TITLE = "走访慰问";
  var CHUNK_ROWS = 2000;
  var SKIP_SHEETS = { "xlwings.conf": true };
  var XL_CALCULATION_MANUAL = -4135;
  /* formula errors as Value2 gives them (#NULL! #DIV/0! #VALUE! #REF! #NAME? #NUM! #N/A
     #GETTING_DATA), signed and unsigned: read as blank, as the command line reads them */
  var ERROR_CODES = {};
  [-2146826288, -2146826281, -2146826273, -2146826265, -2146826259, -2146826252, -2146826246,
    -2146826245].forEach(function (code) {
    ERROR_CODES[code] = true;
    ERROR_CODES[code + 4294967296] = true;
  });
  var EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

  var NOT_INSTALLED = "走访慰问加载项还没有配置好。请在命令行运行 weiwen wps install，然后重新启动 WPS。";
  var NO_SERVER = "连不上本机的走访慰问服务（127.0.0.1:{port}）。它应在登录电脑时自动启动；" +
    "请在命令行运行 weiwen wps serve 后再点按钮。如仍不行，请重新运行 weiwen wps install 并重新启动 WPS。";
  var REFUSED = "本机的走访慰问服务拒绝了这个请求（访问令牌不对，可能重新安装过）。" +
    "请重新运行 weiwen wps install，然后重新启动 WPS。";
  var NOT_A_CAMPAIGN = "这个工作簿不是走访慰问的活动工作簿（没有“参数”表）。" +
    "请打开活动文件夹里的 Weiwen.xlsm 再点按钮。";
  var BUSY = "上一个按钮的操作还没有结束，请等它完成后再点。";

  var busy = false;

  function config() {
    return root.WEIWEN_CONFIG || {};
  }

  function application() {
    if (root.Application) {
      return root.Application;
    }
    if (root.wps && root.wps.Application) {
      return root.wps.Application;
    }
    return null;
  }

  function say(text) {
    if (!text) {
      return;
    }
    try {
      root.alert(text);
    } catch (e) {
      if (root.console) {
        root.console.log(TITLE + "：" + text);
      }
    }
  }

  function status(app, text) {
    try {
      app.StatusBar = text || false;
    } catch (e) {
      /* a WPS without a status bar property: nothing to show */
    }
  }

  /* --- addresses and values ------------------------------------------------------------- */

  function column(n) {
    var name = "";
    while (n > 0) {
      var rest = (n - 1) % 26;
      name = String.fromCharCode(65 + rest) + name;
      n = Math.floor((n - 1) / 26);
    }
    return name;
  }

  function address(row1, col1, row2, col2) {
    var first = column(col1) + row1;
    if (row2 === row1 && col2 === col1) {
      return first;
    }
    return first + ":" + column(col2) + row2;
  }

  /* One cell as posted: blanks and formula errors as null, a Date as its serial. */
  function cellIn(value) {
    if (value === undefined || value === null || value === "") {
      return null;
    }
    if (typeof value === "number") {
      if (!isFinite(value) || ERROR_CODES[value]) {
        return null;
      }
      return value;
    }
    if (typeof value === "string" || typeof value === "boolean") {
      return value;
    }
    if (value instanceof Date || Object.prototype.toString.call(value) === "[object Date]") {
      var utc = Date.UTC(value.getFullYear(), value.getMonth(), value.getDate(), value.getHours(),
        value.getMinutes(), value.getSeconds());
      return (utc - EXCEL_EPOCH_MS) / 86400000;
    }
    return String(value);
  }

  /* What Range.Value2 gave, as rows × columns: one cell comes back as a scalar, a range as an
     array of rows (a single row or column may come back flat). */
  function toRows(value, rows, cols) {
    var out = [];
    var r;
    if (!Array.isArray(value)) {
      out = [[value]];
    } else if (value.length && !Array.isArray(value[0])) {
      if (rows === 1) {
        out = [value];
      } else {
        for (r = 0; r < value.length; r += 1) {
          out.push([value[r]]);
        }
      }
    } else {
      out = value;
    }
    var result = [];
    for (r = 0; r < out.length; r += 1) {
      var row = [];
      for (var c = 0; c < out[r].length; c += 1) {
        row.push(cellIn(out[r][c]));
      }
      result.push(row);
    }
    return result;
  }

  /* --- the workbook --------------------------------------------------------------------- */

  function worksheets(book) {
    var sheets = book.Worksheets || book.Sheets;
    var out = [];
    for (var i = 1; i <= sheets.Count; i += 1) {
      out.push(sheets.Item(i));
    }
    return out;
  }

  function findSheet(book, name) {
    var all = worksheets(book);
    for (var i = 0; i < all.length; i += 1) {
      if (all[i].Name === name) {
        return all[i];
      }
    }
    return null;
  }

  function addSheet(book, name) {
    var all = worksheets(book);
    var sheets = book.Worksheets || book.Sheets;
    var sheet = sheets.Add(undefined, all[all.length - 1]);
    sheet.Name = name;
    return sheet;
  }

  /* One sheet from A1 to the last used cell, in one Value2 read. */
  function readSheet(sheet) {
    var used = sheet.UsedRange;
    var lastRow = used.Row + used.Rows.Count - 1;
    var lastCol = used.Column + used.Columns.Count - 1;
    return toRows(sheet.Range(address(1, 1, lastRow, lastCol)).Value2, lastRow, lastCol);
  }

  function readWorkbook(book) {
    var sheets = {};
    var all = worksheets(book);
    for (var i = 0; i < all.length; i += 1) {
      if (!SKIP_SHEETS[all[i].Name]) {
        sheets[all[i].Name] = readSheet(all[i]);
      }
    }
    return sheets;
  }

  function writeSheet(book, write, chunkRows) {
    var sheet = (!write.create && findSheet(book, write.sheet)) || addSheet(book, write.sheet);
    var rows = write.rows;
    var width = rows.length ? rows[0].length : 0;
    var i;
    if (write.clear_all) {
      sheet.UsedRange.Clear();
    } else if (write.clear) {
      var c = write.clear;
      sheet.Range(address(c[0], c[1], c[0] + c[2] - 1, c[1] + c[3] - 1)).ClearContents();
    }
    if (!width) {
      return;
    }
    if (rows.length > 1) {
      for (i = 0; i < write.text_columns.length; i += 1) {
        var col = write.text_columns[i];
        sheet.Range(address(2, col, rows.length, col)).NumberFormat = "@";
      }
    }
    for (i = 0; i < write.formats.length; i += 1) {
      var f = write.formats[i];
      sheet.Range(address(f[0], f[1], f[0] + f[2] - 1, f[1])).NumberFormat = f[3];
    }
    for (var start = 0; start < rows.length; start += chunkRows) {
      var part = rows.slice(start, start + chunkRows);
      sheet.Range(address(start + 1, 1, start + part.length, width)).Value2 = part;
    }
  }

  /* Every write, with screen updating (and calculation) off; both restored whatever happens. */
  function writeBack(app, book, writes) {
    var screen = app.ScreenUpdating;
    var calculation = null;
    try {
      calculation = app.Calculation;
      app.Calculation = XL_CALCULATION_MANUAL;
    } catch (e) {
      calculation = null;
    }
    app.ScreenUpdating = false;
    try {
      var chunkRows = config().chunk_rows || CHUNK_ROWS;
      for (var i = 0; i < writes.length; i += 1) {
        writeSheet(book, writes[i], chunkRows);
      }
    } finally {
      app.ScreenUpdating = screen === undefined ? true : screen;
      if (calculation !== null && calculation !== undefined) {
        try {
          app.Calculation = calculation;
        } catch (e) {
          /* nothing to restore */
        }
      }
    }
  }

  /* --- the server ----------------------------------------------------------------------- */

  function post(path, body) {
    var cfg = config();
    var url = "http://127.0.0.1:" + cfg.port + path;
    return root.fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Weiwen-Token": cfg.token },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.text().then(function (text) {
        try {
          var data = JSON.parse(text);
          if (data && typeof data.message === "string") {
            return data;
          }
        } catch (e) {
          /* not our JSON: say what the status means */
        }
        return { ok: false, message: response.status === 403 ? REFUSED :
          "本机的走访慰问服务没有正常回答（" + response.status + "）。请重新运行 weiwen wps install。" };
      });
    }, function () {
      return { ok: false, message: NO_SERVER.replace("{port}", String(cfg.port)) };
    });
  }

  function errorText(label, error) {
    var detail = error && error.message ? error.message : String(error);
    return (label ? "“" + label + "”" : "这个按钮的操作") + "没有完成：WPS 在读写工作表时出错（" + detail + "）。" +
      "工作簿可能只写了一部分，请不要保存，关闭后重新打开再试；如仍出错，请在命令行运行同名命令。";
  }

  /* Run one button; resolves to the server's answer (or a refusal) once the message is shown. */
  function press(tag) {
    if (busy) {
      say(BUSY);
      return Promise.resolve({ ok: false, message: BUSY });
    }
    var cfg = config();
    var app = application();
    var book = app && app.ActiveWorkbook;
    var refusal = null;
    if (!cfg.port || !cfg.token) {
      refusal = NOT_INSTALLED;
    } else if (!book) {
      refusal = "请先打开活动文件夹里的 Weiwen.xlsm，再点按钮。";
    } else if (!tag) {
      refusal = "这个按钮没有对应的操作。请重新运行 weiwen wps install，然后重新启动 WPS。";
    }
    var payload = null;
    if (!refusal) {
      try {
        if (!findSheet(book, "参数")) {
          refusal = NOT_A_CAMPAIGN;
        } else {
          payload = { operation: tag, workbook: String(book.FullName || ""),
            sheets: readWorkbook(book) };
        }
      } catch (e) {
        refusal = errorText("", e);
      }
    }
    if (refusal) {
      say(refusal);
      return Promise.resolve({ ok: false, message: refusal });
    }
    busy = true;
    status(app, TITLE + "：正在处理，请稍候…");
    return post("/api/wps/run", payload).then(function (answer) {
      if (answer.ok) {
        try {
          writeBack(app, book, answer.writes || []);
          if (answer.activate) {
            var sheet = findSheet(book, answer.activate);
            if (sheet) {
              sheet.Activate();
            }
          }
        } catch (e) {
          answer = { ok: false, message: errorText(answer.label, e) };
        }
      }
      busy = false;
      status(app, null);
      say(answer.message);
      return answer;
    }, function (error) {
      busy = false;
      status(app, null);
      var answer = { ok: false, message: errorText("", error) };
      say(answer.message);
      return answer;
    });
  }

  /* --- ribbon callbacks (plain functions) ------------------------------------------------ */

  function controlTag(control) {
    if (typeof control === "string") {
      return control;
    }
    return (control && (control.Tag || control.tag)) || "";
  }

  function OnAddinLoad(ribbonUI) {
    root.weiwenRibbon = ribbonUI || null;
    return true;
  }

  function OnAction(control) {
    api.pending = press(controlTag(control));
    return true;
  }

  /* for the tests and for a look from WPS's developer tools */
  var api = {
    press: press, readWorkbook: readWorkbook, readSheet: readSheet, writeBack: writeBack,
    toRows: toRows, cellIn: cellIn, address: address, CHUNK_ROWS: CHUNK_ROWS, pending: null
  };
  root.OnAddinLoad = OnAddinLoad;
  root.OnAction = OnAction;
  root.Weiwen = api;
}(this));
