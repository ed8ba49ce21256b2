/* Kyoso notifications: keeps the header's unread count current without a reload and shows a
 * short toast. Listens on the user's own Socket.IO room (the server emits "notification" with
 * no content); the page's live.js socket is reused when there is one. Without a socket it polls
 * once a minute; without JavaScript the count is current at each page load. ES5. */
(function () {
  "use strict";
  var link = document.getElementById("notify-link");
  var countEl = document.getElementById("notify-count");
  var toast = document.getElementById("notify-toast");
  if (!link || !countEl) { return; }
  var POLL_MS = 60000;
  var TOAST_MS = 6000;
  var known = parseInt(countEl.textContent, 10) || 0;
  var toastTimer = null;
  var pollTimer = null;

  function show(count) {
    var text = count >= 100 ? "99+" : String(count);
    countEl.textContent = text;
    countEl.hidden = count === 0;
    link.setAttribute("aria-label", count === 0 ? link.dataset.label
      : link.dataset.labelUnread.split("{n}").join(text));
  }

  function showToast(text) {
    if (!toast || !text) { return; }
    toast.textContent = text;
    toast.hidden = false;
    if (toastTimer !== null) { window.clearTimeout(toastTimer); }
    toastTimer = window.setTimeout(function () { toast.hidden = true; toast.textContent = ""; }, TOAST_MS);
  }

  function refresh(withToast) {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", "/api/v1/notifications?unread=1&limit=1", true);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.timeout = 15000;
    xhr.onload = function () {
      if (xhr.status !== 200) { return; }
      var data;
      try { data = JSON.parse(xhr.responseText); } catch (e) { return; }
      var count = data.unread_count || 0;
      if (withToast && count > known && data.notifications && data.notifications.length) {
        showToast(data.notifications[0].text);
      }
      known = count;
      show(count);
    };
    xhr.send();
  }

  function startPolling() {
    if (pollTimer === null) { pollTimer = window.setInterval(function () { refresh(true); }, POLL_MS); }
  }

  function stopPolling() {
    if (pollTimer !== null) { window.clearInterval(pollTimer); pollTimer = null; }
  }

  function listen(socket) {
    socket.on("notification", function () { refresh(true); });
    socket.on("connect", function () { stopPolling(); refresh(false); });
    socket.on("disconnect", startPolling);
    socket.on("connect_error", startPolling);
    if (socket.connected) { refresh(false); }
  }

  function start() {
    if (window.kyosoSocket) { listen(window.kyosoSocket); return; }
    if (typeof window.io !== "function") { startPolling(); return; }
    listen(window.io({ transports: ["websocket", "polling"], reconnectionDelayMax: 10000 }));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
