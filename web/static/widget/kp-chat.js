// Kaiser Permanente broker assistant chat widget. Embed with one script tag:
//   <script src="https://HOST/widget/kp-chat.js" defer
//           data-server-url="https://RASA-HOST" data-title="Broker assistant"
//           data-initial-payload="/greet"></script>
// Optional: data-container="#id" shows the chat inline there instead of a floating button;
// data-token="JWT" is sent as socket.io auth when the Rasa channel checks tokens (jwt_key).
// It talks to Rasa's socket.io channel (channels/socket_io.py). The server makes the conversation and
// gives it a signed session token; the widget keeps both, with what was said, in localStorage, so a
// reload or a reconnection continues the same conversation. What is kept is only what a reload needs,
// as the server stores it: the broker's messages as the server acknowledged them (personal data
// masked), the bot's messages as drawn, the ratings given; it is forgotten after 24 hours without a
// message (the token expires then too) and at "New conversation", which also ends the conversation on
// the server (`session_end`), so no copy of its token opens it again. Each message has an id: one the
// server has not acknowledged is sent again after a reconnection, and the server answers a repeat
// with the stored replies instead of acting twice (replies the widget already has are not drawn
// again). Each bot message arrives as one `bot_uttered` message: the text, its quick replies and, for
// an answer, the structured payload its contact cards and source are drawn from.
// Live handoff (channels/handoff.py): when the broker asks for a person and an agent is signed in, the
// server's `handoff` events ({state, text, agent?, restored?}) are drawn as status lines ("Maria joined
// the conversation."), a "Leave the queue" button shows while waiting (`handoff_cancel`) with the place in
// the queue as it moves (`handoff_position`, a status, not a line of the conversation), the agent's
// messages (`agent_uttered`) are drawn as a person's, marked with their first name, and `agent_typing`
// shows "Maria is typing…". They are kept with the conversation like the bot's messages.
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
    // The portal's signed context (the broker's groups, docs/portal-context.md), sent once per session.
    portalToken: script.dataset.portalToken || "",
  };
  const STORAGE_KEY = `kp-chat:${config.serverUrl}`;
  const MAX_STORED_EVENTS = 300;
  const TYPING_TIMEOUT_MS = 20000;
  const IDLE_EXPIRY_MS = 24 * 60 * 60 * 1000; // the server's session tokens expire after as long
  // The handoff states the broker is in while they last (the others hand the chat back to the assistant).
  const LIVE_HANDOFF = Object.freeze({ waiting: "waiting", requeued: "waiting", joined: "joined" });

  // --- loading -----------------------------------------------------------------------------------
  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = src;
      tag.onload = resolve;
      tag.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.append(tag);
    });
  }

  // A script next to this one, unless the page has loaded it already (the console loads dom.js).
  function loadOnce(loaded, path) {
    return loaded() ? Promise.resolve() : loadScript(new URL(path, base).href);
  }

  // --- the conversation kept in localStorage -----------------------------------------------------
  // Random and unguessable, so a repeated message is known by its id (rasa_server/patches.py).
  function newId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // Until the server confirms a session, a conversation has no id and no token.
  function freshConversation(open) {
    return { sessionId: null, token: null, events: [], rated: [], open: Boolean(open), updatedAt: Date.now() };
  }

  function loadConversation() {
    try {
      const saved = JSON.parse(localStorage.getItem(STORAGE_KEY));
      const current = saved && Array.isArray(saved.events) && Date.now() - saved.updatedAt < IDLE_EXPIRY_MS;
      if (current) {
        const events = saved.events.map((event) => (event.from === "user" ? { ...event, stored: event.text } : event));
        return { ...freshConversation(saved.open), ...saved, events };
      }
    } catch { /* unreadable: start afresh */ }
    localStorage.removeItem(STORAGE_KEY); // expired or unreadable: nothing of it is kept
    return freshConversation(false);
  }

  // A bot message's place among the replies to one message (channels/socket_io.py), if it has one.
  function replyKey(message) {
    return message && message.reply_to ? `${message.reply_to}/${message.n}` : null;
  }

  // What a bot message needs to be drawn again.
  function keptBotMessage(message) {
    const { text, quick_replies: quickReplies, custom, reply_to: replyTo, n } = message;
    return { text, quick_replies: quickReplies, custom, reply_to: replyTo, n };
  }

  // What an event needs to be drawn again: a broker's message once the server has acknowledged it (its
  // masked text, never what was typed), and as received a bot's message, an agent's (from: "agent") or a
  // handoff status line (from: "status").
  function keptEvent(event) {
    if (event.from === "bot") return { from: "bot", message: keptBotMessage(event.message) };
    if (event.from === "user") return typeof event.stored === "string" ? { from: "user", text: event.stored, id: event.id } : null;
    const { from, state, text, agent } = event;
    return { from, state, text, agent };
  }

  // The last handoff status line of a conversation, and what it leaves the broker in (null: the assistant).
  function lastStatus(events) {
    return events.filter((event) => event.from === "status").pop() || null;
  }

  function liveHandoff(status) {
    const state = (status && LIVE_HANDOFF[status.state]) || null;
    return { state, agent: state === "joined" ? status.agent : null };
  }

  function agentName(value) {
    return typeof value === "string" && value ? value : "Agent";
  }

  // Only what a reload needs, as the server stores it.
  function saveConversation(conversation) {
    conversation.events = conversation.events.slice(-MAX_STORED_EVENTS);
    const events = conversation.events.map(keptEvent).filter(Boolean);
    const { sessionId, token, rated, open, greeted, updatedAt } = conversation;
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ sessionId, token, events, rated, open, greeted, updatedAt }));
  }

  // The text kept for a broker's message: the server's (masked) text of what was typed; a button's
  // title (the bot's own words); for a rating, its comment as the server stored it.
  function storedText(event, serverText) {
    if (event.payload === event.text) return serverText;
    if (event.payload.startsWith("/rate_unhelpful")) {
      try {
        const comment = JSON.parse(serverText.slice(serverText.indexOf("{"))).comment;
        return comment ? `Not helpful: ${comment}` : "Not helpful";
      } catch { return "Not helpful"; }
    }
    return event.text;
  }

  // --- the widget's elements, in a shadow root of their own --------------------------------------
  function mountHost(D, inline) {
    const host = inline ? document.querySelector(config.container) : document.body.appendChild(D.el("div"));
    host.classList.add("kp-chat-host");
    const root = host.attachShadow({ mode: "open" });
    const stylesheet = D.el("link");
    stylesheet.rel = "stylesheet";
    stylesheet.href = new URL("kp-chat.css", base).href;
    root.append(stylesheet);
    return { host, root };
  }

  function button(D, className, text) {
    const node = D.el("button", className, text);
    node.type = "button";
    return node;
  }

  function buildHeader(D, ui, inline) {
    const header = D.el("header", "kpc-header");
    const title = D.el("h2", "kpc-title", config.title);
    title.id = "kpc-title";
    ui.newConversation = button(D, "kpc-header-button", "New conversation");
    header.append(title, ui.newConversation);
    if (!inline) {
      ui.close = button(D, "kpc-header-button kpc-close", "×");
      ui.close.setAttribute("aria-label", "Close chat");
      header.append(ui.close);
    }
    return header;
  }

  // A log: screen readers announce each new message without moving focus. The log is a box around the
  // list of messages, not the list itself: role="log" on the <ol> took its list role away and left every
  // message an <li> outside a list (axe-core's `listitem`, tests/browser/test_accessibility.py).
  function buildLog(D, ui) {
    const log = D.el("div", "kpc-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-label", "Conversation");
    log.tabIndex = 0; // scrollable by keyboard
    ui.messages = D.el("ol", "kpc-messages");
    log.append(ui.messages);
    return log;
  }

  function buildTyping(D, ui) {
    const typing = D.el("p", "kpc-typing");
    typing.setAttribute("aria-hidden", "true");
    ui.typingLabel = D.el("span", "kpc-typing-label", "typing");
    typing.append(D.el("span"), D.el("span"), D.el("span"), ui.typingLabel);
    typing.hidden = true;
    return typing;
  }

  // While a person is asked for or has the conversation: who it is, and "Leave the queue" while waiting.
  function buildHandoffBar(D, ui) {
    const bar = D.el("div", "kpc-handoff");
    ui.handoffNote = D.el("p", "kpc-handoff-note");
    ui.leaveQueue = button(D, "kpc-reply", "Leave the queue");
    bar.append(ui.handoffNote, ui.leaveQueue);
    bar.hidden = true;
    return bar;
  }

  function buildComposer(D, ui) {
    const form = D.el("form", "kpc-composer");
    const label = D.el("label", "kpc-visually-hidden", "Your question");
    label.htmlFor = "kpc-input";
    ui.input = D.el("input", "kpc-input");
    ui.input.id = "kpc-input";
    ui.input.type = "text";
    ui.input.autocomplete = "off";
    ui.input.maxLength = 1000;
    ui.input.placeholder = "Ask about a small-group contract…";
    const send = D.el("button", "kpc-send", "Send");
    send.type = "submit";
    // The box keeps focus: its blur would close the suggested questions under it, and the Send button,
    // moved by the list closing between mouse down and up, would never get the click.
    send.addEventListener("mousedown", (event) => event.preventDefault());
    form.append(label, ui.input, send);
    return form;
  }

  function buildUi(D, root, inline) {
    const ui = {};
    if (!inline) {
      ui.launcher = button(D, "kpc-launcher", `Chat: ${config.title}`);
      ui.launcher.setAttribute("aria-controls", "kpc-panel");
      root.append(ui.launcher);
    }
    ui.panel = D.el("section", inline ? "kpc-panel kpc-inline" : "kpc-panel kpc-floating");
    ui.panel.id = "kpc-panel";
    ui.panel.setAttribute("aria-labelledby", "kpc-title");
    ui.offline = D.el("p", "kpc-offline", "Offline: reconnecting to the assistant…");
    ui.offline.setAttribute("role", "status");
    ui.offline.hidden = true;
    ui.log = buildLog(D, ui);
    ui.typing = buildTyping(D, ui);
    ui.handoffBar = buildHandoffBar(D, ui);
    ui.form = buildComposer(D, ui);
    ui.status = D.el("p", "kpc-visually-hidden");
    ui.status.setAttribute("role", "status");
    ui.announce = (text) => { ui.status.textContent = text; };
    ui.panel.append(buildHeader(D, ui, inline), ui.offline, ui.log, ui.typing, ui.handoffBar, ui.form, ui.status);
    root.append(ui.panel);
    return ui;
  }

  // --- one chat: the conversation, its messages, the connection and the controls -----------------
  class Chat {
    constructor(D, M, host, ui) {
      this.D = D;
      this.M = M;
      this.host = host;
      this.ui = ui;
      this.conversation = loadConversation();
      this.confirmed = false;
      this.wasConnected = false;
      this.pending = []; // messages not yet acknowledged, in order: sent (again) once the session is confirmed
      this.seen = new Set(this.conversation.events.filter((e) => e.from === "bot").map((e) => replyKey(e.message)));
      this.typingTimer = null;
      this.socket = null;
      this.handoff = liveHandoff(null); // { state: "waiting" | "joined" | null, agent, place }
      this.following = true; // the log keeps to its newest line (keepToEnd)
    }

    notify() {
      if (!this.conversation.sessionId) return; // none until the server confirms one
      this.host.dispatchEvent(new CustomEvent("kp-chat:update", {
        bubbles: true, composed: true, detail: { sessionId: this.conversation.sessionId },
      }));
    }

    // --- rendering ---------------------------------------------------------------------------------
    append(node) {
      this.ui.messages.append(node);
      node.scrollIntoView({ block: "end" });
      this.following = true;
    }

    // The log follows its newest line until the broker scrolls back to read (and again once they are
    // at the end): the waiting bar or "typing" opening under it shrinks it, and a restored conversation
    // is drawn before the panel has its size, either leaving a status line or the live exchange out of
    // sight. Measured positions cannot tell (the layout moves in the same frame), so the broker's own
    // wheel, touch, key or pointer on the log is what stops it.
    keepToEnd() {
      const { log } = this.ui;
      const reading = () => { this.following = false; };
      for (const name of ["wheel", "touchmove", "pointerdown"]) log.addEventListener(name, reading, { passive: true });
      log.addEventListener("keydown", reading);
      log.addEventListener("scroll", () => {
        if (log.scrollHeight - log.scrollTop - log.clientHeight < 24) this.following = true;
      });
      new ResizeObserver(() => { if (this.following) log.scrollTop = log.scrollHeight; }).observe(log);
    }

    renderUser(text) {
      for (const group of this.ui.messages.querySelectorAll(".kpc-replies")) group.remove();
      const item = this.D.el("li", "kpc-msg kpc-user");
      item.append(this.D.el("span", "kpc-visually-hidden", "You: "), this.M.textBlock(text));
      this.append(item);
    }

    // One bot message, one item in the log: its text, an answer's contact cards and source with
    // "Was this helpful?", and its quick replies.
    renderBot(message) {
      const { D, M } = this;
      const item = D.el("li", "kpc-msg kpc-bot");
      item.append(D.el("span", "kpc-visually-hidden", `${config.title}: `));
      if (typeof message.text === "string" && message.text) item.append(M.textBlock(message.text));
      const extras = M.answerExtras(message.custom);
      if (extras && extras.childNodes.length) {
        item.classList.add("kpc-answer");
        item.append(extras);
        if (message.custom.answer_id) item.append(this.feedbackControl(message.custom.answer_id));
      }
      const replies = M.quickReplies(message);
      if (replies.length) item.append(this.replyButtons(replies));
      if (item.childElementCount > 1) this.append(item); // more than the speaker's name
    }

    replyButtons(replies) {
      const group = this.D.el("div", "kpc-replies");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Suggested replies");
      for (const reply of replies) {
        const choice = button(this.D, "kpc-reply", reply.title);
        choice.addEventListener("click", () => {
          this.send(reply.payload, reply.title);
          this.ui.input.focus();
        });
        group.append(choice);
      }
      return group;
    }

    // "Was this helpful?": the rating goes to the assistant as a payload naming the answer it rates.
    feedbackControl(answerId) {
      const { D } = this;
      const box = D.el("div", "kpc-feedback");
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", "Was this answer helpful?");
      if ((this.conversation.rated || []).includes(answerId)) {
        box.append(D.el("span", null, "Thanks for your feedback."));
        return box;
      }
      const yes = button(D, "kpc-reply", "Yes");
      const no = button(D, "kpc-reply", "No");
      yes.addEventListener("click", () => this.rate(answerId, "rate_helpful", "", box));
      no.addEventListener("click", () => box.replaceChildren(this.commentForm(answerId, box)));
      box.append(D.el("span", "kpc-feedback-q", "Was this helpful?"), yes, no);
      return box;
    }

    commentForm(answerId, box) {
      const { D } = this;
      const form = D.el("form", "kpc-feedback-form");
      const label = D.el("label", null, "What was missing? (optional)");
      const input = D.el("input");
      input.id = `kpc-comment-${answerId}`;
      input.maxLength = 500;
      label.htmlFor = input.id;
      const submit = D.el("button", "kpc-reply", "Send feedback");
      submit.type = "submit";
      form.append(label, input, submit);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.rate(answerId, "rate_unhelpful", input.value.trim(), box);
      });
      setTimeout(() => input.focus(), 0); // once the form is in the document
      return form;
    }

    rate(answerId, intent, comment, box) {
      this.conversation.rated = [...(this.conversation.rated || []), answerId];
      const body = comment ? { answer_id: answerId, comment } : { answer_id: answerId };
      this.send(`/${intent}${JSON.stringify(body)}`,
        intent === "rate_helpful" ? "Helpful" : `Not helpful${comment ? `: ${comment}` : ""}`);
      box.replaceChildren(this.D.el("span", null, "Thanks for your feedback."));
      this.ui.input.focus();
    }

    renderEvent(event) {
      const { M } = this;
      if (event.from === "user") this.renderUser(event.text);
      else if (event.from === "bot") this.renderBot(event.message);
      else if (event.from === "agent") this.append(M.agentMessage(event.text, agentName(event.agent)));
      else if (event.from === "status") this.append(M.statusLine(event.text));
    }

    renderAll() {
      this.ui.messages.replaceChildren();
      for (const event of this.conversation.events) this.renderEvent(event);
      const { state, agent } = liveHandoff(lastStatus(this.conversation.events));
      this.setHandoff(state, agent);
    }

    record(event) {
      this.conversation.events.push(event);
      this.conversation.updatedAt = Date.now();
      saveConversation(this.conversation);
      this.notify();
    }

    // --- connection --------------------------------------------------------------------------------
    connect() {
      this.socket = window.io(config.serverUrl, {
        auth: config.token ? { token: config.token } : undefined,
        reconnectionDelayMax: 3000,
      });
      // The conversation's session token, if there is one: without it the server starts a new one.
      this.socket.on("connect", () => {
        // "New conversation": the server ends the old one first, so no copy of its token opens it again.
        if (this.endedToken) this.socket.emit("session_end", { session_token: this.endedToken });
        this.endedToken = null;
        this.socket.emit("session_request", {
          session_token: this.conversation.token,
          ...(config.portalToken ? { portal_token: config.portalToken } : {}),
        });
      });
      this.socket.on("session_confirm", (session) => this.onSessionConfirmed(session));
      this.socket.on("disconnect", (reason) => this.onDisconnect(reason));
      this.socket.on("connect_error", () => this.setOnline(false));
      this.socket.on("bot_uttered", (message) => this.onBotMessage(message));
      this.socket.on("handoff", (data) => this.onHandoff(data));
      this.socket.on("handoff_position", (data) => this.onHandoffPosition(data));
      this.socket.on("agent_uttered", (data) => this.onAgentMessage(data));
      this.socket.on("agent_typing", (data) => this.onAgentTyping(data));
    }

    onSessionConfirmed(session) {
      if (!session || typeof session.session_id !== "string") return;
      if (this.conversation.sessionId && this.conversation.sessionId !== session.session_id) {
        // Not continued (its token expired, or was refused): what was said belongs to no conversation now.
        this.conversation = freshConversation(this.conversation.open);
        this.pending.length = 0;
        this.seen.clear();
        this.renderAll();
        this.ui.announce("The previous conversation has ended. This is a new one.");
      }
      // Where a handoff stands is the server's to say (a `handoff` with `restored` follows at once when
      // one is under way); a handoff that ended meanwhile leaves the broker with the assistant.
      this.setHandoff(null, null);
      const { conversation } = this;
      conversation.sessionId = session.session_id;
      conversation.token = session.session_token;
      saveConversation(conversation);
      this.confirmed = true;
      if (this.wasConnected && !this.ui.offline.hidden) this.ui.announce("Connected again.");
      this.wasConnected = true;
      this.setOnline(true);
      if (!conversation.events.length && config.initialPayload && !conversation.greeted) {
        conversation.greeted = true;
        saveConversation(conversation);
        this.pending.push({ id: newId(), payload: config.initialPayload });
      }
      for (const event of this.pending) this.deliver(event);
      this.notify();
    }

    onDisconnect(reason) {
      this.confirmed = false;
      if (reason === "io client disconnect") return; // our own reconnect for a new conversation
      this.setOnline(false);
      // socket.io retries by itself except after the server closed the session on purpose.
      if (reason === "io server disconnect") this.socket.connect();
    }

    onBotMessage(message) {
      if (!message || typeof message !== "object") return;
      const key = replyKey(message);
      if (key && this.seen.has(key)) return; // the stored reply to a message sent again: drawn already
      if (key) this.seen.add(key);
      this.setTyping(false);
      // "Connecting you to an agent…": the `handoff` event that follows says it with the queue position.
      if (message.custom && message.custom.type === "handoff") return;
      this.record({ from: "bot", message: keptBotMessage(message) });
      this.renderBot(message);
    }

    setOnline(online) {
      this.ui.offline.hidden = online;
      this.ui.panel.classList.toggle("kpc-is-offline", !online);
    }

    // One message to the server, with its id; the acknowledgement brings the text as stored.
    deliver(event) {
      if (!this.confirmed || !this.socket.connected) return; // sent once the session is confirmed again
      const { sessionId } = this.conversation;
      this.socket.emit("user_uttered", { message: event.payload, message_id: event.id, session_id: sessionId },
        (ack) => this.onAcknowledged(event, ack));
      if (!this.handoff.state) this.setTyping(true); // a person has it: the assistant stays silent
    }

    onAcknowledged(event, ack) {
      if (!ack || ack.message_id !== event.id || typeof ack.text !== "string") return; // refused: sent again later
      this.pending = this.pending.filter((waiting) => waiting !== event);
      if (typeof ack.session_token === "string") this.conversation.token = ack.session_token;
      if (event.from === "user") event.stored = storedText(event, ack.text);
      this.conversation.updatedAt = Date.now();
      saveConversation(this.conversation);
    }

    send(payload, shownText) {
      const event = { from: "user", id: newId(), payload, text: shownText };
      this.record(event); // kept in localStorage once the server has acknowledged it
      this.renderUser(shownText);
      this.pending.push(event);
      if (this.confirmed && this.socket.connected) this.deliver(event);
      else this.ui.announce("You are offline. Your message will be sent when the connection is back.");
    }

    setTyping(on, label = "typing") {
      clearTimeout(this.typingTimer);
      this.ui.typing.hidden = !on;
      this.ui.typingLabel.textContent = label;
      if (on) this.typingTimer = setTimeout(() => this.setTyping(false), TYPING_TIMEOUT_MS);
    }

    // --- live handoff to an agent ------------------------------------------------------------------
    // Each change of hands is a status line in the server's words, kept with the conversation. After a
    // reload or a reconnection the server says where the handoff stands (`restored`): drawn again only
    // if it changed meanwhile, so the line the widget kept is not repeated.
    onHandoff(data) {
      if (!data || typeof data.state !== "string" || typeof data.text !== "string") return;
      const agent = typeof data.agent === "string" ? data.agent : null;
      const live = liveHandoff({ state: data.state, agent });
      const known = liveHandoff(lastStatus(this.conversation.events));
      this.setTyping(false);
      if (!(data.restored && known.state === live.state && known.agent === live.agent)) {
        const event = { from: "status", state: data.state, text: data.text, agent };
        this.record(event);
        this.renderEvent(event);
      }
      this.setHandoff(live.state, live.agent);
    }

    onAgentMessage(data) {
      if (!data || typeof data.text !== "string" || !data.text) return;
      const event = { from: "agent", text: data.text, agent: agentName(data.agent) };
      this.setTyping(false);
      this.record(event);
      this.renderEvent(event);
    }

    onAgentTyping(data) {
      const on = Boolean(data && data.typing) && this.handoff.state === "joined";
      if (on) this.setTyping(true, `${agentName(data.agent)} is typing…`);
      else this.setTyping(false);
    }

    // The queue moved: the broker's place in it, in the bar (said aloud when it changed).
    onHandoffPosition(data) {
      if (!data || typeof data.text !== "string" || this.handoff.state !== "waiting") return;
      const before = this.handoff.place;
      this.handoff.place = data.text;
      this.showHandoff();
      if (before && before !== data.text) this.ui.announce(data.text);
    }

    setHandoff(state, agent) {
      const place = state === "waiting" && this.handoff.state === "waiting" ? this.handoff.place : null;
      this.handoff = { state, agent, place };
      this.showHandoff();
    }

    showHandoff() {
      const { ui } = this;
      const { state, agent, place } = this.handoff;
      ui.handoffBar.hidden = !state;
      ui.leaveQueue.hidden = state !== "waiting";
      const who = agent ? `${agent}, a Kaiser Permanente agent` : "a Kaiser Permanente agent";
      ui.handoffNote.textContent = state === "joined" ? `Chatting with ${who}.`
        : `Waiting for an agent.${place ? ` ${place}` : ""}`;
    }

    // The broker stops waiting; the server's "left" status line follows.
    leaveQueue() {
      const { ui } = this;
      if (!this.confirmed || !this.socket.connected) {
        ui.announce("You are offline. Try again when the connection is back.");
        return;
      }
      ui.leaveQueue.disabled = true;
      this.socket.timeout(10000).emit("handoff_cancel", {}, (error, ack) => {
        ui.leaveQueue.disabled = false;
        if (!error && ack && ack.ok) ui.input.focus();
        else ui.announce("Could not leave the queue: an agent may have just joined.");
      });
    }

    // --- controls ----------------------------------------------------------------------------------
    bindControls() {
      const { ui } = this;
      ui.form.addEventListener("submit", (event) => this.onQuestion(event));
      ui.newConversation.addEventListener("click", () => this.startNewConversation());
      ui.leaveQueue.addEventListener("click", () => this.leaveQueue());
      if (ui.launcher) {
        ui.launcher.addEventListener("click", () => this.setOpen(true, true));
        ui.close.addEventListener("click", () => this.setOpen(false, true));
        ui.panel.addEventListener("keydown", (event) => {
          if (event.key === "Escape") this.setOpen(false, true);
        });
        this.setOpen(this.conversation.open, false);
      }
    }

    onQuestion(event) {
      event.preventDefault();
      const text = this.ui.input.value.trim();
      if (!text) return;
      this.ui.input.value = "";
      this.ui.input.focus(); // also after a click on Send: the next question is typed right away
      this.send(text, text);
    }

    startNewConversation() {
      if (this.handoff.state === "waiting" && this.confirmed) this.socket.emit("handoff_cancel", {}); // no one waits for it
      localStorage.removeItem(STORAGE_KEY); // nothing of the old conversation is kept
      this.endedToken = this.conversation.token || null; // ended on the server at the reconnection
      this.conversation = freshConversation(this.conversation.open);
      this.pending.length = 0;
      this.seen.clear();
      this.confirmed = false;
      this.setTyping(false);
      this.renderAll();
      this.ui.announce("New conversation started.");
      // Reconnect without a token: the server makes a new conversation, and the socket leaves the old one.
      this.socket.disconnect().connect();
      this.ui.input.focus();
    }

    setOpen(open, focus) {
      const { ui } = this;
      this.conversation.open = open;
      saveConversation(this.conversation);
      ui.panel.hidden = !open;
      if (ui.launcher) {
        ui.launcher.setAttribute("aria-expanded", String(open));
        ui.launcher.hidden = open;
      }
      if (focus) (open ? ui.input : ui.launcher).focus();
    }
  }

  function start(D, M) {
    const inline = Boolean(config.container);
    const { host, root } = mountHost(D, inline);
    const chat = new Chat(D, M, host, buildUi(D, root, inline));
    chat.connect();
    chat.bindControls();
    chat.keepToEnd();
    chat.renderAll();
    chat.notify();
    // Type-ahead questions under the box (../shared/typeahead.js): a chosen one asks its topic directly.
    if (window.KPTypeahead) {
      window.KPTypeahead.attach(chat.ui.input, { after: chat.ui.form, onChoose: (s) => chat.send(s.payload, s.question) });
      // None while a person is asked for or has the conversation: the broker writes to them, not to the
      // catalogue (stopped on the way down to the box, where the type-ahead listens).
      chat.ui.form.addEventListener("input", (event) => { if (chat.handoff.state) event.stopPropagation(); }, true);
    }
  }

  const ready = Promise.all([
    loadOnce(() => window.io, "../vendor/socket.io.min.js"),
    loadOnce(() => window.KPDom, "../shared/dom.js")
      .then(() => loadOnce(() => window.KPChatMessages, "messages.js")),
    loadOnce(() => window.KPTypeahead, "../shared/typeahead.js").catch(() => {}), // optional: chat without it
  ]);
  ready.then(() => start(window.KPDom, window.KPChatMessages), (error) => console.error("KP chat widget:", error));
})();
