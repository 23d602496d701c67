// Transcripts for the record: a conversation's turns (GET /api/conversations/<id>, the tracker store's
// events as stored, personal data masked) as plain text with times, who said what and each answer's
// topic, region and sources (an agent's messages under their name), shown, copied for a CRM note, or downloaded as a .txt file. Each read
// names its purpose (view, copy, download) so the server's audit log says what the agent did.
(() => {
  "use strict";

  const { el } = window.KPDom;
  const desk = window.KPDesk;
  const $ = (id) => document.getElementById(id);
  const ASSISTANT = "Assistant";
  let chatId = null; // the conversation of the chat beside the panel
  let followsChat = true; // the id field shows chatId until the agent types another

  const pad = (n) => String(n).padStart(2, "0");

  // Local time, to the second: 2026-11-23 14:05:09.
  function clock(seconds) {
    if (typeof seconds !== "number") return "time not stored";
    const t = new Date(seconds * 1000);
    return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}`;
  }

  // The browser's offset from UTC, said once in the header: UTC-08:00.
  function utcOffset(date) {
    const minutes = -date.getTimezoneOffset();
    const sign = minutes < 0 ? "-" : "+";
    return `UTC${sign}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
  }

  // One message: its first line after the speaker, the rest indented under it.
  function said(time, who, text) {
    const [first, ...rest] = String(text || "").split("\n");
    return [`[${clock(time)}] ${who}: ${first}`, ...rest.map((line) => (line ? `    ${line}` : ""))];
  }

  // Who wrote a bot message: the assistant, or the agent who had the live chat (the server names them,
  // web/transcript.py), so the record never says the assistant wrote a person's words.
  function speaker(message) {
    return message.agent ? `${message.agent} (agent)` : ASSISTANT;
  }

  function answerNote(message) {
    const custom = message.custom || {};
    if (custom.type !== "answer") return [];
    const sources = (message.sources || []).map((s) => `${s.document}, “${s.section}”`).join("; ");
    const about = [custom.topic && `topic ${custom.topic}`, custom.region && `region ${custom.region}`].filter(Boolean);
    return [`    (answer${about.length ? `: ${about.join(", ")}` : ""}; source: ${sources || "none stored"})`];
  }

  function transcriptText(conversationId, turns, now = new Date()) {
    const lines = [
      `Broker assistant conversation ${conversationId}`,
      `Exported ${clock(now.getTime() / 1000)} from the agent console. Times are ${utcOffset(now)}.`,
      "Personal data is masked as the assistant stored it.",
      "",
    ];
    for (const turn of turns) {
      lines.push(...said(turn.time, "Broker", turn.user));
      for (const message of turn.bot) {
        if (!message.text) continue;
        lines.push(...said(message.time, speaker(message), message.text), ...answerNote(message));
      }
      lines.push("");
    }
    if (!turns.length) lines.push("(no messages stored for this conversation)", "");
    return lines.join("\n");
  }

  function chosenId() {
    const field = $("transcript-id");
    return field.reportValidity() ? field.value.trim() : null;
  }

  async function read(purpose) {
    const id = chosenId();
    if (!id) return null;
    const { turns } = await desk.get(`/api/conversations/${encodeURIComponent(id)}?purpose=${purpose}`);
    return { id, turns, text: transcriptText(id, turns) };
  }

  function status(text) {
    $("transcript-status").textContent = text;
  }

  async function show() {
    const found = await read("view");
    if (!found) return;
    $("transcript").textContent = found.text;
    $("transcript").hidden = false;
    status(found.turns.length ? `${found.turns.length} messages from the broker.` : "No messages are stored for that conversation.");
  }

  async function copy() {
    const found = await read("copy");
    if (found) await desk.copy(found.text, $("transcript-copy"), "Transcript copied to the clipboard.");
  }

  async function download() {
    const found = await read("download");
    if (!found) return;
    const file = new Blob([found.text], { type: "text/plain;charset=utf-8" });
    const anchor = el("a");
    anchor.href = URL.createObjectURL(file);
    const stamp = clock(Date.now() / 1000).replace(/[-: ]/g, "").slice(0, 12);
    anchor.download = `transcript-${found.id}-${stamp}.txt`;
    document.body.append(anchor);
    anchor.click();
    anchor.remove();
    setTimeout(() => URL.revokeObjectURL(anchor.href), 10000);
    status(`Transcript downloaded as ${anchor.download}.`);
  }

  function useChat() {
    followsChat = true;
    $("transcript-id").value = chatId || "";
  }

  $("transcript-form").addEventListener("submit", (event) => {
    event.preventDefault();
    show().catch(desk.failed);
  });
  $("transcript-copy").addEventListener("click", () => copy().catch(desk.failed));
  $("transcript-download").addEventListener("click", () => download().catch(desk.failed));
  $("transcript-current").addEventListener("click", useChat);
  $("transcript-id").addEventListener("input", () => { followsChat = false; });
  document.addEventListener("kp-chat:update", (event) => {
    chatId = event.detail.sessionId;
    if (followsChat) $("transcript-id").value = chatId;
  });
  document.addEventListener("kp-desk:signed-out", () => {
    $("transcript").textContent = "";
    $("transcript").hidden = true;
    status("");
    useChat();
  });

  window.KPTranscript = Object.freeze({ transcriptText });
})();
