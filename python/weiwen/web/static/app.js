/* 走访慰问工作台: the page's only script (plain ES2018, no framework, nothing from the network).
   Upload area, step buttons with their progress, and the scrolling tables of 名册 and 问题. */
"use strict";

function $(sel, root) { return (root || document).querySelector(sel); }
function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

/* --- talking to the workbench ------------------------------------------------------------------
   A request that fails says why in the clerk's words, where the clerk is looking. The two usual
   causes: the command window running the workbench was closed (nothing answers), or it was
   started again, which gives a new address, so this page's access is refused (403). */
var CLOSED = "连接不上工作台，它可能已经关闭。请在命令窗口重新运行 weiwen serve 活动文件夹，" +
  "再打开它显示的地址。";
var EXPIRED = "这个页面已经失效：工作台重新启动过。请打开新运行的 weiwen serve 在命令窗口里显示的地址" +
  "（不要再用这个旧页面）。";

function trouble(status, message) {
  if (status === 403) return EXPIRED;
  return message || "工作台没有正常回答（代码 " + status + "）。请刷新页面再试；还是这样，" +
    "请关闭命令窗口后重新运行 weiwen serve 活动文件夹。";
}

/* The answer's JSON (with _status); a failed request rejects with an Error whose message is
   the sentence to show. A refusal the server explains (409, 404) is an answer, not a failure. */
function requestJSON(url, options) {
  return fetch(url, Object.assign({ credentials: "same-origin" }, options || {})).then(function (r) {
    if (r.status === 403) throw new Error(EXPIRED);
    return r.json().then(function (data) {
      if (r.status >= 500) throw new Error(trouble(r.status, data && data.message));
      data._status = r.status;
      return data;
    }, function () { throw new Error(trouble(r.status)); });
  }, function () { throw new Error(CLOSED); });
}
function postJSON(url, body) {
  return requestJSON(url, { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body || {}) });
}

/* --- small things on every page ---------------------------------------------------------- */
function initMeters() {
  $all(".meter span[data-width]").forEach(function (s) { s.style.width = s.dataset.width + "%"; });
}

/* --- upload (回收表) ----------------------------------------------------------------------- */
function initUpload() {
  var drop = $("#drop"), pick = $("#pick"), log = $("#upload-log");
  if (!drop) return;
  function line(text, cls) { var li = el("li", cls, text); log.appendChild(li); return li; }
  function send(files) {
    files = Array.prototype.slice.call(files);
    if (!files.length) return;
    var saved = 0, i = 0;
    function next() {
      if (i >= files.length) {
        if (saved) refreshList();
        return;
      }
      var f = files[i++];
      var li = line("正在上传：" + f.name + " …", "muted");
      fetch("/api/upload", { method: "POST", credentials: "same-origin", body: f,
        headers: { "X-File-Name": encodeURIComponent(f.name), "Content-Type": "application/octet-stream" } })
        .then(function (r) {
          if (r.status === 403) return { ok: false, message: "“" + f.name + "”没有上传。" + EXPIRED };
          return r.json().catch(function () { return { ok: false, message: "“" + f.name + "”没有上传。" + trouble(r.status) }; });
        }, function () { return { ok: false, message: "“" + f.name + "”没有上传。" + CLOSED }; })
        .then(function (data) {
          li.textContent = data.message; li.className = data.ok ? "ok" : "bad";
          if (data.ok) saved++;
        })
        .then(next);
    }
    next();
  }
  /* The list of inbox files, read again in place: the lines above (a refused file among saved
     ones) stay on the screen, where a reload of the page would wipe them. */
  function refreshList() {
    var note = line("正在刷新下面的文件列表…", "muted");
    fetch("/files", { credentials: "same-origin" }).then(function (r) {
      if (r.status === 403) throw new Error(EXPIRED);
      if (!r.ok) throw new Error(trouble(r.status));
      return r.text();
    }, function () { throw new Error(CLOSED); }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html");
      var now = $("#inbox-card"), next = $("#inbox-card", fresh);
      if (now && next) now.replaceWith(document.importNode(next, true));
      note.textContent = "下面的文件列表已更新。上传完了到“步骤”页点“合并回收表”。";
    }).catch(function (e) { note.textContent = e.message; note.className = "bad"; });
  }
  pick.addEventListener("change", function () { send(pick.files); pick.value = ""; });
  ["dragenter", "dragover"].forEach(function (t) {
    drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (t) {
    drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) { send(e.dataTransfer.files); });
  document.addEventListener("dragover", function (e) { e.preventDefault(); });
  document.addEventListener("drop", function (e) { e.preventDefault(); });
}

