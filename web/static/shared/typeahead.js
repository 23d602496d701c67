// Type-ahead questions under a text box, shared by the broker widget (widget/kp-chat.js) and the agent
// console: from the second typed character, up to five questions from the topic catalogue (GET
// /api/suggest?q=, broker_faq/directory.py's Suggestions: word by word, typo-tolerant) appear in a
// list under the box. It follows the WAI-ARIA combobox pattern with a listbox popup: the box is the
// combobox (aria-expanded, aria-controls, aria-activedescendant), focus never leaves it; Down and Up
// move through the questions, Enter asks the one highlighted, Escape closes the list (and only the
// list). Nothing is sent and typing is never held up until a question is chosen: requests run in the
// background and an answer to older text than the box now holds is dropped. Built with textContent
// only; works in a shadow root (the widget's) as in a page. Usage:
//   KPTypeahead.attach(input, { after: node, onChoose: ({ topic, question, payload }) => ... })
(() => {
  "use strict";

  const here = document.currentScript ? document.currentScript.src : location.href;
  const ENDPOINT = new URL("../api/suggest", here).href;
  const STYLESHEET = new URL("typeahead.css", here).href;
  const MIN_CHARS = 2;
  const LIMIT = 5;
  const DEBOUNCE_MS = 120;
  let instances = 0;

  function node(tag, className, text) {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined) made.textContent = text;
    return made;
  }

  // The list's styles, once per document or shadow root the box lives in.
  function addStylesheet(root) {
    const parent = root instanceof ShadowRoot ? root : document.head;
    if (parent.querySelector(`link[href="${STYLESHEET}"]`)) return;
    const link = node("link");
    link.rel = "stylesheet";
    link.href = STYLESHEET;
    parent.append(link);
  }

  class Typeahead {
    constructor(input, options) {
      this.input = input;
      this.onChoose = options.onChoose;
      this.endpoint = options.endpoint || ENDPOINT;
      this.prefix = `kp-typeahead-${++instances}`;
      this.items = [];
      this.active = -1;
      this.timer = null;
      this.request = null;

      this.list = node("ul", "kp-typeahead-list");
      this.list.id = `${this.prefix}-list`;
      this.list.setAttribute("role", "listbox");
      this.list.setAttribute("aria-label", options.label || "Suggested questions");
      this.list.hidden = true;
      this.status = node("p", "kp-typeahead-status");
      this.status.setAttribute("role", "status");
      (options.after || input).after(this.list, this.status);
      addStylesheet(input.getRootNode());

      input.setAttribute("role", "combobox");
      input.setAttribute("aria-autocomplete", "list");
      input.setAttribute("aria-controls", this.list.id);
      input.setAttribute("aria-expanded", "false");
      input.addEventListener("input", () => this.typed());
      input.addEventListener("keydown", (event) => this.key(event));
      input.addEventListener("blur", () => this.close());
      if (input.form) input.form.addEventListener("submit", () => this.close());
    }

    typed() {
      clearTimeout(this.timer);
      if (this.input.value.trim().length < MIN_CHARS) {
        this.close();
        return;
      }
      this.timer = setTimeout(() => this.lookUp(this.input.value), DEBOUNCE_MS);
    }

    async lookUp(typed) {
      if (this.request) this.request.abort();
      const request = new AbortController();
      this.request = request;
      let found;
      try {
        const response = await fetch(`${this.endpoint}?q=${encodeURIComponent(typed)}`, { signal: request.signal });
        found = response.ok ? (await response.json()).suggestions : [];
      } catch {
        return; // aborted, or the server is away: no suggestions, typing goes on
      }
      // Only for the text still in the box, and only while the box has focus.
      if (this.request !== request || this.input.value !== typed) return;
      this.request = null;
      if (this.input.getRootNode().activeElement !== this.input) return;
      this.show(Array.isArray(found) ? found.slice(0, LIMIT) : []);
    }

    show(items) {
      this.items = items;
      this.active = -1;
      this.input.removeAttribute("aria-activedescendant");
      this.list.replaceChildren(...items.map((item, index) => {
        const option = node("li", "kp-typeahead-option", item.question);
        option.id = `${this.prefix}-option-${index}`;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.addEventListener("mousedown", (event) => event.preventDefault()); // the box keeps focus
        option.addEventListener("click", () => this.choose(index));
        return option;
      }));
      this.setOpen(items.length > 0);
      this.status.textContent = items.length
        ? `${items.length} suggested question${items.length === 1 ? "" : "s"}: up and down arrows to browse, Enter to ask.`
        : "";
    }

    setOpen(open) {
      this.list.hidden = !open;
      this.input.setAttribute("aria-expanded", String(open));
      if (!open) {
        this.active = -1;
        this.input.removeAttribute("aria-activedescendant");
      }
    }

    close() {
      clearTimeout(this.timer);
      if (this.request) this.request.abort();
      this.request = null;
      this.setOpen(false);
      this.status.textContent = "";
    }

    highlight(index) {
      this.active = index;
      Array.from(this.list.children).forEach((option, at) => {
        option.setAttribute("aria-selected", String(at === index));
        if (at === index) {
          this.input.setAttribute("aria-activedescendant", option.id);
          option.scrollIntoView({ block: "nearest" });
        }
      });
    }

    key(event) {
      const open = !this.list.hidden;
      const count = this.items.length;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!count) return;
        event.preventDefault();
        if (!open) this.setOpen(true);
        const step = event.key === "ArrowDown" ? 1 : -1;
        const from = this.active === -1 && step < 0 ? count : this.active;
        this.highlight((from + step + count) % count);
      } else if (event.key === "Enter" && open && this.active >= 0) {
        event.preventDefault(); // ask the highlighted question, not the typed text
        this.choose(this.active);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        event.stopPropagation(); // closes the list only, not what the box is in
        this.close();
      }
    }

    choose(index) {
      const chosen = this.items[index];
      if (!chosen) return;
      this.input.value = "";
      this.close();
      this.items = [];
      this.onChoose(chosen);
    }
  }

  window.KPTypeahead = Object.freeze({ attach: (input, options) => new Typeahead(input, options) });
})();
