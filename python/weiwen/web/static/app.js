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
function postJSON(url, body) {
  return fetch(url, { method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) })
    .then(function (r) { return r.json().then(function (data) { data._status = r.status; return data; }); });
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
        if (saved) { line("上传完成，正在刷新列表…", "muted"); setTimeout(function () { location.reload(); }, 800); }
        return;
      }
      var f = files[i++];
      var li = line("正在上传：" + f.name + " …", "muted");
      fetch("/api/upload", { method: "POST", credentials: "same-origin", body: f,
        headers: { "X-File-Name": encodeURIComponent(f.name), "Content-Type": "application/octet-stream" } })
        .then(function (r) { return r.json().catch(function () { return { ok: false, message: "上传失败（" + r.status + "）" }; }); })
        .then(function (data) {
          li.textContent = data.message; li.className = data.ok ? "ok" : "bad";
          if (data.ok) saved++;
        })
        .catch(function () { li.textContent = "上传失败：" + f.name + "（工作台是否已关闭？）"; li.className = "bad"; })
        .then(next);
    }
    next();
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

function poll() {
  fetch("/api/job", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
    showJob(data.job, data.busy);
    if (data.busy) setTimeout(poll, 600);
  }).catch(function () { setTimeout(poll, 2000); });
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
      postJSON("/api/run", { tag: tag, options: options }).then(function (data) {
        if (!data.ok) {
          var body = $("#job-body"); body.textContent = "";
          var m = el("p", "msg bad", data.message); m.id = "outcome"; m.dataset.job = "refused";
          body.appendChild(m);
          return;
        }
        showJob(data.job, true);
        setTimeout(poll, 300);
      });
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
  this.columns.forEach(function (c) {
    var h = el("div", "", c);
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
  var pending = false;
  this.box.addEventListener("scroll", function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; self.draw(); });
  });
  window.addEventListener("resize", function () { self.draw(); });
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
    self.pages[n] = data.rows;
    if (self.total !== data.total) {
      self.total = data.total;
      self.body.style.height = (self.total * self.rowH) + "px";
      if (self.onCount) self.onCount(self.total);
    }
    self.draw();
  });
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
  this.columns.forEach(function (c, k) {
    var v = data[k + 1];
    var cell = el("div", NUMERIC[c] ? "n" : "");
    var key = id + "\u0001" + c;
    if (c === "状态" || c === "级别") cell.classList.add("s-" + v);
    if (self.secret.indexOf(c) >= 0 && v !== "" && self.revealUrl) {
      cell.textContent = self.revealed[key] || v;
      if (!self.revealed[key]) {
        var eye = el("span", "eye", "显示");
        eye.title = "显示完整号码";
        eye.addEventListener("click", function () {
          postJSON(self.revealUrl, { row: id, column: c }).then(function (d) {
            if (d.ok) { self.revealed[key] = d.value; self.redraw(); }
          });
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
  var table = new VTable(box, values, function (n) { if (count) count.textContent = "共 " + n + " 行"; });
  if (form) {
    var timer = null;
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    $all("select", form).forEach(function (s) { s.addEventListener("change", function () { table.reset(); }); });
    $all("input", form).forEach(function (s) {
      s.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { table.reset(); }, 250); });
    });
  }
  $all("#unit-counts tbody tr").forEach(function (tr) {
    tr.addEventListener("click", function () {
      var sel = form && form.querySelector('select[name="unit"]');
      if (!sel) return;
      var unit = tr.dataset.unit;
      if (unit && !$all("option", sel).some(function (o) { return o.value === unit; })) sel.appendChild(el("option", "", unit));
      sel.value = unit;
      $all("#unit-counts tbody tr").forEach(function (t) { t.classList.toggle("on", t === tr); });
      table.reset();
    });
  });
  window.weiwenTable = table;
}

document.addEventListener("DOMContentLoaded", function () {
  initMeters();
  initUpload();
  initSteps();
  initTables();
});
