/* Kyoso live updates: Socket.IO when it connects, REST polling when it does not.
 * The page works without this script (reload). Written in ES5 for older browsers. */
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root) { return; }
  var data = root.dataset;
  var k = window.kyoso;
  var API = "/api/v1";
  var POLL_MS = k.timing("poll-ms", 5000);
  var CONNECT_WAIT_MS = k.timing("connect-wait-ms", 3000);
  var TYPING_SEND_MS = k.timing("typing-send-ms", 3000);
  var TYPING_SHOW_MS = k.timing("typing-show-ms", 6000);
  var banner = document.getElementById("live-banner");
  var statusLine = document.getElementById("live-status");
  var typingBox = document.getElementById("live-typing");
  var socket = null;
  var poll = null;

  function format(template, key, value) { return template.split("{" + key + "}").join(value); }

  /* Show (or hide, with an empty text) the banner; the status line announces it. */
  function setBanner(text) {
    banner.textContent = text;
    banner.hidden = text === "";
    if (statusLine) { statusLine.textContent = text; }
  }

  var getJSON = k.getJSON;

  function connect(onConnect, handlers, tick) {
    poll = k.poller(tick, POLL_MS);
    socket = k.socket(); /* the page's one connection, shared with notify.js */
    if (socket === null) { poll.start(); return; }
    socket.on("connect", function () { poll.stop(); onConnect(); });
    socket.on("disconnect", poll.start);
    socket.on("connect_error", poll.start);
    if (socket.connected) { onConnect(); }
    /* A connection that hangs, or is closed before the handshake, gives no connect_error
     * until the client's 20 s timeout: do not wait for it to fall back to polling. */
    window.setTimeout(function () { if (!socket.connected) { poll.start(); } }, CONNECT_WAIT_MS);
    for (var name in handlers) {
      if (Object.prototype.hasOwnProperty.call(handlers, name)) { socket.on(name, handlers[name]); }
    }
  }

  /* ---------------------------------------------------------------- thread page */
  function threadPage() {
    var threadId = parseInt(data.threadId, 10);
    var lastNumber = parseInt(data.lastNumber, 10) || 0;
    var isLastPage = data.isLastPage === "true";
    var postsBox = document.querySelector(".posts");
    var replyForm = document.getElementById("reply-form");
    var unseen = [];
    var elsewhere = 0;
    var loading = false;
    var again = false;
    var typists = {};
    var lastTypingSent = 0;

    function nearBottom() {
      var doc = document.documentElement;
      return window.innerHeight + window.pageYOffset >= doc.scrollHeight - 150;
    }

    function showBanner() {
      if (!isLastPage) {
        setBanner(elsewhere ? format(data.msgNewElsewhere, "n", String(elsewhere)) : "");
        return;
      }
      setBanner(unseen.length ? format(data.msgNew, "n", String(unseen.length)) : "");
    }

    function lockReplies() {
      if (!replyForm || replyForm.getAttribute("data-locked")) { return; }
      replyForm.setAttribute("data-locked", "1");
      var controls = replyForm.querySelectorAll("textarea, input, button");
      for (var i = 0; i < controls.length; i++) { controls[i].disabled = true; }
      var note = document.createElement("p");
      note.className = "flash flash-error";
      note.textContent = data.msgLocked;
      replyForm.parentNode.insertBefore(note, replyForm);
    }

    function catchUp() {
      if (loading) { again = true; return; }
      loading = true;
      var more = false;
      var url = API + "/threads/" + threadId + "/posts?include=fragment&limit=50&after=" + lastNumber;
      getJSON(url, function (answer) {
        var atBottom = nearBottom();
        var posts = answer.posts || [];
        for (var i = 0; i < posts.length; i++) {
          var post = posts[i];
          if (post.number <= lastNumber) { continue; }
          lastNumber = post.number;
          if (!isLastPage) { elsewhere += 1; continue; }
          if (document.getElementById("p" + post.number)) { continue; }
          postsBox.insertAdjacentHTML("beforeend", post.fragment_html);
          if (!atBottom) { unseen.push("p" + post.number); }
        }
        if (answer.can_reply === false) { lockReplies(); }
        showBanner();
        more = posts.length === 50;
      }, function () {
        /* Only once this request is over (even failed): no overlapping fetches, none lost. */
        loading = false;
        if (more || again) { again = false; catchUp(); }
      });
    }

    function refreshPost(event) {
      if (!document.getElementById("p" + event.number)) { return; }
      getJSON(API + "/posts/" + event.post_id + "?include=fragment", function (answer) {
        /* Look it up again: an earlier answer may have replaced (detached) the element. */
        var article = document.getElementById("p" + event.number);
        if (article && answer.fragment_html) { article.outerHTML = answer.fragment_html; }
      });
    }

    function renderTypists() {
      var names = [];
      var now = Date.now();
      for (var handle in typists) {
        if (typists[handle].until > now) { names.push(typists[handle].name); } else { delete typists[handle]; }
      }
      typingBox.textContent = names.length ? format(data.msgTyping, "name", names.join("、")) : "";
    }

    banner.addEventListener("click", function () {
      var target = unseen.length ? document.getElementById(unseen[0]) : null;
      if (!isLastPage) { window.location.href = data.lastPageUrl; return; }
      unseen = [];
      showBanner();
      if (target) {
        target.scrollIntoView();
        var link = target.querySelector(".post-number");
        if (link) { link.focus(); }
      }
    });
    window.addEventListener("scroll", function () {
      if (unseen.length && nearBottom()) { unseen = []; showBanner(); }
    });
    window.setInterval(renderTypists, Math.min(1000, TYPING_SHOW_MS));

    if (replyForm) {
      var box = replyForm.querySelector("textarea");
      if (box) {
        box.addEventListener("input", function () {
          var now = Date.now();
          if (socket && socket.connected && now - lastTypingSent > TYPING_SEND_MS) {
            lastTypingSent = now;
            socket.emit("typing", { thread_id: threadId });
          }
        });
      }
    }

    connect(
      function () {
        socket.emit("join_thread", { thread_id: threadId }, function (ack) {
          if (ack && ack.ok && ack.last_number > lastNumber) { catchUp(); }
        });
      },
      {
        post_created: function (event) {
          if (event.thread_id === threadId && event.number > lastNumber) { catchUp(); }
        },
        post_updated: refreshPost,
        post_deleted: refreshPost,
        post_hidden: refreshPost,
        thread_updated: function () { catchUp(); },
        typing: function (event) {
          if (event.thread_id !== threadId) { return; }
          typists[event.user.handle] = { name: event.user.name, until: Date.now() + TYPING_SHOW_MS };
          renderTypists();
        }
      },
      catchUp
    );
  }

  /* ---------------------------------------------------------------- board page */
  function boardPage() {
    var count = 0;
    function activity() {
      count += 1;
      setBanner(format(data.msgActivity, "n", String(count)));
    }
    banner.addEventListener("click", function () { window.location.href = data.boardUrl; });
    connect(
      function () { socket.emit("join_board", { slug: data.board }); },
      { thread_created: activity, thread_bumped: activity },
      function () { /* the board list is refreshed by reloading */ }
    );
  }

  if (data.kind === "thread") { threadPage(); } else if (data.kind === "board") { boardPage(); }
})();
