// The agent console's shared parts, used by every other console script through window.KPDesk:
// signing in with a named account (a session cookie, HttpOnly: no script here ever holds a credential)
// and the signed-in agent's API calls, copying to the clipboard, and the desk's tabs
// (WAI-ARIA tabs: arrow keys, Home and End move between them). Loaded after ../shared/dom.js.
(() => {
  "use strict";

  const $ = (id) => document.getElementById(id);
  let agent = null; // the signed-in agent's name
  let role = null; // their role: "agent", or "lead" (who also sees the misses inbox, misses.js)

  class SignedOut extends Error {}

  // GET a console endpoint as the signed-in agent (the session cookie goes with it); SignedOut, with the
  // server's reason, when the session is gone. `background`: the console's own polling, which does not
  // keep an idle session alive.
  async function get(path, options = {}) {
    const response = await fetch(path, {
      headers: options.background ? { "X-Console-Background": "1" } : {}, cache: "no-store", signal: options.signal,
    });
    if (response.status === 401) throw new SignedOut((await response.json()).error);
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.json();
  }

  // POST JSON to a console endpoint (a lead's labels, misses.js); the answer's JSON, or an Error saying why.
  async function post(path, value = {}) {
    const response = await fetch(path, {
      method: "POST", headers: { "Content-Type": "application/json" }, cache: "no-store", body: JSON.stringify(value),
    });
    const body = await response.json();
    if (response.status === 401) throw new SignedOut(body.error);
    if (!response.ok) throw new Error(body.error || `${path}: HTTP ${response.status}`);
    return body;
  }

  function announce(name, detail) {
    document.dispatchEvent(new CustomEvent(name, { detail }));
  }

  function showSignedIn(name, error, accountRole) {
    agent = name;
    role = name ? accountRole || "agent" : null;
    $("sign-in").hidden = Boolean(name);
    $("workspace").hidden = !name;
    $("sign-out").hidden = !name;
    $("signed-in-as").textContent = name ? `Signed in as ${name}` : "";
    $("sign-in-error").textContent = error || "";
    announce(name ? "kp-desk:signed-in" : "kp-desk:signed-out");
    if (!name) $("agent-name").focus();
  }

  // What every console script does with a failed call: a lost session signs the console out.
  function failed(error) {
    if (error instanceof SignedOut) {
      if (agent) showSignedIn(null, error.message);
    } else if (error.name !== "AbortError") {
      console.error("agent console:", error);
    }
  }

  async function signIn(name, password) {
    const response = await fetch("/api/session", {
      method: "POST", headers: { "Content-Type": "application/json" }, cache: "no-store",
      body: JSON.stringify({ name, password }),
    });
    const body = await response.json();
    if (response.ok) return body;
    throw new Error(response.status === 401 ? "Sign-in failed: wrong name or password." : `Sign-in failed: ${body.error}`);
  }

  $("sign-in").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const signed = await signIn($("agent-name").value.trim(), $("agent-password").value);
      $("agent-password").value = "";
      showSignedIn(signed.agent, "", signed.role);
    } catch (error) {
      $("agent-password").value = "";
      $("sign-in-error").textContent = error.message;
      $("agent-password").focus();
    }
  });

  $("sign-out").addEventListener("click", async () => {
    try {
      await fetch("/api/session", { method: "DELETE", cache: "no-store" });
    } finally {
      showSignedIn(null, "You have signed out.");
    }
  });

  async function copy(text, button, done) {
    try {
      await navigator.clipboard.writeText(text);
      $("copy-status").textContent = done;
      const label = button.textContent;
      button.textContent = "Copied";
      setTimeout(() => { button.textContent = label; }, 2000);
    } catch {
      $("copy-status").textContent = "Could not copy: the browser refused clipboard access.";
    }
  }

  // A button that copies `text`; its accessible name says what it copies.
  function copyButton(text, what) {
    const button = window.KPDom.el("button", "copy", "Copy");
    button.type = "button";
    button.setAttribute("aria-label", `Copy ${what}`);
    button.addEventListener("click", () => copy(text, button, `Copied ${what} to the clipboard.`));
    return button;
  }

  // --- tabs ----------------------------------------------------------------------------------------
  const allTabs = () => Array.from(document.querySelectorAll('[role="tab"]'));
  const tabs = () => allTabs().filter((tab) => !tab.hidden); // a lead's Misses tab is hidden from agents

  function selectTab(chosen, focus) {
    for (const tab of allTabs()) {
      const selected = tab === chosen;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      $(tab.getAttribute("aria-controls")).hidden = !selected;
    }
    if (focus) chosen.focus();
    announce("kp-desk:tab", { panel: chosen.getAttribute("aria-controls") });
  }

  for (const tab of allTabs()) {
    tab.addEventListener("click", () => selectTab(tab, false));
    tab.addEventListener("keydown", (event) => {
      const all = tabs();
      const at = all.indexOf(tab);
      const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: all.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      selectTab(all[(next + all.length) % all.length], true);
    });
  }

  // A tab only leads see (misses.js, insights.js): shown when a lead signs in and loaded the first time it
  // is opened after that; at sign-out hidden (Answer details shown instead if it was open) and emptied by
  // `reset`. The server refuses anyone else (403), so this only keeps an agent's console uncluttered.
  function leadTab(name, load, reset, onError = failed) {
    const tab = $(`tab-${name}`);
    let loaded = false;
    document.addEventListener("kp-desk:signed-in", () => {
      tab.hidden = role !== "lead";
      loaded = false;
    });
    document.addEventListener("kp-desk:signed-out", () => {
      if (tab.getAttribute("aria-selected") === "true") selectTab($("tab-details"), false);
      tab.hidden = true;
      reset();
    });
    document.addEventListener("kp-desk:tab", (event) => {
      if (event.detail.panel !== tab.getAttribute("aria-controls") || loaded) return;
      load().then(() => { loaded = true; }, onError);
    });
  }

  window.KPDesk = Object.freeze({
    get, post, failed, copy, copyButton, selectTab, leadTab, signedIn: () => Boolean(agent), role: () => role,
  });

  document.addEventListener("DOMContentLoaded", async () => {
    selectTab(tabs()[0], false);
    try {
      const session = await get("/api/session");
      showSignedIn(session.agent, "", session.role);
    } catch (error) {
      showSignedIn(null, error instanceof SignedOut ? "" : `The console cannot reach its server: ${error.message}`);
    }
  });
})();
