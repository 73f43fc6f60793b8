"""The two browser tabs of the browser bench: the app on a phone's screen, and the blank page.

Each timed action is a click made in the page, timed there with performance.now() until a
condition on the page holds (a MutationObserver and a 4 ms poll), then the page settles.
"""

from __future__ import annotations

import json

PHONE = {  # as tests/browser_support.py: a phone's user agent closes the page menu after a tap
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
    "locale": "en-GB",
}
CHART, DRAWN = "[data-testid=stVegaLiteChart]", "canvas, svg.marks"
SEVERITY = "How bad (0 = no pain, 10 = worst)"

# Click `click` (a CSS selector) and resolve with the ms until `cond` (a JS function) holds.
TIMED_CLICK = """
async ([click, cond, timeout]) => {
  const holds = new Function('return (' + cond + ')()');
  const el = document.querySelector(click);
  if (!el) throw new Error('nothing to click at ' + click);
  if (holds()) throw new Error('already true before the click: ' + cond);
  return await new Promise((resolve, reject) => {
    const t0 = performance.now();
    const obs = new MutationObserver(() => check());
    obs.observe(document.body, {subtree: true, childList: true, attributes: true,
                                characterData: true});
    const iv = setInterval(() => check(), 4);
    function check() {
      const now = performance.now() - t0;
      if (holds()) { obs.disconnect(); clearInterval(iv); resolve(now); }
      else if (now > timeout) { obs.disconnect(); clearInterval(iv);
        reject(new Error('timed out after ' + timeout + ' ms: ' + cond)); }
    }
    el.click();
  });
}
"""
SETTLED = (
    "() => { const a = document.querySelector('[data-testid=stApp]');"
    " return a && a.getAttribute('data-test-script-state') === 'notRunning'"
    " && !document.querySelector('[data-testid*=keleton]')"
    " && !!document.querySelector('[data-testid=stMain] h1'); }"
)
MARK_NAV = """([title, mark]) => {
  const links = [...document.querySelectorAll(
    '[data-testid=stTopNavLink], [data-testid=stSidebarNavLink], a[href]')];
  const link = links.find(
    a => a.innerText.trim().split(String.fromCharCode(10)).pop().trim() === title);
  if (!link) return false;
  link.setAttribute('data-bench', mark);
  return true; }"""


def settle(page, extra_ms: int = 200) -> None:  # noqa: ANN001
    """Wait until the script has stopped running and the page shows its title."""
    page.wait_for_timeout(60)
    page.wait_for_function(SETTLED, timeout=120_000)
    page.wait_for_timeout(extra_ms)


def timed_click(page, click: str, cond: str) -> float:  # noqa: ANN001
    """Milliseconds from a click on `click` until `cond` holds; then the page settles."""
    ms = page.evaluate(TIMED_CLICK, [click, cond, 120_000])
    settle(page, 150)
    return ms


def nav(page, title: str) -> str:  # noqa: ANN001
    """A CSS selector for the navigation link titled `title`."""
    mark = "bench-" + title.lower().replace(" ", "-")
    if not page.evaluate(MARK_NAV, [title, mark]):
        raise RuntimeError(f"no navigation link {title!r}")
    return f"[data-bench={mark}]"


def click(page, selector: str) -> None:  # noqa: ANN001
    """A click made in the page (as the timed ones are), untimed."""
    page.evaluate("(s) => document.querySelector(s).click()", selector)


def title_is(title: str) -> str:
    """JS: the page's title is `title` and nothing on it is stale."""
    return (
        "() => { const h = document.querySelector('[data-testid=stMain] h1');"
        f" return !!h && h.innerText.trim() === {json.dumps(title)}"
        " && !document.querySelector('[data-stale=true]'); }"
    )


