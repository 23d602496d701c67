// A team's contact card as the console shows it (the contact directory and both regions side by
// side): every number a tel: link and every e-mail a mailto: link, each with a copy button; fax,
// hours, mailing address, what the team handles, and the source it comes from. Drawn from the
// renderer's card (broker_faq/render.py) the web server sends; text only.
(() => {
  "use strict";

  const { el, telHref, link, describe } = window.KPDom;

  function phoneLine(phone, showFor) {
    const shown = phone.option ? `${phone.number}, option ${phone.option}` : phone.number;
    const line = el("span", "contact-line");
    line.append(link(telHref(phone.number), phone.number));
    if (phone.option) line.append(`, option ${phone.option}`);
    if (phone.for && showFor) line.append(` for ${phone.for}`);
    line.append(window.KPDesk.copyButton(shown, shown));
    return line;
  }

  function emailLine(email) {
    const line = el("span", "contact-line");
    line.append(link(`mailto:${email}`, email), window.KPDesk.copyButton(email, email));
    return line;
  }

  // Several values under one term: one line each.
  function lines(nodes) {
    const box = el("div", "contact-lines");
    box.append(...nodes);
    return box;
  }

  function sourceText(source) {
    return `${source.document}, “${source.section}”`;
  }

  // headingLevel: h3 in the directory, h4 inside a region's column.
  function contactCard(card, options = {}) {
    const article = el("article", "contact-card");
    const heading = el(options.heading || "h3", null, card.name + (card.purpose ? ` (${card.purpose})` : ""));
    article.append(heading);
    if (options.region) article.append(el("p", "contact-region", options.region));
    const list = el("dl");
    const phones = card.phones || [];
    if (phones.length) describe(list, phones.length > 1 ? "Phones" : "Phone", lines(phones.map((p) => phoneLine(p, !card.purpose))));
    const emails = card.emails || [];
    if (emails.length) describe(list, emails.length > 1 ? "E-mails" : "E-mail", lines(emails.map(emailLine)));
    if (card.fax) {
      const fax = el("span", "contact-line", card.fax); // a fax number is copied, never dialled
      fax.append(window.KPDesk.copyButton(card.fax, `fax ${card.fax}`));
      describe(list, "Fax", fax);
    }
    if (card.hours) describe(list, "Hours", card.hours);
    if (card.address) describe(list, "Mail", lines(card.address.map((line) => el("span", "contact-line", line))));
    if ((card.handles || []).length) {
      const handles = el("ul", "handles");
      handles.append(...card.handles.map((need) => el("li", null, need)));
      describe(list, "Handles", handles);
    }
    if (card.source) describe(list, "Source", sourceText(card.source));
    article.append(list);
    return article;
  }

  window.KPCards = Object.freeze({ contactCard, sourceText });
})();
