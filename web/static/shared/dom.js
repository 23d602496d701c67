// DOM helpers shared by the broker widget (widget/, which loads this file itself) and the agent
// console (console/index.html loads it first). Nothing a user or the bot sends is ever parsed as
// HTML: every node is built with createElement and textContent, and a link is made only for
// http(s), tel: and mailto: addresses.
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
    } catch {
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

  // A term and its description in a <dl>: the value is text or a node.
  function describe(list, label, value) {
    const description = el("dd");
    description.append(value);
    list.append(el("dt", null, label), description);
  }

  window.KPDom = Object.freeze({ el, telHref, link, linkified, describe });
})();
