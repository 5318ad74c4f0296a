"""The look shared by every panel: one small stylesheet, cards, a status dot, safe text.

The stylesheet travels inside each panel's title (an HTML widget), so a panel looks the
same wherever it is shown, and nothing needs installing in JupyterLab.

Texts are written here in English and go through `translate` as they are put on a widget
(echo_lesson.i18n), so a panel built after set_language("zh") speaks Chinese.
"""
from __future__ import annotations

import html
from typing import Callable

import ipywidgets as widgets

from ..errnos import label as errno_label
from ..i18n import language, text, translate
from ..i18n import width as text_width

CSS = """<style>
.el-card { border: 1px solid #d0d7de; border-radius: 10px; padding: 10px 14px 12px 14px;
  margin: 6px 0; background: #fbfcfd; box-shadow: 0 1px 2px rgba(27,31,36,.06); }
.el-title { font-size: 15px; font-weight: 600; color: #1f2328; margin-bottom: 2px; }
.el-title small { font-weight: 400; color: #656d76; margin-left: 6px; }
.el-status { font-size: 13px; padding: 3px 10px; border-radius: 12px; display: inline-block; }
.el-status.stopped { background: #eaeef2; color: #424a53; }
.el-status.running { background: #dafbe1; color: #116329; }
.el-status.error { background: #ffebe9; color: #a40e26; white-space: normal; }
.el-count { font-size: 13px; color: #424a53; }
.el-count b { font-size: 15px; color: #0969da; }
.el-scroll { max-height: 190px; overflow-y: auto; display: flex; flex-direction: column-reverse;
  border: 1px solid #e1e4e8; border-radius: 6px; background: #ffffff; }
.el-log, .el-scroll { line-height: 1.45; }
.el-log { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: 12px; line-height: 1.45; padding: 4px 8px; }
.el-log .listen, .el-log .stop { color: #8250df; }
.el-log .accept { color: #116329; }
.el-log .close, .el-log .eof { color: #6e7781; }
.el-log .recv, .el-log .send { color: #0550ae; }
.el-log .error, .el-log .reset, .el-log .refuse, .el-log .timeout { color: #a40e26; }
.el-empty { color: #8c959f; font-style: italic; padding: 6px 8px; font-size: 12px; }
.el-table { border-collapse: collapse; width: 100%; font-size: 12.5px; line-height: 1.4; }
.el-table th { text-align: left; color: #656d76; font-weight: 500; border-bottom: 1px solid #d0d7de;
  padding: 4px 8px; position: sticky; top: 0; background: #f6f8fa; white-space: nowrap; }
.el-table td { padding: 3px 8px; border-bottom: 1px solid #eef1f4; vertical-align: top; }
.el-table td.ok { color: #1a7f37; font-weight: 600; } .el-table td.bad { color: #cf222e; font-weight: 600; }
.el-table .who { color: #8c959f; font-size: 11px; white-space: nowrap; }
.el-hex { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 11px; color: #6e7781;
  line-height: 1.35; margin-top: 1px; }
.el-table td.num { white-space: nowrap; color: #656d76; }
.el-note { font-size: 12px; color: #656d76; }
.el-label { font-size: 13px; color: #424a53; }
.el-message { font-size: 13px; padding: 4px 10px; border-radius: 6px; line-height: 1.45; }
.el-message.error { background: #ffebe9; color: #a40e26; }
.el-message.ok { background: #dafbe1; color: #116329; }
.el-message.info { background: #ddf4ff; color: #0a3069; }
.el-zh, .el-zh * { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC",
  "Microsoft YaHei", "WenQuanYi Micro Hei", system-ui, sans-serif; }
.el-zh .el-log, .el-zh .el-hex { font-family: ui-monospace, Menlo, Consolas,
  "Noto Sans Mono CJK SC", "Noto Sans CJK SC", "Microsoft YaHei", monospace; }
</style>"""


def esc(text: object) -> str:
    """Text made safe to put inside HTML."""
    return html.escape(str(text), quote=True)


def title(text: str, note: str = "") -> widgets.HTML:
    small = f"<small>{esc(translate(note))}</small>" if note else ""
    return widgets.HTML(f"{CSS}<div class='el-title'>{esc(translate(text))}{small}</div>")


def card(children, name: str) -> widgets.VBox:
    box = widgets.VBox(children, layout=widgets.Layout(width="100%"))
    box.add_class("el-card")
    box.add_class(name)
    return chinese_fonts(box)


def chinese_fonts(box: widgets.Box) -> widgets.Box:
    """In Chinese, draw the panel with Simplified Chinese fonts: the page itself says it is
    English, so the browser would otherwise pick a Japanese CJK font (other shapes for 关,
    门, 启...)."""
    if language() == "zh":
        box.add_class("el-zh")
    return box


def button(label: str, style: str, css: str, icon: str = "", width: str = "96px") -> widgets.Button:
    text = translate(label)
    if text != label:  # a translated label (启动 Start) is wider: make room, never cut it
        width = f"{max(int(width.removesuffix('px')), 8 * text_width(text) + 48)}px"
    b = widgets.Button(description=text, button_style=style, icon=icon,
                       layout=widgets.Layout(width=width))
    b.add_class(css)
    return b


def label(text: str, width: str = "92px") -> widgets.HTML:
    """A row's name, the same width in every row, so the controls line up."""
    return widgets.HTML(f"<span class='el-label'>{esc(translate(text))}</span>",
                        layout=widgets.Layout(width=width, min_width=width))


def message_html(kind: str, text: str) -> str:
    """A coloured message line: kind is ok, error or info."""
    return f"<div class='el-message {kind}'>{esc(text)}</div>" if text else ""


def friendly_error(exc: BaseException) -> str:
    """One clear sentence for an error, never a traceback (in the chosen language)."""
    said = str(exc)
    if isinstance(exc, (TimeoutError,)) or "timed out" in said:
        return translate("no answer in time (timed out). Is the server busy with another "
                         "client? A 'single' server serves one client at a time.")
    if isinstance(exc, ConnectionResetError):
        return translate(text("the server reset the connection (ConnectionResetError, {errno}).",
                              errno=errno_label("ECONNRESET")))
    if isinstance(exc, (BrokenPipeError, ConnectionAbortedError)):
        return translate(text("the connection was closed by the server ({name}).",
                              name=type(exc).__name__))
    return translate(exc) if said else type(exc).__name__  # its own words, translated


def safely(report: Callable[[str], None]):
    """Wrap a button callback: an exception becomes a message in the panel, not a traceback."""
    def wrap(fn):
        def run(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception as exc:  # shown to the learner, with what happened
                report(f"{type(exc).__name__}: {friendly_error(exc)}")
        return run
    return wrap
