// eslint for the browser scripts under web/static (`make lint-js`): eslint's recommended rules, and
// rules that hold what the README promises: nothing the bot or a user sends is parsed as HTML or run
// as code (the pages' Content-Security-Policy allows no inline script either).
import js from "@eslint/js";
import globals from "globals";

const NO_HTML = "build nodes with createElement and textContent (web/static/shared/dom.js)";

export default [
  js.configs.recommended,
  {
    files: ["web/static/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script", // classic scripts, each wrapped in its own function
      // io: the socket.io client, Chart: Chart.js (both from node_modules, served under /vendor/)
      globals: { ...globals.browser, io: "readonly", Chart: "readonly" },
    },
    rules: {
      eqeqeq: "error",
      "no-implicit-globals": "error",
      "no-var": "error",
      "prefer-const": "error",
      "no-eval": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
      "no-script-url": "error",
      "no-restricted-properties": [
        "error",
        { property: "innerHTML", message: NO_HTML },
        { property: "outerHTML", message: NO_HTML },
        { property: "insertAdjacentHTML", message: NO_HTML },
        { object: "document", property: "write", message: NO_HTML },
      ],
    },
  },
];
