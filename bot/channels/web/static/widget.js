/*
 * The co-production companion chat widget. Plain JavaScript, no build step.
 *
 * Embed on any page served next to bot.server (same origin):
 *   <div id="copro-chat"></div>
 *   <script src="/static/widget.js" defer></script>
 *
 * Safety: every text (the assistant's and the person's) is shown with
 * textContent, never as HTML. No inline scripts or styles (a strict CSP holds).
 * Continuity: the transcript is kept in sessionStorage (this tab only); the
 * signed session cookie keeps the conversation with the assistant. That cookie
 * ends when the browser closes, unless the person chooses "Keep me signed in
 * on this device" (POST /api/keep-signed-in).
 */
(function () {
  "use strict";

  var SCRIPT_URL = (document.currentScript && document.currentScript.src) || window.location.href;
  var CHAT_URL = new URL("../api/chat", SCRIPT_URL).href;
  var WAITING_URL = new URL("../api/waiting", SCRIPT_URL).href;
  var START_AGAIN_URL = new URL("../api/start-again", SCRIPT_URL).href;
  var KEEP_URL = new URL("../api/keep-signed-in", SCRIPT_URL).href;
  var CSS_URL = new URL("widget.css", SCRIPT_URL).href;
  var STORE_KEY = "copro-chat";
  var SIZES = [100, 125, 150, 175, 200, 250];
  var MAX_KEPT = 300;

  // Everything the widget itself says. Easy read: short sentences, a symbol on every button.
  var WORDS = {
    open: "💬 Open chat",
    landmark: "Chat with the co-production companion",
    title: "Tell us how it went",
    intro: "Hello 👋 Press a button to start. Or type a message.",
    close: "✖️ Close chat",
    settings: "Chat settings",
    bigger: "🔠 Bigger text",
    smaller: "🔡 Smaller text",
    size: "Text size: ",
    contrast: "🌓 High contrast",
    autoRead: "🗣️ Read new messages",
    stop: "⏹️ Stop reading",
    startAgain: "🔄 Start again",
    confirm: "Start the chat again? Your saved answers stay saved.",
    yesStartAgain: "✅ Yes, start again",
    noGoBack: "↩️ No, go back",
    keep: "🔒 Keep me signed in on this device",
    keepWhy: [
      "Is this your own phone or computer?",
      "Then the chat can remember you for 30 days.",
      "Is this a shared computer? Then say no.",
      "The chat will sign you out when the browser closes."
    ],
    keepYes: "✅ Yes, keep me signed in",
    keepNo: "❌ No, sign me out when I close",
    keepBack: "↩️ Go back",
    keepOn: "🔒 You stay signed in on this device.",
    keepOff: "🚪 You are signed out when the browser closes.",
    keepFailed: "Sorry, that did not work 😔 Please try again.",
    log: "Conversation",
    botSays: "Companion says: ",
    youSaid: "You said: ",
    readAloud: "🔊 Read aloud",
    choices: "Your choices:",
    simpler: "🐢 Say it more simply",
    message: "Your message",
    hint: "Type here, then press Send. Or press a button.",
    send: "📨 Send",
    busy: "⏳ Writing an answer…",
    // Shown when the chat server cannot be reached at all: the help line goes with it.
    unavailable: "Sorry, I can't answer right now 😔 Please try again in a few minutes.\n\n" +
      "If you are in danger now, call 999. Childline is free: 0800 1111.",
    sayHello: "👋 Say hello",
    review: "📝 Review a meeting"
  };

  // A button title that starts with a symbol: the symbol, then the words.
  var LEADING_SYMBOL = /^([^\p{L}\p{N}\s]+)\s+(\S.*)$/su;
  // Symbols are skipped when reading aloud: the words carry the meaning.
  var NOT_SPOKEN = /[\p{Extended_Pictographic}\u{1F1E6}-\u{1F1FF}\uFE0F\u200D\u20E3]/gu;
  var REVIEW_CODE = /^[A-Za-z0-9-]{3,20}$/;

  var speech = window.speechSynthesis && window.SpeechSynthesisUtterance
    ? window.speechSynthesis : null;
  var state = loadState();
  var busy = false;
  var counter = 0;
  var remembered = null; // the control that had focus when the chat was closed
  var closedScroll = null; // where the transcript was scrolled to when it was closed
  var ui = {};

  // ---- Building blocks ----------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === false || value === null || value === undefined) { return; }
      if (name === "text") { node.textContent = value; }
      else if (name === "className") { node.className = value; }
      else { node.setAttribute(name, value === true ? "" : String(value)); }
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  // "✅ Yes" becomes a symbol (hidden from screen readers) and the word "Yes".
  function setLabel(node, title) {
    node.textContent = "";
    var match = LEADING_SYMBOL.exec(title);
    if (!match) {
      node.appendChild(el("span", { className: "copro-word", text: title }));
      return;
    }
    node.appendChild(el("span", { className: "copro-symbol", "aria-hidden": "true", text: match[1] }));
    node.appendChild(el("span", { className: "copro-word", text: match[2] }));
  }

  function button(title, className, onPress, attrs) {
    var node = el("button", Object.assign({ type: "button", className: "copro-btn " + className }, attrs));
    setLabel(node, title);
    node.addEventListener("click", function (event) {
      if (node.getAttribute("aria-disabled") === "true") { event.preventDefault(); return; }
      onPress(event);
    });
    return node;
  }

  // ---- Kept state (this tab only) ---------------------------------------------

  function isText(value) { return typeof value === "string"; }

  function cleanChoices(list) {
    return (Array.isArray(list) ? list : []).filter(function (c) {
      return c && isText(c.title) && isText(c.payload) && c.title && c.payload;
    }).map(function (c) { return { title: c.title, payload: c.payload }; });
  }

  function loadState() {
    var fresh = { open: false, size: 100, contrast: null, autoRead: false, messages: [], choices: [] };
    try {
      var kept = JSON.parse(window.sessionStorage.getItem(STORE_KEY) || "null");
      if (!kept || typeof kept !== "object") { return fresh; }
      fresh.open = kept.open === true;
      fresh.size = SIZES.indexOf(kept.size) >= 0 ? kept.size : 100;
      fresh.contrast = typeof kept.contrast === "boolean" ? kept.contrast : null;
      fresh.autoRead = kept.autoRead === true;
      fresh.messages = (Array.isArray(kept.messages) ? kept.messages : []).filter(function (m) {
        return m && (m.who === "bot" || m.who === "me") && isText(m.text);
      }).slice(-MAX_KEPT);
      fresh.choices = cleanChoices(kept.choices);
    } catch (error) { /* storage blocked or broken: start fresh */ }
    return fresh;
  }

  function saveState() {
    state.messages = state.messages.slice(-MAX_KEPT);
    try { window.sessionStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (error) { /* not kept */ }
  }

  // ---- Reading aloud -------------------------------------------------------------

  function readAloud(texts) {
    if (!speech) { return; }
    speech.cancel();
    texts.forEach(function (text) {
      var words = text.replace(NOT_SPOKEN, "").replace(/\s+/g, " ").trim();
      if (!words) { return; }
      var utterance = new window.SpeechSynthesisUtterance(words);
      utterance.lang = "en-GB";
      utterance.rate = 0.9;
      speech.speak(utterance);
    });
  }

  function stopReading() {
    if (speech) { speech.cancel(); }
  }

  // ---- The transcript --------------------------------------------------------------

  function messageNode(message) {
    counter += 1;
    var id = "copro-text-" + counter;
    var mine = message.who === "me";
    var text = el("p", { className: "copro-text", id: id }, [
      el("span", { className: "copro-vh", text: mine ? WORDS.youSaid : WORDS.botSays }),
      document.createTextNode(message.text)
    ]);
    // The person's own words are not announced again: only the assistant's are.
    var node = el("div", { className: "copro-msg copro-msg--" + (mine ? "me" : "bot"), "aria-live": mine ? "off" : null }, [text]);
    if (!mine && speech) {
      var tools = el("div", { className: "copro-msg-tools", "aria-live": "off" }, [
        button(WORDS.readAloud, "copro-btn--small copro-read", function () { readAloud([message.text]); },
          { "aria-describedby": id })
      ]);
      node.appendChild(tools);
    }
    return node;
  }

  function addMessages(messages) {
    if (!messages.length) { return; }
    var log = ui.log;
    var nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    var first = null;
    messages.forEach(function (message) {
      state.messages.push(message);
      var node = messageNode(message);
      first = first || node;
      log.appendChild(node);
    });
    ui.intro.hidden = true;
    // Show the start of the new messages; never move focus.
    if (nearBottom || messages[0].who === "me") {
      log.scrollTop = Math.max(0, first.offsetTop - 8);
    }
  }

  // ---- Choices (the buttons the assistant offers) ----------------------------------

  function starterChoices() {
    var code = reviewCode();
    return [
      { title: WORDS.review, payload: code ? "/start_review" + JSON.stringify({ review_code: code }) : "/start_review" },
      { title: WORDS.sayHello, payload: "/greet" }
    ];
  }

  function shownChoices() {
    if (state.choices.length) { return state.choices; }
    return state.messages.length ? [] : starterChoices();
  }

  function renderChoices() {
    var list = ui.choiceList;
    list.textContent = "";
    var choices = shownChoices();
    choices.forEach(function (choice) {
      list.appendChild(button(choice.title, "copro-choice", function () { pressChoice(choice); }));
    });
    ui.choices.hidden = choices.length === 0;
  }

  function pressChoice(choice) {
    if (busy) { return; }
    Array.prototype.forEach.call(ui.choiceList.querySelectorAll("button"), function (node) {
      node.setAttribute("aria-disabled", "true");
    });
    send({ payload: choice.payload }, choice.title);
  }

  // Where to answer next: the first choice, or else the message box.
  function focusAnswerPlace() {
    var first = ui.choiceList.querySelector("button");
    (first && !ui.choices.hidden ? first : ui.input).focus();
  }

  // ---- Talking to the assistant -------------------------------------------------------

  function setBusy(value) {
    busy = value;
    ui.busy.hidden = !value;
    ui.log.setAttribute("aria-busy", value ? "true" : "false");
  }

  // Whether the server answered 2xx, and its messages (null when there were none to show).
  function post(url, body) {
    return window.fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().then(function (data) {
        var messages = data && Array.isArray(data.messages) ? data.messages : null;
        return { ok: response.ok, messages: messages, kept: !!(data && data.kept === true) };
      });
    }).catch(function () { return { ok: false, messages: null }; });
  }

  function send(body, shown) {
    if (busy) { return; }
    setBusy(true);
    if (shown && shown.trim()) { addMessages([{ who: "me", text: shown }]); }
    saveState();
    // Nothing sent (an empty message) or no answer: the choices on offer stay.
    var blank = typeof body.text === "string" && !body.text.trim();
    post(CHAT_URL, body).then(function (reply) {
      var messages = reply.messages || [{ text: WORDS.unavailable, buttons: [] }];
      receive(messages, blank || !reply.ok || !reply.messages);
      setBusy(false);
      if (reply.kept) { waitForKept(); }
    });
  }

  // The message was kept while the assistant could not take it: its answer comes
  // later. Ask every 5 seconds, for up to 2 minutes, until something arrives.
  var keptTimer = null;
  function waitForKept() {
    var tries = 0;
    if (keptTimer) { window.clearInterval(keptTimer); }
    keptTimer = window.setInterval(function () {
      tries += 1;
      post(WAITING_URL, {}).then(function (reply) {
        var arrived = reply.ok && reply.messages && reply.messages.length;
        if (arrived) { receive(reply.messages, true); }
        if ((arrived || tries >= 24) && keptTimer) {
          window.clearInterval(keptTimer);
          keptTimer = null;
        }
      });
    }, 5000);
  }

  function receive(messages, keepChoices) {
    // Focus only moves when the control that had it goes away (an old choice).
    var focusWasOnChoice = ui.choiceList.contains(document.activeElement);
    var said = messages.filter(function (m) { return m && isText(m.text) && m.text; })
      .map(function (m) { return { who: "bot", text: m.text }; });
    addMessages(said);
    if (keepChoices) {
      Array.prototype.forEach.call(ui.choiceList.querySelectorAll("button"), function (node) {
        node.removeAttribute("aria-disabled");
      });
    } else {
      var choices = [];
      messages.forEach(function (m) { choices = choices.concat(cleanChoices(m && m.buttons)); });
      state.choices = choices;
      renderChoices();
      if (focusWasOnChoice) { focusAnswerPlace(); }
    }
    saveState();
    if (state.autoRead) {
      readAloud(said.map(function (m) { return m.text; }));
    }
  }

  // ---- Settings ---------------------------------------------------------------------------

  function applySize() {
    var index = SIZES.indexOf(state.size);
    ui.root.setAttribute("data-size", String(state.size));
    ui.sizeStatus.textContent = WORDS.size + state.size + "%";
    ui.bigger.setAttribute("aria-disabled", String(index === SIZES.length - 1));
    ui.smaller.setAttribute("aria-disabled", String(index === 0));
  }

  function changeSize(step) {
    var index = SIZES.indexOf(state.size) + step;
    if (index < 0 || index >= SIZES.length) { return; }
    state.size = SIZES[index];
    applySize();
    saveState();
  }

  function contrastOn() {
    if (state.contrast !== null) { return state.contrast; }
    return Boolean(window.matchMedia && window.matchMedia("(prefers-contrast: more)").matches);
  }

  function applyTheme() {
    var on = contrastOn();
    ui.root.setAttribute("data-theme", on ? "contrast" : "default");
    ui.contrast.setAttribute("aria-pressed", String(on));
  }

  function applyAutoRead() {
    if (ui.autoRead) { ui.autoRead.setAttribute("aria-pressed", String(state.autoRead)); }
  }

  // ---- Staying signed in on this device ------------------------------------------------

  // The choice lives in the signed session on the server: ask it, or tell it.
  function keepRequest(keep) {
    var options = { method: "GET", credentials: "same-origin" };
    if (typeof keep === "boolean") {
      options = {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify({ keep: keep })
      };
    }
    return window.fetch(KEEP_URL, options).then(function (response) {
      return response.json().then(function (data) {
        return response.ok && data && typeof data.keep === "boolean" ? data.keep : null;
      });
    }).catch(function () { return null; });
  }

  function showKept(keep) {
    if (keep === null) {
      ui.keepStatus.textContent = WORDS.keepFailed;
      return;
    }
    ui.keepStatus.textContent = keep ? WORDS.keepOn : WORDS.keepOff;
    ui.keepYes.setAttribute("aria-pressed", String(keep));
    ui.keepNo.setAttribute("aria-pressed", String(!keep));
  }

  function showKeepPanel() {
    hideConfirm(false);
    ui.keepPanel.hidden = false;
    ui.keep.setAttribute("aria-expanded", "true");
    keepRequest().then(showKept);
  }

  function hideKeepPanel(returnFocus) {
    ui.keepPanel.hidden = true;
    ui.keep.setAttribute("aria-expanded", "false");
    if (returnFocus) { ui.keep.focus(); }
  }

  function chooseKeep(keep) {
    keepRequest(keep).then(showKept);
  }

  // ---- Open, close, start again ---------------------------------------------------------

  // A message left for this person while they were away (a reply from staff).
  function checkWaiting() {
    post(WAITING_URL, {}).then(function (reply) {
      if (reply.ok && reply.messages && reply.messages.length) { receive(reply.messages, true); }
    });
  }

  function openChat(moveFocus) {
    checkWaiting();
    ui.panel.hidden = false;
    ui.launcher.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "true");
    state.open = true;
    // Reopened where it was; after a reload, at the newest messages.
    ui.log.scrollTop = closedScroll !== null ? closedScroll : ui.log.scrollHeight;
    saveState();
    if (!moveFocus) { return; }
    if (remembered && ui.panel.contains(remembered) && remembered.offsetParent !== null) {
      remembered.focus();
    } else {
      focusAnswerPlace();
    }
  }

  function closeChat() {
    remembered = ui.panel.contains(document.activeElement) ? document.activeElement : null;
    closedScroll = ui.log.scrollTop;
    stopReading();
    hideConfirm(false);
    hideKeepPanel(false);
    ui.panel.hidden = true;
    ui.launcher.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "false");
    state.open = false;
    saveState();
    ui.launcher.focus();
  }

  function showConfirm() {
    hideKeepPanel(false);
    ui.confirm.hidden = false;
    ui.startAgain.setAttribute("aria-expanded", "true");
  }

  function hideConfirm(returnFocus) {
    ui.confirm.hidden = true;
    ui.startAgain.setAttribute("aria-expanded", "false");
    if (returnFocus) { ui.startAgain.focus(); }
  }

  function startAgain() {
    if (busy) { return; }
    setBusy(true);
    stopReading();
    post(START_AGAIN_URL, {}).then(function (reply) {
      setBusy(false);
      if (!reply.ok || !reply.messages) {
        var kind = reply.messages && reply.messages[0] && reply.messages[0].text;
        addMessages([{ who: "bot", text: isText(kind) && kind ? kind : WORDS.unavailable }]);
        saveState();
        hideConfirm(true);
        return;
      }
      state.messages = [];
      state.choices = [];
      closedScroll = null;
      ui.log.textContent = "";
      ui.intro.hidden = false;
      renderChoices();
      saveState();
      hideConfirm(false);
      focusAnswerPlace();
    });
  }

  // ---- Building the widget ---------------------------------------------------------------

  function reviewCode() {
    var host = ui.host;
    var code = (host && host.getAttribute("data-review-code")) ||
      new URLSearchParams(window.location.search).get("code");
    return code && REVIEW_CODE.test(code) ? code : null;
  }

  function build(host) {
    ui.host = host;
    ui.launcher = button(WORDS.open, "copro-launcher", function () { openChat(true); },
      { "aria-expanded": "false", "aria-controls": "copro-panel" });

    ui.bigger = button(WORDS.bigger, "copro-tool", function () { changeSize(1); });
    ui.smaller = button(WORDS.smaller, "copro-tool", function () { changeSize(-1); });
    ui.sizeStatus = el("span", { className: "copro-size", role: "status" });
    ui.contrast = button(WORDS.contrast, "copro-tool", function () {
      state.contrast = !contrastOn();
      applyTheme();
      saveState();
    }, { "aria-pressed": "false" });
    var tools = [ui.bigger, ui.smaller, ui.sizeStatus, ui.contrast];
    if (speech) {
      ui.autoRead = button(WORDS.autoRead, "copro-tool", function () {
        state.autoRead = !state.autoRead;
        applyAutoRead();
        if (!state.autoRead) { stopReading(); }
        saveState();
      }, { "aria-pressed": "false" });
      tools.push(ui.autoRead, button(WORDS.stop, "copro-tool copro-stop", stopReading));
    }
    ui.startAgain = button(WORDS.startAgain, "copro-tool", function () {
      if (ui.confirm.hidden) { showConfirm(); } else { hideConfirm(false); }
    }, { "aria-expanded": "false", "aria-controls": "copro-confirm" });
    ui.keep = button(WORDS.keep, "copro-tool", function () {
      if (ui.keepPanel.hidden) { showKeepPanel(); } else { hideKeepPanel(false); }
    }, { "aria-expanded": "false", "aria-controls": "copro-keep" });
    tools.push(ui.startAgain, ui.keep);

    ui.confirm = el("div", { className: "copro-confirm", id: "copro-confirm", hidden: true }, [
      el("p", { text: WORDS.confirm }),
      el("div", { className: "copro-row" }, [
        button(WORDS.yesStartAgain, "copro-choice", startAgain),
        button(WORDS.noGoBack, "copro-choice", function () { hideConfirm(true); })
      ])
    ]);

    ui.keepStatus = el("p", { className: "copro-keep-status", role: "status" });
    ui.keepYes = button(WORDS.keepYes, "copro-choice", function () { chooseKeep(true); },
      { "aria-pressed": "false" });
    ui.keepNo = button(WORDS.keepNo, "copro-choice", function () { chooseKeep(false); },
      { "aria-pressed": "false" });
    ui.keepPanel = el("div", { className: "copro-confirm copro-keep", id: "copro-keep", hidden: true },
      WORDS.keepWhy.map(function (line) { return el("p", { text: line }); }).concat([
        ui.keepStatus,
        el("div", { className: "copro-row" }, [
          ui.keepYes,
          ui.keepNo,
          button(WORDS.keepBack, "copro-choice", function () { hideKeepPanel(true); })
        ])
      ]));

    ui.intro = el("p", { className: "copro-intro", text: WORDS.intro, hidden: state.messages.length > 0 });
    ui.log = el("div", {
      className: "copro-log", id: "copro-log", role: "log", "aria-live": "polite",
      "aria-relevant": "additions", "aria-label": WORDS.log, "aria-busy": "false", tabindex: "0"
    });
    state.messages.forEach(function (message) { ui.log.appendChild(messageNode(message)); });

    ui.busy = el("p", { className: "copro-busy", "aria-hidden": "true", text: WORDS.busy, hidden: true });
    ui.choiceList = el("div", { className: "copro-row copro-choice-list" });
    ui.choices = el("div", { className: "copro-choices", role: "group", "aria-labelledby": "copro-choices-label" }, [
      el("p", { className: "copro-choices-label", id: "copro-choices-label", text: WORDS.choices }),
      ui.choiceList
    ]);
    var simpler = button(WORDS.simpler, "copro-simpler", function () {
      send({ payload: "/simpler" }, WORDS.simpler);
    });

    ui.input = el("input", {
      id: "copro-message", name: "message", type: "text", maxlength: "1000",
      autocomplete: "off", "aria-describedby": "copro-hint", className: "copro-input"
    });
    var sendButton = el("button", { type: "submit", className: "copro-btn copro-send" });
    setLabel(sendButton, WORDS.send);
    var form = el("form", { className: "copro-composer", novalidate: true }, [
      el("label", { "for": "copro-message", text: WORDS.message }),
      el("div", { className: "copro-row copro-input-row" }, [ui.input, sendButton]),
      el("p", { className: "copro-hint", id: "copro-hint", text: WORDS.hint })
    ]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) { return; }
      var text = ui.input.value;
      ui.input.value = "";
      send({ text: text }, text);
    });

    ui.panel = el("div", { className: "copro-panel", id: "copro-panel", hidden: true }, [
      el("div", { className: "copro-head" }, [
        el("h2", { className: "copro-title", id: "copro-title", text: WORDS.title }),
        button(WORDS.close, "copro-close", closeChat)
      ]),
      el("div", { className: "copro-tools", role: "group", "aria-label": WORDS.settings }, tools),
      ui.confirm,
      ui.keepPanel,
      ui.intro,
      ui.log,
      ui.busy,
      ui.choices,
      el("div", { className: "copro-row" }, [simpler]),
      form
    ]);
    ui.panel.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      event.preventDefault();
      if (!ui.confirm.hidden) { hideConfirm(true); }
      else if (!ui.keepPanel.hidden) { hideKeepPanel(true); }
      else { closeChat(); }
    });

    ui.root = el("aside", { className: "copro", "aria-label": WORDS.landmark, lang: "en-GB", hidden: true },
      [ui.launcher, ui.panel]);
    applySize();
    applyTheme();
    applyAutoRead();
    renderChoices();
  }

  // Show the widget once its styles are in (or failed to load: it still works unstyled).
  function whenStyled(show) {
    var present = Array.prototype.some.call(document.querySelectorAll("link[rel=stylesheet]"),
      function (link) { return link.href === CSS_URL; });
    if (present) { show(); return; }
    var link = el("link", { rel: "stylesheet", href: CSS_URL });
    link.addEventListener("load", show);
    link.addEventListener("error", show);
    document.head.appendChild(link);
  }

  function init() {
    var host = document.getElementById("copro-chat") || document.querySelector("[data-copro-chat]");
    if (!host || host.querySelector(".copro")) { return; }
    build(host);
    // Built in full before it joins the page: restored messages are not announced again.
    host.appendChild(ui.root);
    whenStyled(function () {
      ui.root.hidden = false;
      var code = reviewCode();
      if (state.open) {
        openChat(false);
      } else if (code && state.messages.length === 0) {
        openChat(false);
        pressChoice(starterChoices()[0]);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