def charts_drawn(count: int) -> str:
    """JS: Trends shows at least `count` charts and every one of them is drawn."""
    return (
        "() => { const h = document.querySelector('[data-testid=stMain] h1');"
        " if (!h || h.innerText.trim() !== 'Trends') return false;"
        f" const charts = [...document.querySelectorAll('{CHART}')];"
        f" return charts.length >= {count} && charts.every(c => c.querySelector('{DRAWN}')); }}"
    )


# Click `click` and resolve with [ms until `first` holds, ms until `last` holds].
TWICE_TIMED_CLICK = """
async ([click, first, last, timeout]) => {
  const sooner = new Function('return (' + first + ')()');
  const later = new Function('return (' + last + ')()');
  const el = document.querySelector(click);
  if (!el) throw new Error('nothing to click at ' + click);
  if (sooner() || later()) throw new Error('already true before the click');
  return await new Promise((resolve, reject) => {
    const t0 = performance.now();
    let seen = null;
    const iv = setInterval(() => {
      const now = performance.now() - t0;
      if (seen === null && sooner()) seen = now;
      if (later()) { clearInterval(iv); resolve([seen === null ? now : seen, now]); }
      else if (now > timeout) { clearInterval(iv);
        reject(new Error('timed out after ' + timeout + ' ms: ' + last)); }
    }, 4);
    el.click();
  });
}
"""
FIRST_NUMBER = (
    "() => { const h = document.querySelector('[data-testid=stMain] h1');"
    " return !!h && h.innerText.trim() === 'Trends'"
    " && !!document.querySelector('[data-testid=stMetricValue]'); }"
)


def every_chart_drawn() -> str:
    """JS: Trends has run to its end and every chart on it is drawn (however many)."""
    return (
        "() => { const h = document.querySelector('[data-testid=stMain] h1');"
        " if (!h || h.innerText.trim() !== 'Trends') return false;"
        " const a = document.querySelector('[data-testid=stApp]');"
        f" const charts = [...document.querySelectorAll('{CHART}')];"
        " return a.getAttribute('data-test-script-state') === 'notRunning'"
        f" && charts.length > 0 && charts.every(c => c.querySelector('{DRAWN}')); }}"
    )


def saved_in(bar: str, words: str) -> str:
    """JS: the save bar with key `bar` says `words`."""
    return (
        f"() => [...document.querySelectorAll('.st-key-{bar}')]"
        f".some(bar => bar.innerText.includes({json.dumps(words)}))"
    )


class AppTab:
    """The app on a phone: Last night's save, and the way to Trends and back."""

    def __init__(self, browser, base: str) -> None:  # noqa: ANN001
        self.page = browser.new_context(**PHONE).new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.saves, self.charts = 0, 0
        self.page.goto(base)
        settle(self.page)

    def _pill(self, group: str, option: str):  # noqa: ANN202
        radios = self.page.get_by_role("radiogroup", name=group).last
        return radios.get_by_role("radio", name=option, exact=True)

    def _prepare_save(self) -> None:
        """The form ready to save: a new one-cramp night, then its severity changed (untimed)."""
        p = self.page
        if self.saves == 0:
            p.get_by_role("button", name="Add a cramp").click()
            settle(p)
            for group, option in (("When", "2 am"), (SEVERITY, "6"), ("Leg", "left")):
                self._pill(group, option).click()
                settle(p)
        else:
            p.locator("[class*=st-key-ln_c][class*=_open] button").first.click()
            settle(p)
            self._pill(SEVERITY, "7" if self.saves % 2 else "6").click()
            settle(p)

    def save(self) -> float:
        """Click Save on Last night until it says "Saved the night of"."""
        self._prepare_save()
        ms = timed_click(
            self.page, ".st-key-ln_save button", saved_in("ln_savebar", "Saved the night of")
        )
        self.saves += 1
        return ms

    def to_trends(self) -> float:
        """Click Trends until every chart is drawn, then go back to Last night (untimed)."""
        ms = timed_click(self.page, nav(self.page, "Trends"), charts_drawn(self.charts))
        self.back()
        return ms

    def back(self) -> None:
        """Back to Last night."""
        click(self.page, nav(self.page, "Last night"))
        self.page.wait_for_function(title_is("Last night"), timeout=120_000)
        settle(self.page)

    def visit_trends(self) -> tuple[float, float]:
        """Click Trends (whatever came before it in this tab): ms to its first number and ms
        until every chart is drawn; then back to Last night (untimed)."""
        click_at = nav(self.page, "Trends")
        number, drawn = self.page.evaluate(
            TWICE_TIMED_CLICK, [click_at, FIRST_NUMBER, every_chart_drawn(), 120_000]
        )
        settle(self.page, 150)
        self.back()
        return number, drawn

    def count_charts(self) -> int:
        """Open Trends once (untimed) and count the charts it draws."""
        click(self.page, nav(self.page, "Trends"))
        self.page.wait_for_function(title_is("Trends"), timeout=120_000)
        settle(self.page, 1500)
        every = f"[...document.querySelectorAll('{CHART}')]"
        self.page.wait_for_function(
            f"() => {every}.every(c => c.querySelector('{DRAWN}'))", timeout=120_000
        )
        self.charts = self.page.evaluate(f"() => {every}.length")
        self.back()
        return self.charts

    def close(self) -> None:
        """Close the tab and its browser context."""
        self.page.context.close()


