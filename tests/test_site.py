"""The course website (website/, `make site`): both editions built once for this module by
the builder `make site` runs, from the notebooks as stored, into a temporary folder; then
read as files, and in headless Debian chromium served from 127.0.0.1 (every other address
refused and counted).

Each lesson, English and Chinese (whatever notebooks exist now): its title, its stored
outputs, its plots (an <img> per stored image/png), its widget views drawn from the saved
widget state by the site's own copy of the widget manager, the language switch to the same
page of the other edition, and no link to a missing file. Chinese glyphs are drawn, not
boxes (tests/test_browser_zh.py's canvas check); each edition's search finds its lessons.
"""
from __future__ import annotations

import functools
import html.parser
import http.server
import importlib.util
import json
import posixpath
import re
import sys
import threading
import urllib.parse
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("myst_nb", reason="the website needs the [site] extra: "
                    "pip install -e '.[site]' (make site and make test install it)")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
FOLDERS = {"en": NOTEBOOKS, "zh": NOTEBOOKS / "zh"}
REPO = "https://github.com/example/echo-lesson"
HUB = "https://hub.example.edu"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

pytestmark = pytest.mark.site


def load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


builder = load(ROOT / "website" / "build.py", "website_build")


@dataclass
class Lesson:
    lang: str
    name: str           # 06_scaling_up (the page: 06_scaling_up.html, zh/06_scaling_up.html)
    title: str          # its first "# " heading, markup removed
    outputs: int        # code cells with stored outputs
    pngs: int           # stored image/png outputs
    views: int          # widget views whose model the notebook's saved state has
    unsaved: list       # widget views whose model it has not

    @property
    def page(self) -> str:
        return ("zh/" if self.lang == "zh" else "") + self.name + ".html"


def read_lesson(lang: str, path: Path) -> Lesson:
    nb = nbformat.read(path, as_version=4)
    headings = [line for cell in nb.cells if cell.cell_type == "markdown"
                for line in cell.source.splitlines() if line.startswith("# ")]
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    views = [o.data[WIDGET_VIEW]["model_id"] for o in outputs
             if WIDGET_VIEW in o.get("data", {})]
    return Lesson(lang, path.stem, re.sub(r"[`*]", "", headings[0][2:]).strip(),
                  sum(1 for cell in nb.cells if cell.cell_type == "code" and cell.outputs),
                  sum(1 for o in outputs if "image/png" in o.get("data", {})),
                  sum(1 for v in views if v in state), [v for v in views if v not in state])


def lessons(lang: str, folder: Path | None = None) -> dict[str, Lesson]:
    """The lessons of `lang` in notebooks/, or in `folder` (the copies a build read)."""
    folder = folder or FOLDERS[lang]
    return {p.stem: read_lesson(lang, p) for p in sorted(folder.glob("*.ipynb"))}


NAMES = sorted(set(lessons("en")) | set(lessons("zh")))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """Both editions, built as `make site` builds them, with a Binder and a hub address."""
    tmp = tmp_path_factory.mktemp("site")
    return builder.build(tmp / "html", tmp / "work", repo_url=REPO, hub_url=HUB)


@pytest.fixture(scope="module")
def built(site) -> dict[str, dict[str, Lesson]]:
    """The lessons as the build read them (the builder's copies: a notebook re-run while
    the tests run changes nothing here)."""
    return {lang: lessons(lang, site.parent / "work" / "site-src" / lang) for lang in FOLDERS}


