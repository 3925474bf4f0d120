/* Passkeys (WebAuthn): sign-in on /dang-nhap/ and "Thêm khoá" on the account
   page. The forms stay hidden unless the browser has PublicKeyCredential;
   options come from the server as JSON with base64url strings, converted here
   to the ArrayBuffers the WebAuthn API wants, and the answer goes back as JSON
   with the page's CSRF token. */
(function () {
  "use strict";

  function toBuffer(value) {
    var base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    if (!buffer) return null;
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(form, url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(form) },
      body: body === undefined ? "{}" : JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.detail || response.statusText);
        return data;
      });
    });
  }

  function showError(message) {
    var box = document.getElementById("passkey-error");
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
  }

  function credentialJSON(credential) {
    var response = credential.response;
    var json = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults
        ? credential.getClientExtensionResults()
        : {},
      response: { clientDataJSON: toBase64url(response.clientDataJSON) },
    };
    if (credential.authenticatorAttachment) {
      json.authenticatorAttachment = credential.authenticatorAttachment;
    }
    if (response.attestationObject) {
      json.response.attestationObject = toBase64url(response.attestationObject);
      if (response.getTransports) json.response.transports = response.getTransports();
    } else {
      json.response.authenticatorData = toBase64url(response.authenticatorData);
      json.response.signature = toBase64url(response.signature);
      json.response.userHandle = toBase64url(response.userHandle);
    }
    return json;
  }

  function creationOptions(options) {
    options.challenge = toBuffer(options.challenge);
    options.user.id = toBuffer(options.user.id);
    (options.excludeCredentials || []).forEach(function (c) { c.id = toBuffer(c.id); });
    return options;
  }

  function requestOptions(options) {
    options.challenge = toBuffer(options.challenge);
    (options.allowCredentials || []).forEach(function (c) { c.id = toBuffer(c.id); });
    return options;
  }

  function failed(error) {
    if (error && error.name === "NotAllowedError") {
      showError(document.documentElement.lang === "en"
        ? "Cancelled or timed out. Please try again."
        : "Đã huỷ hoặc hết thời gian. Vui lòng thử lại.");
    } else {
      showError(error && error.message ? error.message : String(error));
    }
  }

  function wire(form, start) {
    // A plain button (not a second submit button in the page's forms): the
    // form only carries the URLs and the CSRF token.
    var button = form.querySelector("button");
    form.hidden = false;
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    button.addEventListener("click", function () {
      button.disabled = true;
      start(form).then(function (data) {
        window.location.assign(data.redirect || "/");
      }).catch(function (error) {
        button.disabled = false;
        failed(error);
      });
    });
  }

  if (!window.PublicKeyCredential || !navigator.credentials) return;
  var unsupported = document.getElementById("passkey-unsupported");
  if (unsupported) unsupported.hidden = true;

  var signIn = document.getElementById("passkey-sign-in");
  if (signIn) {
    wire(signIn, function (form) {
      return post(form, form.dataset.optionsUrl).then(function (data) {
        return navigator.credentials.get({ publicKey: requestOptions(JSON.parse(data.options)) });
      }).then(function (credential) {
        return post(form, form.dataset.url, credentialJSON(credential));
      });
    });
  }

  var register = document.getElementById("passkey-register");
  if (register) {
    wire(register, function (form) {
      return post(form, form.dataset.optionsUrl).then(function (data) {
        return navigator.credentials.create({ publicKey: creationOptions(JSON.parse(data.options)) });
      }).then(function (credential) {
        return post(form, form.dataset.url, credentialJSON(credential));
      });
    });
  }
})();
