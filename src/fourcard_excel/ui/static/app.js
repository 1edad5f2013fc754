/* fourcard-excel ui: file picking (files, a folder, or dropped folders) and live progress.
   Plain ES2017, no library: works in Chromium, Edge, Firefox and 360/QQ in Chromium mode. */
(function () {
  "use strict";
  var form = document.getElementById("start");
  if (form) { setupForm(form); }
  var running = document.getElementById("running");
  if (running) { poll(running.getAttribute("data-status")); }

  function setupForm(form) {
    var sources = { files: [], folder: [], drop: [] };
    var chosen = document.getElementById("chosen");
    var errorBox = document.getElementById("form-error");
    var filesInput = document.getElementById("files");
    var folderInput = document.getElementById("folder");
    var drop = document.getElementById("drop");

    function all() { return sources.files.concat(sources.folder, sources.drop); }
    function show() {
      var list = all();
      if (!list.length) { chosen.textContent = "尚未选择文件。"; return; }
      var names = list.slice(0, 8).map(function (p) { return p.path; }).join("、");
      chosen.textContent = "已选择 " + list.length + " 个文件：" + names + (list.length > 8 ? " 等" : "");
    }
    filesInput.addEventListener("change", function () {
      sources.files = Array.prototype.map.call(filesInput.files, function (f) { return { file: f, path: f.name }; });
      show();
    });
    if (folderInput) {
      folderInput.addEventListener("change", function () {
        // webkitRelativePath starts with the chosen folder's own name: drop it, as `process 文件夹` does
        sources.folder = Array.prototype.map.call(folderInput.files, function (f) {
          var rel = f.webkitRelativePath || f.name;
          var cut = rel.indexOf("/");
          return { file: f, path: cut >= 0 ? rel.slice(cut + 1) : rel };
        });
        show();
      });
    }
    ["dragenter", "dragover"].forEach(function (t) {
      drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); });
    });
    drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
    drop.addEventListener("drop", function (e) {
      e.preventDefault();
      drop.classList.remove("over");
      var items = e.dataTransfer.items;
      var entries = [];
      if (items && items.length && items[0].webkitGetAsEntry) {
        for (var i = 0; i < items.length; i++) {
          var entry = items[i].webkitGetAsEntry();
          if (entry) { entries.push(entry); }
        }
      }
      if (!entries.length) {
        sources.drop = Array.prototype.map.call(e.dataTransfer.files, function (f) { return { file: f, path: f.name }; });
        show();
        return;
      }
      // one dropped folder is the input folder itself; several keep their names
      var strip = entries.length === 1 && entries[0].isDirectory;
      var found = [];
      Promise.all(entries.map(function (en) { return walk(en, found); })).then(function () {
        sources.drop = found.map(function (p) {
          var path = p.path.replace(/^\//, "");
          if (strip) { path = path.slice(path.indexOf("/") + 1); }
          return { file: p.file, path: path };
        });
        show();
      });
    });

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      errorBox.hidden = true;
      var list = all();
      if (!list.length) { fail("没有选择任何文件；请拖入或选择花名册文件（或整个文件夹）后再开始。"); return; }
      var data = new FormData(form);
      data.delete("files");
      var mtimes = {};  // kept on the saved copies: "the most recently modified file" stays true
      list.forEach(function (p) {
        data.append("files", p.file, p.path);
        mtimes[p.path] = p.file.lastModified;
      });
      data.append("mtimes", JSON.stringify(mtimes));
      var button = document.getElementById("go");
      button.disabled = true;
      button.textContent = "正在上传…";
      fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (r) {
          if (r.ok && r.body.url) { window.location.href = r.body.url; return; }
          fail(r.body.error || "无法开始。");
        })
        .catch(function () { fail("上传失败：与本机网页服务的连接中断，请确认命令行窗口仍在运行。"); });
      function fail(msg) {
        errorBox.textContent = msg;
        errorBox.hidden = false;
        button.disabled = false;
        button.textContent = form.getAttribute("data-kind") === "validate" ? "开始自查" : "开始处理";
      }
    });
    function fail(msg) { errorBox.textContent = msg; errorBox.hidden = false; }
  }

  function walk(entry, found) {
    if (entry.isFile) {
      return new Promise(function (resolve) {
        entry.file(function (f) { found.push({ file: f, path: entry.fullPath }); resolve(); }, resolve);
      });
    }
    var reader = entry.createReader();
    return new Promise(function (resolve) {
      var kids = [];
      (function more() {
        reader.readEntries(function (batch) {
          if (!batch.length) {
            Promise.all(kids.map(function (k) { return walk(k, found); })).then(resolve);
            return;
          }
          kids = kids.concat(Array.prototype.slice.call(batch));
          more();
        }, resolve);
      })();
    });
  }

  function poll(url) {
    var shown = 0;
    function tick() {
      fetch(url, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (s.state !== "running") { window.location.reload(); return; }
          document.getElementById("stage").textContent = s.stage;
          document.getElementById("count").textContent = s.done + "/" + s.total;
          document.getElementById("current").textContent = s.current || "";
          document.getElementById("progress").style.width = (s.total ? Math.round(100 * s.done / s.total) : 0) + "%";
          var list = document.getElementById("progress-files");
          for (; shown < (s.files || []).length; shown++) {
            var li = document.createElement("li");
            li.textContent = s.files[shown];
            list.appendChild(li);
          }
          setTimeout(tick, 700);
        })
        .catch(function () { setTimeout(tick, 2000); });
    }
    tick();
  }
})();
