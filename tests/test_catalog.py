"""The Chinese catalog (echo_lesson/zh/) against the source: every template the package
translates has an entry with the same fields, every entry is still used, and no entry is a
pattern (texts are translated by their template, then filled: nothing is parsed back).
The failures list what to add or remove, so a translator adding a language can use this
test as a to-do list."""
from __future__ import annotations

import ast
import importlib
import re
import string
from pathlib import Path

import echo_lesson as el
from echo_lesson import i18n

PACKAGE = Path(el.__file__).parent
HAN = re.compile(r"[\u4e00-\u9fff]")
TRANSLATING = {"text", "_text", "translate", "tr", "_t", "_"}  # their first argument is a key
MODULES = [importlib.import_module(f"echo_lesson.zh.{name}") for name in i18n._CATALOG_MODULES]


def _sources() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if "zh" not in p.relative_to(PACKAGE).parts]


def templates() -> dict[str, str]:
    """Every literal the package passes to text(), translate(), tr(), _t() or _(), and where."""
    found = {}
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) in TRANSLATING
                    and node.args and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                found.setdefault(node.args[0].value, f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def literals() -> set[str]:
    """Every string literal in the package (names of checks, hints, labels are looked up as
    they are: a literal that is a key is in use)."""
    return {node.value for path in _sources()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def fields(template: str) -> set:
    return {(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(template)
            if name is not None}


def test_the_scan_finds_the_templates():
    found = templates()
    assert len(found) > 150
    assert "port {port} on {host} is already in use ({errno}). Another server, maybe one " \
        "started by an earlier cell or another notebook's kernel, still listens there. Stop " \
        "it first (server.stop() or echo_lesson.stop_all()), or pass port=0 to let the " \
        "system pick a free port." in found
    assert "{what}: refused by the server: {why}" in found


def test_every_template_has_a_chinese_entry():
    texts, _ = i18n._zh_catalog()
    missing = {t: where for t, where in templates().items()
               if t not in texts and re.search(r"[A-Za-z]{2}", t)}
    assert not missing, f"add these to a catalog module in echo_lesson/zh/: {missing}"


def test_every_entry_is_used():
    used = set(templates()) | literals()
    unused = [(m.__name__, key) for m in MODULES for key in m.TEXTS if key not in used]
    assert not unused, f"no longer used by the package: {unused}"


def test_entries_have_the_fields_of_their_template_and_are_chinese():
    for module in MODULES:
        for english, chinese in module.TEXTS.items():
            assert fields(chinese) == fields(english), (module.__name__, english)
            assert chinese != english, english  # a key kept English needs no entry


def test_a_key_in_two_modules_says_the_same():
    seen: dict[str, tuple[str, str]] = {}
    for module in MODULES:
        for english, chinese in module.TEXTS.items():
            if english in seen:
                assert seen[english][1] == chinese, (english, seen[english][0], module.__name__)
            seen[english] = (module.__name__, chinese)


def test_patterns_only_for_foreign_texts():
    """TEXTS are exact keys; the one place with patterns is FOREIGN_PATTERNS (texts from
    the OS, argparse, and the files server's refusals as received over the network)."""
    for module in MODULES:
        assert not hasattr(module, "PATTERNS") and not hasattr(module, "NESTED"), module
        for pattern, template in getattr(module, "FOREIGN_PATTERNS", []):
            groups = re.compile(pattern).groups
            assert all(int(name) < groups for name, _, _ in fields(template)), pattern
            assert HAN.search(template), pattern


def test_a_text_is_translated_by_its_template_then_filled():
    what = i18n.text("upload of {name!r}", name="a.txt")
    why = i18n.text("{name!r} tries to leave the server's folder with '..'; send a plain "
                    "file name", name="../x")
    message = i18n.text("{what}: refused by the server: {why}", what=what, why=why)
    assert message == ("upload of 'a.txt': refused by the server: '../x' tries to leave the "
                       "server's folder with '..'; send a plain file name")
    assert i18n.translate(message, "en") == message
    assert i18n.translate(message, "zh") == (
        "上传 'a.txt'：服务器拒绝了：'../x' 想用 '..' 跳出服务器的文件夹：请只发文件名")
    # plain values (names, data) are never translated, even when they are a key
    assert i18n.translate(i18n.text("your handler: {name}", name="server"), "zh") == \
        "你的 handler：server"
    # a text the package did not make, and no pattern for it: shown as it came
    assert i18n.translate(i18n.Foreign("'../x' is fine"), "zh") == "'../x' is fine"


def test_an_exception_is_translated_by_the_text_it_carries():
    exc = ConnectionError(i18n.text("the server closed the connection after {got} of {n} bytes",
                                    got=3, n=10))
    assert str(exc) == "the server closed the connection after 3 of 10 bytes"
    assert i18n.translate(exc, "zh") == "服务器只发回了 10 字节中的 3 字节就关闭了连接"
    assert i18n.translate(ConnectionResetError(104, "Connection reset by peer"), "zh").startswith(
        "连接被对方重置了")
