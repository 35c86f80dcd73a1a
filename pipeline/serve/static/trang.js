/* Hồ sơ kiểm điểm – trang của văn phòng: kéo thả tệp để tải lên, tiến độ dựng theo thời gian thực
   (server-sent events; trình duyệt cũ hỏi lại mỗi 2 giây). Viết bằng JavaScript ES5, không dùng
   thư viện nào, để chạy được trên máy văn phòng cũ và điện thoại. Không có JavaScript thì các
   biểu mẫu vẫn gửi bình thường. */
(function () {
  "use strict";

  function $(id) { return document.getElementById(id); }
  function csrf() {
    var m = document.querySelector('meta[name="csrf"]');
    return m ? m.getAttribute("content") : "";
  }

  /* ---------------------------------------------------------------- tiến độ dựng */
  function follow(bar) {
    var unit = bar.getAttribute("data-unit");
    var stamp = bar.getAttribute("data-stamp");
    var reload = bar.getAttribute("data-reload") === "1";
    var text = bar.querySelector(".chu");
    var meter = bar.querySelector("progress");
    var fresh = bar.querySelector(".moi");

    function show(s) {
      var line = s.text;
      if (s.phase === "idle" && s.last) {
        line = s.last.ok ? "Đã dựng xong lúc " + s.last.at + " – " + s.last.errors + " lỗi, " +
                           (s.last.warnings === null ? "?" : s.last.warnings) + " cảnh báo"
                         : "Lần dựng lúc " + s.last.at + " có " + s.last.errors + " lỗi – chưa dựng được tài liệu";
        if (s.last.seconds) { line += " (" + String(s.last.seconds).replace(".", ",") + " giây)"; }
      }
      text.textContent = line;
      bar.className = "tien-do pha-" + s.phase;
      if (s.phase === "rendering" && s.total) {
        meter.max = s.total; meter.value = s.done; meter.hidden = false;
      } else {
        meter.hidden = true;
      }
      if (s.phase === "idle" && s.stamp !== stamp) {
        bar.setAttribute("data-done", s.stamp);
        if (reload) { window.setTimeout(function () { window.location.reload(); }, 300); }
        else { fresh.hidden = false; }
      }
    }

    if (window.EventSource) {
      var es = new EventSource("/don-vi/" + unit + "/tien-do");
      es.addEventListener("trang-thai", function (e) { show(JSON.parse(e.data)); });
    } else {
      var poll = function () {
        var x = new XMLHttpRequest();
        x.open("GET", "/don-vi/" + unit + "/trang-thai");
        x.onload = function () { if (x.status === 200) { show(JSON.parse(x.responseText)); } };
        x.send();
      };
      window.setInterval(poll, 2000);
    }
  }

  /* ---------------------------------------------------------------- tải lên */
  function uploader(form) {
    var zone = $("vung-tha"), input = $("chon-tep"), meter = $("tien-do-tai"), out = $("ket-qua-tai");
    var limit = parseInt(form.getAttribute("data-limit"), 10) || 0;
    if (!window.FormData || !window.XMLHttpRequest) { return; }

    function send(files) {
      if (!files || !files.length) { out.textContent = "Chưa chọn tệp nào."; return; }
      var data = new FormData(), total = 0, names = [];
      data.append("csrf", csrf());
      for (var i = 0; i < files.length; i++) {
        data.append("tep", files[i], files[i].name);
        total += files[i].size; names.push(files[i].name);
      }
      if (limit && total > limit) {
        out.textContent = "Tệp quá lớn (" + Math.round(total / 1048576) + " MB; giới hạn " +
                          Math.round(limit / 1048576) + " MB) – hãy chia nhỏ hoặc nén bớt.";
        out.className = "loi"; return;
      }
      var x = new XMLHttpRequest();
      x.open("POST", form.getAttribute("action"));
      x.setRequestHeader("X-CSRF-Token", csrf());
      x.setRequestHeader("Accept", "application/json");
      meter.hidden = false; meter.value = 0;
      out.className = "nho"; out.textContent = "Đang tải lên: " + names.join(", ") + " …";
      x.upload.onprogress = function (e) { if (e.lengthComputable) { meter.value = 100 * e.loaded / e.total; } };
      x.onload = function () {
        meter.hidden = true;
        var r;
        try { r = JSON.parse(x.responseText); } catch (err) { r = {ok: false, message: "Máy chủ trả lời không đọc được (" + x.status + ")."}; }
        out.className = r.ok ? "tot" : "loi";
        out.textContent = r.message;
        input.value = "";
      };
      x.onerror = function () {
        meter.hidden = true; out.className = "loi";
        out.textContent = "Không gửi được tệp (mất kết nối tới trang?) – hãy thử lại.";
      };
      x.send(data);
    }

    form.addEventListener("submit", function (e) { e.preventDefault(); send(input.files); });
    input.addEventListener("change", function () { if (input.files.length) { send(input.files); } });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (e) { e.preventDefault(); zone.className = "vung-tha dang-keo"; });
    });
    zone.addEventListener("dragleave", function () { zone.className = "vung-tha"; });
    zone.addEventListener("drop", function (e) {
      e.preventDefault(); zone.className = "vung-tha";
      send(e.dataTransfer.files);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var bar = $("tien-do");
    if (bar) { follow(bar); }
    var form = $("form-tai-len");
    if (form) { uploader(form); }
  });
})();