class Links(html.parser.HTMLParser):
    """Every address a page names: (tag, attribute, value)."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value is not None:
                self.found.append((tag, name, value))


def addresses(page: Path) -> list[tuple[str, str, str]]:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.found


def local_file(site: Path, page: Path, address: str) -> Path | None:
    """The file a relative address of `page` names (None: an address with a scheme)."""
    parts = urllib.parse.urlsplit(address)
    if parts.scheme or parts.netloc:
        return None
    if not parts.path:
        return page  # "#anchor" or "?q=": this page
    target = (page.parent / urllib.parse.unquote(parts.path)).resolve()
    return target / "index.html" if parts.path.endswith("/") else target


# -- the built files ---------------------------------------------------------------------------

def test_every_lesson_is_a_page_of_its_edition_each_with_its_own_search(site, built):
    assert (site / "index.html").is_file() and (site / "zh" / "index.html").is_file()
    for lang, prefix in (("en", ""), ("zh", "zh/")):
        assert (site / prefix / "searchindex.js").is_file()
        index = (site / prefix / "index.html").read_text(encoding="utf-8")
        for name in built[lang]:
            assert (site / f"{prefix}{name}.html").is_file(), f"no page for {prefix}{name}"
            assert f'href="{name}.html"' in index, f"{prefix}index.html does not list {name}"
    # each edition's search index is its own: the Chinese one holds the Chinese titles
    zh_index = (site / "zh" / "searchindex.js").read_text(encoding="utf-8")
    en_index = (site / "searchindex.js").read_text(encoding="utf-8")
    title = built["zh"]["00_start_here"].title
    assert title in zh_index or json.dumps(title)[1:-1] in zh_index
    assert title not in en_index and json.dumps(title)[1:-1] not in en_index


def test_every_page_loads_only_files_of_the_site_and_links_to_no_missing_one(site):
    """Scripts, styles, images: relative addresses of files that exist (no CDN); every
    <a href> without a scheme names a file that exists."""
    pages = sorted(p for p in site.rglob("*.html") if "_static" not in p.parts)  # (the
    # themes copy their Jinja macro files into _static: templates, not pages)
    assert len(pages) >= 2 * len(NAMES)
    outside, missing = [], []
    for page in pages:
        for tag, attribute, address in addresses(page):
            target = local_file(site, page, address)
            if target is None:
                if tag in ("script", "link", "img", "iframe", "source", "embed"):
                    outside.append(f"{page.relative_to(site)}: <{tag} {attribute}={address}>")
            elif not target.exists():
                missing.append(f"{page.relative_to(site)}: <{tag} {attribute}={address}>")
    assert not outside, "loaded from outside the site:\n" + "\n".join(outside[:20])
    assert not missing, "links to missing files:\n" + "\n".join(missing[:20])


def test_the_widget_manager_and_require_js_are_the_sites_own_copies(site):
    page = (site / "00_start_here.html").read_text(encoding="utf-8")
    scripts = re.findall(r'<script[^>]*\bsrc="([^"]+)"', page)
    assert any(s.startswith("_static/npm/requirejs/require.js") for s in scripts), scripts
    assert any(s.startswith("_static/npm/html-manager/embed-amd.js") for s in scripts), scripts
    assert (site / "_static/npm/html-manager/embed-amd.js").stat().st_size > 1_000_000
    assert (site / "zh/_static/npm/html-manager/embed-amd.js").is_file()
    assert "cdn.jsdelivr" not in page and "unpkg" not in page and "cdnjs" not in page


def test_the_exercises_zip_of_each_language_is_the_student_workspace(site):
    """The English zip: the English lessons; the Chinese one: zh/ and the English lessons
    its "English edition" links lead to, laid out as the workspace is. Every link from one
    notebook to another in a zip leads to a notebook in it."""
    from echo_lesson.workspace import student_editions
    editions = student_editions(NOTEBOOKS)
    for lang, prefix in (("en", ""), ("zh", "zh/")):
        with zipfile.ZipFile(site / prefix / "_static" / f"echo-lesson-exercises-{lang}.zip") as z:
            names = set(z.namelist())
            wanted = {name for name in editions if lang == "zh" or "/" not in name}
            assert names == {f"echo-lesson/{n}" for n in wanted} | {"echo-lesson/README.md"}
            for name in wanted:
                stored = nbformat.reads(z.read(f"echo-lesson/{name}").decode(), as_version=4)
                assert [c.source for c in stored.cells] == \
                    [c.source for c in editions[name].cells], name
                for link in re.findall(r"\]\(([^)#:]+\.ipynb)", "\n".join(
                        c.source for c in stored.cells if c.cell_type == "markdown")):
                    target = posixpath.normpath(posixpath.join(posixpath.dirname(name), link))
                    assert f"echo-lesson/{target}" in names, f"{lang} zip, {name}: {link}"


def test_launch_links_are_binder_for_the_page_and_the_hub_for_the_language(site, built):
    sys.path.insert(0, str(ROOT / "tools"))
    from binder_link import binder_url
    from echo_lesson.handout import nbgitpuller_link
    for lang, prefix in (("en", ""), ("zh", "zh/")):
        for name in built[lang]:
            found = dict((cls, href) for cls, href in re.findall(
                r'<a class="(el-[\w-]+)[^"]*" href="([^"]+)"',
                (site / f"{prefix}{name}.html").read_text(encoding="utf-8")))
            assert html_unescape(found["el-launch-binder"]) == \
                binder_url(REPO, f"my-notebooks/{prefix}{name}.ipynb")
            assert html_unescape(found["el-launch-hub"]) == \
                nbgitpuller_link(HUB, REPO, "student", lang)


def html_unescape(text: str) -> str:
    import html
    return html.unescape(text)


def test_launch_links_are_left_out_when_no_address_is_set(monkeypatch):
    """Without a repository address there is no Binder link, without a hub no hub link;
    a repository that is not on GitHub gets no Binder link (Binder builds GitHub)."""
    def links(**env):
        for key in ("ECHO_LESSON_REPO_URL", "ECHO_LESSON_HUB_URL"):
            monkeypatch.delenv(key, raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        conf = load(ROOT / "website" / "conf.py", "website_conf")
        context = {}
        conf.course_links(None, "00_start_here", "page.html", context, None)
        return context["el_binder"], context["el_hub"]

    assert links() == ("", "")
    assert links(ECHO_LESSON_REPO_URL=REPO)[1] == ""
    assert links(ECHO_LESSON_REPO_URL=REPO)[0].startswith("https://mybinder.org/v2/gh/")
    assert links(ECHO_LESSON_REPO_URL="https://git.example.edu/echo-lesson.git",
                 ECHO_LESSON_HUB_URL=HUB)[0] == ""
    assert links(ECHO_LESSON_REPO_URL=REPO, ECHO_LESSON_HUB_URL=HUB)[1].startswith(HUB)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_frame_from_a_server_on_this_computer_becomes_a_sentence(lang):
    """Lesson 9 shows its own server's page in a frame (127.0.0.1:PORT): live in the
    notebook, dead on the website, where the page says so instead; other outputs stay."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[
        nbformat.v4.new_output("display_data", data={
            "text/html": '<a href="http://127.0.0.1:4242/">link</a>', "text/plain": "link"}),
        nbformat.v4.new_output("display_data", data={
            "text/html": '\n<iframe\n  width="500"\n  src="http://127.0.0.1:4242/"\n></iframe>',
            "text/plain": "<IPython.lib.display.IFrame at 0x7f00>"}),
        nbformat.v4.new_output("display_data", data={
            "text/html": '<iframe src="_static/page.html"></iframe>', "text/plain": "x"})])])
    shown = json.loads(builder.for_the_site(nbformat.writes(notebook), lang))
    link, frame, own = shown["cells"][0]["outputs"]
    assert "".join(link["data"]["text/plain"]) == "link"
    assert frame["data"] == {"text/plain": builder.LIVE_ONLY[lang]}
    assert "_static/page.html" in "".join(own["data"]["text/html"])
    untouched = nbformat.writes(nbformat.v4.new_notebook())
    assert builder.for_the_site(untouched, lang) == untouched


