// Kaiser Permanente broker assistant chat widget. Embed with one script tag:
//   <script src="https://HOST/widget/kp-chat.js" defer
//           data-server-url="https://RASA-HOST" data-title="Broker assistant"
//           data-initial-payload="/greet"></script>
// Optional: data-container="#id" shows the chat inline there instead of a floating button;
// data-token="JWT" is sent as socket.io auth when the Rasa channel checks tokens (jwt_key).
// It talks to Rasa's socket.io channel with session persistence and keeps the conversation (its
// id and what was said) in localStorage, so a reload shows the same conversation.
(() => {
  "use strict";

  const script = document.currentScript;
  const base = new URL(".", script.src);
  const config = {
    serverUrl: script.dataset.serverUrl,
    title: script.dataset.title || "Broker assistant",
    initialPayload: script.dataset.initialPayload || "",
    container: script.dataset.container || "",
    token: script.dataset.token || "",
  };
  const STORAGE_KEY = `kp-chat:${config.serverUrl}`;
  const MAX_STORED_EVENTS = 300;
  const TYPING_TIMEOUT_MS = 20000;
  const PAYLOAD_WAIT_MS = 1500; // how long a card-like text waits for the payload that replaces it

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = src;
      tag.onload = resolve;
      tag.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.append(tag);
    });
  }

  // Random and unguessable: whoever knows a conversation id can continue that conversation.
  function newSessionId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function loadConversation() {
    try {
      const saved = JSON.parse(localStorage.getItem(STORAGE_KEY));
      if (saved && typeof saved.sessionId === "string" && Array.isArray(saved.events)) return saved;
    } catch (_) { /* unreadable: start afresh */ }
    return { sessionId: newSessionId(), events: [], open: false };
  }

  function saveConversation(conversation) {
    conversation.events = conversation.events.slice(-MAX_STORED_EVENTS);
    localStorage.setItem(STORAGE_KEY, JSON.stringify(conversation));
  }

  function start(M) {
    const inline = Boolean(config.container);
    const host = inline ? document.querySelector(config.container) : document.body.appendChild(document.createElement("div"));
    host.classList.add("kp-chat-host");
    const root = host.attachShadow({ mode: "open" });
    const stylesheet = M.el("link");
    stylesheet.rel = "stylesheet";
    stylesheet.href = new URL("kp-chat.css", base).href;
    root.append(stylesheet);

    const ui = buildUi(M, root, inline);
    let conversation = loadConversation();
    let confirmed = false;
    let wasConnected = false;
    const outbox = [];
    let heldTexts = []; // card-like texts of the current bot turn, waiting for the payload
    let heldTimer = null;
    let typingTimer = null;

    const notify = () => host.dispatchEvent(new CustomEvent("kp-chat:update", {
      bubbles: true, composed: true, detail: { sessionId: conversation.sessionId },
    }));

    // --- rendering -------------------------------------------------------------------------------
    function append(node) {
      ui.log.append(node);
      node.scrollIntoView({ block: "end" });
    }

    function renderUser(text) {
      flushHeld();
      for (const group of ui.log.querySelectorAll(".kpc-replies")) group.remove();
      const item = M.el("li", "kpc-msg kpc-user");
      item.append(M.el("span", "kpc-visually-hidden", "You: "), M.textBlock(text));
      append(item);
    }

    function botItem() {
      const item = M.el("li", "kpc-msg kpc-bot");
      item.append(M.el("span", "kpc-visually-hidden", `${config.title}: `));
      return item;
    }

    function renderBotText(text, replies) {
      const item = botItem();
      item.append(M.textBlock(text));
      if (replies.length) item.append(replyButtons(replies));
      append(item);
    }

    function flushHeld() {
      clearTimeout(heldTimer);
      for (const text of heldTexts) renderBotText(text, []);
      heldTexts = [];
    }

    function renderBot(message, live) {
      const replies = M.quickReplies(message);
      if (typeof message.text === "string") {
        if (M.mayRepeatPayload(message.text) && !replies.length) {
          heldTexts.push(message.text);
          if (live) {
            clearTimeout(heldTimer);
            heldTimer = setTimeout(flushHeld, PAYLOAD_WAIT_MS);
          }
        } else {
          flushHeld();
          renderBotText(message.text, replies);
        }
      }
      if (message.custom) {
        clearTimeout(heldTimer);
        heldTexts = heldTexts.filter((text) => !M.repeatsPayload(text, message.custom));
        flushHeld();
        const extras = M.answerExtras(message.custom);
        if (extras && extras.childNodes.length) {
          const item = botItem();
          item.classList.add("kpc-answer");
          item.append(extras);
          if (message.custom.answer_id) item.append(feedbackControl(message.custom.answer_id));
          append(item);
        }
      }
    }

    function replyButtons(replies) {
      const group = M.el("div", "kpc-replies");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Suggested replies");
      for (const reply of replies) {
        const button = M.el("button", "kpc-reply", reply.title);
        button.type = "button";
        button.addEventListener("click", () => {
          send(reply.payload, reply.title);
          ui.input.focus();
        });
        group.append(button);
      }
      return group;
    }

    // "Was this helpful?": the rating goes to the assistant as a payload naming the answer it rates.
    function feedbackControl(answerId) {
      const box = M.el("div", "kpc-feedback");
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", "Was this answer helpful?");
      if ((conversation.rated || []).includes(answerId)) {
        box.append(M.el("span", null, "Thanks for your feedback."));
        return box;
      }
      const yes = M.el("button", "kpc-reply", "Yes");
      const no = M.el("button", "kpc-reply", "No");
      for (const button of [yes, no]) button.type = "button";
      yes.addEventListener("click", () => rate(answerId, "rate_helpful", "", box));
      no.addEventListener("click", () => box.replaceChildren(commentForm(answerId, box)));
      box.append(M.el("span", "kpc-feedback-q", "Was this helpful?"), yes, no);
      return box;
    }

    function commentForm(answerId, box) {
      const form = M.el("form", "kpc-feedback-form");
      const label = M.el("label", null, "What was missing? (optional)");
      const input = M.el("input");
      input.id = `kpc-comment-${answerId}`;
      input.maxLength = 500;
      label.htmlFor = input.id;
      const submit = M.el("button", "kpc-reply", "Send feedback");
      submit.type = "submit";
      form.append(label, input, submit);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        rate(answerId, "rate_unhelpful", input.value.trim(), box);
      });
      setTimeout(() => input.focus(), 0);
      return form;
    }

    function rate(answerId, intent, comment, box) {
      conversation.rated = [...(conversation.rated || []), answerId];
      const body = comment ? { answer_id: answerId, comment } : { answer_id: answerId };
      send(`/${intent}${JSON.stringify(body)}`,
        intent === "rate_helpful" ? "Helpful" : `Not helpful${comment ? `: ${comment}` : ""}`);
      box.replaceChildren(M.el("span", null, "Thanks for your feedback."));
      ui.input.focus();
    }

    function renderAll() {
      ui.log.replaceChildren();
      heldTexts = [];
      for (const event of conversation.events) {
        if (event.from === "user") renderUser(event.text);
        else renderBot(event.message, false);
      }
      flushHeld();
    }

    function record(event) {
      conversation.events.push(event);
      saveConversation(conversation);
      notify();
    }

    // --- connection ------------------------------------------------------------------------------
    const socket = window.io(config.serverUrl, {
      auth: config.token ? { token: config.token } : undefined,
      reconnectionDelayMax: 3000,
    });

    function setOnline(online) {
      ui.offline.hidden = online;
      ui.panel.classList.toggle("kpc-is-offline", !online);
    }

    socket.on("connect", () => socket.emit("session_request", { session_id: conversation.sessionId }));
    socket.on("session_confirm", () => {
      confirmed = true;
      if (wasConnected && !ui.offline.hidden) ui.announce("Connected again.");
      wasConnected = true;
      setOnline(true);
      if (!conversation.events.length && config.initialPayload && !conversation.greeted) {
        conversation.greeted = true;
        saveConversation(conversation);
        emit(config.initialPayload);
      }
      while (outbox.length) emit(outbox.shift());
    });
    socket.on("disconnect", (reason) => {
      confirmed = false;
      if (reason === "io client disconnect") return; // our own reconnect for a new conversation
      setOnline(false);
      // socket.io retries by itself except after the server closed the session on purpose.
      if (reason === "io server disconnect") socket.connect();
    });
    socket.on("connect_error", () => setOnline(false));
    socket.on("bot_uttered", (message) => {
      if (!message || typeof message !== "object") return;
      setTyping(false);
      record({ from: "bot", message });
      renderBot(message, true);
    });

    function emit(payload) {
      socket.emit("user_uttered", { message: payload, session_id: conversation.sessionId });
      setTyping(true);
    }

    function send(payload, shownText) {
      record({ from: "user", text: shownText });
      renderUser(shownText);
      if (confirmed) emit(payload);
      else {
        outbox.push(payload); // sent once the session is confirmed again
        ui.announce("You are offline. Your message will be sent when the connection is back.");
      }
    }

    function setTyping(on) {
      clearTimeout(typingTimer);
      ui.typing.hidden = !on;
      if (on) typingTimer = setTimeout(() => setTyping(false), TYPING_TIMEOUT_MS);
    }

    // --- controls --------------------------------------------------------------------------------
    ui.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = ui.input.value.trim();
      if (!text) return;
      ui.input.value = "";
      ui.input.focus(); // also after a click on Send: the next question is typed right away
      send(text, text);
    });

    ui.newConversation.addEventListener("click", () => {
      conversation = { sessionId: newSessionId(), events: [], open: conversation.open };
      saveConversation(conversation);
      outbox.length = 0;
      setTyping(false);
      renderAll();
      notify();
      ui.announce("New conversation started.");
      // Reconnect so the socket leaves the old conversation's room and joins the new one.
      socket.disconnect().connect();
      ui.input.focus();
    });

    function setOpen(open, focus) {
      conversation.open = open;
      saveConversation(conversation);
      ui.panel.hidden = !open;
      if (ui.launcher) {
        ui.launcher.setAttribute("aria-expanded", String(open));
        ui.launcher.hidden = open;
      }
      if (focus) (open ? ui.input : ui.launcher).focus();
    }

    if (ui.launcher) {
      ui.launcher.addEventListener("click", () => setOpen(true, true));
      ui.close.addEventListener("click", () => setOpen(false, true));
      ui.panel.addEventListener("keydown", (event) => {
        if (event.key === "Escape") setOpen(false, true);
      });
      setOpen(conversation.open, false);
    }
    renderAll();
    notify();
  }

  function buildUi(M, root, inline) {
    const ui = {};
    if (!inline) {
      ui.launcher = M.el("button", "kpc-launcher", `Chat: ${config.title}`);
      ui.launcher.type = "button";
      ui.launcher.setAttribute("aria-controls", "kpc-panel");
      root.append(ui.launcher);
    }
    ui.panel = M.el("section", inline ? "kpc-panel kpc-inline" : "kpc-panel kpc-floating");
    ui.panel.id = "kpc-panel";
    ui.panel.setAttribute("aria-labelledby", "kpc-title");

    const header = M.el("header", "kpc-header");
    const title = M.el("h2", "kpc-title", config.title);
    title.id = "kpc-title";
    ui.newConversation = M.el("button", "kpc-header-button", "New conversation");
    ui.newConversation.type = "button";
    header.append(title, ui.newConversation);
    if (!inline) {
      ui.close = M.el("button", "kpc-header-button kpc-close", "×");
      ui.close.type = "button";
      ui.close.setAttribute("aria-label", "Close chat");
      header.append(ui.close);
    }

    ui.offline = M.el("p", "kpc-offline", "Offline: reconnecting to the assistant…");
    ui.offline.setAttribute("role", "status");
    ui.offline.hidden = true;

    // A log: screen readers announce each new message without moving focus.
    ui.log = M.el("ol", "kpc-log");
    ui.log.setAttribute("role", "log");
    ui.log.setAttribute("aria-live", "polite");
    ui.log.setAttribute("aria-label", "Conversation");
    ui.log.tabIndex = 0; // scrollable by keyboard

    ui.typing = M.el("p", "kpc-typing");
    ui.typing.setAttribute("aria-hidden", "true");
    ui.typing.append(M.el("span"), M.el("span"), M.el("span"), M.el("span", "kpc-typing-label", "typing"));
    ui.typing.hidden = true;

    ui.form = M.el("form", "kpc-composer");
    const label = M.el("label", "kpc-visually-hidden", "Your question");
    label.htmlFor = "kpc-input";
    ui.input = M.el("input", "kpc-input");
    ui.input.id = "kpc-input";
    ui.input.type = "text";
    ui.input.autocomplete = "off";
    ui.input.maxLength = 1000;
    ui.input.placeholder = "Ask about a small-group contract…";
    const sendButton = M.el("button", "kpc-send", "Send");
    sendButton.type = "submit";
    ui.form.append(label, ui.input, sendButton);

    ui.status = M.el("p", "kpc-visually-hidden");
    ui.status.setAttribute("role", "status");
    ui.announce = (text) => { ui.status.textContent = text; };

    ui.panel.append(header, ui.offline, ui.log, ui.typing, ui.form, ui.status);
    root.append(ui.panel);
    return ui;
  }

  const ready = Promise.all([
    window.io ? null : loadScript(new URL("../vendor/socket.io.min.js", base).href),
    window.KPChatMessages ? null : loadScript(new URL("messages.js", base).href),
  ]);
  ready.then(() => start(window.KPChatMessages), (error) => console.error("KP chat widget:", error));
})();
