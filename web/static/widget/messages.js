// Bot, user and agent messages -> DOM, for the broker chat widget (loaded by kp-chat.js after
// ../shared/dom.js). Built with the shared helpers: text only, never HTML, whoever wrote it (an agent's
// message is as untrusted as a broker's).
(() => {
  "use strict";

  const { el, telHref, link, linkified, describe } = window.KPDom;

  // Plain text: one block per paragraph, one line per line; indented lines stay indented.
  function textBlock(text) {
    const block = el("div", "kpc-text");
    for (const paragraph of String(text).split(/\n{2,}/)) {
      const part = el("div", "kpc-para");
      for (const line of paragraph.split("\n")) {
        const row = el("p", /^\s{2}/.test(line) ? "kpc-line kpc-indent" : "kpc-line");
        row.append(linkified(line.trim()));
        part.append(row);
      }
      block.append(part);
    }
    return block;
  }

  function phoneValue(contact, phone) {
    const value = document.createDocumentFragment();
    value.append(link(telHref(phone.number), phone.number));
    if (phone.option) value.append(`, option ${phone.option}`);
    if (phone.for && !contact.purpose) value.append(` for ${phone.for}`);
    return value;
  }

  // A team's contact card, from the answer's structured payload.
  function contactCard(contact) {
    const card = el("article", "kpc-card");
    card.append(el("h3", null, contact.name + (contact.purpose ? ` (${contact.purpose})` : "")));
    const list = el("dl");
    for (const phone of contact.phones || []) describe(list, "Phone", phoneValue(contact, phone));
    for (const email of contact.emails || []) describe(list, "E-mail", link("mailto:" + email, email));
    if (contact.fax) describe(list, "Fax", contact.fax);
    if (contact.hours) describe(list, "Hours", contact.hours);
    if (contact.address) describe(list, "Mail", contact.address.join(", "));
    card.append(list);
    return card;
  }

  function sourceLine(sources) {
    const line = el("p", "kpc-source", "Source: ");
    sources.forEach((source, index) => {
      if (index) line.append("; ");
      line.append(el("cite", null, source.document), `, “${source.section}”`);
    });
    return line;
  }

  // The contact cards and source of an answer payload, or null for payloads with nothing to show.
  function answerExtras(payload) {
    if (!payload || payload.type !== "answer") return null;
    const extras = document.createDocumentFragment();
    for (const contact of payload.contacts || []) extras.append(contactCard(contact));
    if ((payload.sources || []).length) extras.append(sourceLine(payload.sources));
    return extras;
  }

  // Quick replies arrive as `quick_replies` on socket.io and `buttons` on REST.
  function quickReplies(message) {
    return (message.quick_replies || message.buttons || [])
      .filter((reply) => reply && typeof reply.title === "string" && typeof reply.payload === "string");
  }

  // --- live handoff (channels/handoff.py) ------------------------------------------------------------
  let agentMessages = 0; // ids for the speaker labels, unique in the widget's shadow root

  // A message from a person: "Maria · agent" above it and a style of its own, so the broker never takes
  // it for the assistant; its accessible name says who wrote it.
  function agentMessage(text, agent) {
    const item = el("li", "kpc-msg kpc-agent");
    const speaker = el("p", "kpc-speaker");
    speaker.id = `kpc-agent-message-${++agentMessages}`;
    const shown = el("span", null, `${agent} · agent`);
    shown.setAttribute("aria-hidden", "true");
    speaker.append(shown, el("span", "kpc-visually-hidden", `${agent}, agent:`));
    item.setAttribute("aria-labelledby", speaker.id);
    item.append(speaker, textBlock(text));
    return item;
  }

  // A change of hands ("Maria joined the conversation."), in the server's words, as a line of its own.
  function statusLine(text) {
    const item = el("li", "kpc-status");
    item.append(el("p", "kpc-line", text));
    return item;
  }

  window.KPChatMessages = Object.freeze({ textBlock, answerExtras, quickReplies, agentMessage, statusLine });
})();
