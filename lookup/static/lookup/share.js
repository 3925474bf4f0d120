// "Sao chép liên kết": copies the result page's address. Without JavaScript
// the link itself is there to long-press or copy by hand.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!source) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = source.getAttribute("href") || source.textContent;
      var done = function () {
        if (status) status.textContent = button.getAttribute("data-copied-text");
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { fallback(text, done); });
      } else {
        fallback(text, done);
      }
    });
  });

  function fallback(text, done) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); done(); } catch (e) { /* the link stays visible */ }
    document.body.removeChild(area);
  }
})();
