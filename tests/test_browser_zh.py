"""A Chinese lesson in JupyterLab, in headless Debian chromium: Chinese text, not boxes.

Without a CJK font chromium draws every Han character as the same .notdef box ("tofu"),
and the page still works: only the pixels tell. So the check takes Han characters from an
element of the page, draws each on a canvas in that element's computed font, and compares
the pixels: real glyphs differ from each other and from the box drawn for code points no
font has (U+0378, U+10FFFD); boxes all look the same. The second test shows that the check
can fail: a chromium whose fontconfig sees only the fonts without Han glyphs reports boxes.

Each test opens its own copy of the real notebooks/zh/00_start_here.ipynb, up to its
panel cell, outputs cleared, with its own kernel; runs it, clicks the panel's Start
(启动 Start), waits for the status, and keeps screenshots in test-artifacts/ (zh-*.png:
the glyphs; zh-no-cjk-font-*.png: the boxes). The CJK font is Debian's fonts-noto-cjk,
which .ci/run installs when `fc-list :lang=zh` finds none.
"""
from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from browser_helpers import (ALL_CODE_CELLS_RAN, ARTIFACTS, chromium, jupyterlab,
                             run_all_cells, save_failure, shot, start_kernel_for)

pytestmark = pytest.mark.browser

LESSON = Path(__file__).resolve().parent.parent / "notebooks" / "zh" / "00_start_here.ipynb"
SET_LANGUAGE = 'from echo_lesson.i18n import set_language\n\nset_language("zh")'
MARKDOWN = ".jp-MarkdownOutput h1"                # "00 · 从这里开始"
START = ".el-server-panel button.el-start"       # "启动 Start"
WIDGET_TEXTS = [START,
                ".el-server-panel .el-title",     # "服务器 本机上的一个 threaded 回显服务器"
                ".el-server-panel .el-status"]    # "运行中：listening on 127.0.0.1:PORT"
SAMPLE = 6                                    # Han characters checked per element
NO_GLYPH = ["\u0378", "\U0010fffd"]           # unassigned / private use: the .notdef box
HAN_FONT_PROBE = "从这里开始启动你好"            # a font with any of these has Han glyphs
FONT_FILES = {".ttf", ".ttc", ".otf", ".otc", ".pfa", ".pfb", ".pcf", ".gz", ".woff", ".woff2"}

# Draw each character alone on a canvas in the element's computed font; return a
# fingerprint of its pixels (an FNV-1a hash of the alpha channel) and how much ink it has.
FINGERPRINTS = """([selector, extra]) => {
    const element = document.querySelector(selector);
    if (!element) return {error: 'nothing matches ' + selector};
    const style = getComputedStyle(element);
    const font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const text = element.innerText;
    const han = [...new Set(text.match(/\\p{Script=Han}/gu) || [])];
    const size = Math.ceil(parseFloat(style.fontSize) * 2) + 8;
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = size;
    const ctx = canvas.getContext('2d', {willReadFrequently: true});
    const draw = (ch) => {
        ctx.clearRect(0, 0, size, size);
        ctx.font = font;
        ctx.textBaseline = 'top';
        ctx.fillStyle = '#000';
        ctx.fillText(ch, 4, 4);
        const alpha = ctx.getImageData(0, 0, size, size).data;
        let hash = 0x811c9dc5, ink = 0;
        for (let i = 3; i < alpha.length; i += 4) {
            if (alpha[i]) ink++;
            hash = Math.imul(hash ^ alpha[i], 0x01000193) >>> 0;
        }
        return `${ink}:${hash.toString(16)}`;
    };
    const drawn = {};
    for (const ch of [...han, ...extra]) drawn[ch] = draw(ch);
    return {text, font, han, drawn};
}"""


def glyph_check(page, selector: str) -> dict:
    """Are the Han characters of `selector`'s text drawn as glyphs or as boxes?

    Returns the element's text and font, the characters checked, and a verdict:
    'glyphs' (all differ from each other and from the box), 'boxes' (all are the box),
    or 'mixed'. Raises if the element has fewer than two Han characters to compare, or if
    the reference code points are not drawn alike (then they are no .notdef reference).
    """
    found = page.evaluate(FINGERPRINTS, [selector, NO_GLYPH + ["S"]])
    assert "error" not in found, found.get("error")
    han = found["han"][:SAMPLE]
    assert len(han) >= 2, f"{selector} shows {found['text']!r}: fewer than 2 Han characters"
    drawn = found["drawn"]
    box = drawn[NO_GLYPH[0]]
    assert drawn[NO_GLYPH[1]] == box, f"no-glyph references differ: {drawn}"
    prints = [drawn[ch] for ch in han]
    if len(set(prints)) == len(prints) and box not in prints:
        verdict = "glyphs"
    elif all(p == box for p in prints):
        verdict = "boxes"
    else:
        verdict = "mixed"
    return {"selector": selector, "text": found["text"], "font": found["font"],
            "checked": "".join(han), "verdict": verdict, "latin_drawn": drawn["S"] != box,
            "drawn_by": fonts_used(page, selector)}


