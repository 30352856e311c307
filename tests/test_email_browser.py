"""The sample preview in a real browser (Debian's headless Chromium): a 600px column, no horizontal
overflow, every section visible. Saves a screenshot to out/test-preview.png."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from securescore.datasources.sample import SampleSource
from securescore.emulator.local_run import run_locally
from securescore.settings import PROJECT_ROOT, settings_from_stack
from tests.conftest import REPORT_NOW, require_browser

SECTIONS = ("headline", "subscriptions", "trend", "top-controls", "unhealthy-controls", "footer")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]
# Measured in the page itself; the result is written into the DOM, which --dump-dom prints.
PROBE = """
<script>
(function () {
  var container = document.querySelector('table[width="600"]');
  var box = container.getBoundingClientRect();
  var overflowing = [];
  container.querySelectorAll('*').forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.width > 0 && (r.right > box.right + 0.5 || r.left < box.left - 0.5)) overflowing.push(el.tagName);
  });
  var sections = {};
  %s.forEach(function (id) {
    var el = document.getElementById(id);
    var r = el ? el.getBoundingClientRect() : null;
    sections[id] = el ? {height: r.height, width: r.width, visible: getComputedStyle(el).display !== 'none'} : null;
  });
  var out = document.createElement('pre');
  out.id = 'probe-result';
  out.textContent = JSON.stringify({container: box.width, scrollWidth: document.documentElement.scrollWidth,
    viewport: window.innerWidth, overflowing: overflowing, sections: sections});
  document.body.appendChild(out);
})();
</script>
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
def test_sample_preview_lays_out_in_a_600px_column(tmp_path: Path) -> None:
    settings = settings_from_stack("example")
    html = run_locally(settings, SampleSource(settings, REPORT_NOW), REPORT_NOW).email.html
    page = tmp_path / "email.html"
    page.write_text(html, encoding="utf-8")
    probed = tmp_path / "probed.html"
    probed.write_text(html.replace("</body>", PROBE % json.dumps(SECTIONS) + "</body>"), encoding="utf-8")

    dom = run_chromium("--window-size=800,3000", "--dump-dom", probed.as_uri(), tmp_path=tmp_path)
    match = re.search(r'<pre id="probe-result">(.*?)</pre>', dom, re.S)
    assert match, "the probe did not run"
    metrics = json.loads(match.group(1).replace("&quot;", '"'))
    assert metrics["container"] == 600
    assert metrics["scrollWidth"] <= metrics["viewport"]
    assert metrics["overflowing"] == []
    for section in SECTIONS:
        assert metrics["sections"][section] is not None, section
        assert metrics["sections"][section]["visible"] and metrics["sections"][section]["height"] > 10, section

    screenshot = PROJECT_ROOT / "out" / "test-preview.png"
    screenshot.parent.mkdir(exist_ok=True)
    run_chromium("--window-size=700,2400", f"--screenshot={screenshot}", page.as_uri(), tmp_path=tmp_path)
    assert screenshot.stat().st_size > 10_000
