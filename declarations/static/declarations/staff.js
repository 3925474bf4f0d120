// Staff detail page: a click on an image toggles a zoomed view in place
// (the link still opens the original in a new tab without JavaScript).
document.querySelectorAll(".zoomable a").forEach(function (link) {
  link.addEventListener("click", function (event) {
    event.preventDefault();
    var figure = link.closest(".zoomable");
    var zoomed = figure.classList.toggle("zoomed");
    link.setAttribute("aria-expanded", zoomed ? "true" : "false");
  });
});
