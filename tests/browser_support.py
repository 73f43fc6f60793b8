"""Run the real app with `streamlit run` on a free port and drive it with Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tracker.bench.browser import CHROMIUM_ARGS as ROOT_CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [*ROOT_CHROMIUM_ARGS, "--disable-quic"]  # as root here, as the bench runs it
ARTIFACTS = ROOT / "test-artifacts"


def require_chromium() -> None:
    """Skip on a laptop without Chromium or Playwright; fail in CI."""
    missing = None
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        missing = f"no Chromium at {CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "playwright is not installed"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {missing}", pytrace=False)
        pytest.skip(missing)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_addresses(port: int) -> set[str]:
    """Local addresses (e.g. "127.0.0.1", "0.0.0.0", "::") listening on port, from /proc/net."""
    found = set()
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.rsplit(":", 1)
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                raw = bytes.fromhex(address)  # 32-bit words in host (little-endian) order
                raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
                found.add(socket.inet_ntop(family, raw))
    return found


def wait_until_serving(
    port: int, process: subprocess.Popen, log: Path | None = None, seconds: float = 60
) -> None:
    """Poll the app's /_stcore/health until it answers 200; fail if it exits or is too slow."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        said = f":\n{log.read_text()}" if log is not None and log.exists() else ""
        if process.poll() is not None:
            raise RuntimeError(f"the app stopped (exit {process.returncode}){said}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the app did not start in {seconds:g} s{said}")
        time.sleep(0.25)


@contextmanager
def running_app(database_url: str, *extra: str) -> Iterator[str]:
    """Start the app on 127.0.0.1 with its own journal; yield its base URL; stop it after."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url}
    log_path = Path(database_url.split("///", 1)[-1]).parent / "streamlit.log"
    log = open(log_path, "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "streamlit_app.py"),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(port, proc, log_path)
        yield base
    finally:
        # Killed, not asked to stop: no test here looks at how it stops (test_security_protocol
        # does, for `cramp-journal serve`), and Streamlit's orderly stop takes 1-2 s each time.
        proc.kill()
        proc.wait(timeout=10)
        log.close()


class Guard:
    """Records console errors and any request to a host other than the app's 127.0.0.1.

    Requests are watched, not intercepted: with a route on every request Chromium turns its
    cache off, and each page load fetched and compiled the app's scripts again (40% more CPU).
    A request elsewhere is recorded just the same, and fails the test that checks the list."""

    def __init__(self) -> None:
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []

    def attach(self, page, base: str) -> None:  # noqa: ANN001
        own = urlparse(base).netloc

        def request(request) -> None:  # noqa: ANN001
            host = urlparse(request.url)
            if host.scheme not in ("data", "blob") and host.netloc != own:
                self.foreign_requests.append(request.url)

        page.on("request", request)
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))

    def _console(self, message) -> None:  # noqa: ANN001
        # Opened at a sub-path such as /trends, Streamlit's page first probes
        # /trends/_stcore/health and host-config, then the root: those 404s are expected.
        url = (message.location or {}).get("url", "")
        if message.type == "error" and "/_stcore/" not in url:
            self.console_errors.append(message.text)


@contextmanager
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_for_app(page) -> None:  # noqa: ANN001
    """Wait until Streamlit has finished running the script."""
    page.wait_for_selector("[data-testid=stApp]")
    page.wait_for_selector("[data-testid=stMain] h1", timeout=60_000)  # every page has a title
    page.wait_for_function(  # not running, and no widget still drawn as a grey placeholder
        "() => !document.querySelector('[data-testid=stStatusWidget]')"
        " && !document.querySelector('[data-testid*=keleton]')",
        timeout=30_000,
    )
    page.wait_for_timeout(300)


def screenshot(page, name: str) -> Path:  # noqa: ANN001
    """Keep a full-height screenshot under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], section')]"
        ".map(e => e.scrollHeight), 400)"
    )
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(height + 40, 8000)})
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
    return path


