"""CSV that Excel opens (issue 17, 3): a BOM by default (Excel on a Chinese Windows desktop
reads a file without one as GBK), --encoding utf-8|gbk, one table per CSV (--section NAME,
--output-dir DIR), and a header line even with no rows."""

from __future__ import annotations

import csv
import io


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_starts_with_a_bom_by_default(book, cli):
    out = cli("report", "balances", "-f", "csv", book=book).out
    assert out.startswith("\ufeffaccount,name,type,number,balance\n")
    assert rows(out.lstrip("\ufeff"))[1][:2] == ["cash", "库存现金"]


def test_encoding_utf8_and_gbk(book, cli, tmp_path):
    plain = cli("report", "balances", "-f", "csv", "--encoding", "utf-8", book=book).out
    assert plain.startswith("account,")
    target = tmp_path / "b.csv"
    assert cli("report", "balances", "-f", "csv", "--encoding", "gbk", "-o", str(target), book=book).code == 0
    data = target.read_bytes()
    assert "库存现金".encode("gbk") in data and data.decode("gbk").startswith("account,")


def test_one_table_per_csv_with_sections(book, cli, tmp_path):
    r = cli("report", "month", "2026-11", "-f", "csv", book=book)
    table = rows(r.out.lstrip("\ufeff"))
    assert table[0] == ["account", "name", "opening", "receipts", "payments", "closing"]
    assert all(len(line) == 6 for line in table)  # no second table of another width stacked under it
    assert "categories" in r.err and "--section" in r.err
    cats = rows(cli("report", "month", "2026-11", "-f", "csv", "--section", "categories", book=book).out.lstrip("\ufeff"))
    assert cats[0] == ["category", "name", "type", "amount"]
    folder = tmp_path / "out"
    folder.mkdir()
    assert cli("report", "month", "2026-11", "-f", "csv", "--output-dir", str(folder), book=book).code in (0, 1)
    assert sorted(p.name for p in folder.iterdir()) == ["accounts.csv", "categories.csv"]
    assert (folder / "categories.csv").read_bytes().startswith(b"\xef\xbb\xbfcategory,")
    bad = cli("report", "month", "2026-11", "-f", "csv", "--section", "nope", book=book)
    assert bad.code == 2 and "accounts, categories" in bad.err and not bad.out


def test_reconcile_csv_sections_have_headers_even_when_empty(tmp_path):
    from conftest import copy_demo, run_cli

    demo = copy_demo(tmp_path / "demo")
    env = {"CASHBOOK_NOW": "2026-11-29T10:00:00+08:00"}
    args = ("bank", "reconcile", "--account", "icbc", "--month", "2026-10", "-f", "csv")
    empty = run_cli(*args, "--section", "bank-credits-not-booked", book=demo, env=env)
    assert empty.code == 0 and empty.out == "\ufeffdate,ref,memo,amount\n"
    out = run_cli(*args, "--section", "outstanding-payments", book=demo, env=env).out
    outstanding = run_cli(*args[:-2], "-f", "json", book=demo, env=env).json["outstanding_payments"]
    assert outstanding and out.startswith("\ufeffdate,ref,memo,amount\n") and len(out.splitlines()) == 1 + len(outstanding)


def test_check_csv_on_a_clean_book_prints_the_header(book, cli):
    r = cli("check", "-f", "csv", book=book)
    assert r.code == 0
    assert r.out == "\ufefffile,line,code,severity,entry,message\n"


def test_section_needs_csv(book, cli):
    r = cli("report", "month", "2026-11", "--section", "categories", book=book)
    assert r.code == 2 and "-f csv" in r.err