def test_an_answer_is_folded_on_the_site():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("def my_echo(): ...", metadata={"tags": ["solution"]}),
        nbformat.v4.new_code_cell("check()", metadata={"tags": ["self-check"]})])
    answer, check = json.loads(builder.for_the_site(nbformat.writes(notebook), "en"))["cells"]
    assert answer["metadata"]["tags"] == ["solution", "hide-input"]
    assert check["metadata"]["tags"] == ["self-check"]


@pytest.mark.browser
@pytest.mark.parametrize("lang, show", [("en", "Show the answer"), ("zh", "显示参考答案")])
def test_an_exercises_answer_is_folded_until_asked_for(web, lang, show):
    """A reader meets lesson 01's exercise before its answer, as in the workspace: the
    answer's code is hidden under "Show the answer" until that is clicked."""
    page = web.open(("zh/" if lang == "zh" else "") + "01_first_echo_server.html")
    try:
        answer = page.locator("details.hide.above-input").first
        code = answer.locator(".cell_input")
        assert not code.is_visible()
        answer.locator("summary").get_by_text(show).click()
        code.wait_for(state="visible")
        assert "def my_echo_once" in code.inner_text()
        assert not page.problems
    finally:
        page.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_widget_view_a_lesson_shows_has_its_saved_state(lang):
    """The site draws a widget view only from the notebook's saved widget state
    (metadata.widgets); a view without it shows as text. Save the notebook with its widget
    state (make notebooks does) to fix one this names."""
    unsaved = {name: lesson.unsaved for name, lesson in lessons(lang).items() if lesson.unsaved}
    assert not unsaved, f"widget views without saved state ({lang}): {unsaved}"


