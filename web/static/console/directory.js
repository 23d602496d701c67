// The contact directory: every team of every region with its card (cards.js), narrowed as the agent
// types. The filter is the server's (GET /api/directory?q=, broker_faq/directory.py: word by word,
// typos, acronyms, needs, digits of numbers, parts of e-mails), asked DEBOUNCE_MS after the last
// keystroke; an answer to an older filter than the one shown is dropped.
(() => {
  "use strict";

  const { el } = window.KPDom;
  const desk = window.KPDesk;
  const DEBOUNCE_MS = 150;
  const $ = (id) => document.getElementById(id);
  let timer = null;
  let pending = null; // the AbortController of the request in flight
  let loaded = false;

  // "in both regions" with two, "in 3 regions" with a third region's file: the regions come from the teams.
  function regionCount(teams) {
    const regions = new Set(teams.map((team) => team.region)).size;
    return regions === 2 ? "both regions" : `${regions} regions`;
  }

  function countText(teams, typed) {
    if (!typed.trim()) return `${teams.length} teams in ${regionCount(teams)}.`;
    if (!teams.length) return `No team matches “${typed.trim()}”.`;
    return `${teams.length} ${teams.length === 1 ? "team matches" : "teams match"} “${typed.trim()}”.`;
  }

  function render(teams, typed) {
    $("directory").replaceChildren(...teams.map((team) => {
      const item = el("li");
      item.append(window.KPCards.contactCard(team.card, { region: team.region }));
      return item;
    }));
    $("directory-count").textContent = countText(teams, typed);
  }

  async function load(typed) {
    if (pending) pending.abort();
    const controller = new AbortController();
    pending = controller;
    const { teams } = await desk.get(`/api/directory?q=${encodeURIComponent(typed)}`, { signal: controller.signal });
    if (pending !== controller) return; // a newer filter was typed meanwhile
    pending = null;
    loaded = true;
    render(teams, typed);
  }

  $("directory-filter").addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => load($("directory-filter").value).catch(desk.failed), DEBOUNCE_MS);
  });

  function loadWhenShown() {
    if (!loaded && desk.signedIn() && !$("panel-directory").hidden) load($("directory-filter").value).catch(desk.failed);
  }

  document.addEventListener("kp-desk:tab", loadWhenShown);
  document.addEventListener("kp-desk:signed-in", loadWhenShown);
  document.addEventListener("kp-desk:signed-out", () => {
    loaded = false;
    $("directory-filter").value = "";
    $("directory").replaceChildren();
    $("directory-count").textContent = "";
  });
})();