/* --- steps --------------------------------------------------------------------------------- */
function showJob(job, busy) {
  var body = $("#job-body");
  var flag = $("#busy-flag");
  if (flag) flag.classList.toggle("hidden", !busy);
  $all("button.run").forEach(function (b) { b.disabled = !!busy; });
  if (!body || !job) return;
  body.textContent = "";
  var head = el("p");
  head.appendChild(el("b", "", job.label));
  head.appendChild(el("span", "muted", "  " + job.started + " 开始，" + job.seconds + " 秒"));
  body.appendChild(head);
  if (job.state === "running") {
    var now = el("p", "msg warn");
    now.appendChild(el("span", "spinner"));
    now.appendChild(document.createTextNode("正在运行：" + (job.progress.length ? job.progress[job.progress.length - 1] : "开始") + "…"));
    body.appendChild(now);
    var ol = el("ol", "progress-log");
    job.progress.forEach(function (p) { ol.appendChild(el("li", "", p)); });
    body.appendChild(ol);
  } else {
    var out = el("p", "msg " + (job.state === "failed" ? "bad" : "ok"), job.message);
    out.id = "outcome";
    out.dataset.job = job.id;
    body.appendChild(out);
    if (job.facts && job.facts.length) {
      var t = el("table", "plain facts-table");
      job.facts.forEach(function (f) {
        var tr = el("tr"); tr.appendChild(el("td", "", f[0])); tr.appendChild(el("td", "", f[1])); t.appendChild(tr);
      });
      body.appendChild(t);
    }
    (job.notes || []).forEach(function (n) { body.appendChild(el("p", "note", n)); });
    if (job.outputs) {
      var more = el("p", "note");
      var a = el("a", "", "查看生成的 " + job.outputs + " 个文件"); a.href = "/outputs";
      more.appendChild(a); body.appendChild(more);
    }
  }
}

/* The 运行情况 box is under the buttons on a narrow screen (1024 wide): bring it into view when a
   step starts and ends, or the clerk sees no change and clicks again. */
function bringIntoView(node) {
  if (!node) return;
  var r = node.getBoundingClientRect();
  if (r.top >= 0 && r.top + 120 <= window.innerHeight) return;
  node.scrollIntoView({ block: "start" });
}

function setButtons(disabled) {
  $all("button.run").forEach(function (b) { b.disabled = disabled; });
}

/* A red line in the 运行情况 box: a refused step, or a workbench that does not answer. */
function showRefusal(message, kind) {
  var body = $("#job-body");
  if (!body) return;
  var old = $("#outcome");
  if (old && old.dataset.job === kind && old.textContent === message) return;   // said already
  body.textContent = "";
  var m = el("p", "msg bad", message); m.id = "outcome"; m.dataset.job = kind;
  m.setAttribute("role", "alert");
  body.appendChild(m);
  bringIntoView($("#job"));
}

var watching = false;      // a step started from this page: show its result when it ends
function poll() {
  requestJSON("/api/job").then(function (data) {
    showJob(data.job, data.busy);
    if (data.busy) { setTimeout(poll, 600); return; }
    if (watching) { watching = false; bringIntoView($("#job")); }
  }).catch(function (e) {
    var flag = $("#busy-flag");
    if (flag) flag.classList.add("hidden");
    setButtons(false);
    showRefusal(e.message, "unreachable");
    if (e.message === CLOSED) setTimeout(poll, 3000);      // back again if it is restarted here
  });
}

function initSteps() {
  var buttons = $all("button.run");
  if (!buttons.length) {
    if ($("#busy-flag") && !$("#busy-flag").classList.contains("hidden")) poll();
    return;
  }
  buttons.forEach(function (b) {
    b.addEventListener("click", function () {
      var tag = b.dataset.tag, options = {};
      $all('input[data-tag="' + tag + '"]').forEach(function (c) { options[c.dataset.option] = c.checked; });
      // at once, before the server answers: a double click must not ask for the step twice
      setButtons(true);
      postJSON("/api/run", { tag: tag, options: options }).then(function (data) {
        if (!data.ok) { setButtons(false); showRefusal(data.message, "refused"); return; }
        watching = true;
        showJob(data.job, true);
        bringIntoView($("#job"));
        setTimeout(poll, 300);
      }, function (e) { setButtons(false); showRefusal(e.message, "unreachable"); });
    });
  });
  poll();
}