# -- in the browser ----------------------------------------------------------------------------

class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def web(site):
    """The built site on 127.0.0.1, and a chromium context that may reach nothing else."""
    from browser_helpers import chromium
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}/"
    outside: list[str] = []

    def only_here(route):
        if route.request.url.startswith(base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    try:
        with chromium() as browser:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.route("**/*", only_here)
            context.set_default_timeout(20_000)
            yield Web(site, base, context, outside)
            context.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class Web:
    site: Path
    base: str
    context: object
    outside: list

    def open(self, path: str):
        """A page of the site, loaded; its errors and failed requests recorded on it."""
        page = self.context.new_page()
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(f"script error: {error}"))
        page.on("response", lambda r: r.status >= 400 and page.problems.append(
            f"{r.status} {r.url}"))
        page.goto(self.base + path, wait_until="load")
        return page

    def missing_links(self, page) -> list[str]:
        """Every local address in the page as the browser has it (widgets drawn): the
        ones whose file does not exist."""
        addresses = page.evaluate("""() => [
            ...[...document.querySelectorAll('a[href], link[href]')].map(e => e.href),
            ...[...document.querySelectorAll('img[src], script[src]')].map(e => e.src)]""")
        missing = []
        for address in addresses:
            if not address.startswith(self.base):
                continue
            path = urllib.parse.unquote(urllib.parse.urlsplit(address).path).lstrip("/")
            target = self.site / path
            if path.endswith("/") or not path:
                target = target / "index.html"
            if not target.exists():
                missing.append(address)
        return missing


TITLE = """() => { const h = document.querySelector('article h1').cloneNode(true);
    h.querySelectorAll('.headerlink').forEach(a => a.remove());
    return h.textContent.trim(); }"""
PLOTS = """() => [...document.querySelectorAll('.cell_output img')]
    .filter(img => !img.closest('.jupyter-widgets'))
    .map(img => img.complete && img.naturalWidth > 0)"""
VIEWS = "() => document.querySelectorAll('.cell_output .widget-subarea > .jupyter-widgets').length"
VIEW_TEXT = """() => [...document.querySelectorAll('.cell_output .widget-subarea > .jupyter-widgets')]
    .map(e => e.innerText.trim().length)"""


