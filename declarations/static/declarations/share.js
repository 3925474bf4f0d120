/* "Chia sẻ": the phone's share sheet (Web Share API) where the browser has
   it; otherwise the link stays visible with a "Sao chép" (copy) button. */
(function () {
  "use strict";
  document.querySelectorAll(".share-box").forEach(function (box) {
    var url = box.dataset.shareUrl;
    var title = box.dataset.shareTitle;
    var shareButton = box.querySelector(".share-button");
    var fallback = box.querySelector(".share-fallback");
    var input = box.querySelector("input");
    var status = box.querySelector(".copy-status");
    var copyButton = box.querySelector(".copy-button");
    var data = {title: title, url: url};
    if (navigator.share && (!navigator.canShare || navigator.canShare(data))) {
      shareButton.hidden = false;
      fallback.hidden = true;
      shareButton.addEventListener("click", function () {
        navigator.share(data).catch(function (error) {
          if (error && error.name === "AbortError") { return; }
          fallback.hidden = false;
        });
      });
    }
    copyButton.addEventListener("click", function () {
      function done() { status.textContent = copyButton.dataset.copied || "Đã sao chép đường dẫn."; }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(url).then(done, function () { input.select(); document.execCommand("copy"); done(); });
      } else {
        input.focus(); input.select(); document.execCommand("copy"); done();
      }
    });
  });
})();
