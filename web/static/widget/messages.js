// Bot and user messages -> DOM, for the broker chat widget (loaded by kp-chat.js).
// Nothing a user or the bot sends is ever parsed as HTML: every node is built with createElement
// and textContent, and a link is made only for http(s), tel: and mailto: addresses.
(() => {
  "use strict";

  const SAFE_PROTOCOLS = new Set(["http:", "https:", "tel:", "mailto:"]);
  // URLs, e-mail addresses and North American phone numbers as the knowledge file writes them.
  const LINKABLE = /(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]])|([\w.+-]+@[\w-]+(?:\.[\w-]+)+)|\b((?:1-)?\d{3}-\d{3}-\d{4})\b/g;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function telHref(number) {
    const digits = number.replace(/\D/g, "");
    return "tel:+" + (digits.length === 10 ? "1" + digits : digits);
  }

  // A link, or plain text when the address is not one of the allowed kinds.
  function link(href, text) {
    let url;
    try {
      url = new URL(href);
    } catch (_) {
      return document.createTextNode(text);
    }
    if (!SAFE_PROTOCOLS.has(url.protocol)) return document.createTextNode(text);
    const anchor = el("a", null, text);
    anchor.href = url.href;
    if (url.protocol.startsWith("http")) {
      anchor.target = "_blank";
      anchor.rel = "noopener noreferrer";
    }
    return anchor;
  }

  // One line of plain text with its URLs, e-mail addresses and phone numbers made clickable.
  function linkified(line) {
    const fragment = document.createDocumentFragment();
    let last = 0;
    for (const match of line.matchAll(LINKABLE)) {
      fragment.append(line.slice(last, match.index));
      const [text, url, email, phone] = match;
      fragment.append(url ? link(url, text) : email ? link("mailto:" + email, text) : link(telHref(phone), text));
      last = match.index + text.length;
    }
    fragment.append(line.slice(last));
    return fragment;
  }

  // Plain text, one block per line; indented lines (contact details) stay indented.
  function textBlock(text) {
    const block = el("div", "kpc-text");
    for (const line of String(text).split("\n")) {
      const row = el("p", /^\s{2}/.test(line) ? "kpc-line kpc-indent" : "kpc-line");
      row.append(linkified(line.trim()));
      block.append(row);
    }
    return block;
  }

  function detail(list, label, content) {
    list.append(el("dt", null, label));
    const value = el("dd");
    value.append(content);
    list.append(value);
  }

  // A contact card from the structured payload (the bot's text repeats it as indented lines).
  function contactCard(contact) {
    const card = el("article", "kpc-card");
    const heading = el("h3", null, contact.name + (contact.purpose ? ` (${contact.purpose})` : ""));
    card.append(heading);
    const list = el("dl");
    for (const phone of contact.phones || []) {
      const value = document.createDocumentFragment();
      value.append(link(telHref(phone.number), phone.number));
      if (phone.option) value.append(`, option ${phone.option}`);
      if (phone.for && !contact.purpose) value.append(` for ${phone.for}`);
      detail(list, "Phone", value);
    }
    for (const email of contact.emails || []) detail(list, "E-mail", link("mailto:" + email, email));
    if (contact.fax) detail(list, "Fax", document.createTextNode(contact.fax));
    if (contact.hours) detail(list, "Hours", document.createTextNode(contact.hours));
    if (contact.address) detail(list, "Mail", document.createTextNode(contact.address.join(", ")));
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

  // The card and source of an answer payload, or null for payloads with nothing to show.
  function answerExtras(payload) {
    if (!payload || payload.type !== "answer") return null;
    const extras = document.createDocumentFragment();
    for (const contact of payload.contacts || []) extras.append(contactCard(contact));
    if ((payload.sources || []).length) extras.append(sourceLine(payload.sources));
    return extras;
  }

  // True when a text message is what the payload renders better: a contact card or the source line.
  function repeatsPayload(text, payload) {
    if (!payload || payload.type !== "answer") return false;
    if (text.startsWith("Source: ")) return (payload.sources || []).length > 0;
    const firstLine = text.split("\n")[0];
    return (payload.contacts || []).some((c) => firstLine.startsWith(c.name));
  }

  // Text that may be a contact card or source line, worth holding back until the payload arrives.
  function mayRepeatPayload(text) {
    return text.startsWith("Source: ") || /\n {2}\S/.test(text);
  }

  // Quick replies arrive as `quick_replies` on socket.io and `buttons` on REST.
  function quickReplies(message) {
    return (message.quick_replies || message.buttons || [])
      .filter((reply) => reply && typeof reply.title === "string" && typeof reply.payload === "string");
  }

  window.KPChatMessages = { el, textBlock, answerExtras, repeatsPayload, mayRepeatPayload, quickReplies };
})();