def fonts_used(page, selector: str) -> str:
    """Which fonts chromium drew the element's text with, and how many glyphs each (from
    DevTools, for the failure message: 'Noto Sans CJK JP x2, DejaVu Sans x6')."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()
    return ", ".join(f"{font['familyName']} x{font['glyphCount']}" for font in fonts)


def copy_lesson(target: Path) -> str:
    """The Chinese lesson up to its panel, set to Chinese, outputs cleared; its file name.

    The rest of the lesson (many clients, the timeline plot, the exercise) doubles the run
    time and shows no widget text the panel does not already show.
    """
    notebook = nbformat.read(str(LESSON), as_version=4)
    panels = [i for i, cell in enumerate(notebook.cells)
              if cell.cell_type == "code" and "lab(" in cell.source]
    assert panels, f"{LESSON} has no cell that shows the panels with lab(...)"
    panel = panels[0]
    notebook.cells = notebook.cells[:panel + 1]
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    code = [c.source for c in notebook.cells if c.cell_type == "code"]
    if not any('set_language("zh")' in source for source in code):  # the lesson may not yet
        notebook.cells.insert(0, nbformat.v4.new_code_cell(SET_LANGUAGE))
    nbformat.write(notebook, str(target))
    return target.name


def fonts_without_han(conf_dir: Path) -> Path:
    """A fonts.conf listing only the system font folders whose fonts have no Han glyph."""
    from matplotlib.ft2font import FT2Font

    def has_han(path: Path) -> bool:
        try:
            charmap = FT2Font(str(path)).get_charmap()
        except Exception:  # a format FreeType cannot read here: count it as CJK, hide it
            return True
        return any(ord(ch) in charmap for ch in HAN_FONT_PROBE)

    folders = sorted({p.parent for p in Path("/usr/share/fonts").rglob("*")
                      if p.suffix.lower() in FONT_FILES})
    kept = [folder for folder in folders
            if not any(has_han(p) for p in folder.rglob("*") if p.suffix.lower() in FONT_FILES)]
    assert kept, "no font folder without Han glyphs under /usr/share/fonts"
    conf = conf_dir / "fonts.conf"
    dirs = "".join(f"  <dir>{folder}</dir>\n" for folder in kept)
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
                    f"<fontconfig>\n{dirs}  <cachedir>{conf_dir / 'cache'}</cachedir>\n"
                    "</fontconfig>\n")
    return conf


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One JupyterLab for the module, serving a folder with two copies of the lesson."""
    root = tmp_path_factory.mktemp("lab-zh")
    names = {"fonts": copy_lesson(root / "zh_fonts.ipynb"),
             "no-cjk-font": copy_lesson(root / "zh_no_cjk_font.ipynb")}
    with jupyterlab(root) as url:
        for name in names.values():
            start_kernel_for(url, name)  # both kernels start while the first test runs
        yield url, root, names


def open_and_start(browser, lab, which: str):
    """Open the lesson, run all its cells, click the panel's Start, wait for the status."""
    url, root, names = lab
    page = browser.new_page(viewport={"width": 1200, "height": 1400})
    page.set_default_timeout(15_000)
    try:
        # a workspace of its own: JupyterLab would reopen the other test's notebook too
        page.goto(f"{url}/lab/workspaces/{which}/tree/{names[which]}")
        run_all_cells(page, done=ALL_CODE_CELLS_RAN)
        page.wait_for_selector(START, timeout=30_000)
        page.click(START)
        page.wait_for_function(
            "() => /listening on 127\\.0\\.0\\.1:\\d+/.test("
            "document.querySelector('.el-server-panel .el-status-line').textContent)")
    except Exception:
        save_failure(page, root, f"zh-{which}")
        raise
    return page


def screenshots(page, prefix: str) -> None:
    shot(page.locator(".jp-Cell", has=page.locator(MARKDOWN)).first, f"{prefix}-markdown")
    shot(page.locator(".el-server-panel"), f"{prefix}-server-panel")
    page.locator(".el-lab").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"{prefix}-notebook.png"))


def stop(page) -> None:
    page.click(".el-server-panel button.el-stop")
    page.wait_for_selector(".el-server-panel .el-status.stopped")  # "已停止", in any language


def glyph_checks(lab, which: str, prefix: str, env=None) -> list[dict]:
    """Open the lesson in a chromium of its own (with `env`), start the panel, take the
    screenshots, check every element's glyphs, stop the panel."""
    with chromium(env=env) as browser:
        page = open_and_start(browser, lab, which)
        screenshots(page, prefix)
        checks = [glyph_check(page, selector) for selector in [MARKDOWN, *WIDGET_TEXTS]]
        stop(page)
    print(*checks, sep="\n")
    return checks


def test_chinese_lesson_and_its_panel_show_chinese_glyphs(lab):
    checks = glyph_checks(lab, "fonts", "zh")
    for check in checks:
        assert check["verdict"] == "glyphs", (
            f"{check}: Chinese drawn as boxes? Install a CJK font "
            "(Debian: apt-get install --no-install-recommends fonts-noto-cjk; .ci/run does)")
    for check in checks[1:]:  # the panels ask for Simplified Chinese faces (style.chinese_fonts)
        assert "CJK SC" in check["drawn_by"] and "CJK JP" not in check["drawn_by"], check


def test_the_check_reports_boxes_when_no_font_has_han_glyphs(lab, tmp_path):
    env = dict(os.environ, FONTCONFIG_FILE=str(fonts_without_han(tmp_path)))
    for check in glyph_checks(lab, "no-cjk-font", "zh-no-cjk-font", env=env):
        assert check["verdict"] == "boxes", check
        assert check["latin_drawn"], check  # the fonts left still draw Latin letters
