/* Kyoso read positions: tells the server how far the signed-in reader has read this thread, so
 * that tracked and watched threads show "新着 N" elsewhere. A post counts as read once its end,
 * half of it, or 40 % of the window's height of it has been on screen; replies that arrive live count
 * when they scroll into view. Reports are debounced, sent only while the page is visible, and
 * carry just the highest post number seen; the server keeps the maximum. Without
 * IntersectionObserver the posts on the page count as read when it loads. The GET of the page
 * never writes. ES5. */
(function () {
  "use strict";
  var root = document.getElementById("read-position");
  var box = document.querySelector(".posts");
  if (!root || !box || !window.kyoso || !window.JSON) { return; }
  var DEBOUNCE_MS = window.kyoso.timing("readpos-debounce-ms", 2000);
  var RETRY_MS = window.kyoso.timing("readpos-retry-ms", 30000);
  var url = root.getAttribute("data-url");
  var token = root.getAttribute("data-csrf");
  var seen = 0;
  var sent = 0;
  var timer = null;
  var inFlight = false;

  function numberOf(element) {
    var match = /^p(\d+)$/.exec(element.id || "");
    return match ? parseInt(match[1], 10) : 0;
  }

  function schedule(delay) {
    if (timer === null) { timer = window.setTimeout(flush, delay); }
  }

  function saw(number) {
    if (number > seen) { seen = number; schedule(DEBOUNCE_MS); }
  }

  function flush() {
    timer = null;
    if (seen <= sent || document.hidden) { return; } /* visibilitychange sends it later */
    if (inFlight) { schedule(DEBOUNCE_MS); return; }
    var number = seen;
    inFlight = true;
    window.kyoso.postJSON(url, { number: number }, token, null, function (status) {
      inFlight = false;
      /* 404/422: nothing to retry; other failures (offline, 429, 5xx): try again later */
      if ((status >= 200 && status < 300) || status === 404 || status === 422) {
        sent = Math.max(sent, number);
        if (seen > sent) { schedule(DEBOUNCE_MS); }
      } else {
        schedule(RETRY_MS);
      }
    });
  }

  /* Leaving the page: send what is left, if the browser can keep the request alive. */
  function flushOnLeave() {
    if (seen <= sent || typeof window.fetch !== "function") { return; }
    sent = seen;
    window.fetch(url, {
      method: "POST", keepalive: true, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ number: seen })
    })["catch"](function () { /* nothing more to do while leaving */ });
  }

  function articles(node) {
    if (node.nodeType !== 1) { return []; }
    if (numberOf(node) && node.tagName === "ARTICLE") { return [node]; }
    return node.querySelectorAll ? node.querySelectorAll("article[id]") : [];
  }

  /* Read: its end is on screen, or half of it, or it fills a good part of the window. */
  function isRead(entry) {
    if (!entry.isIntersecting) { return false; }
    var view = entry.rootBounds ? entry.rootBounds.height : window.innerHeight;
    var bottom = entry.rootBounds ? entry.rootBounds.bottom : window.innerHeight;
    return entry.intersectionRatio >= 0.5 || entry.intersectionRect.height >= view * 0.4 ||
      (entry.boundingClientRect.bottom <= bottom && entry.intersectionRect.height > 0);
  }

  var observer = null;
  if (typeof window.IntersectionObserver === "function") {
    var steps = [];
    for (var s = 0; s <= 20; s++) { steps.push(s / 20); }
    observer = new window.IntersectionObserver(function (entries) {
      for (var i = 0; i < entries.length; i++) {
        if (isRead(entries[i])) {
          saw(numberOf(entries[i].target));
          observer.unobserve(entries[i].target);
        }
      }
    }, { threshold: steps });
  }

  function watch(list) {
    for (var i = 0; i < list.length; i++) {
      if (observer) { observer.observe(list[i]); } else { saw(numberOf(list[i])); }
    }
  }

  watch(articles(box));
  if (typeof window.MutationObserver === "function") {
    /* replies that live.js appends (and posts it replaces after an edit) */
    new window.MutationObserver(function (mutations) {
      for (var i = 0; i < mutations.length; i++) {
        var added = mutations[i].addedNodes;
        for (var j = 0; j < added.length; j++) { watch(articles(added[j])); }
      }
    }).observe(box, { childList: true });
  }
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) { flushOnLeave(); } else if (seen > sent) { schedule(DEBOUNCE_MS); }
  });
  window.addEventListener("pagehide", flushOnLeave);
}());
