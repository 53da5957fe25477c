"""Byte chunks become whole lines: reassembled, decoded, sanitised, bounded."""

from __future__ import annotations

import random

from pulse_tui.model.core.sanitize import sanitize_chunk
from pulse_tui.sources.ssh.line_reader import LineReader


def test_lines_split_across_chunks_are_reassembled() -> None:
    reader = LineReader(1024)
    assert reader.feed(b"one\ntw") == ["one"]
    assert reader.feed(b"o\nthr") == ["two"]
    assert reader.feed(b"ee\n") == ["three"]
    assert reader.pending == 0


def test_multibyte_character_split_between_chunks() -> None:
    reader = LineReader(1024)
    data = "héllo ✓\n".encode()
    assert reader.feed(data[:2]) == []
    assert reader.feed(data[2:]) == ["héllo ✓"]


def test_invalid_utf8_is_replaced_without_eating_neighbours() -> None:
    reader = LineReader(1024)
    assert reader.feed(b"ok\n\xff\xfe\xc3bad\x00\nnext\n") == [
        "ok",
        "\ufffd\ufffd\ufffdbad\\x00",
        "next",
    ]


def test_control_characters_are_sanitised_and_crlf_dropped() -> None:
    reader = LineReader(1024)
    assert reader.feed(b"\x1b[31mred\r\nplain\r\n") == ["\\x1b[31mred", "plain"]


def test_long_line_is_truncated_with_marker() -> None:
    reader = LineReader(100)
    lines = reader.feed(b"x" * 10_000 + b"\nafter\n")
    assert lines[0].startswith("x" * 100) and "truncated" in lines[0]
    assert lines[1] == "after"


def test_huge_line_without_newline_is_emitted_once_and_skipped() -> None:
    reader = LineReader(64 * 1024)
    out: list[str] = []
    chunk = b"y" * 65536
    for _ in range(80):  # 5 MiB
        out += reader.feed(chunk)
    assert len(out) == 1 and "truncated" in out[0]
    assert reader.pending == 0
    assert reader.feed(b"tail\nnext\n") == ["next"]


def test_flush_returns_the_unfinished_line() -> None:
    reader = LineReader(1024)
    reader.feed(b"no newline")
    assert reader.flush() == ["no newline"]


def test_only_unsafe_lines_change_and_the_rest_come_through_as_sent() -> None:
    from pulse_tui.model.core.sanitize import sanitize_chunk

    lines = [
        "plain ascii",
        "caf\u00e9 \u2713 \u00a9 \u2014 \u4e2d\u6587",  # safe, some share lead bytes
        "red \x1b[31malert\x1b[0m",
        "title \x1b]0;pwned\x07 and \x1b]8;;" + "h" * 80 + "\x1b\\",
        "c1 \u009b2J, bidi \u202eevil\u202c, zero-width\u200b, bom \ufeff, \u061c, \u2028",
        "nul \x00 del \x7f tab\tkept",
        "",
        "last plain",
    ]
    data = "\n".join(lines).encode() + b"\n"
    expected = sanitize_chunk("\n".join(lines)).split("\n")
    for size in (1, 7, len(data)):
        reader = LineReader(1024)
        got = [t for i in range(0, len(data), size) for t in reader.feed(data[i : i + size])]
        assert got == expected
    assert expected[0] == "plain ascii" and expected[1] == lines[1]
    assert "\x1b" not in "".join(expected) and "\u202e" not in "".join(expected)


def test_crlf_and_unsafe_bytes_together() -> None:
    reader = LineReader(1024)
    assert reader.feed(b"a\r\nb\x1b[1m\r\n\xc2\x9b\r\nc\r") == ["a", "b\\x1b[1m", "\\x9b"]
    assert reader.flush() == ["c"]


def test_random_bytes_in_random_chunks_read_as_one_sanitised_decode() -> None:
    import random

    from pulse_tui.model.core.sanitize import sanitize_chunk

    rnd = random.Random(7)
    pieces = [
        b"plain ",
        b"caf\xc3\xa9 ",
        "\u2026 \u2192 \u00a9 \u00b0 ".encode(),  # safe, but behind suspect lead bytes
        "\u202e\u200b\ufeff\u061c\u2028\u0085\u009b".encode(),
        "\u00ad\u180e\u2060\u2064\ufff9\u3164\U000e0041\U000e0001\U0010ffff".encode(),
        "ログ Việt 🚀 \ufe0f".encode(),  # safe, behind lead bytes unsafe ones share
        b"\x1b[31m",
        b"\x1b]0;title\x07",
        b"\x00\x7f\x08\t",
        b"\xff\xfe\xc2",  # invalid UTF-8
        b"\r",
        b"\r\n",
        b"\n",
        b"x" * 300,
    ]
    data = b"".join(rnd.choice(pieces) for _ in range(4000)) + b"\n"
    expected = sanitize_chunk(data.replace(b"\r\n", b"\n").decode("utf-8", "replace"))
    for _ in range(5):
        reader = LineReader(1 << 20)
        got: list[str] = []
        at = 0
        while at < len(data):
            size = rnd.choice([1, 3, 100, 4096, 65536])
            got += reader.feed(data[at : at + size])
            at += size
        assert got == expected.split("\n")[:-1]