def check_lesson(web: Web, page, lesson: Lesson) -> None:
    """The page shows this lesson: title, outputs, plots, drawn widget views, no missing
    file, nothing asked of another address, no script error."""
    where = lesson.page
    assert page.evaluate(TITLE) == lesson.title, where
    outputs = page.locator(".cell_output")
    assert outputs.count() == lesson.outputs >= 1, f"{where}: {outputs.count()} outputs shown"
    assert outputs.first.inner_text().strip() or outputs.first.locator("img").count(), where
    if lesson.pngs:
        plots = page.evaluate(PLOTS)
        assert len(plots) == lesson.pngs and all(plots), f"{where}: plots {plots}"
    if lesson.views:
        page.wait_for_function(f"() => ({VIEWS})() >= {lesson.views}")
        assert all(page.evaluate(VIEW_TEXT)), f"{where}: an empty widget view"
        assert page.locator(".cell_output .jupyter-widgets [class*='widget-']").count()
    assert not web.missing_links(page), f"{where}: links to missing files"
    assert not page.problems, f"{where}: {page.problems}"
    assert not web.outside, f"asked for outside addresses: {web.outside}"


@pytest.mark.browser
@pytest.mark.parametrize("name", NAMES)
def test_a_lesson_in_both_languages(web, built, name):
    """Open the lesson's page, check it; follow its language switch to the other edition's
    page, check that one; its own switch leads back."""
    en, zh = built["en"].get(name), built["zh"].get(name)
    first = en or zh
    if first is None:
        pytest.skip(f"{name} was removed before the build")
    page = web.open(first.page)
    try:
        check_lesson(web, page, first)
        page.click(".el-lang-switch")
        second = zh if first is en else en
        other = "zh/" if first.lang == "en" else ""
        # a lesson only one edition has yet: the switch leads to the other's index
        page.wait_for_url(web.base + other + (name if second else "index") + ".html")
        page.wait_for_load_state("load")
        if second is None:
            return
        check_lesson(web, page, second)
        back = page.locator(".el-lang-switch").evaluate("a => a.href")
        assert back == web.base + first.page
    finally:
        page.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang, query, lesson", [
    ("en", "thread", "03_one_thread_per_client"),
    ("zh", "线程", "03_one_thread_per_client"),
])
def test_each_edition_searches_its_own_pages(web, lang, query, lesson):
    prefix = "zh/" if lang == "zh" else ""
    page = web.open(f"{prefix}search.html?q={urllib.parse.quote(query)}")
    try:
        page.wait_for_selector("#search-results ul.search li a")
        found = page.locator("#search-results ul.search li a").evaluate_all(
            "links => links.map(a => a.href)")
        assert any(href.split("?")[0].split("#")[0] == web.base + f"{prefix}{lesson}.html"
                   for href in found), found
        assert all(href.startswith(web.base + prefix) for href in found), found
        assert not page.problems, page.problems
    finally:
        page.close()


@pytest.mark.browser
def test_chinese_glyphs_render_on_the_chinese_site(web):
    """The title and a drawn widget of a Chinese page: real glyphs, in a Simplified Chinese
    face (the page says lang="zh-CN"), not boxes."""
    from test_browser_zh import glyph_check
    page = web.open("zh/00_start_here.html")
    try:
        page.wait_for_selector(".el-server-panel .el-title")
        checks = [glyph_check(page, "article h1"), glyph_check(page, ".el-server-panel .el-title"),
                  glyph_check(page, ".el-download")]
        print(*checks, sep="\n")
        for check in checks:
            assert check["verdict"] == "glyphs", (
                f"{check}: Chinese drawn as boxes? Install a CJK font "
                "(Debian: apt-get install --no-install-recommends fonts-noto-cjk; .ci/run does)")
            assert "CJK SC" in check["drawn_by"], check
    finally:
        page.close()
