// The plain chat page. Every text is shown with textContent, never as HTML.
(function () {
  "use strict";
  var transcript = document.getElementById("transcript");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var busy = false;

  function addMessage(who, text) {
    var item = document.createElement("div");
    item.className = "msg " + who;
    var label = document.createElement("span");
    label.className = "who";
    label.textContent = who === "bot" ? "Companion says: " : "You said: ";
    item.appendChild(label);
    item.appendChild(document.createTextNode(text));
    transcript.appendChild(item);
    transcript.scrollTop = transcript.scrollHeight;
  }

  function addButtons(buttons) {
    if (!buttons || !buttons.length) { return; }
    var group = document.createElement("div");
    group.className = "buttons";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Answer choices");
    buttons.forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = b.title;
      button.addEventListener("click", function () {
        send({ payload: b.payload }, b.title);
      });
      group.appendChild(button);
    });
    transcript.appendChild(group);
  }

  function send(body, shown) {
    if (busy) { return; }
    busy = true;
    if (shown) { addMessage("me", shown); }
    fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json();
    }).then(function (data) {
      (data.messages || []).forEach(function (m) {
        if (m.text) { addMessage("bot", m.text); }
        addButtons(m.buttons);
      });
    }).catch(function () {
      addMessage("bot", "Sorry, I can't answer right now. Please try again in a few minutes.");
    }).then(function () { busy = false; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    send({ text: text }, text);
  });

  var code = new URLSearchParams(window.location.search).get("code");
  if (code && /^[A-Za-z0-9-]{3,20}$/.test(code)) {
    send({ payload: "/start_review" + JSON.stringify({ review_code: code }) });
  } else {
    send({ payload: "/greet" });
  }
})();
