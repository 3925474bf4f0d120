/* Trợ lý hỏi đáp: send the question with fetch and append the reply to the log.
 * Without JavaScript the form posts normally and the page shows the reply. */
(function () {
  "use strict";
  var form = document.getElementById("chat-form");
  var log = document.getElementById("chat-log");
  if (!form || !log || !window.fetch) return;
  var input = form.querySelector("input[name=q]");
  var button = form.querySelector("button[type=submit]");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function link(href, text, className) {
    var a = el("a", className, text);
    a.href = href;
    return a;
  }

  function paragraphs(parent, text) {
    text.split(/\n\s*\n/).forEach(function (block) {
      var p = el("p");
      block.split("\n").forEach(function (line, i) {
        if (i) p.appendChild(document.createElement("br"));
        p.appendChild(document.createTextNode(line));
      });
      parent.appendChild(p);
    });
  }

  function showReply(data) {
    var bot = el("div", "chat-msg chat-bot" + (data.confident ? "" : " chat-unsure"));
    if (data.confident) {
      var label = el("p", "chat-source-label", data.source_label + ": ");
      label.appendChild(el("strong", null, data.source.title));
      bot.appendChild(label);
      var answer = el("div", "chat-answer");
      paragraphs(answer, data.answer);
      bot.appendChild(answer);
      var source = el("p", "chat-source");
      source.appendChild(link(data.source.url, form.dataset.sourceLabel));
      bot.appendChild(source);
    } else {
      bot.appendChild(el("p", null, form.dataset.unsure));
      bot.appendChild(el("p", null, form.dataset.unsureMore));
      var actions = el("p", "chat-actions");
      actions.appendChild(link(form.dataset.askUrl, form.dataset.askLabel, "button"));
      actions.appendChild(document.createTextNode(" "));
      actions.appendChild(link(form.dataset.tel, form.dataset.telLabel, "button"));
      bot.appendChild(actions);
    }
    if (data.related && data.related.length) {
      bot.appendChild(el("p", "chat-related-title",
        data.confident ? form.dataset.relatedLabel : form.dataset.relatedUnsureLabel));
      var list = el("ul", "chat-related");
      data.related.forEach(function (item) {
        var li = el("li");
        li.appendChild(link(item.url, item.title));
        list.appendChild(li);
      });
      bot.appendChild(list);
    }
    log.appendChild(bot);
    bot.scrollIntoView({ block: "nearest" });
  }

  form.addEventListener("submit", function (event) {
    var question = input.value.trim();
    if (!question) return; // let the server show the "required" error
    event.preventDefault();
    var user = el("div", "chat-msg chat-user");
    user.appendChild(el("p", null, question));
    log.appendChild(user);
    button.disabled = true;
    fetch(form.dataset.api, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.detail || form.dataset.error);
        return data;
      });
    }).then(function (data) {
      showReply(data);
      input.value = "";
    }).catch(function (error) {
      var bot = el("div", "chat-msg chat-bot chat-unsure");
      bot.appendChild(el("p", null, error.message || form.dataset.error));
      log.appendChild(bot);
    }).finally(function () {
      button.disabled = false;
      input.focus();
    });
  });
})();
