"""Untrusted text as `Text`: sanitised, markup left as data, the sanitiser's escapes set
apart in the style the log pane gives them."""

from __future__ import annotations

from rich.text import Text

from pulse_tui.ui.widgets.palette import ESCAPE_STYLE
from pulse_tui.ui.widgets.safe_text import append_safe, escape_pieces, safe_text


def styled(text: Text) -> list[tuple[str, str]]:
    return [(text.plain[s.start : s.end], str(s.style)) for s in text.spans]


def test_a_raw_escape_is_sanitised_and_its_escape_marked_in_the_style_given() -> None:
    text = safe_text("pay\x1b[31mments [bold]x[/bold]", "bold")
    assert text.plain == "pay\\x1b[31mments [bold]x[/bold]"  # markup is data
    assert styled(text) == [
        ("pay", "bold"),
        ("\\x1b", f"bold {ESCAPE_STYLE}"),
        ("[31mments [bold]x[/bold]", "bold"),
    ]


def test_text_sanitised_already_is_marked_the_same_and_not_escaped_twice() -> None:
    once = safe_text("a\u202eb")
    assert once.plain == "a\\u202eb"
    assert safe_text(once.plain).plain == once.plain
    assert styled(safe_text(once.plain)) == styled(once) == [("\\u202e", ESCAPE_STYLE)]


def test_a_path_or_a_json_escape_is_text_not_a_control_character() -> None:
    # Only the escapes the sanitiser writes are marked: `\x64` is "d", `\u00e9` is "é".
    assert escape_pieces("C:\\x64 caf\\u00e9") == [("C:\\x64 caf\\u00e9", None)]


def test_appending_keeps_what_was_there() -> None:
    text = append_safe(Text("Services · ", style="dim"), "x\x07y", "bold")
    assert text.plain == "Services · x\\x07y"
    assert ("\\x07", f"bold {ESCAPE_STYLE}") in styled(text)
