"""The sample preview in a real browser (Debian's headless Chromium), on a 390px phone and at 600px and
wider: the column is as wide as the screen up to 600px, nothing scrolls sideways or sticks out of it,
every section is visible. Saves screenshots to out/test-preview-<width>.png."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html import escape
from pathlib import Path

import pytest

from securescore.settings import PROJECT_ROOT
from tests.conftest import require_browser
from tests.email_samples import sample_email

SECTIONS = ("headline", "changes", "recommendations", "subscriptions", "trend", "top-controls",
            "unhealthy-controls", "footer")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]
# The email is laid out in an iframe exactly `width` pixels wide (headless Chromium will not make its
# window narrower than 500px) and measured from the page around it; the result is written into the
# DOM, which --dump-dom prints.
FRAME = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="mail" style="border:0;width:%dpx;height:4000px" srcdoc="%s"></iframe>
<script>
document.getElementById('mail').addEventListener('load', function () {
  var win = this.contentWindow, doc = this.contentDocument;
  var container = doc.getElementById('email');
  var box = container.getBoundingClientRect();
  var overflowing = [];
  container.querySelectorAll('*').forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.width > 0 && (r.right > box.right + 0.5 || r.left < box.left - 0.5)) overflowing.push(el.tagName);
  });
  var sections = {};
  %s.forEach(function (id) {
    var el = doc.getElementById(id);
    var r = el ? el.getBoundingClientRect() : null;
    sections[id] = el ? {height: r.height, width: r.width, visible: win.getComputedStyle(el).display !== 'none'} : null;
  });
  var out = document.createElement('pre');
  out.id = 'probe-result';
  out.textContent = JSON.stringify({container: box.width, scrollWidth: doc.documentElement.scrollWidth,
    viewport: win.innerWidth, overflowing: overflowing, sections: sections});
  document.body.appendChild(out);
});
</script></body></html>
"""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if require_browser():
            pytest.fail("Chromium is required here (REQUIRE_BROWSER=1): apt-get install chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return found


def run_chromium(*args: str, tmp_path: Path) -> str:
    command = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout


@pytest.mark.browser
@pytest.mark.parametrize(("window", "column"), [(390, 390), (600, 600), (800, 600)])
def test_sample_preview_fits_the_screen_up_to_600px(tmp_path: Path, window: int, column: int) -> None:
    html = sample_email()
    probed = tmp_path / "probed.html"
    probed.write_text(FRAME % (window, escape(html, quote=True), json.dumps(SECTIONS)), encoding="utf-8")

    dom = run_chromium("--window-size=900,4000", "--dump-dom", probed.as_uri(), tmp_path=tmp_path)
    match = re.search(r'<pre id="probe-result">(.*?)</pre>', dom, re.S)
    assert match, "the probe did not run"
    metrics = json.loads(match.group(1).replace("&quot;", '"'))
    assert metrics["viewport"] == window
    assert metrics["container"] == column
    assert metrics["scrollWidth"] <= metrics["viewport"]  # no sideways scrolling
    assert metrics["overflowing"] == []
    for section in SECTIONS:
        assert metrics["sections"][section] is not None, section
        assert metrics["sections"][section]["visible"] and metrics["sections"][section]["height"] > 10, section
        assert metrics["sections"][section]["width"] <= column, section

    page = tmp_path / "email.html"
    page.write_text(html, encoding="utf-8")
    screenshot = PROJECT_ROOT / "out" / f"test-preview-{window}.png"
    screenshot.parent.mkdir(exist_ok=True)
    run_chromium(f"--window-size={window},2400", f"--screenshot={screenshot}", page.as_uri(), tmp_path=tmp_path)
    assert screenshot.stat().st_size > 10_000
