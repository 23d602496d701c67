// Agent console, answer details: the broker chat (the widget, inline) and, for each answer, what the
// assistant made of the question, read from the console's transcript endpoint. Built with
// textContent only, with the DOM helpers the widget uses too (../shared/dom.js); signing in, API
// calls and copying are desk.js's.
(() => {
  "use strict";

  const { el, describe } = window.KPDom;
  const desk = window.KPDesk;
  const POLL_MS = 2000; // Rasa saves a turn just after the bot's messages go out: look again soon
  const $ = (id) => document.getElementById(id);
  let sessionId = null;
  let shown = "";

  // background: the regular poll, which does not count as the agent's activity (idle sessions expire).
  async function refresh(background = false) {
    if (!desk.signedIn() || !sessionId) return;
    const { turns } = await desk.get(`/api/conversations/${encodeURIComponent(sessionId)}`, { background });
    const json = JSON.stringify(turns);
    if (json !== shown) { // redraw only on change, so focus on a copy button is not lost
      shown = json;
      render(turns);
    }
  }

  function percent(confidence) {
    return typeof confidence === "number" ? `${(confidence * 100).toFixed(1)}%` : "n/a";
  }

  // The NLU's one reading of the message (places and whose they are, what is wanted and refused,
  // counts, dates with their role), as one line for an agent checking why an answer was given.
  function readingText(reading) {
    if (!reading) {
      return "";
    }
    const parts = [];
    const list = (items) => (items || []).join(", ");
    for (const place of reading.places || []) {
      parts.push(`place ${place.said} (${place.region}, ${place.role})`);
    }
    if ((reading.teams || []).length) parts.push(`team ${list(reading.teams)}`);
    if ((reading.teams_refused || []).length) parts.push(`team refused ${list(reading.teams_refused)}`);
    if ((reading.details || []).length) parts.push(`wanted ${list(reading.details)}`);
    if ((reading.details_refused || []).length) parts.push(`refused ${list(reading.details_refused)}`);
    for (const count of reading.counts || []) {
      parts.push(`count ${count.value} (${count.counts})`);
    }
    for (const date of reading.dates || []) {
      parts.push(`date ${date.date} (${date.role})`);
    }
    if ((reading.not_covered || []).length) parts.push(`not in the sources: ${list(reading.not_covered)}`);
    if ((reading.links || []).length) parts.push(`link ${list(reading.links)}`);
    if ((reading.needs || []).length > 1) parts.push(`${reading.needs.length} needs`);
    return parts.join("; ");
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
    const read = readingText(turn.reading);
    if (read) {
      describe(facts, "Read in the message", read);
    }
    const group = payloads.map((payload) => payload.group).find(Boolean);
    if (group) describe(facts, "Portal group", group); // the broker's group the answer assumed
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
      copy.addEventListener("click", () => desk.copy(text, copy, "Answer copied to the clipboard."));
      item.append(copy);
    }
    return item;
  }

  function render(turns) {
    $("details-empty").hidden = turns.length > 0;
    $("turns").replaceChildren(...turns.slice().reverse().map(renderTurn));
  }

  document.addEventListener("kp-desk:signed-in", () => refresh().catch(desk.failed));
  document.addEventListener("kp-desk:signed-out", () => {
    shown = "";
    render([]);
  });
  document.addEventListener("kp-chat:update", (event) => {
    sessionId = event.detail.sessionId;
    setTimeout(() => refresh().catch(desk.failed), 400);
  });
  setInterval(() => { if (!document.hidden) refresh(true).catch(desk.failed); }, POLL_MS);
})();
