"""Journeys in Chromium: screenshots of every step and axe-core on every page.

``journey`` hands a test a ``Journey`` bound to one browser context at one
viewport. ``journey.step(page, "name")`` saves a numbered full-page
screenshot under ``artifacts/screenshots/e2e/<journey>-<viewport>/`` and runs
axe-core (``node_modules/axe-core/axe.min.js``, pinned in package-lock.json)
on the page: any *serious* or *critical* violation of WCAG 2.1 A/AA fails
the test with the rule, the element and axe's help text. Every page checked
is listed in ``artifacts/a11y-pages.txt`` at the end of the run.

axe is loaded with ``page.evaluate(source)``: Playwright evaluates through
the DevTools protocol, which the page's Content-Security-Policy does not
govern, so the journeys run under the real CSP (no ``bypass_csp``).
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone

import pytest

from tests.conftest import ARTIFACTS_DIR, DESKTOP, PHONE, ROOT, service_unavailable

AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}
VIEWPORTS = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]

PASSWORD = "Mat-khau-hanh-trinh-2026"
CLERK_PASSWORD = "canbo-hanh-trinh-2026"
NUMBER = "7901234567"  # Nguyễn Văn An in the demo registry
PHONE_NUMBER = "+84901234567"

_checked_pages: list[str] = []


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_PATH.exists():
        service_unavailable("axe-core", "run `make node` (npm ci) to install it")
    return AXE_PATH.read_text(encoding="utf-8")


def axe_violations(page, source: str) -> list[dict]:
    """Serious and critical WCAG 2.1 A/AA violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(source)
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + n.failureSummary)}));
        }""",
        AXE_TAGS,
    )
    return [v for v in result if v["impact"] in FAILING_IMPACTS]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['impact']}: {v['id']} — {v['help']}")
        lines += [f"    {node}" for node in v["nodes"][:5]]
    return "\n".join(lines)


def axe_check(page, source: str, label: str) -> None:
    """Fail on serious/critical violations; list the page in a11y-pages.txt."""
    violations = axe_violations(page, source)
    url = re.sub(r"^https?://[^/]+", "", page.url)
    _checked_pages.append(f"{label}\t{url}")
    assert not violations, f"{label} ({url}):\n{format_violations(violations)}"


@dataclass
class Journey:
    name: str
    viewport: dict
    context: object
    axe: str
    folder: Path
    steps: list[str] = field(default_factory=list)

    @property
    def size(self) -> str:
        return "phone" if self.viewport == PHONE else "desktop"

    def page(self):
        page = self.context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.errors = errors
        return page

    def step(self, page, name: str, *, a11y: bool = True) -> Path:
        """Screenshot the page and fail on serious accessibility violations."""
        page.wait_for_load_state()
        number = len(self.steps) + 1
        self.steps.append(name)
        path = self.folder / f"{number:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        # Nothing sticks out sideways, whatever the size.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= self.viewport["width"], f"{name}: {width}px wide"
        assert page.locator("html").get_attribute("lang") in {"vi", "en"}
        if a11y:
            axe_check(page, self.axe, f"{self.name}-{self.size}\t{number:02d}-{name}")
        assert not page.errors, f"JavaScript errors on {name}: {page.errors}"
        return path


@pytest.fixture
def journey(request, browser, axe_source):
    """Factory: ``journey("name", viewport)`` → a Journey with its own context."""
    made: list = []

    def make(name: str, viewport: dict, **context_options) -> Journey:
        size = "phone" if viewport == PHONE else "desktop"
        folder = ARTIFACTS_DIR / "screenshots" / "e2e" / f"{name}-{size}"
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()
        context = browser.new_context(viewport=viewport, locale="vi-VN", **context_options)
        made.append(context)
        return Journey(name, viewport, context, axe_source, folder)

    yield make
    for context in made:
        context.close()


def pytest_terminal_summary(terminalreporter):
    if not _checked_pages:
        return
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    listing = ARTIFACTS_DIR / "a11y-pages.txt"
    listing.write_text("\n".join(_checked_pages) + "\n", encoding="utf-8")
    unique = {line.rsplit("\t", 1)[1].split("?")[0] for line in _checked_pages}
    terminalreporter.write_line(
        f"axe-core: {len(_checked_pages)} page states checked ({len(unique)} distinct paths), "
        f"listed in {listing}; journey screenshots in {ARTIFACTS_DIR / 'screenshots' / 'e2e'}"
    )


# DATA ------------------------------------------------------------------------
@pytest.fixture
def demo(transactional_db):
    """Reference data, the demo registry (An with a BHYT card) and a clerk of Quận 4."""
    from accounts.models import User
    from insurance.demo import demo_seed
    from lookup.services import reference_data_load

    reference_data_load()
    demo_seed(citizens=2, random_passwords=True)
    citizen = User.objects.get(username=NUMBER)
    citizen.set_password(PASSWORD)
    citizen.phone = PHONE_NUMBER
    citizen.must_change_password = False
    citizen.password_changed_at = timezone.now() - dt.timedelta(days=1)
    citizen.save()
    clerk = User.objects.get(username="canbo.quan4")
    clerk.set_password(CLERK_PASSWORD)
    clerk.save()
    return {"citizen": citizen, "clerk": clerk}


@pytest.fixture
def otp_codes(monkeypatch) -> list[str]:
    """Every SMS code handed out, in order: the test reads them as the phone would."""
    issued: list[str] = []
    counter = iter(range(246810, 999999, 1357))

    def generate() -> str:
        code = f"{next(counter):06d}"
        issued.append(code)
        return code

    monkeypatch.setattr("accounts.otp.generate_code", generate)
    return issued


def sign_in(page, base: str, username: str, password: str, captcha: str | None = None):
    page.goto(base + "/dang-nhap/")
    page.get_by_label("Mã số BHXH").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    if captcha is not None and page.get_by_label("Mã kiểm tra").count():
        page.get_by_label("Mã kiểm tra").fill(captcha)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
