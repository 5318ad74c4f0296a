"""Sphinx configuration of the course website, shared by both editions.

website/build.py (`make site`) runs Sphinx once per language with this folder as its
configuration; ECHO_LESSON_SITE_LANG says which edition, ECHO_LESSON_SITE_STAGE where the
builder put the sources (the notebooks as stored, and website/<lang>/index.md).
"""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from urllib.parse import quote

SITE = Path(__file__).resolve().parent
ROOT = SITE.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tools")]

from docutils import nodes  # noqa: E402
from sphinx import addnodes  # noqa: E402
from sphinx.search.zh import SearchChinese  # noqa: E402 (imports jieba, if installed)
from sphinx.transforms.post_transforms import SphinxPostTransform  # noqa: E402

from echo_lesson.handout import nbgitpuller_link  # noqa: E402

# Where the course is published. Set them here, or with the environment variables of the
# same names (which win); a link whose address is unset is left out.
ECHO_LESSON_REPO_URL = ""   # e.g. https://github.com/you/echo-lesson (Binder: GitHub only)
ECHO_LESSON_HUB_URL = ""    # e.g. https://hub.example.edu (JupyterHub with nbgitpuller)
ECHO_LESSON_BRANCH = "student"  # what the hub pulls: python -m echo_lesson student-branch

LANG = os.environ.get("ECHO_LESSON_SITE_LANG", "en")
STAGE = Path(os.environ.get("ECHO_LESSON_SITE_STAGE", ROOT / "_build" / "site-src"))
OTHER = "zh" if LANG == "en" else "en"
REPO_URL = os.environ.get("ECHO_LESSON_REPO_URL", ECHO_LESSON_REPO_URL).strip()
HUB_URL = os.environ.get("ECHO_LESSON_HUB_URL", ECHO_LESSON_HUB_URL).strip()
BRANCH = os.environ.get("ECHO_LESSON_BRANCH", ECHO_LESSON_BRANCH).strip()

TEXT = {
    "en": {"title": "echo-lesson: TCP servers, step by step",
           "other": "中文版", "binder": "Launch on Binder", "hub": "Open on JupyterHub",
           "zip": "Download the exercises (zip)"},
    "zh": {"title": "echo-lesson：一步步写 TCP 服务器",
           "other": "English", "binder": "在 Binder 上运行", "hub": "在 JupyterHub 上打开",
           "zip": "下载练习（zip）"},
}[LANG]

project = TEXT["title"]
html_title = TEXT["title"]
author = "echo-lesson"
copyright = "echo-lesson authors"
language = {"en": "en", "zh": "zh_CN"}[LANG]  # Chinese search: Sphinx cuts words with jieba

extensions = ["myst_nb"]
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
templates_path = [str(SITE / "_templates")]
html_static_path = [str(SITE / "_static"), str(STAGE / "_static" / "common"),
                    str(STAGE / "_static" / LANG)]
html_css_files = ["course.css"]
html_copy_source = False          # no _sources/ copies of the pages
html_show_sourcelink = False
html_last_updated_fmt = None

# The notebooks as stored: nbval proves their outputs, the site does not re-run them.
nb_execution_mode = "off"
nb_merge_streams = True
# An exercise's answer is folded (website/build.py tags its cell hide-input): a learner who
# reads the site meets the exercise first, as in the workspace, and opens the answer by choice.
nb_code_prompt_show = {"en": "Show the answer", "zh": "显示参考答案"}[LANG]
nb_code_prompt_hide = {"en": "Hide the answer", "zh": "隐藏参考答案"}[LANG]
# Widgets drawn from each notebook's saved state, with the site's own copies of
# require.js and the widget manager (website/build.py fetches them from npm): no CDN.
# The manager would fetch a widget module it does not bundle from data-jupyter-widgets-cdn;
# every widget the lessons save is bundled, and that address stays inside the site too.
nb_ipywidgets_js = {
    "npm/requirejs/require.js": {},
    "widgets-offline.js": {},
    "npm/html-manager/embed-amd.js": {"data-jupyter-widgets-cdn": "_static/npm/"},
}
myst_enable_extensions = ["dollarmath"]
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type"]

