"""The learner's workspace in JupyterLab, in headless Debian chromium: each answer is folded
under its exercise and opens with one click; JupyterLab's root is the workspace."""
from __future__ import annotations

import subprocess
import sys

import pytest

from browser_helpers import chromium, jupyterlab, save_failure, shot

pytestmark = pytest.mark.browser

SCROLL_TO_ANSWER = """async () => {
    const panel = window.jupyterapp.shell.currentWidget;
    await panel.context.ready;
    const notebook = panel.content;
    const cells = notebook.model.cells;
    for (let i = 0; i < cells.length; i++) {
        const tags = cells.get(i).getMetadata('tags') || [];
        if (tags.includes('solution-details')) {
            await notebook.scrollToItem(i, 'center');
            return panel.id;  // the open tab's own element: other tabs hold answers too
        }
    }
    return null;
}"""


def test_each_answer_is_folded_and_one_click_away_in_both_editions(tmp_path):
    root = tmp_path / "my-notebooks"
    made = subprocess.run([sys.executable, "-m", "echo_lesson", "workspace", str(root)],
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    with jupyterlab(root) as url, chromium() as browser:
        for notebook, title in (("01_first_echo_server.ipynb", "Solution"),
                                ("zh/01_first_echo_server.ipynb", "参考答案")):
            page = browser.new_page(viewport={"width": 1200, "height": 1200})
            page.set_default_timeout(20_000)
            try:
                page.goto(f"{url}/lab/tree/{notebook}")
                page.wait_for_function(  # this notebook's tab, not one restored from before
                    "path => window.jupyterapp?.shell.currentWidget?.context?.path === path",
                    arg=notebook)
                panel = page.evaluate(SCROLL_TO_ANSWER)
                assert panel, "no folded answer in the notebook"
                folded = page.locator(f"[id='{panel}'] .jp-MarkdownOutput details").first
                folded.wait_for(state="attached")
                code = folded.locator("pre")
                assert not folded.evaluate("d => d.open") and not code.is_visible()
                assert folded.locator("summary").inner_text().startswith(title)
                folded.locator("summary").click()
                code.wait_for(state="visible")
                assert "def my_echo_once" in code.inner_text()
                shot(folded, "workspace-" + notebook.replace("/", "-").removesuffix(".ipynb"))
            except Exception:
                save_failure(page, root, "workspace")
                raise
            finally:
                page.close()
