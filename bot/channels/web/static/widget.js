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
 *
 * Layout: phone first. The settings sit behind one "Settings" button. The
 * offered choices sit in the conversation, straight after the question they
 * answer, and a new reply is scrolled to the top of the view (not the bottom),
 * so the question and its buttons are seen together. When the screen is short
 * for the text size, the whole panel scrolls as one page instead of the
 * conversation alone (see fitLayout).
 */
(function () {
  "use strict";

  var SCRIPT_URL = (document.currentScript && document.currentScript.src) || window.location.href;
  var CHAT_URL = new URL("../api/chat", SCRIPT_URL).href;
  var WAITING_URL = new URL("../api/waiting", SCRIPT_URL).href;
  var START_AGAIN_URL = new URL("../api/start-again", SCRIPT_URL).href;
  var KEEP_URL = new URL("../api/keep-signed-in", SCRIPT_URL).href;
  var CSS_URL = new URL("widget.css", SCRIPT_URL).href;
  var SYMBOLS_URL = new URL("symbols/", SCRIPT_URL).href;
  var STORE_KEY = "copro-chat";
  var SIZES = [100, 125, 150, 175, 200, 250];
  var MAX_KEPT = 300;
  // While a message waits to be answered: ask every 5 seconds, for up to 10 minutes.
  var KEPT_EVERY_MS = 5000;
  var KEPT_TRIES = 120;

  // Everything the widget itself says. Easy read: short sentences, a symbol on every button.
  var WORDS = {
    open: "💬 Open chat",
    landmark: "Chat with the co-production companion",
    title: "Tell us how it went",
    intro: "Hello 👋 Press a button to start. Or type a message.",
    close: "✖️ Close chat",
    settingsButton: "⚙️ Settings",
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
    simpler: "🔤 Say it more simply",
    message: "Your message",
    hint: "Type here, then press Send. Or press a button.",
    send: "📨 Send",
    busy: "⏳ Writing an answer…",
    // Said once while the assistant starts up; the kept messages are answered after.
    starting: "⏳ The assistant is starting. I will answer soon.",
    // Shown when the chat server cannot be reached at all: the help line goes with it.
    unavailable: "Sorry, I can't answer right now 😔 Please try again in a few minutes.\n\n" +
      "If you are in danger now, call 999. Childline is free: 0800 1111.",
    sayHello: "👋 Say hello",
    review: "📝 Review a meeting"
  };

  // A button title that starts with a symbol: the symbol, then the words.
  var LEADING_SYMBOL = /^([^\p{L}\p{N}\s]+)\s+(\S.*)$/su;
  // The symbols shown as pictures (symbols/, from OpenMoji), so they look the same on
  // every phone: one SVG for each symbol a button starts with, named by its code points.
  // Written by bot/channels/web/symbols.py; a symbol without a file stays as text.
  var SYMBOL_FILES = [
    "1F313", "1F3E0", "1F3E2", "1F44B", "1F463", "1F465", "1F46A", "1F4A1", "1F4AC", "1F4CB",
    "1F4D6", "1F4DA", "1F4DC", "1F4DD", "1F4E8", "1F504", "1F50A", "1F50D", "1F512", "1F520",
    "1F521", "1F524", "1F539", "1F5D1", "1F5E3", "1F5FA", "1F648", "1F64B", "1F90F", "1F91D",
    "1F932", "1F937", "1F9D1", "1F9D1-200D-1F3EB", "1F9D2", "1F9E9", "1FA9C", "1FAF5", "21A9",
    "23ED", "23F9", "25B6", "2696", "2699", "2705", "270D", "270F", "2716", "274C", "2753",
    "27A1"
  ];
  // The invisible mark that asks for the emoji look: left out when matching a file.
  var EMOJI_LOOK = "FE0F";
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

  // A symbol's code points, as OpenMoji names its file ("⚙️" is 2699, "🧑‍🏫" is 1F9D1-200D-1F3EB).
  function symbolKey(codes) {
    return codes.map(function (code) { return code.toUpperCase(); })
      .filter(function (code) { return code !== EMOJI_LOOK; })
      .map(function (code) { return code.length < 4 ? ("000" + code).slice(-4) : code; })
      .join("-");
  }

  var SYMBOL_FILE = {};
  SYMBOL_FILES.forEach(function (name) { SYMBOL_FILE[symbolKey(name.split("-"))] = name + ".svg"; });

  function symbolFile(symbol) {
    var key = symbolKey(Array.from(symbol).map(function (c) { return c.codePointAt(0).toString(16); }));
    return Object.prototype.hasOwnProperty.call(SYMBOL_FILE, key) ? SYMBOL_FILE[key] : null;
  }

  // "✅ Yes" becomes a symbol (hidden from screen readers) and the word "Yes". The symbol
  // is the shipped picture when there is one, else the phone's own emoji.
  function setLabel(node, title) {
    node.textContent = "";
    var match = LEADING_SYMBOL.exec(title);
    if (!match) {
      node.appendChild(el("span", { className: "copro-word", text: title }));
      return;
    }
    var symbol = el("span", { className: "copro-symbol", "aria-hidden": "true", "data-symbol": match[1] });
    var file = symbolFile(match[1]);
    if (file) {
      // alt="": every button also says its word ("Yes", "Close chat"), which is its name.
      // The picture only repeats the word, so a text alternative would be read out twice
      // ("check mark, Yes"). No button has a symbol without a word.
      symbol.appendChild(el("img", {
        className: "copro-symbol-img", src: SYMBOLS_URL + file, alt: "", draggable: "false"
      }));
    } else {
      symbol.textContent = match[1];
    }
    node.appendChild(symbol);
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
    var fresh = {
      open: false, size: 100, contrast: null, autoRead: false, waiting: false, messages: [], choices: []
    };
    try {
      var kept = JSON.parse(window.sessionStorage.getItem(STORE_KEY) || "null");
      if (!kept || typeof kept !== "object") { return fresh; }
      fresh.open = kept.open === true;
      fresh.size = SIZES.indexOf(kept.size) >= 0 ? kept.size : 100;
      fresh.contrast = typeof kept.contrast === "boolean" ? kept.contrast : null;
      fresh.autoRead = kept.autoRead === true;
      fresh.waiting = kept.waiting === true;
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

  // Messages go in before the busy line and the choices, which stay last in the log
  // (and are never moved: a moved button would lose focus). Returns the new nodes.
  function addMessages(messages) {
    var nodes = messages.map(function (message) {
      state.messages.push(message);
      var node = messageNode(message);
      ui.log.insertBefore(node, ui.busy);
      return node;
    });
    if (nodes.length) { ui.intro.hidden = true; }
    return nodes;
  }

  function messageNodes() {
    return Array.prototype.filter.call(ui.log.children, function (node) {
      return node.classList.contains("copro-msg");
    });
  }

  // ---- Keeping the question in view ------------------------------------------------------

  // What scrolls: the conversation, or the whole panel when it is short (see fitLayout).
  function scroller() {
    return ui.panel.classList.contains("copro-panel--page") ? ui.panel : ui.log;
  }

  // Scroll so that the top of node is at the top of the view, a little space above it
  // (less when that space would push the end of what must be seen out). Focus never moves.
  function scrollToTop(node, end) {
    var box = scroller();
    if (!node || !box.contains(node) || ui.panel.hidden) { return; }
    var top = node.getBoundingClientRect().top;
    var spare = end ? box.clientHeight - (end.getBoundingClientRect().bottom - top) : 4;
    var gap = Math.max(0, Math.min(4, spare));
    box.scrollTop = Math.max(0, box.scrollTop + top - box.getBoundingClientRect().top - box.clientTop - gap);
  }

  // A reply came: its first message at the top, so it is read from its start with the
  // choices just below. When that is too tall to see whole, the question (the message
  // that brought the choices, if any) goes at the top instead: the choices follow it.
  function showReply(first, question) {
    if (!first) { return; }
    fitLayout();
    var box = scroller();
    var end = ui.choices.hidden ? ui.busy.previousElementSibling : ui.choices;
    var tall = end.getBoundingClientRect().bottom - first.getBoundingClientRect().top;
    scrollToTop(tall <= box.clientHeight || !question ? first : question, end);
  }

  // The newest reply (the assistant's messages since the person last said something).
  function showLatest() {
    var nodes = messageNodes();
    var last = nodes.length - 1;
    if (last < 0) {
      if (scroller() === ui.panel) { scrollToTop(ui.intro.hidden ? ui.choices : ui.intro); }
      return;
    }
    var first = last;
    while (first > 0 && nodes[first - 1].classList.contains("copro-msg--bot")) { first -= 1; }
    showReply(nodes[first], state.choices.length ? nodes[last] : null);
  }

  // ---- Fitting the screen -------------------------------------------------------------------

  // The conversation scrolls on its own while it has at least half of the panel.
  // When the title, settings and message box leave it less (big text on a small
  // screen), the whole panel scrolls as one page instead, so nothing is squeezed.
  var paged = false;
  function fitLayout() {
    var panel = ui.panel;
    if (panel.hidden) { return; }
    var style = window.getComputedStyle(panel);
    var inner = panel.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    var gap = parseFloat(style.rowGap) || 0;
    var others = 0;
    Array.prototype.forEach.call(panel.children, function (child) {
      if (child !== ui.log && !child.hidden) { others += child.offsetHeight + gap; }
    });
    var line = parseFloat(window.getComputedStyle(ui.log).lineHeight) || 24;
    var room = inner - others;
    var need = Math.max(inner / 2, line * 6);
    // Some slack before going back, so a scrollbar coming or going cannot flip it to and fro.
    var page = paged ? room < need + line : room < need;
    if (page === paged) { return; }
    paged = page;
    panel.classList.toggle("copro-panel--page", page);
    var focused = document.activeElement;
    if (focused && panel.contains(focused) && !ui.log.contains(focused)) {
      focused.scrollIntoView({ block: "nearest" });
    } else {
      showLatest();
    }
  }

  // Fit again when the screen turns, the text grows, or the settings open.
  function watchLayout(parts) {
    var pending = false;
    function soon() {
      if (pending) { return; }
      pending = true;
      window.requestAnimationFrame(function () { pending = false; fitLayout(); });
    }
    if (window.ResizeObserver) {
      var observer = new window.ResizeObserver(soon);
      parts.forEach(function (part) { observer.observe(part); });
    }
    window.addEventListener("resize", soon);
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

  // Where to answer next: the first choice, or else the message box. The view is
  // left where showReply put it (the question above its choices).
  function focusAnswerPlace() {
    var first = ui.choiceList.querySelector("button");
    (first && !ui.choices.hidden ? first : ui.input).focus({ preventScroll: true });
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
        return {
          ok: response.ok, messages: messages,
          kept: !!(data && data.kept === true), starting: !!(data && data.starting === true)
        };
      });
    }).catch(function () { return { ok: false, messages: null }; });
  }

  function send(body, shown) {
    if (busy) { return; }
    setBusy(true);
    if (shown && shown.trim()) { scrollToTop(addMessages([{ who: "me", text: shown }])[0]); }
    saveState();
    // Nothing sent (an empty message) or no answer: the choices on offer stay.
    var blank = typeof body.text === "string" && !body.text.trim();
    post(CHAT_URL, body).then(function (reply) {
      var messages = reply.messages || [{ text: WORDS.unavailable, buttons: [] }];
      if (reply.kept) {
        messages = sayWaitingOnce(messages, reply.starting);
      } else if (reply.ok && reply.messages) {
        state.waiting = false;
      }
      receive(messages, blank || !reply.ok || !reply.messages);
      setBusy(false);
      if (reply.kept) { waitForKept(); }
    });
  }

  // A kept message is answered later. The words that say so (the server's
  // "notice", or the widget's own while the assistant starts) are shown once
  // while waiting, however many messages the person sends meanwhile.
  function sayWaitingOnce(messages, starting) {
    var said = state.waiting;
    state.waiting = true;
    return messages.filter(function (m) {
      var notice = m && m.notice === "kept";
      if (!notice) { return true; }
      if (said) { return false; }
      said = true;
      return true;
    }).map(function (m) {
      return m && m.notice === "kept" && starting ? { text: WORDS.starting, buttons: [] } : m;
    });
  }

  // The message was kept while the assistant could not take it: its answer comes
  // later. Ask every few seconds, for a while, until something arrives.
  var keptTimer = null;
  function waitForKept() {
    var tries = 0;
    if (keptTimer) { window.clearInterval(keptTimer); }
    keptTimer = window.setInterval(function () {
      tries += 1;
      post(WAITING_URL, {}).then(function (reply) {
        var arrived = reply.ok && reply.messages && reply.messages.length;
        if (arrived) {
          state.waiting = false;
          receive(reply.messages, true);
        }
        if ((arrived || tries >= KEPT_TRIES) && keptTimer) {
          window.clearInterval(keptTimer);
          keptTimer = null;
        }
      });
    }, KEPT_EVERY_MS);
  }

  function receive(messages, keepChoices) {
    // Focus only moves when the control that had it goes away (an old choice).
    var focusWasOnChoice = ui.choiceList.contains(document.activeElement);
    var shown = messages.filter(function (m) { return m && isText(m.text) && m.text; });
    var said = shown.map(function (m) { return { who: "bot", text: m.text }; });
    var nodes = addMessages(said);
    var question = null;
    if (keepChoices) {
      Array.prototype.forEach.call(ui.choiceList.querySelectorAll("button"), function (node) {
        node.removeAttribute("aria-disabled");
      });
    } else {
      var choices = [];
      messages.forEach(function (m) { choices = choices.concat(cleanChoices(m && m.buttons)); });
      state.choices = choices;
      renderChoices();
      // The question is the last message that brought choices.
      shown.forEach(function (m, index) {
        if (cleanChoices(m.buttons).length) { question = nodes[index]; }
      });
      if (focusWasOnChoice) { focusAnswerPlace(); }
    }
    showReply(nodes[0], question);
    saveState();
    if (state.autoRead) {
      readAloud(said.map(function (m) { return m.text; }));
    }
  }

  // ---- Settings ---------------------------------------------------------------------------

  // One "Settings" button shows or hides them all (a disclosure: focus stays on it).
  function showSettings(show) {
    if (!show) {
      hideConfirm(false);
      hideKeepPanel(false);
    }
    ui.settings.hidden = !show;
    ui.settingsButton.setAttribute("aria-expanded", String(show));
    fitLayout();
  }

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
    fitLayout();
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
    fitLayout();
    // Reopened where it was; after a reload, at the newest reply and its choices.
    if (closedScroll !== null) { scroller().scrollTop = closedScroll; } else { showLatest(); }
    saveState();
    if (state.waiting) { waitForKept(); }
    if (!moveFocus) { return; }
    if (remembered && ui.panel.contains(remembered) && remembered.offsetParent !== null) {
      remembered.focus({ preventScroll: true });
    } else {
      focusAnswerPlace();
    }
  }

  function closeChat() {
    remembered = ui.panel.contains(document.activeElement) ? document.activeElement : null;
    closedScroll = scroller().scrollTop;
    stopReading();
    showSettings(false);
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
      state.waiting = false;
      closedScroll = null;
      messageNodes().forEach(function (node) { ui.log.removeChild(node); });
      ui.intro.hidden = false;
      renderChoices();
      saveState();
      showSettings(false);
      showLatest();
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

    // After the messages, in the same view: the busy line, then the choices that
    // answer the newest question (never announced: only the assistant's words are).
    ui.busy = el("p", { className: "copro-busy", "aria-hidden": "true", text: WORDS.busy, hidden: true });
    ui.choiceList = el("div", { className: "copro-row copro-choice-list" });
    ui.choices = el("div", { className: "copro-choices", role: "group", "aria-labelledby": "copro-choices-label" }, [
      el("p", { className: "copro-choices-label", id: "copro-choices-label", text: WORDS.choices }),
      ui.choiceList
    ]);
    var simpler = button(WORDS.simpler, "copro-simpler", function () {
      send({ payload: "/simpler" }, WORDS.simpler);
    });
    ui.log.appendChild(ui.busy);
    ui.log.appendChild(el("div", { className: "copro-answers", "aria-live": "off" }, [
      ui.choices,
      el("div", { className: "copro-row" }, [simpler])
    ]));

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

    ui.settingsButton = button(WORDS.settingsButton, "copro-tool copro-settings-button", function () {
      showSettings(ui.settings.hidden);
    }, { "aria-expanded": "false", "aria-controls": "copro-settings" });
    ui.settings = el("div", {
      className: "copro-settings", id: "copro-settings", role: "group",
      "aria-label": WORDS.settings, hidden: true
    }, [el("div", { className: "copro-tools" }, tools), ui.confirm, ui.keepPanel]);

    ui.panel = el("div", { className: "copro-panel", id: "copro-panel", hidden: true }, [
      el("div", { className: "copro-head" }, [
        el("h2", { className: "copro-title", id: "copro-title", text: WORDS.title }),
        el("div", { className: "copro-row copro-head-tools" }, [
          ui.settingsButton,
          button(WORDS.close, "copro-tool copro-close", closeChat)
        ])
      ]),
      ui.settings,
      ui.intro,
      ui.log,
      form
    ]);
    // Escape closes the innermost open part: a question in the settings, the
    // settings, then the chat.
    ui.panel.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      event.preventDefault();
      if (!ui.confirm.hidden) { hideConfirm(true); }
      else if (!ui.keepPanel.hidden) { hideKeepPanel(true); }
      else if (!ui.settings.hidden) {
        var inside = ui.settings.contains(document.activeElement);
        showSettings(false);
        if (inside) { ui.settingsButton.focus(); }
      }
      else { closeChat(); }
    });

    ui.root = el("aside", { className: "copro", "aria-label": WORDS.landmark, lang: "en-GB", hidden: true },
      [ui.launcher, ui.panel]);
    watchLayout([ui.panel, ui.panel.firstChild, ui.settings, ui.intro, form]);
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
