"""decode_data and StreamDecoder: pure functions, no network."""
import pytest
from hypothesis import given, settings, strategies as st

from echo_lesson.protocol import StreamDecoder, decode_data, guess_encoding, preview

NI_HAO = "你好，世界"


def test_utf8_is_tried_first():
    assert decode_data(NI_HAO.encode("utf-8")) == NI_HAO
    assert guess_encoding(NI_HAO.encode("utf-8")) == "utf-8"


def test_gbk_from_a_windows_tcp_tool_is_decoded_on_purpose():
    gbk = NI_HAO.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")  # what a naive server meets
    assert decode_data(gbk) == NI_HAO
    assert guess_encoding(gbk) == "gbk"


def test_bytes_valid_in_neither_become_replacement_characters():
    bad = b"ok \xff\xfe\xff"
    assert guess_encoding(bad) == "utf-8?"
    assert decode_data(bad) == "ok \ufffd\ufffd\ufffd"


@given(st.binary(max_size=200))
@settings(max_examples=300)
def test_decode_data_never_raises(data):
    assert isinstance(decode_data(data), str)


def test_a_character_split_across_recv_calls():
    data = "你".encode("utf-8")  # 3 bytes
    first, second = data[:2], data[2:]
    assert decode_data(first) != "你"  # decoding each piece alone goes wrong
    decoder = StreamDecoder()
    assert decoder.feed(first) == ""  # the unfinished tail is kept...
    assert decoder.feed(second) == "你"  # ...until the rest arrives
    assert decoder.finish() == ""


@given(st.text(max_size=50), st.lists(st.integers(min_value=0, max_value=200), max_size=6))
def test_stream_decoder_gives_the_text_back_whatever_the_split(text, cuts):
    data = text.encode("utf-8")
    points = sorted({min(c, len(data)) for c in cuts})
    pieces = [data[a:b] for a, b in zip([0, *points], [*points, len(data)])]
    decoder = StreamDecoder()
    assert "".join(decoder.feed(p) for p in pieces) + decoder.finish() == text


def test_an_unfinished_character_at_the_end_is_flagged():
    decoder = StreamDecoder()
    assert decoder.feed("好".encode()[:2]) == ""
    assert decoder.finish() == "\ufffd"


def test_preview_is_short_and_quoted():
    assert preview(b"hello") == "'hello'"
    long = preview(b"x" * 1000, limit=10)
    assert long.startswith("'xxxxxxxxxx") and long.endswith("…'") and len(long) < 20


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    """`data` in pieces, cut at the given offsets (as recv might return it)."""
    bounds = [0, *sorted({c % (len(data) + 1) for c in cuts}), len(data)]
    return [data[a:b] for a, b in zip(bounds, bounds[1:])]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=30).map(lambda b: b.replace(b"\n", b"")), max_size=8),
       st.lists(st.integers(min_value=0, max_value=400), max_size=12))
def test_line_decoder_gives_the_same_lines_whatever_the_split(lines, cuts):
    from echo_lesson.protocol import LineDecoder

    stream = b"".join(line + b"\n" for line in lines)
    decoder, got = LineDecoder(), []
    for piece in split_at(stream, cuts):
        got += decoder.feed(piece)
    assert got == [line.rstrip(b"\r") for line in lines] and decoder.finish() is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), max_size=8),
       st.lists(st.integers(min_value=0, max_value=400), max_size=12))
def test_a_line_over_the_limit_is_refused_once_and_memory_stays_bounded(lengths, cuts):
    from echo_lesson.protocol import TOO_LONG, LineDecoder

    limit = 10
    lines = [b"x" * n for n in lengths]
    decoder, got = LineDecoder(max_line=limit), []
    for piece in split_at(b"".join(line + b"\n" for line in lines), cuts):
        got += decoder.feed(piece)
        assert decoder.pending <= limit + 1  # never a whole long line in memory
    assert got == [TOO_LONG if len(line) > limit else line for line in lines]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=6),
       st.lists(st.integers(min_value=0, max_value=2000), max_size=12))
def test_frame_decoder_gives_the_same_frames_whatever_the_split(payloads, cuts):
    from echo_lesson.protocol import FrameDecoder, encode_frame

    decoder, got = FrameDecoder(), []
    for piece in split_at(b"".join(map(encode_frame, payloads)), cuts):
        got += decoder.feed(piece)
    assert got == payloads and decoder.pending == 0


def test_a_last_line_without_its_newline_is_not_lost():
    from echo_lesson.protocol import LineDecoder

    decoder = LineDecoder(max_line=10)
    assert decoder.feed(b"one\r\ntw") == [b"one"] and decoder.finish() == b"tw"


# --- printable: text that is shown (the chat room, the instructor's console) ----------
def test_printable_makes_escapes_and_invisible_controls_visible():
    from echo_lesson.protocol import printable

    cases = {
        "\x1b[2J": "\\x1b[2J",  # clear the screen
        "\x1b]0;pwned\x07": "\\x1b]0;pwned\\x07",  # set the window title
        "\r* admin joined": "\\r* admin joined",  # back to the start of the line
        "\x08\x08* x": "\\x08\\x08* x",  # backspaces over what came before
        "a\x85b\x9b2J\x7f": "a\\x85b\\x9b2J\\x7f",  # C1 controls (U+009B is a CSI), DEL
        "abc\u202edcba": "abc\\u202edcba",  # a bidi override reverses what follows
        "\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069": "\\u202a\\u202b\\u202c\\u202d"
                                                          "\\u2066\\u2067\\u2068\\u2069",
        "line\u2028break\nand\u200bzero width": "line\\u2028break\\nand\\u200bzero width",
    }
    for raw, shown in cases.items():
        assert printable(raw) == shown, raw
        assert preview(raw.encode())[1:-1] == shown  # one style: the escapes preview writes


def test_printable_keeps_tabs_letters_emoji_and_spaces():
    from echo_lesson.protocol import printable

    for kept in ("hello, world", "tab\there", "你好，世界", "ａｌｉｃｅ　小王", "😀 👍🏽 🇨🇳",
                 "\U0001f469\u200d\U0001f4bb", "Ελληνικά עברית العربية", "C:\\Users\\x1b", ""):
        assert printable(kept) == kept, kept


@given(st.text(max_size=60))
@settings(max_examples=300)
def test_printable_leaves_nothing_that_acts_on_a_screen(text):
    import unicodedata

    from echo_lesson.protocol import printable

    shown = printable(text)
    acting = [ch for ch in shown if ch not in "\t\u200c\u200d"
              and unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Zl", "Zp"}]
    assert acting == []
    shown.encode("utf-8")  # never a lone surrogate: it can always go on the wire
    assert printable(shown) == shown  # and showing it twice changes nothing
