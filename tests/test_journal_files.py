"""Broken journal files: one reproducer per problem code, every problem reported with file:line."""

from __future__ import annotations

import pytest

GOOD = '''
[[entry]]
id = "20261105-001"
kind = "receipt"
time = "2026-11-05T09:00:00+08:00"
amount = "100.00"
party = "ACME"
category = "rent"
'''


def write(book, name, text, year="2026"):
    path = book / "journals" / year / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def check_lines(cli, book):
    r = cli("check", book=book)
    return r, [line for line in r.out.splitlines() if line.strip()]


def test_a_good_hand_written_file_passes(cli, book):
    write(book, "2026-11-05.toml", GOOD)
    r, _ = check_lines(cli, book)
    assert r.code == 0, r.out + r.err


@pytest.mark.parametrize("code,text,line", [
    ("toml-syntax", GOOD.replace('amount = "100.00"', 'amount = "100.00'), 6),
    ("unknown-kind", GOOD.replace('"receipt"', '"gift"'), 4),
    ("missing-field", GOOD.replace('party = "ACME"\n', ""), 2),
    ("bad-amount", GOOD.replace('"100.00"', '100.00'), 6),
    ("bad-amount", GOOD.replace('"100.00"', '"1e3"'), 6),
    ("bad-amount", GOOD.replace('"100.00"', '"-100.00"'), 6),
    ("bad-amount", GOOD.replace('"100.00"', '"100.001"'), 6),
    ("bad-field", GOOD + 'colour = "red"\n', 9),
    ("bad-field", GOOD.replace('time = "2026-11-05T09:00:00+08:00"', 'time = "2026-11-05T09:00:00"'), 5),
    ("wrong-day", GOOD.replace("2026-11-05T", "2026-11-06T"), 5),
    ("duplicate-id", GOOD + GOOD, 10),
    ("unknown-account", GOOD + 'account = "petty"\n', 2),
    ("unknown-category", GOOD.replace('"rent"', '"lottery"'), 2),
    ("wrong-category", GOOD.replace('"rent"', '"wages"'), 2),
    ("bad-field", 'entry = 5\n', 1),
    ("bad-field", 'title = "x"\n' + GOOD, 1),
])
def test_each_problem_code_has_a_reproducer(cli, book, code, text, line):
    write(book, "2026-11-05.toml", text)
    r, lines = check_lines(cli, book)
    assert r.code == 1, r.out + r.err
    assert any(l.startswith(f"journals/2026/2026-11-05.toml:{line}: {code}:") for l in lines), lines


def test_every_problem_in_a_file_is_reported_not_only_the_first(cli, book):
    text = (GOOD.replace('"receipt"', '"gift"')
            + GOOD.replace("-001", "-002").replace('"100.00"', '"x"')
            + GOOD.replace("-001", "-003").replace('party = "ACME"\n', ""))
    write(book, "2026-11-05.toml", text)
    r = cli("check", "--format", "json", book=book)
    codes = sorted(p["code"] for p in r.json["problems"])
    assert codes == ["bad-amount", "missing-field", "unknown-kind"]
    assert all(p["file"] == "journals/2026/2026-11-05.toml" and p["line"] for p in r.json["problems"])


def test_gbk_file_is_named_as_such(cli, book):
    write(book, "2026-11-05.toml", GOOD.replace("ACME", "红星家具").encode("gbk"))
    r, lines = check_lines(cli, book)
    assert r.code == 1
    assert "bad-encoding" in lines[0] and "GBK" in lines[0]


def test_nul_bytes_and_binary_garbage(cli, book):
    write(book, "2026-11-05.toml", GOOD.encode() + b"\x00\x01")
    write(book, "2026-11-06.toml", bytes(range(256)))
    r, lines = check_lines(cli, book)
    assert r.code == 1
    assert any("2026-11-05.toml" in l and "bad-encoding" in l for l in lines)
    assert any("2026-11-06.toml" in l and "bad-encoding" in l for l in lines)


def test_empty_file_is_an_empty_day(cli, book):
    write(book, "2026-11-05.toml", "")
    assert cli("check", book=book).code == 0


def test_bad_file_names_and_places(cli, book):
    write(book, "2026-13-45.toml", GOOD)
    write(book, "2026-11-05.toml", GOOD, year="2025")
    r, lines = check_lines(cli, book)
    assert r.code == 1
    assert sum("bad-file-name" in l for l in lines) == 2


def test_duplicate_id_across_files(cli, book):
    write(book, "2026-11-05.toml", GOOD)
    write(book, "2026-11-06.toml", GOOD.replace("2026-11-05T", "2026-11-06T"))
    r, lines = check_lines(cli, book)
    assert any(l.startswith("journals/2026/2026-11-06.toml:2: duplicate-id:") and "2026-11-05.toml:2" in l for l in lines)


def test_void_of_a_missing_entry(cli, book):
    write(book, "2026-11-05.toml", '''
[[entry]]
id = "20261105-001"
kind = "void"
time = "2026-11-05T09:00:00+08:00"
target = "20261101-099"
reason = "typo"
reverses = [["cash", "-1.00"], ["category:rent", "1.00"]]
''')
    r, lines = check_lines(cli, book)
    assert any("unknown-entry" in l for l in lines)


def test_deeply_nested_and_huge_lines_do_not_crash(cli, book):
    write(book, "2026-11-05.toml", "x = " + "[" * 5000 + "]" * 5000 + "\n")
    write(book, "2026-11-06.toml", GOOD.replace("2026-11-05T", "2026-11-06T").replace("ACME", "A" * 1_000_000))
    r, lines = check_lines(cli, book)
    assert r.code == 1
    assert "Traceback" not in r.err
    assert any("2026-11-05.toml" in l for l in lines) and any("2026-11-06.toml" in l for l in lines)


def test_a_damaged_book_refuses_new_entries_and_writes_nothing(cli, book):
    from conftest import snapshot

    write(book, "2026-11-05.toml", GOOD.replace('"100.00"', '"oops"'))
    before = snapshot(book)
    r = cli("receive", "10", "--from", "A", "--category", "rent", "--date", "2026-11-06", book=book)
    assert r.code == 2
    assert "book-damaged" in r.err and "2026-11-05.toml:6" in r.err
    assert snapshot(book) == before
