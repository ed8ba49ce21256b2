/* Kyoso notifications: keeps the header's unread count current without a reload and shows a
 * short toast. Listens on the user's own Socket.IO room (the server emits "notification" with
 * no content); the page's one socket (kyoso.js) is shared with live.js. Without a socket it polls
 * once a minute; without JavaScript the count is current at each page load. ES5. */
(function () {
  "use strict";
  var link = document.getElementById("notify-link");
  var countEl = document.getElementById("notify-count");
  var unreadEl = document.getElementById("notify-unread");
  var toast = document.getElementById("notify-toast");
  if (!link || !countEl) { return; }
  var k = window.kyoso;
  var POLL_MS = k.timing("notify-poll-ms", 60000);
  var TOAST_MS = k.timing("toast-ms", 6000);
  var known = parseInt(countEl.textContent, 10) || 0;
  var toastTimer = null;

  function show(count) {
    var text = count >= 100 ? "99+" : String(count);
    countEl.textContent = text;
    countEl.hidden = count === 0;
    /* the link's name is its text: 「通知 3」 and the hidden 「件の未読」 (no aria-label) */
    if (unreadEl) { unreadEl.hidden = count === 0; }
  }

  function showToast(text) {
    if (!toast || !text) { return; }
    toast.textContent = text;
    toast.hidden = false;
    if (toastTimer !== null) { window.clearTimeout(toastTimer); }
    toastTimer = window.setTimeout(function () { toast.hidden = true; toast.textContent = ""; }, TOAST_MS);
  }

  function refresh(withToast) {
    k.getJSON("/api/v1/notifications?unread=1&limit=1", function (data) {
      if (!data) { return; }
      var count = data.unread_count || 0;
      if (withToast && count > known && data.notifications && data.notifications.length) {
        showToast(data.notifications[0].text);
      }
      known = count;
      show(count);
    });
  }

  var poll = k.poller(function () { refresh(true); }, POLL_MS);

  function start() {
    var socket = k.socket(); /* the page's one connection, shared with live.js */
    if (socket === null) { poll.startQuietly(); return; }
    socket.on("notification", function () { refresh(true); });
    socket.on("connect", function () { poll.stop(); refresh(false); });
    socket.on("disconnect", poll.startQuietly);
    socket.on("connect_error", poll.startQuietly);
    if (socket.connected) { refresh(false); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
