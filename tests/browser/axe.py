"""axe-core, the standard accessibility checker (Deque; pinned in package.json's devDependencies, installed by
`npm ci`), run in a page the browser tests have brought to some state: its WCAG 2.0/2.1 A and AA rules, and
any serious or critical violation fails the test with the rule, its impact and the elements it found.

axe is put into the page by the test driver (Playwright's evaluate, which runs as DevTools does, outside the
page's Content-Security-Policy), never by a script tag: the pages' policy stays as production serves it.
It reads open shadow roots, so the widget drawn in one is checked too."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.rasa_cli import ROOT

AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
FAILING_IMPACTS = ("serious", "critical")

_RUN = """async (tags) => {
  const result = await axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((n) => n.target.map((t) => [].concat(t).join(" >>> ")).join(" ")),
  }));
}"""


def axe_version() -> str:
    """The pinned version, as the installed file names it."""
    first = AXE_JS.read_text(encoding="utf-8").split("\n", 1)[0]  # "/*! axe v4.14.1 ..."
    return first.split("axe v", 1)[1].split()[0]


def violations(page: Page) -> list[dict]:
    """Every violation of the WCAG A/AA rules in the page as it is now: id, impact, help, node targets."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(f"() => {{ {AXE_JS.read_text(encoding='utf-8')}\n}}")
    return page.evaluate(_RUN, list(WCAG_TAGS))


def describe(view: str, found: list[dict]) -> list[str]:
    return [f"{view}: {v['id']} ({v['impact']}: {v['help']}) at {', '.join(v['targets'])}" for v in found]


def failing(found: list[dict]) -> list[dict]:
    return [v for v in found if v["impact"] in FAILING_IMPACTS]


def assert_accessible(page: Page, view: str) -> None:
    """Fails on any serious or critical violation, naming each with its nodes."""
    serious = failing(violations(page))
    assert not serious, "axe-core found:\n" + "\n".join(describe(view, serious))