html_theme = "sphinx_book_theme"
html_theme_options = {
    "home_page_in_toc": True,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "article_header_start": ["toggle-primary-sidebar.html", "course-links.html"],
    "show_toc_level": 2,
}
html_context = {"default_mode": "light"}


def _has_page(lang: str, pagename: str) -> bool:
    if pagename in ("index", "search", "genindex"):
        return True
    folder = STAGE / lang
    return any((folder / f"{pagename}{ext}").exists() for ext in (".ipynb", ".md"))


def _binder(notebook: str) -> str:
    if not REPO_URL:
        return ""
    from binder_link import WORKSPACE, binder_url
    try:
        return binder_url(REPO_URL, WORKSPACE + notebook)
    except ValueError:  # not on GitHub, or a page with no notebook of the course
        return ""


def course_links(app, pagename, templatename, context, doctree):
    """The language switch, the launch links and the download, for course-links.html."""
    up = "../" * pagename.count("/")
    target = pagename if _has_page(OTHER, pagename) else "index"
    context["el_other_href"] = (up + ("zh/" if OTHER == "zh" else "../")
                                + quote(target) + ".html")
    context["el_other_lang"] = {"en": "en", "zh": "zh-CN"}[OTHER]
    notebook = pagename + ".ipynb" if (STAGE / LANG / f"{pagename}.ipynb").exists() \
        else "00_start_here.ipynb"
    context["el_binder"] = _binder(("zh/" if LANG == "zh" else "") + notebook)
    context["el_hub"] = (nbgitpuller_link(HUB_URL, REPO_URL, BRANCH, LANG)
                         if HUB_URL and REPO_URL else "")
    context["el_zip"] = f"_static/echo-lesson-exercises-{LANG}.zip"
    context["el_text"] = TEXT


class OtherEditionLinks(SphinxPostTransform):
    """A lesson's link to the other edition's notebook ("[English edition](../NAME.ipynb)"
    in a Chinese lesson, zh/NAME.ipynb in an English one) points outside its own build: it
    becomes a link to that edition's page (before MyST's resolver, 9, calls it missing)."""

    default_priority = 8
    formats = ("html",)
    PREFIX = {"zh": "../", "en": "zh/"}[LANG]

    def run(self, **kwargs):
        for node in list(self.document.findall(addnodes.pending_xref)):
            target = node.get("reftarget", "")
            if node.get("reftype") != "myst" or not target.startswith(self.PREFIX) \
                    or not target.endswith(".ipynb"):
                continue
            name = target[len(self.PREFIX):-len(".ipynb")]
            if "/" not in name and _has_page(OTHER, name):
                link = nodes.reference("", "", internal=False,
                                       refuri=f"{self.PREFIX}{quote(name)}.html")
                link += [child.deepcopy() for child in node.children]
                node.replace_self(link)


class ChineseSearch(SearchChinese):
    """Sphinx 9.0's Chinese search ends language_data.js with `window.Stemmer =
    ChineseStemmer`, a class that does not exist (it stems Latin words with the English
    stemmer): the page stops with "ChineseStemmer is not defined" and search finds nothing
    (sphinx-doc/sphinx#14229, fixed in a later Sphinx). Name the stemmer it ships."""

    language_name = "English"


def setup(app):
    if "jieba" in sys.modules:  # no "Building prefix dict..." lines in the build's output
        sys.modules["jieba"].setLogLevel(logging.WARNING)
    app.connect("html-page-context", course_links)
    app.add_post_transform(OtherEditionLinks)
    if SearchChinese.js_stemmer_rawcode == "english-stemmer.js":
        app.add_search_language(ChineseSearch)
