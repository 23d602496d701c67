// Agent console: the broker chat plus, for each answer, what the assistant made of the question,
// read from the token-protected transcript endpoint. Built with textContent only, with the DOM
// helpers the widget uses too (../shared/dom.js, loaded first by index.html).
(() => {
  "use strict";

  const { el, describe } = window.KPDom;
  const TOKEN_KEY = "kp-agent-console-token";
  const POLL_MS = 2000; // Rasa saves a turn just after the bot's messages go out: look again soon
  const $ = (id) => document.getElementById(id);
  let sessionId = null;
  let token = sessionStorage.getItem(TOKEN_KEY);
  let shown = "";

  async function fetchTurns(withToken) {
    const id = encodeURIComponent(sessionId || "-");
    const response = await fetch(`/api/conversations/${id}`, {
      headers: { Authorization: `Bearer ${withToken}` }, cache: "no-store",
    });
    if (response.status === 401) return null;
    if (!response.ok) throw new Error(`transcript: HTTP ${response.status}`);
    return (await response.json()).turns;
  }

  function showSignedIn(signedIn, error) {
    $("sign-in").hidden = signedIn;
    $("workspace").hidden = !signedIn;
    $("sign-out").hidden = !signedIn;
    $("sign-in-error").textContent = error || "";
    if (!signedIn) {
      token = null;
      sessionStorage.removeItem(TOKEN_KEY);
      shown = "";
    }
  }

  async function refresh() {
    if (!token || !sessionId) return;
    const turns = await fetchTurns(token);
    if (turns === null) return showSignedIn(false, "Your sign-in is no longer valid. Sign in again.");
    const json = JSON.stringify(turns);
    if (json !== shown) { // redraw only on change, so focus on a copy button is not lost
      shown = json;
      render(turns);
    }
  }

  function percent(confidence) {
    return typeof confidence === "number" ? `${(confidence * 100).toFixed(1)}%` : "n/a";
  }

  function renderTurn(turn) {
    const item = el("li", "turn");
    item.append(el("p", "turn-question", `Broker: ${turn.user}`));
    const facts = el("dl");
    const payloads = turn.bot.map((message) => message.custom).filter(Boolean);
    const answer = payloads.find((payload) => payload.type === "answer");
    describe(facts, "Intent", `${turn.intent || "none"} (confidence ${percent(turn.confidence)})`);
    if (turn.entities.length) {
      describe(facts, "Entities", turn.entities.map((e) => `${e.entity}: ${e.value}`).join(", "));
    }
    describe(facts, "Region assumed", (answer && answer.region) || turn.region || "none");
    for (const source of (answer && answer.sources) || []) {
      describe(facts, "Source", `${source.document}, section “${source.section}”`);
    }
    item.append(facts);

    const text = turn.bot.map((message) => message.text).filter(Boolean).join("\n\n");
    if (text) {
      item.append(el("pre", "turn-answer", text));
      const copy = el("button", "copy", "Copy answer");
      copy.type = "button";
      copy.addEventListener("click", async () => {
        try {
          await navigator.clipboard.writeText(text);
          $("copy-status").textContent = "Answer copied to the clipboard.";
          copy.textContent = "Copied";
        } catch {
          $("copy-status").textContent = "Could not copy: the browser refused clipboard access.";
        }
      });
      item.append(copy);
    }
    return item;
  }

  function render(turns) {
    $("details-empty").hidden = turns.length > 0;
    $("turns").replaceChildren(...turns.slice().reverse().map(renderTurn));
  }

  $("sign-in").addEventListener("submit", async (event) => {
    event.preventDefault();
    const candidate = $("token").value.trim();
    try {
      const turns = await fetchTurns(candidate);
      if (turns === null) {
        $("sign-in-error").textContent = "Sign-in failed: that token is not valid.";
        return;
      }
      token = candidate;
      sessionStorage.setItem(TOKEN_KEY, token);
      $("token").value = "";
      showSignedIn(true);
      render(turns);
    } catch (error) {
      $("sign-in-error").textContent = `Sign-in failed: ${error.message}`;
    }
  });

  $("sign-out").addEventListener("click", () => {
    showSignedIn(false);
    $("token").focus();
  });

  document.addEventListener("kp-chat:update", (event) => {
    sessionId = event.detail.sessionId;
    setTimeout(refresh, 400);
  });
  setInterval(() => { if (!document.hidden) refresh().catch(() => {}); }, POLL_MS);
  showSignedIn(Boolean(token));
})();
