"""In a real Chromium: `serve --lan` opens after the passphrase, and a rebound name is refused."""

from __future__ import annotations

from pathlib import Path

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, DESKTOP, require_chromium, wait_for_app
from tests.test_security_protocol import (
    FOREIGN,
    SECRET,
    serving,
)


def test_the_owner_unlocks_in_a_browser_and_a_rebound_name_gets_nothing(
    tmp_path: Path, secret_file: Path
) -> None:
    require_chromium()
    from playwright.sync_api import sync_playwright

    # The attacker's name resolves to this machine, as after DNS rebinding.
    rules = f"--host-resolver-rules=MAP {FOREIGN} 127.0.0.1"
    with serving(tmp_path, "--lan") as (port, _), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, rules])
        try:
            page = browser.new_page(**DESKTOP)
            response = page.goto(f"http://{FOREIGN}:{port}/")
            assert response is not None and response.status == 403
            assert "Cramp Journal" not in page.content()

            page = browser.new_page(**DESKTOP)
            page.goto(f"http://127.0.0.1:{port}/")
            wait_for_app(page)
            assert page.locator("[data-testid=stMain] h1").inner_text() == "Cramp Journal"
            page.get_by_label("Passphrase").fill(SECRET)
            page.get_by_role("button", name="Open").click()
            page.wait_for_selector("h1:has-text('Last night')", timeout=60_000)
        finally:
            browser.close()
