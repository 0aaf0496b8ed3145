"""A statement file cut short (issue 19, finding 6) is refused, or with accept_gaps read up
to its last whole line with the cut named; a whole file is never taken for a cut one."""

from __future__ import annotations

from pathlib import Path

import pytest

from cashbook.statements import StatementError, parse_statement

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "statements"
pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"samples absent: {SAMPLES}")
ROOT = Path(__file__).resolve().parents[2]


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def lines_of(statements) -> int:
    return sum(len(st.lines) for st in statements)


def test_an_icbc_export_cut_mid_line_is_refused():
    data = sample("cn_icbc_debit_v2.csv")
    whole = lines_of(parse_statement(data, "icbc.csv"))
    refused = 0
    for n in range(len(data) // 3, len(data) - 40, 97):  # `head -c N` at many points past the header
        cut = data[:n]
        if cut.rstrip(b" \t").endswith((b"\n", b"\r")):
            continue
        try:
            got = lines_of(parse_statement(cut, "icbc.csv"))
        except StatementError as exc:
            assert "cut short" in exc.message and "--accept-gaps" in exc.message
            refused += 1
            continue
        assert got == whole, f"cut at byte {n} imported {got} of {whole} lines without a word"  # (a cut in the footer loses none)
    assert refused > 20


def test_with_accept_gaps_the_whole_lines_are_read_and_the_cut_is_named():
    data = sample("cn_icbc_debit_v2.csv")
    n = data.index(b"\n2023-0", len(data) // 2) + 30  # inside a transaction line
    statements = parse_statement(data[:n], "icbc.csv", accept_gaps=True)
    assert "cut short" in statements[0].warnings[0] and "was not imported" in statements[0].warnings[0]
    whole_lines = parse_statement(data[: data.rindex(b"\n", 0, n) + 1], "icbc.csv")
    assert [l.amount for st in statements for l in st.lines] == [l.amount for st in whole_lines for l in st.lines]


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*") if p.suffix not in (".md", ".json")) if SAMPLES.is_dir() else [])
def test_no_whole_sample_is_taken_for_a_cut_one(name):
    data = sample(name)
    assert parse_statement(data, name)
    if not name.endswith(".xls"):
        stripped = data.rstrip(b"\r\n")  # a whole file without its last line break is still whole
        assert lines_of(parse_statement(stripped, name)) == lines_of(parse_statement(data, name))


def test_an_mt940_statement_without_its_closing_balance_is_refused():
    data = sample("mt940_sepa_de.sta")
    cut = data[: data.rindex(b":62F:")]
    with pytest.raises(StatementError, match="closing balance"):
        parse_statement(cut, "x.sta")
    assert parse_statement(cut, "x.sta", accept_gaps=True)[-1].warnings


def test_an_ofx_file_without_its_closing_tag_is_refused():
    data = sample("ofx102_sgml_checking.ofx")
    cut = data[: data.upper().rindex(b"</OFX>")]
    with pytest.raises(StatementError, match="</OFX>"):
        parse_statement(cut, "x.ofx")


def test_bank_import_of_a_cut_file_imports_nothing_or_names_the_cut(book, cli, tmp_path):
    data = sample("cn_icbc_debit_v2.csv")
    cut = tmp_path / "icbc-cut.csv"
    cut.write_bytes(data[: data.index(b"\n2023-0", len(data) // 2) + 30])
    before = {p: p.read_bytes() for p in book.rglob("*") if p.is_file() and ".cashbook" not in str(p)}
    r = cli("bank", "import", str(cut), "--account", "bank", book=book)  # was: imported with exit 0, the cut line dropped
    assert r.code == 2 and "cut short" in r.err
    assert {p: p.read_bytes() for p in book.rglob("*") if p.is_file() and ".cashbook" not in str(p)} == before
    r = cli("bank", "import", str(cut), "--account", "bank", "--accept-gaps", "--output-format", "json", book=book)
    assert r.code == 0 and any("cut short" in w for w in r.json["warnings"])
