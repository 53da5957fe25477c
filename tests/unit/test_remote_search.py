"""The pure parts of the search on the hosts: the term as grep takes it, the command it is
sent in, and the bounded, time-ordered results with each host's progress."""

from __future__ import annotations

import shlex

import pytest

from pulse_tui.model.search.remote import HostState, RemoteResults, RemoteTerm
from pulse_tui.model.search.scan import SearchError
from pulse_tui.sources.ssh.remote_search import files_search_command, journal_search_command


@pytest.mark.parametrize(
    ("typed", "pattern", "mode"),
    [
        ("timeout", "timeout", "-Fi"),
        ("Timeout", "Timeout", "-F"),
        ("re:time(out)?", "time(out)?", "-Ei"),
        (r"re:\Stimeout", r"\Stimeout", "-Ei"),  # an escape is no capital
        ("re:Time", "Time", "-E"),
        ("\\re:x", "re:x", "-Fi"),
        ("-e", "-e", "-Fi"),
    ],
)
def test_the_term_follows_the_panes_rules(typed: str, pattern: str, mode: str) -> None:
    term = RemoteTerm.parse(typed)
    assert (term.pattern, term.grep_mode) == (pattern, mode)


@pytest.mark.parametrize("typed", ["", "re:", "a\nb", "a\0b"])
def test_an_empty_or_multi_line_term_is_refused(typed: str) -> None:
    with pytest.raises(SearchError):
        RemoteTerm.parse(typed)


def test_the_term_is_one_argument_of_a_fixed_script_never_code() -> None:
    hostile = "$(rm -rf ~); 'x' \"y\" `id` -e"
    command = files_search_command(RemoteTerm.parse(hostile), [("/var/log/a b.log", 12, False)])
    argv = shlex.split(command)
    assert argv[:2] == ["sh", "-c"]
    assert argv[3:] == ["sh", "-Fi", hostile, "/var/log/a b.log", "12", ""]
    assert hostile not in argv[2]  # the script itself is the same whatever is typed
    journal = shlex.split(journal_search_command("pay", RemoteTerm.parse("a.b"), 10.5, 20.5))
    assert "--grep=a\\.b" in journal and "--since=@10" in journal and "--until=@21" in journal


def results(max_matches: int = 10, max_bytes: int = 10_000) -> RemoteResults:
    term = RemoteTerm.parse("timeout")
    return RemoteResults(term, ["web-1", "web-2"], 100.0, 200.0, max_matches, max_bytes)


def test_matches_are_kept_in_time_order_across_hosts_and_outside_ones_counted() -> None:
    found = results()
    assert found.received("web-1", [(150.0, "a", "x1"), (170.0, "a", "x2")], 10)
    assert found.received("web-2", [(160.0, "b", "y1"), (50.0, "b", "old"), (None, "b", "?")], 10)
    assert [m.text for m in found.matches] == ["x1", "y1", "x2"]
    assert found.hosts["web-2"].outside == 1 and found.hosts["web-2"].untimed == 1
    assert found.progress() == (
        "searching 2 hosts · 0 done · 3 matches · 1 without a timestamp not shown"
        " · 1 outside the range not shown"
    )
    found.finished("web-1")
    found.failed("web-2", "web-2: connection refused")
    assert not found.searching
    assert found.progress() == (
        "searched 2 hosts · 1 failed · 3 matches · 1 without a timestamp not shown"
        " · 1 outside the range not shown"
    )


def test_the_match_bound_stops_every_host_and_says_so() -> None:
    found = results(max_matches=3)
    more = found.received("web-1", [(100.0 + i, "a", f"x{i}") for i in range(5)], 10)
    assert not more and len(found.matches) == 3
    assert {s.state for s in found.hosts.values()} == {HostState.STOPPED}
    assert found.progress().startswith("stopped at 3 matches (logs.remote_search_max_matches)")


def test_the_byte_bound_stops_it_too_and_a_cancel_keeps_what_came() -> None:
    found = results(max_bytes=100)
    assert not found.received("web-1", [(150.0, "a", "x")], 100)
    assert "of matching lines (logs.remote_search_max_bytes)" in found.progress()
    found = results()
    found.received("web-1", [(150.0, "a", "x")], 1)
    found.cancel()
    assert found.progress() == "cancelled · 1 match"
    assert not found.searching


def test_a_search_that_ends_without_a_word_from_a_host_says_it_failed() -> None:
    found = results()
    found.finished("web-1")
    found.abandon("the search stopped: boom")
    assert found.hosts["web-2"].state is HostState.FAILED
    assert found.hosts["web-2"].problems == ["the search stopped: boom"]
    assert found.progress() == "searched 2 hosts · 1 failed · 0 matches"