/* --- scrolling tables ---------------------------------------------------------------------- */
var NUMERIC = { "序号": 1, "家庭人口": 1, "金额": 1, "来源行": 1 };
var PAGE = 200;

function VTable(box, filters, onCount) {
  this.box = box;
  this.endpoint = box.dataset.endpoint;
  this.revealUrl = box.dataset.reveal || "";
  this.columns = JSON.parse(box.dataset.columns);
  this.secret = JSON.parse(box.dataset.secret || "[]");
  var widths = JSON.parse(box.dataset.widths || "[]");
  this.template = this.columns.map(function (_, i) { return (widths[i] || 120) + "px"; }).join(" ");
  this.width = widths.reduce(function (a, b) { return a + b; }, 0);
  // columns that stay at the left when the table is scrolled sideways (序号, 户主姓名: whose row
  // it is), each after the fixed ones before it; the last of them casts a shadow
  var fixed = JSON.parse(box.dataset.sticky || "[]"), left = 0, self = this;
  this.stick = {};
  this.columns.forEach(function (c, i) {
    if (fixed.indexOf(c) < 0) return;
    self.stick[i] = left; self.lastStick = i;
    left += widths[i] || 120;
  });
  this.picked = null;
  this.onPick = null;
  this.rowH = 30;
  this.filters = filters;
  this.onCount = onCount;
  this.sort = ""; this.desc = false;
  this.revealed = {};
  this.build();
  this.reset();
}
VTable.prototype.build = function () {
  var self = this;
  this.box.style.setProperty("--cols", this.template);
  this.box.style.setProperty("--width", this.width + "px");
  this.head = el("div", "vt-head");
  this.columns.forEach(function (c, i) {
    var h = el("div", "", c);
    self.fix(h, i);
    h.title = "点击排序";
    h.addEventListener("click", function () {
      if (self.sort === c) self.desc = !self.desc; else { self.sort = c; self.desc = false; }
      $all("div", self.head).forEach(function (d) { d.classList.remove("sorted", "desc"); });
      h.classList.add("sorted"); if (self.desc) h.classList.add("desc");
      self.reset();
    });
    self.head.appendChild(h);
  });
  this.body = el("div", "vt-body");
  this.box.appendChild(this.head);
  this.box.appendChild(this.body);
  this.fit();
  var pending = false;
  this.box.addEventListener("scroll", function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; self.draw(); });
  });
  window.addEventListener("resize", function () { self.fit(); self.draw(); });
};
VTable.prototype.fix = function (cell, i) {
  if (!(i in this.stick)) return;
  cell.classList.add("fix");
  if (i === this.lastStick) cell.classList.add("fix-end");
  cell.style.left = this.stick[i] + "px";
};
/* The table as tall as the window leaves it, so only the table scrolls (two scroll bars, page and
   table, leave the clerk scrolling the wrong one); the list of units beside it likewise. */
