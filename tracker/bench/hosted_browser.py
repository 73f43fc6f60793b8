"""The hosted bench's real browsers: a person in headless Chromium on a phone's screen, signed
in through the proxy at the test provider's own form, timing her click on Save until the page
says "Saved" (the browser bench's own timed click, tracker.bench.browser_page)."""

from __future__ import annotations

from tracker.bench.browser_page import (
    PHONE,
    TIMED_CLICK,
    AppTab,
    saved_in,
    settle,
    timed_click,
)
from tracker.bench.hosted_stack import Person, Stack

SAVE_BUTTON = ".st-key-ln_save button"
SAVED = saved_in("ln_savebar", "Saved the night of")
# The browser bench's timed click, started without waiting for it: its result lands in
# window.__bench, so several tabs can tap at the same moment.
START_CLICK = (
    "(args) => { window.__bench = null; (" + TIMED_CLICK + ")(args)"
    ".then(ms => { window.__bench = ms; }, e => { window.__bench = String(e); }); return true; }"
)


class HostedTab(AppTab):
    """Her phone's tab on the practice's server: signed in, her night logged once (untimed)."""

    def __init__(self, browser, stack: Stack, person: Person) -> None:  # noqa: ANN001
        context = browser.new_context(**PHONE, ignore_https_errors=True)  # Caddy's test CA
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.saves, self.charts = 0, 0
        self.person = person
        person.cramps = 1  # AppTab's form: one cramp, its severity changed before each save
        self.confirmed: list[int] = []
        self.ready = False  # the form is ready for the next save
        p = self.page
        p.goto(stack.base)
        settle(p)
        p.get_by_role("button", name="Sign in").click()
        p.wait_for_url("**/oauth2/authorize**", timeout=120_000)
        p.fill("input[name=sub]", person.sub)
        p.get_by_role("button", name="Authorize").click()
        p.wait_for_url(f"{stack.base}/**", timeout=120_000)
        settle(p)
        self.save()

    def prepare(self) -> None:
        """The form ready for her next save (untimed), unless it is already."""
        if not self.ready:
            self._prepare_save()
            self.ready = True

    def click_save(self) -> float:
        """Milliseconds from her tap on Save until the save bar says "Saved"."""
        ms = timed_click(self.page, SAVE_BUTTON, SAVED)
        return self._saved(ms)

    def start_save(self) -> None:
        """Tap Save (the form ready), timed in the page; finish_save() waits for "Saved"."""
        self.page.evaluate(START_CLICK, [SAVE_BUTTON, SAVED, 300_000])

    def finish_save(self) -> float:
        self.page.wait_for_function("() => window.__bench !== null", timeout=310_000)
        ms = self.page.evaluate("() => window.__bench")
        if not isinstance(ms, int | float):
            raise RuntimeError(f"her save in Chromium did not say Saved: {ms}")
        settle(self.page, 150)
        return self._saved(ms)

    def _saved(self, ms: float) -> float:
        self.saves += 1
        self.ready = False
        self.confirmed.append(1)
        return ms

    def save(self) -> float:
        self.prepare()
        return self.click_save()
