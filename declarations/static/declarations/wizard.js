/* Progressive enhancement of the registration wizard; it all works without it. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // After a refused step the page starts at the top; move focus (and the view) to the
  // first error so keyboard and screen-reader users land on what must be fixed.
  var firstError = document.querySelector("form .form-errors, form [aria-invalid=true], form .field-errors");
  if (firstError) {
    if (firstError.classList.contains("field-errors")) {
      var fieldset = firstError.closest("fieldset");
      var choice = fieldset && fieldset.querySelector("input");
      if (choice) { firstError = choice; }
    }
    if (!firstError.matches("input, select, textarea")) { firstError.setAttribute("tabindex", "-1"); }
    firstError.focus();
  }

  // One click on "Gửi"/"Tiếp tục" sends one request (the server also guards).
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sending === "1") { event.preventDefault(); return; }
      form.dataset.sending = "1";
      var submitter = event.submitter;
      if (submitter && submitter.name === "action") {
        var hidden = document.createElement("input");
        hidden.type = "hidden"; hidden.name = "action"; hidden.value = submitter.value;
        form.appendChild(hidden);
      }
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    });
  });

  // Coming back with the browser's back button restores a usable page.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form").forEach(function (form) {
      form.dataset.sending = "";
      form.querySelectorAll("input[type=hidden][name=action]").forEach(function (h) { h.remove(); });
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
    });
  });

  // Preview a chosen photo before it is uploaded.
  document.querySelectorAll("input[type=file][accept]").forEach(function (input) {
    input.addEventListener("change", function () {
      var target = document.querySelector("[data-preview-for='" + input.id + "']");
      if (!target || !input.files || !input.files[0] || !window.URL) { return; }
      var img = document.createElement("img");
      img.alt = "";
      img.setAttribute("data-preview-for", input.id);
      img.src = URL.createObjectURL(input.files[0]);
      target.replaceWith(img);
    });
  });

  // Office picker: load the district offices when the province changes.
  var form = document.getElementById("office-form");
  if (!form) { return; }
  var province = form.querySelector("#id_province");
  var office = form.querySelector("#id_office");
  var wrapper = form.querySelector(".office-field");
  var hint = form.querySelector(".office-hint");
  if (!province || !office) { return; }
  province.addEventListener("change", function () {
    var code = province.value;
    office.length = 1;
    if (!code) { return; }
    fetch(form.dataset.officesUrl + "?province=" + encodeURIComponent(code), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : {offices: []}; })
      .then(function (data) {
        data.offices.forEach(function (o) {
          var option = document.createElement("option");
          option.value = o.code; option.textContent = o.label;
          office.appendChild(option);
        });
        if (wrapper) { wrapper.hidden = false; }
        if (hint) { hint.hidden = true; }
      });
  });
})();