VTable.prototype.fit = function () {
  var box = this.box, card = box.closest(".card") || box, main = $("main");
  var below = card.getBoundingClientRect().bottom - box.getBoundingClientRect().bottom +
    parseFloat(getComputedStyle(card).marginBottom || 0) +
    (main ? parseFloat(getComputedStyle(main).paddingBottom || 0) : 0);
  var top = box.getBoundingClientRect().top + window.pageYOffset;
  box.style.height = Math.max(240, Math.floor(window.innerHeight - top - below)) + "px";
  var side = $(".side");
  if (side) {
    var sideTop = side.getBoundingClientRect().top + window.pageYOffset;
    side.style.maxHeight = Math.max(160, Math.floor(window.innerHeight - sideTop - below)) + "px";
  }
};
VTable.prototype.query = function (offset) {
  var q = this.filters ? this.filters() : {};
  q.sort = this.sort; q.descending = this.desc; q.offset = offset; q.limit = PAGE;
  return q;
};
VTable.prototype.reset = function () {
  this.pages = {}; this.loading = {}; this.total = null; this.generation = (this.generation || 0) + 1;
  for (var key in (this.shown || {})) this.shown[key].remove();
  this.shown = {};
  this.box.scrollTop = 0;
  this.load(0);
};
VTable.prototype.load = function (n) {
  var self = this, gen = this.generation;
  if (this.pages[n] || this.loading[n]) return;
  this.loading[n] = true;
  postJSON(this.endpoint, this.query(n * PAGE)).then(function (data) {
    if (gen !== self.generation) return;
    delete self.loading[n];
    if (self.version && data.version !== self.version) {
      // the workbook was saved again: rows read before belong to another 名册 (rows moved,
      // deleted) — read them all again rather than mix the two, and forget numbers shown
      self.version = data.version; self.revealed = {};
      self.reset();
      return;
    }
    self.version = data.version;
    self.pages[n] = data.rows;
    if (self.total !== data.total) {
      self.total = data.total;
      self.body.style.height = (self.total * self.rowH) + "px";
      if (self.onCount) self.onCount(self.total);
      self.fit();                   // the count may have taken a line of its own above the table
    }
    self.draw();
  }, function (e) {
    if (gen === self.generation) self.fail(e.message);
  });
};
/* The rows could not be read: say so in place of the rows, and no count — an empty table under
   the old count would read as “this person is not in 名册”. */
VTable.prototype.fail = function (message) {
  this.generation++;                 // answers still on their way belong to rows no longer shown
  for (var key in (this.shown || {})) this.shown[key].remove();
  this.shown = {}; this.pages = {}; this.loading = {}; this.total = null;
  this.body.style.height = "0px";
  this.say(message);
  if (this.onCount) this.onCount(null);
};
VTable.prototype.say = function (message) {
  if (this.notice) { this.notice.remove(); this.notice = null; }
  if (!message) return;
  this.notice = el("div", "msg bad vt-notice", message);
  this.notice.setAttribute("role", "alert");
  this.box.insertBefore(this.notice, this.body);
};
VTable.prototype.draw = function () {
  if (this.total === null) return;
  var top = Math.max(0, this.box.scrollTop - 32);
  var first = Math.max(0, Math.floor(top / this.rowH) - 10);
  var last = Math.min(this.total, Math.ceil((top + this.box.clientHeight) / this.rowH) + 10);
  var p0 = Math.floor(first / PAGE), p1 = Math.floor(Math.max(first, last - 1) / PAGE);
  for (var p = p0; p <= p1; p++) this.load(p);
  if (last < this.total && (last % PAGE) > PAGE - 60) this.load(p1 + 1);   // read ahead
  // keep the rows already drawn (a scroll of three rows draws three rows, not forty)
  var keep = {}, shown = this.shown || {};
  for (var key in shown) {
    var i = +key, node = shown[key];
    if (i >= first && i < last && !node.classList.contains("loading")) keep[i] = node;
    else node.remove();
  }
  var frag = document.createDocumentFragment();
  for (var j = first; j < last; j++) {
    if (keep[j]) continue;
    var page = this.pages[Math.floor(j / PAGE)];
    keep[j] = this.row(j, page ? page[j % PAGE] : null);
    frag.appendChild(keep[j]);
  }
  this.body.appendChild(frag);
  this.shown = keep;
  this.say("");
  if (this.empty) { this.empty.remove(); this.empty = null; }
  if (!this.total) { this.empty = el("div", "muted", "没有符合条件的行。"); this.body.appendChild(this.empty); }
};
VTable.prototype.redraw = function () {
  for (var key in (this.shown || {})) this.shown[key].remove();
  this.shown = {};
  this.draw();
};
VTable.prototype.row = function (i, data) {
  var self = this;
  var r = el("div", "vt-row" + (i % 2 ? " odd" : "") + (data ? "" : " loading"));
  r.style.transform = "translateY(" + (i * this.rowH) + "px)";
  if (!data) { r.appendChild(el("div", "", "…")); return r; }
  var id = data[0];
  if (this.onPick) {
    if (id === this.picked) r.classList.add("picked");
    r.addEventListener("click", function () {
      if (String(window.getSelection() || "")) return;       // selecting text to copy it
      self.picked = id;
      $all(".vt-row.picked", self.body).forEach(function (n) { n.classList.remove("picked"); });
      r.classList.add("picked");
      self.onPick(data);
    });
  }
  this.columns.forEach(function (c, k) {
    var v = data[k + 1];
    var cell = el("div", NUMERIC[c] ? "n" : "");
    self.fix(cell, k);
    var key = id + "\u0001" + c;
    if (c === "状态" || c === "级别") cell.classList.add("s-" + v);
    if (self.secret.indexOf(c) >= 0 && v !== "" && self.revealUrl) {
      cell.textContent = self.revealed[key] || v;
      if (!self.revealed[key]) {
        var eye = el("span", "eye", "显示");
        eye.title = "显示完整号码";
        eye.addEventListener("click", function () {
          postJSON(self.revealUrl, { row: id, column: c, version: self.version }).then(function (d) {
            if (d.ok) { self.revealed[key] = d.value; self.redraw(); return; }
            eye.textContent = "请刷新页面";
            eye.title = d.message || "名册已经更新，这一行已不是原来的位置。请刷新页面后再点“显示”。";
          }, function (e) { self.fail(e.message); });
        });
        cell.appendChild(eye);
      }
    } else {
      cell.textContent = v;
    }
    cell.title = cell.textContent;
    r.appendChild(cell);
  });
  return r;
};

