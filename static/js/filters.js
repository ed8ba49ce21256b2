/* The listing filters (templates/structured/_filters.html): the 都道府県 choices follow the 地方
 * chosen, as the server does when the form is sent (it offers only that 地方's prefectures, and
 * keeps the prefecture when the two disagree). Without JavaScript the page works the same after
 * sending the form. ES5. */
(function () {
  "use strict";

  function follow(block, prefecture, regions) {
    var region = block.value;
    for (var i = 0; i < prefecture.options.length; i++) {
      var option = prefecture.options[i];
      if (!option.value) { continue; }
      var off = region !== "" && regions[option.value] !== region;
      option.hidden = off;
      option.disabled = off;
      if (off && option.selected) { prefecture.value = ""; }
    }
  }

  /* a phone: the filter choices (when none is in use) and the map fold away, so that the first
     results come soon after the keyword box */
  function fold() {
    if (!window.matchMedia || !window.matchMedia("(max-width: 40em)").matches) { return; }
    var folded = document.querySelectorAll("details[data-fold-on-phone='yes']");
    for (var i = 0; i < folded.length; i++) { folded[i].open = false; }
  }

  function start() {
    fold();
    var prefecture = document.getElementById("f-prefecture");
    var block = document.getElementById("f-block");
    if (!prefecture || !block) { return; }
    var regions;
    try { regions = JSON.parse(prefecture.getAttribute("data-regions") || "{}"); } catch (e) { return; }
    block.addEventListener("change", function () { follow(block, prefecture, regions); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