# A phone's browser says so in its user agent; Streamlit closes the page menu after a choice
# only then (a desktop browser at phone width keeps it open).
PHONE_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "user_agent": PHONE_AGENT,
    "locale": "en-GB",
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}
AXE = Path(os.environ.get("AXE_CORE_JS", ROOT / ".ci/node_modules/axe-core/axe.min.js"))

# Every control she can tap, as the box a finger hits (a checkbox with its label, a date
# or time field as one field), and the pairs of them closer than 8 px. Off-screen menus and the
# keyboard-only "skip to content" link are not tap targets.
_TARGETS_JS = """
() => {
  const sel = 'button, a[href], input:not([type=hidden]), textarea, select, summary, '
    + '[role=button], [role=checkbox], [role=radio], [role=switch], [role=tab], '
    + '[role=combobox], [role=slider], [role=spinbutton]';
  const boxes = [];
  const seen = new Set();
  for (const el of document.querySelectorAll(sel)) {
    if (el.closest('[data-testid=stSkipToContent], [data-testid=stToast]')) continue;
    if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    const target = el.closest('[data-testid=stDateInput] [role=group]')
      || el.closest('[data-testid=stTimeInput] [role=group]')
      || el.closest('label') || el;
    if (seen.has(target)) continue;
    seen.add(target);
    const r = target.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= 0 || r.left >= innerWidth) continue;
    let hidden = false;
    for (let a = target.parentElement; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflow !== 'visible' && a.getBoundingClientRect().height < 2) hidden = true;
    }
    if (hidden) continue;
    const name = (target.getAttribute('aria-label') || target.innerText || target.value
      || target.getAttribute('placeholder') || target.tagName).trim().slice(0, 50);
    let layer = 'page';  // a fixed bar (header, save bar) floats over the page as it scrolls
    for (let a = target; a; a = a.parentElement) {
      const floating = ['fixed', 'sticky'].includes(getComputedStyle(a).position);
      if (floating || a.matches('[data-testid=stHeader], [data-testid=stSidebar]')) {
        layer = a;
        break;
      }
    }
    boxes.push({name, x: r.left, y: r.top, w: r.width, h: r.height, el: target, layer});
  }
  const small = boxes.filter(b => b.w < 44 || b.h < 44)
    .map(b => `${b.name}: ${Math.round(b.w)}x${Math.round(b.h)}`);
  const close = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.layer !== b.layer || a.el.contains(b.el) || b.el.contains(a.el)) continue;
    const dx = Math.max(0, Math.max(a.x, b.x) - Math.min(a.x + a.w, b.x + b.w));
    const dy = Math.max(0, Math.max(a.y, b.y) - Math.min(a.y + a.h, b.y + b.h));
    if (Math.max(dx, dy) < 7.5) close.push(`${a.name} / ${b.name}: ${Math.max(dx, dy)} px`);
  }
  return {count: boxes.length, small, close};
}
"""


def touch_targets(page) -> dict:  # noqa: ANN001
    """{count, small: [...], close: [...]} for the tap targets on the page now."""
    return page.evaluate(_TARGETS_JS)


def require_axe() -> None:
    """axe-core comes from npm (.ci/run installs it); skip without it, except in CI."""
    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"axe-core is missing in CI: {AXE}", pytrace=False)
        pytest.skip(f"no axe-core at {AXE} (npm install --prefix .ci axe-core@4)")


def axe_violations(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:  # noqa: ANN001
    """axe-core's serious and critical violations on the page now, one line each."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def in_viewport(page, locator) -> bool:  # noqa: ANN001
    """True when the element is wholly inside what she sees now (not just somewhere on the
    page) and not covered by anything else (such as the save bar) at its centre."""
    box = locator.bounding_box()
    size = page.viewport_size
    inside = (
        box is not None
        and box["y"] >= 0
        and box["x"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] + box["width"] <= size["width"]
    )
    return inside and locator.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);"
        " return !!hit && (el.contains(hit) || hit.contains(el)); }"
    )
