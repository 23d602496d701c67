// The agent console's shared parts, used by every other console script through window.KPDesk:
// signing in and the signed-in agent's API calls, copying to the clipboard, and the desk's tabs
// (WAI-ARIA tabs: arrow keys, Home and End move between them). Loaded after ../shared/dom.js.
(() => {
  "use strict";

  const TOKEN_KEY = "kp-agent-console-token";
  const $ = (id) => document.getElementById(id);
  let token = sessionStorage.getItem(TOKEN_KEY);

  class SignedOut extends Error {}

  // GET a console endpoint as the signed-in agent; SignedOut when the server no longer accepts it.
  async function get(path, options = {}) {
    const response = await fetch(path, {
      headers: { Authorization: `Bearer ${options.token || token}` }, cache: "no-store", signal: options.signal,
    });
    if (response.status === 401) throw new SignedOut("not signed in");
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.json();
  }

  function announce(name, detail) {
    document.dispatchEvent(new CustomEvent(name, { detail }));
  }

  function showSignedIn(signedIn, error) {
    $("sign-in").hidden = signedIn;
    $("workspace").hidden = !signedIn;
    $("sign-out").hidden = !signedIn;
    $("sign-in-error").textContent = error || "";
    if (!signedIn) {
      token = null;
      sessionStorage.removeItem(TOKEN_KEY);
    }
    announce(signedIn ? "kp-desk:signed-in" : "kp-desk:signed-out");
  }

  // What every console script does with a failed call: a lost sign-in signs the console out.
  function failed(error) {
    if (error instanceof SignedOut) showSignedIn(false, "Your sign-in is no longer valid. Sign in again.");
    else if (error.name !== "AbortError") console.error("agent console:", error);
  }

  $("sign-in").addEventListener("submit", async (event) => {
    event.preventDefault();
    const candidate = $("token").value.trim();
    try {
      await get("/api/conversations/-", { token: candidate });
    } catch (error) {
      $("sign-in-error").textContent = error instanceof SignedOut
        ? "Sign-in failed: that token is not valid." : `Sign-in failed: ${error.message}`;
      return;
    }
    token = candidate;
    sessionStorage.setItem(TOKEN_KEY, token);
    $("token").value = "";
    showSignedIn(true);
  });

  $("sign-out").addEventListener("click", () => {
    showSignedIn(false);
    $("token").focus();
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
  const tabs = () => Array.from(document.querySelectorAll('[role="tab"]'));

  function selectTab(chosen, focus) {
    for (const tab of tabs()) {
      const selected = tab === chosen;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      $(tab.getAttribute("aria-controls")).hidden = !selected;
    }
    if (focus) chosen.focus();
    announce("kp-desk:tab", { panel: chosen.getAttribute("aria-controls") });
  }

  for (const tab of tabs()) {
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

  window.KPDesk = Object.freeze({ get, failed, copy, copyButton, signedIn: () => Boolean(token) });

  document.addEventListener("DOMContentLoaded", () => {
    selectTab(tabs()[0], false);
    showSignedIn(Boolean(token));
  });
})();
