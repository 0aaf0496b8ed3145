"""Hostile input, surface 2: day journal files. Mutated bytes (hypothesis), odd shapes (links,
folders, empty files, impossible names, wrong year folders), huge integers and 50 MB files:
`check` names the file, a damaged book refuses entries, nothing is changed by a refusal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hostile import DAY2, FILE_ERRORS, FUZZ, _soak, sane, snap
from hostile import fresh, no_debug, soak_sample, template  # noqa: F401, F811 (fixtures)


# -- (b) journal files ------------------------------------------------------------------------

def _check_after_file_damage(cli, book: Path, named: str) -> None:
    """`check` on a damaged book: 0 or 1, file:line messages naming the file, and it writes nothing."""
    before = snap(book)
    r = cli("check", book=book)
    sane(r)
    assert r.code in (0, 1), (r.code, r.out[-1500:], r.err[-1500:])
    assert snap(book) == before, "check changed the book"
    if r.code == 1:
        errors = [l for l in r.out.splitlines() if l.strip() and not l.endswith("(warning)")]
        assert errors
        for line in errors:
            assert re.match(r"^(\S+?)(:\d+)?: [a-z][a-z0-9-]*: ", line) or re.match(r"^[a-z][a-z0-9-]*: ", line), line
        day = re.search(r"\d{4}-\d{2}-\d{2}", named)
        assert any(named in line or (day and day[0] in line) for line in errors), (named, errors[:10])
    # recording: a damaged book refuses (exit 2, nothing written); a sound one records with a fresh id
    rj = cli("check", "--format", "json", book=book) if r.code == 1 else None
    damaged = rj is not None and any(p["code"] in FILE_ERRORS for p in rj.json["problems"])
    for day in ("2026-11-03",):
        before = snap(book)
        args = ("receive", "7", "--from", "Z", "--category", "rent", "--account", "bank", "--date", day, "--format", "json")
        w = cli(*args, book=book)
        sane(w)
        if w.code == 2 or damaged:
            assert w.code == 2, f"a book with file errors must refuse new entries: {rj.out[:1500]}"
            assert snap(book) == before
        else:
            assert w.code == 0
            after = cli("check", "--format", "json", book=book)
            assert not [p for p in after.json["problems"] if p["code"] == "duplicate-id" and p.get("entry") == w.json["id"]]


@settings(max_examples=30, **FUZZ)
@given(data=st.data())
def test_fuzzed_day_files(cli, fresh, data):
    book = fresh()
    target = data.draw(st.sampled_from([DAY2, "journals/2026/2026-11-01.toml"]), label="file")
    path = book / target
    rng = data.draw(st.randoms(use_true_random=False), label="mutations")
    path.write_bytes(_soak().mutate_day(rng, path.read_bytes(), big=False))  # the soak's own mutations, drawn by hypothesis
    _check_after_file_damage(cli, book, target)


@pytest.mark.parametrize("how", ["dangling-symlink", "symlink-to-dir", "dir", "empty", "impossible-date", "odd-name",
                                 "wrong-year-folder", "symlink-loop", "hidden", "bak"])
def test_day_file_shapes(cli, fresh, how, tmp_path):
    book = fresh()
    target = book / "journals/2026/2026-11-05.toml"
    named = "journals/2026/2026-11-05.toml"
    if how == "dangling-symlink":
        target.symlink_to(tmp_path / "nowhere.toml")
    elif how == "symlink-to-dir":
        (tmp_path / "adir").mkdir()
        target.symlink_to(tmp_path / "adir")
    elif how == "dir":
        target.mkdir()
    elif how == "empty":
        target.write_bytes(b"")
    elif how == "impossible-date":
        named = "journals/2026/2026-02-30.toml"
        (book / named).write_text("")
    elif how == "odd-name":
        named = "journals/2026/notes.toml"
        (book / named).write_text("x = 1\n")
    elif how == "wrong-year-folder":
        named = "journals/2025/2026-11-05.toml"
        (book / "journals/2025").mkdir()
        (book / named).write_bytes((book / DAY2).read_bytes().replace(b"2026-11-02", b"2026-11-05").replace(b"20261102-", b"20261105-"))
    elif how == "symlink-loop":
        target.symlink_to(target)
    elif how == "hidden":
        named = "journals/2026/.2026-11-05.toml"
        (book / named).write_text("garbage [[[")
    elif how == "bak":
        named = "journals/2026/2026-11-02.toml.bak"
        (book / named).write_text("garbage [[[")
    if how in ("dir", "symlink-to-dir"):  # check copes; recording on that day is test_fixed_folder_named_like_a_day
        before = snap(book)
        r = cli("check", book=book)
        sane(r)
        assert r.code == 1 and "journals/2026/2026-11-05.toml" in r.out and snap(book) == before, r.out
        return
    if how in ("hidden", "bak"):  # not journal files: ignored, and the book stays sound
        r = cli("check", book=book)
        sane(r)
        assert r.code == 0, r.out
        return
    _check_after_file_damage(cli, book, named)


def test_a_symlink_loop_named_like_a_day(cli, fresh):
    """Was a bug (internal error: ELOOP from store/book.py scan), fixed while this file was written."""
    book = fresh()
    target = book / "journals/2026/2026-11-05.toml"
    target.symlink_to(target.name)
    r = cli("check", book=book)
    sane(r)
    assert r.code == 1 and "internal error" not in r.err and "journals/2026/2026-11-05.toml" in r.out


def test_an_empty_day_file_is_an_empty_day(cli, fresh):
    book = fresh()
    (book / "journals/2026/2026-11-05.toml").write_bytes(b"")
    assert cli("check", book=book).code == 0
    r = cli("receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-05", "--format", "json", book=book)
    assert r.code == 0 and r.json["id"] == "20261105-001"
    assert cli("check", book=book).code == 0


def test_fixed_huge_integer_in_a_day_file(cli, fresh):
    """Regression test: found by this hardening pass, fixed during it. It was: a day file holding an integer of
    more than 4300 digits makes `check` (and every command) reach 'internal error: ValueError: Exceeds the
    limit (4300 digits)' instead of a toml-syntax problem at file:line (store/journal.py parse_day catches
    only TOMLDecodeError and RecursionError)"""
    book = fresh()
    (book / "journals/2026/2026-11-05.toml").write_text("n = " + "9" * 5000 + "\n")
    r = cli("check", book=book)
    sane(r)
    assert r.code == 1 and "journals/2026/2026-11-05.toml" in r.out


def test_fixed_folder_named_like_a_day(cli, fresh):
    """Regression test: found by this hardening pass, fixed during it. It was: a folder named like a day file
    (journals/2026/2026-11-05.toml/): `check` says ok, then `receive --date 2026-11-05` reaches 'internal
    error: IsADirectoryError' (store/journal.py append_entry reads it; store/book.py scan walks into it
    instead of reporting it)"""
    book = fresh()
    (book / "journals/2026/2026-11-05.toml").mkdir()
    r = cli("receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-05", book=book)
    sane(r)
    assert "internal error" not in r.err and r.code == 2


def test_fixed_duplicate_id_in_a_file_does_not_stop_recording(cli, fresh):
    """Regression test: found by this hardening pass, fixed during it. It was: a day file with a duplicate id no
    longer stops recording: README promises a book with a damaged file refuses new entries until `check` is
    clean of file errors, but the cache's UNSAFE_CODES (store/cache.py) lacks duplicate-id, which
    store/book.py _UNREADABLE has"""
    book = fresh()
    path = book / DAY2
    text = path.read_text()
    first = "[[entry]]" + text.split("[[entry]]")[1]
    path.write_text(text + "\n" + first)
    assert cli("check", book=book).code == 1
    before = snap(book)
    r = cli("receive", "5", "--from", "A", "--category", "rent", "--date", "2026-11-03", book=book)
    assert r.code == 2 and "book-damaged" in r.err and snap(book) == before


def test_a_50_mb_day_file_gets_a_clear_outcome_fast(cli, fresh):
    """50 MB day files: one broken on its first line, one with a NUL at its end. (A valid 50 MB day is in bench/soak.py.)"""
    book = fresh()
    entry = (book / DAY2).read_bytes().split(b"[[entry]]")[1]
    body = b"[[entry]]" + entry
    blob = body * (50 * 2**20 // len(body) + 1)
    (book / "journals/2026/2026-11-05.toml").write_bytes(b"this is not toml\n" + blob)
    (book / "journals/2026/2026-11-06.toml").write_bytes(blob + b"\x00")
    r = cli("check", book=book)
    sane(r)
    assert r.code == 1
    assert any(l.startswith("journals/2026/2026-11-05.toml:1: toml-syntax") for l in r.out.splitlines()), r.out[:2000]
    assert any(l.startswith("journals/2026/2026-11-06.toml") and "bad-encoding" in l for l in r.out.splitlines()), r.out[:2000]



def test_soak_sample_of_journals(soak_sample):
    """bench/soak.py's day-file mutations and oracles: check names the file in file:line form, a
    damaged book refuses entries, a sound one records with a fresh id."""
    soak_sample("journal", 25)