def test_every_unsafe_character_is_seen_behind_its_lead_byte() -> None:
    from pulse_tui.model.core.sanitize import UNSAFE_CODE_POINTS, sanitize_chunk

    # Surrogates cannot be sent as UTF-8 (the decoder makes U+FFFD of their bytes).
    sent = [c for c in sorted(UNSAFE_CODE_POINTS) if c != 0x0A and not 0xD800 <= c <= 0xDFFF]
    lines = [f"plain {chr(code)} text" for code in sent]
    data = "\n".join(["clean", *lines, "clean"]).encode() + b"\n"
    got = LineReader(1 << 20).feed(data)
    assert got == ["clean", *(sanitize_chunk(line) for line in lines), "clean"]
    assert all("\\" in line for line in got[1:-1])


def test_blocks_mostly_of_suspect_lines_read_as_lines_read_one_by_one() -> None:
    import random

    from pulse_tui.model.core.sanitize import sanitize_chunk

    # Kana (0xE3), Vietnamese (0xE1), emoji (0xF0) share lead bytes with unsafe
    # characters: such blocks are sanitised whole, with the same result.
    rnd = random.Random(5)
    kinds = ["ログイン成功 user=alice", "Đã xử lý yêu cầu", "🚀 deployed"]
    for share in (0.0, 0.1, 0.5, 1.0):
        lines = [rnd.choice(kinds) if rnd.random() < share else "plain" for _ in range(500)]
        lines[rnd.randrange(500)] = "hidden\u3164filler \x1b[2J"
        data = "\n".join(lines).encode() + b"\n"
        expected = [sanitize_chunk(line) for line in lines]
        for size in (len(data), 4096, 7):
            reader = LineReader(1 << 20)
            got = [t for i in range(0, len(data), size) for t in reader.feed(data[i : i + size])]
            assert got == expected


def test_the_long_line_check_agrees_with_measuring_every_line() -> None:
    import random

    from pulse_tui.sources.ssh.line_reader import _has_longer_line

    rnd = random.Random(3)
    for _ in range(2000):
        limit = rnd.choice([1, 2, 5, 10, 50])
        block = b"\n".join(
            b"x" * rnd.choice([0, 1, limit - 1, limit, limit + 1, 3 * limit])
            for _ in range(rnd.randrange(1, 8))
        )
        assert _has_longer_line(block, limit) == (max(map(len, block.split(b"\n"))) > limit)


def test_peek_shows_the_unfinished_line_cleaned_and_keeps_it() -> None:
    reader = LineReader(1024)
    assert reader.peek() == ""
    assert reader.feed(b"first\nhalf \x1b[2J") == ["first"]
    assert reader.peek() == "half \\x1b[2J"
    assert reader.feed(b"done\n") == ["half \\x1b[2Jdone"]
    assert reader.peek() == ""


def test_an_ascii_block_is_searched_for_ascii_controls_only_and_still_cleaned() -> None:
    from pulse_tui.sources.ssh import line_reader

    assert len(line_reader._ASCII_SUSPECT_BYTES) < len(line_reader._SUSPECT_BYTES)
    assert all(byte[0] < 0x80 for byte in line_reader._ASCII_SUSPECT_BYTES)
    # Every ASCII byte the sanitiser replaces (but LF) is still looked for.
    wanted = {bytes([b]) for b in range(0x80) if b != 0x0A and sanitize_chunk(chr(b)) != chr(b)}
    assert wanted == set(line_reader._ASCII_SUSPECT_BYTES)
    reader = LineReader(1024)
    block = b"plain\nbell \x07 here\n" * 50 + b"del \x7f\n"
    assert reader.feed(block) == ["plain", "bell \\x07 here"] * 50 + ["del \\x7f"]


def test_the_newlines_of_a_clean_block_are_found_whatever_the_lines_lengths() -> None:
    # Blank lines, lines shorter than a word (several LFs in one 8-byte word), a block
    # whose length is no multiple of 8, a tab (a control that is no LF): each block reads
    # as the same lines through the dense path as through `feed`.
    rnd = random.Random(11)
    for _ in range(200):
        lines = [
            rnd.choice(["", "a", "ab", "x" * rnd.randrange(1, 30), "t\tab", "ERROR é"])
            for _ in range(rnd.randrange(1, 60))
        ]
        block = ("\n".join(lines) + "\n").encode()
        dense = LineReader(64 * 1024).feed_dense(block)
        assert dense is not None
        assert dense.lines() == LineReader(64 * 1024).feed(block)
        assert dense.starts.tolist()[:-1] == [
            sum(len(line) + 1 for line in lines[:k]) for k in range(len(lines))
        ]
