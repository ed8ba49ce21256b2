/* Kyoso private conversations: a participant sees new messages live. The server emits
 * "conversation_message" {conversation_id, message_id} to each participant's own room
 * (user:<id>) after the commit; this page then fetches what it may see through the API
 * (GET /api/v1/conversations/<id>/messages?after=) and appends it, and tells the server how far
 * the reader has read. Without JavaScript the page is current at each load. ES5. */
(function () {
  "use strict";
  var list = document.getElementById("conversation-messages");
  var status = document.getElementById("conversation-status");
  if (!list || !window.kyoso) { return; }
  var k = window.kyoso;
  var id = list.getAttribute("data-conversation-id");
  var last = parseInt(list.getAttribute("data-last-id"), 10) || 0;
  var me = list.getAttribute("data-me");
  var busy = false;

  function markRead() {
    if (last > 0) {
      k.postJSON(list.getAttribute("data-read-url"), { up_to: last }, list.getAttribute("data-csrf"));
    }
  }

  function render(m) {
    var article = document.createElement("article");
    article.className = "message";
    article.id = "m" + m.id;
    article.setAttribute("data-message-id", String(m.id));
    article.setAttribute("aria-labelledby", "m" + m.id + "-h");
    var head = document.createElement("h3");
    head.className = "message-head";
    head.id = "m" + m.id + "-h";
    var author = document.createElement("span");
    author.className = "author";
    author.textContent = m.author ? m.author.display_name : "";
    var time = document.createElement("time");
    time.setAttribute("datetime", m.created_at);
    time.textContent = " " + m.created_at.replace("T", " ").slice(0, 16);
    head.appendChild(author);
    head.appendChild(time);
    var body = document.createElement("div");
    body.className = "post-body";
    body.innerHTML = m.body_html; /* sanitised on write by the server's one renderer */
    article.appendChild(head);
    article.appendChild(body);
    if (m.author && String(m.author.id) !== me) {
      var p = document.createElement("p");
      p.className = "message-actions";
      var a = document.createElement("a");
      a.href = list.getAttribute("data-flag-url").replace(/0$/, String(m.id));
      a.textContent = list.getAttribute("data-msg-flag");
      p.appendChild(a);
      article.appendChild(p);
    }
    return article;
  }

  function fetchNew() {
    if (busy) { return; }
    busy = true;
    k.getJSON(list.getAttribute("data-api") + "?after=" + last, function (data) {
      var rows = (data && data.messages) || [];
      for (var i = 0; i < rows.length; i++) {
        if (rows[i].id > last && !document.getElementById("m" + rows[i].id)) {
          list.appendChild(render(rows[i]));
          last = rows[i].id;
        }
      }
      if (rows.length && status) { status.textContent = list.getAttribute("data-msg-new"); }
      if (rows.length) { markRead(); }
    }, function () { busy = false; });
  }

  function start() {
    markRead();
    var socket = k.socket();
    if (socket === null) { return; }
    socket.on("conversation_message", function (data) {
      if (data && String(data.conversation_id) === id) { fetchNew(); }
    });
    socket.on("connect", fetchNew); /* after a reconnection: what was missed meanwhile */
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
