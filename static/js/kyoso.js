/* Kyoso's front-end core, shared by live.js, notify.js and readpos.js (loaded first, deferred):
 * - kyoso.socket(): the page's one Socket.IO connection, created on first use (null when the
 *   Socket.IO client is not loaded);
 * - kyoso.getJSON / kyoso.postJSON: small XMLHttpRequest helpers;
 * - kyoso.poller(tick, ms): start/stop a repeating tick;
 * - kyoso.timing(name, fallback): a delay in ms from the <body data-kyoso-NAME> attribute (set
 *   from the JS_TIMINGS setting), so tests can shorten waits without waiting real seconds.
 * - a form that comes back with errors: the first error summary (_macros.html) takes the focus and
 *   the title starts with its data-title-prefix 「エラー：」 (base.html adds it without JavaScript
 *   when the page's form is called "form"), so that screen readers say what happened.
 * - the structured forms' municipality suggestions (<datalist data-source>) follow the chosen
 *   prefecture: refilled from GET /api/v1/taxonomies/municipalities?prefecture=NN.
 * Pages work without any of it (reload). ES5 for older browsers. */
(function () {
  "use strict";
  var socket = null;

  function timing(name, fallback) {
    var body = document.body;
    var raw = body ? body.getAttribute("data-kyoso-" + name) : null;
    var value = raw === null ? NaN : parseInt(raw, 10);
    return isNaN(value) ? fallback : value;
  }

  function request(method, url, body, headers, done, always) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, url, true);
    xhr.setRequestHeader("Accept", "application/json");
    if (body !== null) { xhr.setRequestHeader("Content-Type", "application/json"); }
    for (var name in headers) {
      if (Object.prototype.hasOwnProperty.call(headers, name)) { xhr.setRequestHeader(name, headers[name]); }
    }
    xhr.timeout = 15000;
    xhr.onload = function () {
      if (done && xhr.status >= 200 && xhr.status < 300) {
        var answer = null;
        try { answer = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch (e) { return; }
        done(answer);
      }
    };
    xhr.onloadend = function () { if (always) { always(xhr.status); } };
    xhr.send(body === null ? null : JSON.stringify(body));
    return xhr;
  }

  function announceErrors() {
    var summary = document.querySelector(".error-summary");
    if (!summary) { return; }
    var prefix = summary.getAttribute("data-title-prefix");
    if (prefix && document.title.indexOf(prefix) !== 0) { document.title = prefix + document.title; }
    summary.focus();
  }

  /* the header's 「設定」 disclosure closes like a menu: on Esc (focus back on its summary) and
     on a click elsewhere; it works without this, as a plain <details> */
  function headerMenus() {
    var menus = document.querySelectorAll("details.header-menu");
    if (!menus.length) { return; }
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      menus.forEach(function (menu) {
        if (menu.open && menu.contains(document.activeElement)) {
          menu.open = false;
          menu.querySelector("summary").focus();
        }
      });
    });
    document.addEventListener("click", function (event) {
      menus.forEach(function (menu) {
        if (menu.open && !menu.contains(event.target)) { menu.open = false; }
      });
    });
  }

  function municipalitySuggestions() {
    var list = document.getElementById("municipality-options");
    var form = list ? list.closest("form") : null;
    var select = form ? form.querySelector("select[name=prefecture]") : null;
    if (!select) { return; }
    select.addEventListener("change", function () {
      var code = select.value;
      while (list.firstChild) { list.removeChild(list.firstChild); }
      if (!code) { return; }
      request("GET", list.getAttribute("data-source") + "?prefecture=" + encodeURIComponent(code), null, {},
        function (answer) {
          if (select.value !== code) { return; }
          var rows = answer.municipalities || [];
          for (var i = 0; i < rows.length; i++) {
            var option = document.createElement("option");
            option.value = rows[i].name;
            option.textContent = rows[i].prefecture_name + rows[i].name + "（" + rows[i].code + "）";
            list.appendChild(option);
          }
        });
    });
  }

  function ready() {
    announceErrors();
    headerMenus();
    municipalitySuggestions();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }

  window.kyoso = {
    timing: timing,
    /* done(answer) on a 2xx JSON answer; always(status) once the request is over, whatever happened. */
    getJSON: function (url, done, always) { return request("GET", url, null, {}, done, always); },
    postJSON: function (url, body, csrfToken, done, always) {
      return request("POST", url, body, csrfToken ? { "X-CSRFToken": csrfToken } : {}, done, always);
    },
    socket: function () {
      if (socket === null && typeof window.io === "function") {
        socket = window.io({ transports: ["websocket", "polling"], reconnectionDelayMax: 10000 });
      }
      return socket;
    },
    poller: function (tick, ms) {
      var timer = null;
      return {
        /* start: one tick right away (what was missed so far), then every ms */
        start: function () { if (timer === null) { timer = window.setInterval(tick, ms); tick(); } },
        startQuietly: function () { if (timer === null) { timer = window.setInterval(tick, ms); } },
        stop: function () { if (timer !== null) { window.clearInterval(timer); timer = null; } }
      };
    }
  };
}());
