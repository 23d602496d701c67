// Live chats: brokers who asked the assistant for a person (channels/handoff.py). Once signed in, the
// console connects to the Rasa server's `/desk` socket.io namespace with a short-lived agent pass (GET
// /api/desk-token, fetched again for every reconnection, so a pass never outlives its five minutes);
// being connected is what makes this agent available to brokers. The queue (`queue` events) shows each
// waiting broker's question, region and topic, how long they have waited and the transcript so far;
// "Take" claims one (of two agents taking it at once, exactly one gets it). A taken conversation opens a
// live chat: the transcript so far, then the broker's messages (`broker_uttered`) and the agent's own
// (`say`, shown as the server stored them: masked), typing notices to the broker, "Hand back to
// assistant" and "Close chat". After a reconnection the server lists the chats this agent still holds
// (`held`) and they are drawn again. Text only, with the DOM helpers the widget uses (../shared/dom.js).
(() => {
  "use strict";

  const { el, linkified, describe } = window.KPDom;
  const desk = window.KPDesk;
  const $ = (id) => document.getElementById(id);
  const SERVER_URL = document.currentScript.dataset.serverUrl;
  const ACK_TIMEOUT_MS = 10000;
  const RETRY_MS = 3000; // after the server refused the connection (an expired pass): ask again
  const TICK_MS = 1000; // the waiting times are redrawn this often: each second, as they are shown
  const TYPING_IDLE_MS = 3000; // "typing" ends this long after the agent's last keystroke
  const TYPING_REPEAT_MS = 10000; // and is said again this often while typing goes on (the widget forgets it after 20 s)
  const ERRORS = {
    offline: "the console is not connected to the assistant server",
    timeout: "the assistant server did not answer",
    "not yours": "this chat is no longer yours",
  };
  const ENDED = {
    handed_back: "You handed the conversation back to the assistant.",
    closed: "You closed the chat.",
    lost: "While you were disconnected, the conversation went back to the queue for another agent.",
  };

  let socket = null;
  let me = null; // this agent as brokers see them: "Maria"
  let agentsOnline = null; // how many agents the last queue event counted
  let topics = new Map(); // topic -> title (GET /api/topics)
  const waiting = new Map(); // conversation -> { entry, item, waited, since }
  const chats = new Map(); // conversation -> LiveChat

  // --- the connection --------------------------------------------------------------------------------
  // An event with its acknowledgement, as a promise; {ok: false, error} when it could not be sent.
  function call(event, data) {
    return new Promise((resolve) => {
      if (!socket || !socket.connected) {
        resolve({ ok: false, error: "offline" });
        return;
      }
      socket.timeout(ACK_TIMEOUT_MS).emit(event, data, (error, ack) => {
        resolve(error ? { ok: false, error: "timeout" } : ack || { ok: false });
      });
    });
  }

  function why(ack) {
    return ERRORS[ack.error] || ack.error || "refused";
  }

  function connect() {
    if (socket) return;
    const mine = window.io(`${SERVER_URL}/desk`, {
      // A function: socket.io asks for it again at every reconnection, and each gets a fresh pass.
      auth: (send) => {
        desk.get("/api/desk-token", { background: true }).then((pass) => send({ token: pass.token }), (error) => {
          desk.failed(error); // a session that ended signs the console out (and disconnects)
          if (socket === mine) send({});
        });
      },
      reconnectionDelayMax: 3000,
      // A connection of its own, apart from the chat widget's beside it, and a new one at each sign-in
      // (socket.io would otherwise hand back the signed-out agent's socket, with its listeners).
      forceNew: true,
    });
    socket = mine;
    mine.on("connect", () => showConnection(true));
    mine.on("disconnect", () => { if (socket === mine) showConnection(false); });
    mine.on("connect_error", () => {
      showConnection(false);
      // Refused by the server (not a network error, which socket.io retries itself): try again.
      if (!mine.active) setTimeout(() => { if (socket === mine && desk.signedIn()) mine.connect(); }, RETRY_MS);
    });
    mine.on("queue", showQueue);
    mine.on("held", restoreHeld);
    mine.on("broker_uttered", (data) => { if (data) heard(data.conversation, data.text); });
    mine.on("released", (data) => { if (data && chats.has(data.conversation)) chats.get(data.conversation).end(data.why); });
  }

  function disconnect() {
    for (const chat of chats.values()) chat.stopTyping();
    const mine = socket;
    socket = null;
    if (mine) mine.disconnect();
    me = null;
    agentsOnline = null;
    chats.clear();
    waiting.clear();
    $("live-chats").replaceChildren();
    $("live-queue").replaceChildren();
    $("live-connection").textContent = "";
    showAlert("");
    showCount();
  }

  function showConnection(online) {
    const who = me ? ` as ${me}` : "";
    const agents = agentsOnline;
    const others = typeof agents === "number" ? ` ${agents} ${agents === 1 ? "agent" : "agents"} online.` : "";
    $("live-connection").textContent = online
      ? `Available${who}: brokers who ask for a person can reach you.${others}`
      : "Offline: reconnecting to the assistant server… Brokers cannot reach you meanwhile.";
  }

  function showAlert(text) {
    $("live-alert").textContent = text;
  }

  async function loadTopics() {
    try {
      const { topics: found } = await desk.get("/api/topics");
      topics = new Map(found.map((t) => [t.topic, t.title]));
    } catch (error) {
      desk.failed(error); // the topic's key is shown instead of its title
    }
  }

  // --- messages, in the queue's transcripts and in live chats -----------------------------------------
  const topicTitle = (topic) => topics.get(topic) || topic.replace(/_/g, " ");
  const regionTitle = (region) => region.split("_").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(" ");

  function message(kind, who, text) {
    const item = el("li", `live-msg live-${kind}`);
    const body = el("p", "live-text");
    body.append(linkified(String(text)));
    item.append(el("p", "live-who", who), body);
    item.said = `${kind}\n${text}`; // to know a message the transcript already had
    return item;
  }

  function agentMessage(agent, text) {
    return message("agent", agent === me ? `${agent} (you)` : `${agent} · agent`, text);
  }

  function statusLine(text) {
    const item = el("li", "live-status", text);
    item.said = `status\n${text}`;
    return item;
  }

  // A conversation's stored messages (GET /api/conversations/<id>): the broker's, the assistant's, the
  // agents' (marked with their name) and each change of hands.
  function transcriptItems(turns) {
    const items = [];
    for (const turn of turns) {
      if (turn.user && !turn.payload) items.push(message("broker", "Broker", turn.user)); // not /greet
      for (const bot of turn.bot) {
        const custom = bot.custom || {};
        if (!bot.text) continue;
        if (custom.type === "handoff") items.push(statusLine(bot.text));
        else if (bot.agent) items.push(agentMessage(bot.agent, bot.text));
        else items.push(message("assistant", "Assistant", bot.text));
      }
    }
    return items;
  }

  // What the queue said about a conversation, from its transcript: the "Connecting you…" payload.
  function aboutFromTranscript(turns) {
    const asked = turns.flatMap((turn) => turn.bot).map((bot) => bot.custom || {})
      .filter((custom) => custom.type === "handoff" && "question" in custom).pop();
    if (!asked) return {};
    return {
      question: asked.question,
      topic: asked.topic,
      group: asked.group,
      region_name: asked.region && regionTitle(asked.region),
    };
  }

  async function readTranscript(conversation) {
    return (await desk.get(`/api/conversations/${encodeURIComponent(conversation)}?purpose=view`)).turns;
  }

  function button(text, className) {
    const made = el("button", className, text);
    made.type = "button";
    return made;
  }

  // --- the queue ---------------------------------------------------------------------------------------
  function duration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    if (s < 60) return `${s} s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
    return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
  }

  // Counted from when the queue said how long (the server's clock and this one may differ).
  function showWaited(shown) {
    shown.waited.textContent = duration(shown.entry.waited_seconds + (Date.now() - shown.since) / 1000);
  }

  function queueItem(entry) {
    const item = el("li", "queue-item");
    item.append(el("h4", null, entry.question ? `“${entry.question}”` : "No question before asking for a person"));
    if (entry.requeued) item.append(el("p", "requeued", "Requeued: the agent who had it was disconnected."));
    const facts = el("dl");
    if (entry.group) describe(facts, "Group", entry.group); // from the portal's signed context
    describe(facts, "Region", entry.region_name || "not known");
    describe(facts, "Topic", entry.topic ? topicTitle(entry.topic) : "none yet");
    const waited = el("span", "waited");
    describe(facts, "Waiting", waited);
    const preview = el("ol", "live-log live-messages live-preview");
    preview.id = `live-preview-${entry.conversation}`;
    preview.setAttribute("aria-label", "Transcript so far");
    preview.hidden = true;
    const view = button("View transcript so far");
    view.setAttribute("aria-expanded", "false");
    view.setAttribute("aria-controls", preview.id);
    view.addEventListener("click", () => togglePreview(entry.conversation, view, preview).catch(desk.failed));
    const takeIt = button("Take", "take");
    takeIt.addEventListener("click", () => take(entry, takeIt));
    const actions = el("div", "live-actions");
    actions.append(view, takeIt);
    item.append(facts, actions, preview);
    return { entry, item, waited };
  }

  async function togglePreview(conversation, view, preview) {
    const open = preview.hidden;
    view.setAttribute("aria-expanded", String(open));
    view.textContent = open ? "Hide transcript" : "View transcript so far";
    preview.hidden = !open;
    if (!open) return;
    preview.replaceChildren(el("li", "live-status", "Reading the transcript…"));
    const items = transcriptItems(await readTranscript(conversation));
    preview.replaceChildren(...(items.length ? items : [statusLine("No messages are stored yet.")]));
  }

  // Kept in place by conversation (an open transcript, a focused button stay as they are), in the
  // queue's order.
  function showQueue(data) {
    const entries = Array.isArray(data && data.waiting) ? data.waiting : [];
    const now = Date.now();
    const listed = new Set(entries.map((entry) => entry.conversation));
    for (const [conversation, shown] of waiting) {
      if (!listed.has(conversation)) dropFromQueue(conversation);
      else if (entries.find((e) => e.conversation === conversation).requeued !== shown.entry.requeued) dropFromQueue(conversation);
    }
    const list = $("live-queue");
    entries.forEach((entry, index) => {
      const shown = waiting.get(entry.conversation) || queueItem(entry);
      Object.assign(shown, { entry, since: now });
      waiting.set(entry.conversation, shown);
      showWaited(shown);
      if (list.children[index] !== shown.item) list.insertBefore(shown.item, list.children[index] || null);
    });
    showCount();
    if (data && typeof data.agents === "number") agentsOnline = data.agents;
    if (socket && socket.connected) showConnection(true);
  }

  function dropFromQueue(conversation) {
    const shown = waiting.get(conversation);
    if (shown) shown.item.remove();
    waiting.delete(conversation);
    showCount();
  }

  function showCount() {
    const count = waiting.size;
    const badge = $("live-count");
    badge.hidden = count === 0;
    badge.replaceChildren(String(count), el("span", "visually-hidden", " waiting"));
    $("live-queue-empty").hidden = count > 0;
  }

  async function take(entry, control) {
    showAlert("");
    control.disabled = true;
    const ack = await call("take", { conversation: entry.conversation });
    control.disabled = false;
    if (ack.ok) {
      dropFromQueue(entry.conversation);
      openChat(entry.conversation, entry).box.focus();
      return;
    }
    const gone = ack.error === "taken" || ack.error === "gone";
    if (gone) dropFromQueue(entry.conversation);
    if (ack.error === "taken") showAlert(`Already taken by ${ack.by || "another agent"}.`);
    else showAlert(ack.error === "gone" ? "That broker is no longer waiting." : `Not taken: ${why(ack)}.`);
    if (gone) $("live-title").focus(); // its button is gone with it
  }

  // --- live chats --------------------------------------------------------------------------------------
  let chatCount = 0;

  class LiveChat {
    constructor(conversation, about) {
      this.conversation = conversation;
      this.ended = false;
      this.arriving = null; // while the transcript loads: the live messages that came meanwhile
      this.typing = { on: false, saidAt: 0, timer: null };
      this.n = ++chatCount;
      this.build();
      this.describe(about);
    }

    build() {
      this.pane = el("section", "live-chat");
      this.title = el("h3", "live-chat-title");
      this.title.id = `live-chat-${this.n}`;
      this.pane.setAttribute("aria-labelledby", this.title.id);
      this.about = el("p", "live-about");
      // The id the Transcript tab opens the conversation by (selectable, to copy).
      this.id = el("p", "live-id", `Conversation id: ${this.conversation}`);
      // The log is a box around the list of messages (role="log" on the list would take its list role
      // away, leaving each message an <li> outside a list: axe-core's `listitem`).
      this.log = el("div", "live-log");
      this.log.setAttribute("role", "log");
      this.log.setAttribute("aria-live", "polite");
      this.log.setAttribute("aria-label", "Messages");
      this.log.tabIndex = 0;
      this.messages = el("ol", "live-messages");
      this.log.append(this.messages);
      this.error = el("p", "error");
      this.error.setAttribute("role", "alert");
      this.actions = el("div", "live-actions");
      const handBack = button("Hand back to assistant");
      const close = button("Close chat");
      handBack.addEventListener("click", () => this.release("hand_back"));
      close.addEventListener("click", () => this.release("close"));
      this.actions.append(handBack, close);
      this.pane.append(this.title, this.about, this.id, this.log, this.composer(), this.error, this.actions);
    }

    composer() {
      this.form = el("form", "live-composer");
      const label = el("label", null, "Message to the broker");
      this.box = el("textarea", "filter");
      this.box.id = `live-box-${this.n}`;
      this.box.rows = 2;
      this.box.maxLength = 5000; // the server's limit for a message (channels/guard.py)
      label.htmlFor = this.box.id;
      const hint = el("span", "hint", "Enter sends, Shift+Enter starts a new line.");
      const send = el("button", null, "Send");
      send.type = "submit";
      this.form.append(label, this.box, send, hint);
      this.form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.send();
      });
      this.box.addEventListener("keydown", (event) => {
        if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
        event.preventDefault();
        this.send();
      });
      this.box.addEventListener("input", () => this.typed());
      return this.form;
    }

    describe(about) {
      this.info = { ...this.info, ...about };
      const { question, region_name: region, topic, group } = this.info;
      this.title.textContent = question ? `Live chat: “${question}”` : "Live chat with a broker";
      this.about.textContent = [group && `Group: ${group}`, region && `Region: ${region}`, topic && `Topic: ${topicTitle(topic)}`]
        .filter(Boolean).join(" · ");
    }

    // The transcript so far, then what came live while it was read (unless the transcript had it).
    async load() {
      this.arriving = this.arriving || [];
      this.log.setAttribute("aria-busy", "true");
      let items = [];
      try {
        const turns = await readTranscript(this.conversation);
        items = transcriptItems(turns);
        if (!this.info.question) this.describe(aboutFromTranscript(turns));
      } catch (error) {
        desk.failed(error);
        this.error.textContent = "The conversation so far could not be read.";
      }
      const recent = new Set(items.slice(items.length - this.arriving.length).map((item) => item.said));
      const newer = this.arriving.filter((item) => !recent.has(item.said));
      this.arriving = null;
      this.messages.replaceChildren(...items, ...newer);
      this.log.removeAttribute("aria-busy");
      this.scroll();
    }

    add(item) {
      if (this.arriving) {
        this.arriving.push(item);
        return;
      }
      this.messages.append(item);
      this.scroll();
    }

    scroll() {
      this.log.scrollTop = this.log.scrollHeight;
    }

    async send() {
      const text = this.box.value.trim();
      if (!text || this.sending || this.ended) return;
      this.stopTyping();
      this.sending = true;
      this.error.textContent = "";
      const ack = await call("say", { conversation: this.conversation, message: text });
      this.sending = false;
      if (!ack.ok) {
        this.error.textContent = `Not sent: ${why(ack)}.`;
        return;
      }
      if (this.box.value.trim() === text) this.box.value = "";
      this.add(agentMessage(me, ack.text));
    }

    // "Maria is typing…" in the broker's widget: said at the first keystroke (and again every
    // TYPING_REPEAT_MS), unsaid TYPING_IDLE_MS after the last one or when the message is sent.
    typed() {
      const { typing } = this;
      if (!this.box.value.trim()) {
        this.stopTyping(); // the box emptied: nothing is being written
        return;
      }
      if (!typing.on || Date.now() - typing.saidAt > TYPING_REPEAT_MS) this.sayTyping(true);
      clearTimeout(typing.timer);
      typing.timer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
    }

    stopTyping() {
      clearTimeout(this.typing.timer);
      if (this.typing.on) this.sayTyping(false);
    }

    sayTyping(on) {
      this.typing.on = on;
      this.typing.saidAt = Date.now();
      if (socket && socket.connected) socket.emit("typing", { conversation: this.conversation, typing: on });
    }

    async release(how) {
      this.error.textContent = "";
      this.stopTyping();
      const ack = await call(how, { conversation: this.conversation });
      if (ack.ok) this.end(how === "hand_back" ? "handed_back" : "closed");
      else this.error.textContent = `${how === "hand_back" ? "Not handed back" : "Not closed"}: ${why(ack)}.`;
    }

    // No longer this agent's: what happened, and a button to put the chat away.
    end(reason) {
      if (this.ended) return;
      this.ended = true;
      this.stopTyping();
      const focused = this.pane.contains(document.activeElement);
      this.add(statusLine(ENDED[reason] || "This chat has ended."));
      this.form.remove();
      const dismiss = button("Remove from the desk");
      dismiss.addEventListener("click", () => {
        this.pane.remove();
        chats.delete(this.conversation);
        $("live-title").focus();
      });
      this.actions.replaceChildren(dismiss);
      if (focused) dismiss.focus();
    }
  }

  function openChat(conversation, about) {
    const chat = new LiveChat(conversation, about);
    chats.set(conversation, chat);
    $("live-chats").prepend(chat.pane); // the newest first: never below the finished ones, out of sight
    chat.load();
    return chat;
  }

  function heard(conversation, text) {
    const chat = chats.get(conversation);
    if (!chat || chat.ended || typeof text !== "string") return;
    chat.add(message("broker", "Broker", text));
    if ($("panel-live").hidden) $("live-unread").hidden = false;
  }

  // At each (re)connection: the chats this agent still holds are drawn again with what was said
  // meanwhile; one that is no longer held went back to the queue during a longer disconnection.
  function restoreHeld(data) {
    if (!data || !Array.isArray(data.conversations)) return;
    me = data.agent || me;
    showConnection(true);
    const held = new Set(data.conversations);
    for (const [conversation, chat] of chats) {
      if (!held.has(conversation)) chat.end("lost");
      else if (!chat.ended) chat.load();
    }
    for (const conversation of held) {
      const known = chats.get(conversation);
      if (known && !known.ended) continue;
      if (known) known.pane.remove(); // ended here, and this agent's again
      openChat(conversation, {});
    }
  }

  setInterval(() => { for (const shown of waiting.values()) showWaited(shown); }, TICK_MS);

  document.addEventListener("kp-desk:signed-in", () => loadTopics().finally(connect));
  document.addEventListener("kp-desk:signed-out", disconnect);
  document.addEventListener("kp-desk:tab", (event) => {
    if (event.detail.panel === "panel-live") $("live-unread").hidden = true;
  });
})();
