// Every region side by side: one topic's answer in each region the knowledge holds, next to each other (the
// region's own answer, or its source's honest silence with the nearest real contact), each with its
// contact cards and sources, from GET /api/compare?topic= (Assistant.side_by_side). The topic is
// chosen from the list (GET /api/topics) or by a question from the type-ahead (../shared/typeahead.js).
(() => {
  "use strict";

  const { el, linkified } = window.KPDom;
  const desk = window.KPDesk;
  const $ = (id) => document.getElementById(id);
  let topicsLoaded = false;
  let pending = null;

  // An answer's words: one paragraph per blank-line block, one line per line, links made clickable.
  function body(text) {
    const box = el("div", "compare-body");
    for (const paragraph of String(text || "").split(/\n{2,}/)) {
      const block = el("p");
      paragraph.split("\n").forEach((line, index) => {
        if (index) block.append(el("br"));
        block.append(linkified(line));
      });
      box.append(block);
    }
    return box;
  }

  function regionColumn(region) {
    const payload = region.payload || {};
    const column = el("section", "compare-region");
    column.setAttribute("aria-label", region.region);
    column.append(el("h4", null, region.region), body(payload.body || region.text));
    for (const card of payload.contacts || []) column.append(window.KPCards.contactCard(card, { heading: "h5" }));
    const sources = el("p", "compare-source");
    sources.append(el("strong", null, "Source: "), (payload.sources || []).map(window.KPCards.sourceText).join("; "));
    column.append(sources);
    const copy = el("button", "copy", "Copy answer");
    copy.type = "button";
    // The name holds the visible "Copy answer" (WCAG 2.5.3, axe-core's label-content-name-mismatch).
    copy.setAttribute("aria-label", `Copy answer for ${region.region}`);
    copy.addEventListener("click", () => desk.copy(region.text, copy, `${region.region} answer copied to the clipboard.`));
    column.append(copy);
    return column;
  }

  async function show(topic) {
    if (pending) pending.abort();
    const controller = new AbortController();
    pending = controller;
    if (!topic) {
      $("compare-title").textContent = "";
      $("compare").replaceChildren();
      return;
    }
    const found = await desk.get(`/api/compare?topic=${encodeURIComponent(topic)}`, { signal: controller.signal });
    if (pending !== controller) return;
    pending = null;
    $("compare-topic").value = topic;
    $("compare-title").textContent = found.title;
    $("compare").replaceChildren(...found.regions.map(regionColumn));
  }

  async function loadTopics() {
    if (topicsLoaded) return;
    const { topics } = await desk.get("/api/topics");
    topicsLoaded = true;
    const chosen = $("compare-topic").value;
    $("compare-topic").replaceChildren(new Option("Choose a topic…", ""),
      ...topics.map((topic) => new Option(topic.title, topic.topic)));
    $("compare-topic").value = chosen;
  }

  // A question from the type-ahead: its topic compared, if it is answered by region.
  async function chosen(suggestion) {
    await loadTopics();
    const comparable = Array.from($("compare-topic").options).some((option) => option.value === suggestion.topic);
    $("compare-note").textContent = comparable ? "" : `“${suggestion.question}” is not answered by region: see the contact directory.`;
    if (comparable) await show(suggestion.topic);
  }

  window.KPTypeahead.attach($("compare-find"), {
    label: "Topics", onChoose: (suggestion) => chosen(suggestion).catch(desk.failed),
  });
  $("compare-topic").addEventListener("change", () => {
    $("compare-note").textContent = "";
    show($("compare-topic").value).catch(desk.failed);
  });
  document.addEventListener("kp-desk:tab", (event) => {
    if (event.detail.panel === "panel-compare" && desk.signedIn()) loadTopics().catch(desk.failed);
  });
  document.addEventListener("kp-desk:signed-out", () => {
    topicsLoaded = false;
    show("").catch(desk.failed);
  });
})();
