"""Printable sheets (issue 17, 1): the demo book's October as html and pdf, read back with
poppler (pdftotext for the words and figures, pdffonts for embedded fonts, pdftoppm for the
page images).

The tools come from .ci/apt-packages (poppler-utils, fonts-noto-cjk) and WeasyPrint from the
`pdf` extra; a test skips only when one is really absent on a developer's machine, never in
CI (``CI`` set), where a missing tool is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from cashbook.core.money import fmt_grouped
from cashbook.core.words import to_words

from conftest import copy_demo, run_cli

ROOT = Path(__file__).resolve().parent.parent
NOW = {"CASHBOOK_NOW": "2026-11-29T10:00:00+08:00"}


def need(tool: str) -> None:
    if shutil.which(tool):
        return
    if os.environ.get("CI"):
        pytest.fail(f"{tool} is missing in CI: .ci/apt-packages lists poppler-utils")
    pytest.skip(f"{tool} not installed (apt-get install poppler-utils)")


def need_pdf() -> None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        if os.environ.get("CI"):
            pytest.fail(f"WeasyPrint is missing in CI ({exc}): the test extra installs it")
        pytest.skip(f"WeasyPrint not installed: {exc}")
    for tool in ("pdftotext", "pdffonts", "pdftoppm", "fc-list"):
        need(tool)
    from cashbook.render.pdf import cjk_font_installed

    if not cjk_font_installed():
        if os.environ.get("CI"):
            pytest.fail("no CJK font in CI: .ci/apt-packages lists fonts-noto-cjk")
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """A copy of the committed demo book (the tests' caches stay out of the repository)."""
    return copy_demo(tmp_path_factory.mktemp("demo"))


def pdf_text(path: Path, layout: bool = False, page: int | None = None) -> str:
    cmd = ["pdftotext"] + (["-layout"] if layout else []) + (["-f", str(page), "-l", str(page)] if page else []) + [str(path), "-"]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def check_pdf(path: Path, tmp_path: Path) -> str:
    """Fonts embedded (no glyph left to the reader's machine), pages render to images; the text."""
    assert path.read_bytes()[:5] == b"%PDF-"
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts, "no fonts in the pdf"
    for line in fonts:
        # name type [type2] encoding emb sub uni object ID: the emb column is 'yes' for every font
        assert " yes " in line.split("Identity-H")[-1] or line.split()[-5] == "yes", line
    assert any("CJK" in f or "WenQuanYi" in f or "Zen" in f for f in fonts), fonts
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    assert png.stat().st_size > 2000  # an image with something drawn on it
    text = pdf_text(path)
    assert "\ufffd" not in text and "□" not in text
    return text


def cli_json(demo: Path, *args: str) -> dict:
    r = run_cli(*args, "-f", "json", book=demo, env=NOW)
    assert r.code in (0, 1), r.err
    return json.loads(r.out)


def make(demo: Path, tmp_path: Path, name: str, *args: str, fmt: str = "pdf", lang: str = "en") -> Path:
    out = tmp_path / name
    r = run_cli(*args, "-f", fmt, "--output", str(out), "--lang", lang, book=demo, env=NOW)
    assert r.code == 0, r.err
    assert f"wrote {out}" in r.err
    return out


def words_in(text: str, amount: str) -> bool:
    return to_words(Decimal(amount)) in text.replace("\n", "").replace(" ", "")


SIGN = {"count": ["盘点人", "出纳", "监盘人"], "day": ["出纳", "复核", "会计主管"], "rec": ["编制", "审核", "会计主管"]}


def test_cash_count_sheet_pdf(demo, tmp_path):
    need_pdf()
    data = cli_json(demo, "report", "count", "2026-10-15")
    text = check_pdf(make(demo, tmp_path, "count.pdf", "report", "count", "2026-10-15"), tmp_path)
    assert "现金盘点表" in text and "红星家具广场" in text and "2026-10-15" in text
    for label in ("面额", "账存金额", "实存金额", "长款", "短款", *SIGN["count"]):
        assert label in text, label
    assert fmt_grouped(Decimal(data["counted"])) in text
    assert words_in(text, data["counted"]) and data["counted_words"] == to_words(Decimal(data["counted"]))
    hundreds = next(d for d in data["denominations"] if d["denomination"] == "100.00")
    assert hundreds["pieces"] == 5 and hundreds["amount"] == "500.00"  # the demo's count of that day: "100x5"


def test_daily_close_sheet_pdf(demo, tmp_path):
    need_pdf()
    data = cli_json(demo, "report", "day", "2026-10-15")
    text = check_pdf(make(demo, tmp_path, "day.pdf", "report", "day", "2026-10-15", lang="zh"), tmp_path)
    for label in ("现金日报", "期初余额", "本日收入", "本日支出", "期末余额", "本日送存银行", "异常事项", *SIGN["day"]):
        assert label in text, label
    for key in ("opening", "receipts", "payments", "book_balance", "banked"):
        assert fmt_grouped(Decimal(data[key])) in text, key
    assert words_in(text, data["book_balance"])
    assert "Opening" not in text  # --lang zh: the form in Chinese only


def test_reconciliation_sheet_two_columns(demo, tmp_path):
    need_pdf()
    data = cli_json(demo, "bank", "reconcile", "--account", "icbc", "--month", "2026-10")
    path = make(demo, tmp_path, "rec.pdf", "bank", "reconcile", "--account", "icbc", "--month", "2026-10")
    text = check_pdf(path, tmp_path)
    for label in ("银行存款余额调节表", "企业银行存款日记账余额", "银行对账单余额", "银行已收、企业未收", "银行已付、企业未付",
                  "企业已收、银行未收", "企业已付、银行未付", "调节后的存款余额", *SIGN["rec"]):
        assert label in text, label
    # two columns: the book balance and the statement balance on one printed line
    layout = pdf_text(path, layout=True)
    line = next(l for l in layout.splitlines() if "企业银行存款日记账余额" in l)
    assert "银行对账单余额" in line
    assert fmt_grouped(Decimal(data["book_balance"])) in line and fmt_grouped(Decimal(data["statement_balance"])) in line
    assert data["balanced"] and words_in(text, data["adjusted_book_balance"])
    for item in data["outstanding_payments"]:
        assert fmt_grouped(Decimal(item["amount"])) in text


def test_cash_journal_pages_carry_forward(demo, tmp_path):
    need_pdf()
    path = make(demo, tmp_path, "journal.pdf", "report", "journal", "--account", "cash", "--from", "2026-10-01", "--to", "2026-10-31")
    check_pdf(path, tmp_path)
    data = cli_json(demo, "report", "journal", "--account", "cash", "--from", "2026-10-01", "--to", "2026-10-31")["accounts"][0]
    pages = int(next(l for l in subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout.splitlines()
                     if l.startswith("Pages:")).split()[1])
    assert pages >= 2
    for n in range(1, pages + 1):  # every page ends with 过次页 (or the totals), the next opens with 承前页 and the same figures
        text = pdf_text(path, layout=True, page=n)
        for label in ("日期", "凭证号", "摘要", "对方科目", "借方", "贷方", "余额"):
            assert label in text
        if n < pages:
            carried = next(l for l in text.splitlines() if "过次页" in l).split()[-3:]
            following = pdf_text(path, layout=True, page=n + 1)
            assert next(l for l in following.splitlines() if "承前页" in l).split()[-3:] == carried
        else:
            last = next(l for l in text.splitlines() if "本期合计" in l).split()[-3:]
            assert last == [fmt_grouped(Decimal(data[k])) for k in ("receipts", "payments", "closing")]
            assert words_in(text, data["closing"])
            assert "记账" in text and "复核" in text
    assert "工商银行 基本户" in pdf_text(path)  # 对方科目 of a deposit banked


def test_month_report_pdf_has_the_cash_chart(demo, tmp_path):
    need_pdf()
    html = make(demo, tmp_path, "month.html", "report", "month", "2026-10", fmt="html").read_text("utf-8")
    assert html.count("<rect") == 31 and "<svg" in html and "库存限额" in html  # one bar a day of October
    text = check_pdf(make(demo, tmp_path, "month.pdf", "report", "month", "2026-10"), tmp_path)
    data = cli_json(demo, "report", "month", "2026-10")
    for label in ("月度资金报告", "期初余额", "本期收入", "本期支出", "期末余额", "按科目汇总", "库存现金日余额与限额", "编制", "审核"):
        assert label in text, label
    assert fmt_grouped(Decimal(data["totals"]["closing"])) in text and words_in(text, data["totals"]["closing"])


def test_html_sheet_escapes_text_and_needs_nothing_outside(demo, tmp_path):
    html = make(demo, tmp_path, "rec.html", "bank", "reconcile", "--account", "icbc", "--month", "2026-10", fmt="html").read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>") and "银行存款余额调节表" in html and "编制" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "<script" not in html


def test_html_escapes_user_text(book, cli, tmp_path):
    assert cli("receive", "100", "--from", "<b>Bad & Co</b>", "--category", "rent", "--doc", "SJ1", "--date", "2026-11-02",
               book=book).code == 0
    out = tmp_path / "j.html"
    assert cli("report", "journal", "--account", "cash", "-f", "html", "-o", str(out), book=book).code == 0
    html = out.read_text("utf-8")
    assert "&lt;b&gt;Bad &amp; Co&lt;/b&gt;" in html and "<b>Bad" not in html


def test_pdf_needs_an_output_file_and_a_writable_place(book, cli, tmp_path):
    r = cli("report", "day", "2026-11-01", "-f", "pdf", book=book)
    assert r.code == 2 and "--output FILE" in r.err and not r.out
    r = cli("report", "day", "2026-11-01", "-f", "html", "-o", str(tmp_path / "no" / "such" / "x.html"), book=book)
    assert r.code == 2 and "does not exist" in r.err and "Traceback" not in r.err
    r = cli("report", "day", "2026-11-01", "-f", "html", "-o", str(tmp_path), book=book)
    assert r.code == 2 and "is a folder" in r.err