function initTables() {
  var box = $("#table");
  if (!box) return;
  var form = $("#filters");
  function values() {
    var q = {};
    if (form) $all("select, input", form).forEach(function (f) { q[f.name] = f.value; });
    return q;
  }
  var count = $("#count");
  var table = new VTable(box, values, function (n) {
    if (count) count.textContent = n === null ? "" : "共 " + n + " 行";
  });
  var detail = $("#detail");
  if (detail) table.onPick = function (data) {
    showDetail(detail, table.columns, data, detail.dataset.long || "说明");
    table.fit(); table.draw();
  };
  if (form) {
    var timer = null;
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    $all("select", form).forEach(function (s) { s.addEventListener("change", function () { table.reset(); }); });
    $all("input", form).forEach(function (s) {
      s.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { table.reset(); }, 250); });
    });
  }
  // a unit on the left chooses that unit (“（未识别单位）”: the problems naming none); 全部 clears
  // every filter, as the word says
  $all("#unit-counts tbody tr").forEach(function (tr) {
    tr.addEventListener("click", function () {
      var sel = form && form.querySelector('select[name="unit"]');
      if (!sel) return;
      var unit = tr.dataset.unit;
      if (!unit) $all("select, input", form).forEach(function (f) { f.value = ""; });
      if (unit && !$all("option", sel).some(function (o) { return o.value === unit; })) sel.appendChild(el("option", "", unit));
      sel.value = unit;
      $all("#unit-counts tbody tr").forEach(function (t) { t.classList.toggle("on", t === tr); });
      table.reset();
    });
  });
  window.weiwenTable = table;
}

/* The whole of one row, wrapped, above the table: a long 说明 (问题 on 名册) ends with what to do,
   which a cut-off cell (or a column off to the right on a small screen) would hide. `long`: the
   column shown as its own paragraph. */
function showDetail(box, columns, data, long) {
  box.textContent = "";
  var where = el("p", "where");
  columns.forEach(function (c, k) {
    var v = data[k + 1];
    if (v === "" || v === null || c === long) return;
    if (where.childNodes.length) where.appendChild(document.createTextNode("　"));
    where.appendChild(el("span", "muted", c + "："));
    where.appendChild(el("span", c === "级别" ? "s-" + v : "", v));
  });
  box.appendChild(where);
  var k = columns.indexOf(long);
  if (k >= 0) box.appendChild(el("p", "text", data[k + 1]));
  box.classList.add("on");
}

/* --- preview: a long rendering (the 183 pages of every unit's 签字确认表 take ~40 s) is asked for
   behind the “正在生成预览” line; once the server has the pages, showing them is at once. */
function initPreview() {
  var wait = $("#preview-wait");
  if (!wait) return;
  fetch(wait.dataset.next, { credentials: "same-origin" }).then(function (r) {
    if (r.status === 403) throw new Error(EXPIRED);
    if (!r.ok) throw new Error(trouble(r.status));
    location.replace(wait.dataset.next);
  }, function () { throw new Error(CLOSED); }).catch(function (e) {
    wait.textContent = e.message; wait.className = "msg bad";
  });
}

document.addEventListener("DOMContentLoaded", function () {
  initPreview();
  initMeters();
  initUpload();
  initSteps();
  initTables();
});