class BlankTab:
    """The blank reference page: its Save, and a switch to its other page and back."""

    def __init__(self, browser, base: str) -> None:  # noqa: ANN001
        self.url = base
        self.page = browser.new_context(**PHONE).new_page()
        self.page.goto(base)
        settle(self.page)
        self.saves = 0

    def save(self) -> float:
        """Click Save until it says "Saved N"."""
        words = f"Saved {self.saves + 1}"
        ms = timed_click(self.page, ".st-key-blank_save button", saved_in("blank_savebar", words))
        self.saves += 1
        return ms

    def switch(self) -> float:
        """Click "Other" until its title shows, then go back (untimed)."""
        ms = timed_click(self.page, nav(self.page, "Other"), title_is("Other"))
        click(self.page, nav(self.page, "Blank"))
        self.page.wait_for_function(title_is("Blank"), timeout=120_000)
        settle(self.page)
        return ms


class PreparedTab(AppTab):
    """The prepared pages (tracker.bench.prepared) on a phone: the same save and Trends."""

    def _prepare_save(self) -> None:
        """Fold the "Saved" message away as her next tap does (untimed): a tap on the cramp's
        line reruns the save bar's fragment."""
        if self.saves:
            click(self.page, "[class*=st-key-ln_c][class*=_open] button")
            settle(self.page)


# Set in every new page before its first script: the ms from the navigation's start until
# `cond` holds (a 4 ms poll), in window.__benchLoaded.
LOADED_WHEN = """
(() => {
  window.__benchLoaded = null;
  const holds = %s;
  const iv = setInterval(() => {
    try { if (holds()) { window.__benchLoaded = performance.now(); clearInterval(iv); } }
    catch (e) {}
  }, 4);
})();
"""


def loaded(title: str) -> str:
    """JS: the page titled `title` has run its script to the end and shows nothing stale."""
    return (
        "() => { const a = document.querySelector('[data-testid=stApp]');"
        f" return ({title_is(title)})() && !!a"
        " && a.getAttribute('data-test-script-state') === 'notRunning'"
        " && !document.querySelector('[data-testid*=keleton]'); }"
    )


def first_load(browser, url: str, title: str) -> float:  # noqa: ANN001
    """A phone's first load of `url`, cold (a new browser context: nothing cached, a new
    session): ms from the navigation's start until the page titled `title` is drawn."""
    context = browser.new_context(**PHONE)
    try:
        context.add_init_script(LOADED_WHEN % loaded(title))
        page = context.new_page()
        page.goto(url, wait_until="commit")
        page.wait_for_function("() => window.__benchLoaded !== null", timeout=120_000)
        return float(page.evaluate("() => window.__benchLoaded"))
    finally:
        context.close()
