"""`cashbook export`: beancount, ledger/hledger and CSV, verified by the real tools.

A small book is built through the real CLI (every money-moving kind, CJK and quoted
payees, approvals, a void, a second bank account with an export_name); its exports
must pass `bean-check`, `hledger check` and `ledger bal`, and the balances and monthly
totals those tools compute must equal cashbook's own to the cent. A test whose tool is
not installed is skipped with the reason (CI installs them: .ci/apt-packages and the
`test` extra).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cashbook.core.entries import KINDS
from cashbook.core.policy import Policy
from cashbook.core.problems import CashbookError
from cashbook.export import Options, build, render
from cashbook.export.beancount import quote
from cashbook.export.ledger import header_text, one_line
from cashbook.export.accounts import AccountMap, person, titled, upper, valid_account
from cashbook.store.book import Book
from cashbook.store.policyfile import default_policy_text, parse_policy

REPO = Path(__file__).resolve().parents[1]
NOW = "2026-11-20T10:00:00+08:00"  # a fixed clock; the book lives in the month before
M = "2026-10"
ZERO = Decimal("0.00")

PAYEE_QUOTED = '红星 "家具" 城 \\ 二店'
PAYEE_MEMO = 'pens; paper, "A4" | 100 张'


# -- helpers -------------------------------------------------------------------------

def cashbook(*args: str, book: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "CASHBOOK_NOW": NOW, "COLUMNS": "200"}
    cmd = [sys.executable, "-m", "cashbook", *args] + (["--book", str(book)] if book else [])
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    if check:
        assert p.returncode == 0, f"cashbook {' '.join(args)} -> {p.returncode}\n{p.stdout}\n{p.stderr}"
    return p


def record(book: Path, *args: str) -> str:
    """Record one entry through the CLI; return its id."""
    return json.loads(cashbook(*args, "--format", "json", book=book).stdout)["id"]


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (CI installs it: see .ci/apt-packages and the test extra)")
    return path


def tool(*cmd: str) -> str:
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, f"{' '.join(cmd)} -> {p.returncode}\n{p.stdout}\n{p.stderr}"
    return p.stdout


def money(text: str) -> Decimal:
    """An amount as hledger prints it in CSV: '2000.00 CNY', '-3.50 CNY' or '0'."""
    text = text.strip()
    return Decimal(text.split()[0]).quantize(Decimal("0.01")) if text else ZERO


def nonzero(d: dict[str, Decimal]) -> dict[str, Decimal]:
    return {k: v for k, v in d.items() if v != 0}


def cashbook_postings(root: Path) -> tuple[AccountMap, list[tuple[dt.date, str, Decimal]]]:
    """Cashbook's own postings (date, export account, amount), for every entry of the book."""
    b = Book(root)
    loaded = b.load()
    amap = AccountMap(b.policy)
    return amap, [(e.date, amap.account(p.account), p.amount) for e in loaded.order for p in e.postings()]


def cashbook_balances(root: Path, day: str) -> dict[str, Decimal]:
    """`cashbook report balances --date DAY`, keyed by export account name."""
    amap = AccountMap(Book(root).policy)
    data = json.loads(cashbook("report", "balances", "--date", day, "--format", "json", book=root).stdout)
    return {amap.account(a["account"]): Decimal(a["balance"]) for a in data["accounts"]}


def cashbook_month_moves(root: Path, month: str) -> dict[str, Decimal]:
    """Net movement of each cash and bank account in MONTH, from `cashbook report journal`."""
    first = dt.date.fromisoformat(month + "-01")
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    amap = AccountMap(Book(root).policy)
    data = json.loads(cashbook("report", "journal", "--from", first.isoformat(), "--to", last.isoformat(),
                               "--format", "json", book=root).stdout)
    return {amap.account(a["account"]): Decimal(a["closing"]) - Decimal(a["opening"]) for a in data["accounts"]}


def hledger_balances(path: Path, *period: str) -> dict[str, Decimal]:
    out = tool(need("hledger"), "-f", str(path), "bal", "--flat", "-E", "-O", "csv", *period)
    rows = list(csv.reader(io.StringIO(out)))
    return {r[0]: money(r[1]) for r in rows[1:] if r[0] != "total"}


def hledger_monthly(path: Path) -> dict[str, dict[str, Decimal]]:
    """{month: {account: net change}} from `hledger bal -M`."""
    out = tool(need("hledger"), "-f", str(path), "bal", "-M", "--flat", "-E", "-O", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    months = rows[0][1:]
    result: dict[str, dict[str, Decimal]] = {m: {} for m in months}
    for r in rows[1:]:
        if r[0] == "total":
            continue
        for m, cell in zip(months, r[1:]):
            result[m][r[0]] = money(cell)
    return result


def beancount_load(path: Path):
    loader = pytest.importorskip("beancount.loader", reason="beancount is not installed (pip install beancount)")
    entries, errors, options = loader.load_file(str(path))
    assert not errors, errors
    return entries, options


def beancount_balances(entries, start: dt.date | None = None, end: dt.date | None = None) -> dict[str, Decimal]:
    """Per-account balances computed by beancount's realization (transactions in [start, end))."""
    from beancount.core import data, realization

    chosen = [e for e in entries if not isinstance(e, data.Transaction)
              or ((start is None or e.date >= start) and (end is None or e.date < end))]
    real = realization.realize(chosen)
    out = {}
    for acct in realization.iter_children(real):
        if acct.account and acct.txn_postings:
            out[acct.account] = acct.balance.get_currency_units("CNY").number.quantize(Decimal("0.01"))
    return out


def months_of(postings) -> list[str]:
    return sorted({d.strftime("%Y-%m") for d, _, _ in postings})


def moves_between(postings, first: dt.date, after: dt.date) -> dict[str, Decimal]:
    """Cashbook's net movement per export account for days in [first, after)."""
    out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for day, account, amount in postings:
        if first <= day < after:
            out[account] += amount
    return nonzero(out)


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    first = dt.date.fromisoformat(month + "-01")
    return first, (first + dt.timedelta(days=32)).replace(day=1)


# -- the book --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("export") / "book"
    cashbook("init", str(root))
    policy = root / "policies.toml"
    text = policy.read_text(encoding="utf-8")
    text = text.replace('utc_offset = ""', 'utc_offset = "+08:00"', 1)
    text = text.replace('advertising = { type = "income", name = "广告费 advertising" }',
                        'advertising = { type = "income", name = "广告费 advertising", export_name = "Income:Ads" }', 1)
    text = text.replace("# -- approval roles", '[accounts.icbc]\ntype = "bank"\nname = "工商银行 基本户"\n'
                        'number = "6222 0000"\nexport_name = "ICBC-Main"\n\n# -- approval roles', 1)
    policy.write_text(text, encoding="utf-8")

    gm = ("--approved-by", "gm:王总")
    ids = {}
    cashbook("opening", "cash", "1500", "--date", f"{M}-01", book=root)
    cashbook("opening", "bank", "50000", "--date", f"{M}-01", book=root)
    cashbook("opening", "icbc", "20000.5", "--date", f"{M}-01", book=root)
    d = ("--date", f"{M}-02")
    ids["rent"] = record(root, "receive", "3000", "--from", PAYEE_QUOTED, "--category", "rent", "--doc", "R001", *d)
    record(root, "pay", "300.25", "--to", "李四 文具店", "--category", "office", "--invoice", "INV-9", *gm,
           "--memo", PAYEE_MEMO, *d)
    record(root, "bank-deposit", "2500", "--account", "bank", "--slip", "S-1", *d)
    d = ("--date", f"{M}-03")
    record(root, "withdraw", "800", "--account", "bank", "--cheque", "XJ001", *gm, *d)
    record(root, "transfer", "5000", "--from-account", "bank", "--to-account", "icbc", "--ref", "T1", *d)
    record(root, "receive", "1200", "--from", "ACME Ads Ltd.", "--category", "advertising", "--account", "icbc", "--doc", "R002", *d)
    d = ("--date", f"{M}-04")
    ids["adv"] = record(root, "advance", "600", "--to", "张三", "--purpose", "出差 上海", "--due", f"{M}-20",
                        "--approved-by", "dept-head:赵主任", *gm, *d)
    ids["adv2"] = record(root, "advance", "150", "--to", "li si", "--purpose", "samples", "--due", f"{M}-25",
                         "--approved-by", "dept-head:赵主任", *gm, *d)
    record(root, "settle", ids["adv"], "--returned", "100", "--spent", "500", "--category", "travel", "--invoice", "INV-10",
           "--date", f"{M}-05")
    d = ("--date", f"{M}-06")
    ids["dep"] = record(root, "hold-deposit", "2000", "--from", "美家 Furniture", "--type", "site", "--doc", "R003",
                        "--account", "bank", *d)
    record(root, "hold-deposit", "--from", "王五装修队", "--type", "construction-permit", "--units", "2", "--doc", "R004", *d)
    record(root, "collect", "200", "--from", "顾客 陈", "--for", "顺丰物流", "--doc", "R005", *d)
    record(root, "refund-deposit", ids["dep"], "--account", "bank", "--approved-by", "finance-manager:钱经理",
           "--approved-by", "store-manager:孙店长", *gm, "--date", f"{M}-08")
    ids["cheque"] = record(root, "pay", "1500", "--to", "北京 \"好\" 家具", "--category", "wages", "--account", "bank",
                           "--cheque", "10001", "--invoice", "INV-11", "--invoice-party", "北京 \"好\" 家具", *gm, "--date", f"{M}-09")
    ids["fixed"] = record(root, "pay", "4000", "--to", "ACME", "--category", "fixed-assets", "--account", "icbc",
                          "--method", "transfer", "--invoice", "INV-12", *gm, "--date", f"{M}-09")
    ids["void"] = record(root, "void", ids["fixed"], "--reason", "录入错误 \"重复\"", "--date", f"{M}-10")
    record(root, "receive", "88.8", "--from", "商户 A", "--category", "other-income", "--doc", "R006", "--date", f"{M}-12")
    (root / "ids.json").write_text(json.dumps(ids))
    return root


@pytest.fixture(scope="module")
def ids(book) -> dict[str, str]:
    return json.loads((book / "ids.json").read_text())


def export(book: Path, fmt: str, *extra: str, name: str | None = None) -> Path:
    out = book.parent / (name or f"book.{fmt}")
    p = cashbook("export", "--to", fmt, *extra, "--output", str(out), book=book)
    assert p.stdout == ""
    return out


# -- the account mapping -------------------------------------------------------------

def test_account_components_are_safe_and_deterministic():
    assert titled("management-fee") == "Management-Fee"
    assert titled("office_supplies") == "Office-Supplies"
    assert upper("icbc") == "ICBC" and upper("boc_2") == "BOC-2"
    assert person("张三") == "U" + "张三".encode().hex().upper() == "UE5BCA0E4B889"
    assert person("Zhang-San") == "Zhang-San"
    assert person("li si") == "U" + b"li si".hex().upper()
    assert person("张三") != person("张 三") and person("张三") == person("张三")
    long = person("长" * 100)
    assert long.startswith("U") and len(long) == 33
    for name in ("张三", "li si", "O'Brien", "长" * 100, "a:b"):
        assert valid_account(f"Assets:Receivables:Advances:{person(name)}") is None


def test_default_policy_maps_every_account_as_documented():
    policy = parse_policy(default_policy_text())
    amap = AccountMap(policy)
    assert amap.account("cash") == "Assets:Cash"
    assert amap.account("bank") == "Assets:Bank:BANK"
    assert amap.account("category:rent") == "Income:Rent"
    assert amap.account("category:management-fee") == "Income:Management-Fee"
    assert amap.account("category:wages") == "Expenses:Wages"
    assert amap.account("category:collection") == "Liabilities:Collection"
    assert amap.account("deposits:construction-permit") == "Liabilities:Deposits:Construction-Permit"
    assert amap.account("advances:张三") == "Assets:Receivables:Advances:UE5BCA0E4B889"
    assert amap.info["Assets:Receivables:Advances:UE5BCA0E4B889"] == {"name": "张三"}
    assert amap.account("opening-balances") == "Equity:Opening-Balances"
    assert amap.account("cash-over-short") == "Expenses:Cash-Over-Short"
    for name in amap.names.values():
        assert valid_account(name) is None, name


def _policy(extra: str) -> Policy:
    return parse_policy(default_policy_text() + extra)


def test_export_name_wins_full_or_last_component():
    amap = AccountMap(_policy('\n[accounts.icbc]\ntype = "bank"\nname = "工行"\nexport_name = "Assets:Bank:ICBC-Main"\n'
                              '[accounts.cmb]\ntype = "bank"\nname = "招行"\nexport_name = "CMB-2"\n'))
    assert amap.account("icbc") == "Assets:Bank:ICBC-Main"
    assert amap.account("cmb") == "Assets:Bank:CMB-2"


@pytest.mark.parametrize("bad", ["Assets:bank:icbc", "Bank:ICBC", "Assets:Bank:工行", "Assets:Bank:ICBC Main"])
def test_invalid_export_name_is_refused_with_the_setting_named(bad):
    with pytest.raises(CashbookError) as exc:
        AccountMap(_policy(f'\n[accounts.icbc]\ntype = "bank"\nname = "工行"\nexport_name = "{bad}"\n'))
    message = str(exc.value)
    assert "bad-export-name" in message and "accounts.icbc.export_name" in message


def test_two_keys_deriving_one_name_are_refused():
    with pytest.raises(CashbookError) as exc:
        AccountMap(_policy('\n[accounts.BOC-1]\ntype = "bank"\nname = "中行1"\n[accounts.boc-1]\ntype = "bank"\nname = "中行2"\n'))
    assert "Assets:Bank:BOC-1" in str(exc.value) and "export_name" in str(exc.value)


# -- beancount -----------------------------------------------------------------------

def test_beancount_export_passes_bean_check(book):
    path = export(book, "beancount")
    p = subprocess.run([need("bean-check"), str(path)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0 and p.stdout.strip() == "" and p.stderr.strip() == "", p.stdout + p.stderr
    text = path.read_text(encoding="utf-8")
    assert 'option "operating_currency" "CNY"' in text


def test_beancount_balances_and_monthly_totals_equal_cashbook(book):
    entries, options = beancount_load(export(book, "beancount"))
    assert options["operating_currency"] == ["CNY"]
    got = beancount_balances(entries)
    amap, postings = cashbook_postings(book)
    want: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for _, account, amount in postings:
        want[account] += amount
    assert nonzero(got) == nonzero(want)
    # the cash and bank figures are exactly `cashbook report balances`
    reported = cashbook_balances(book, f"{M}-31")
    assert reported == {"Assets:Cash": Decimal("2238.55"), "Assets:Bank:BANK": Decimal("45200.00"),
                        "Assets:Bank:ICBC-Main": Decimal("26200.50")}
    for account, balance in reported.items():
        assert got.get(account, ZERO) == balance, account
    for month in months_of(postings):
        first, after = month_bounds(month)
        moves = beancount_balances(entries, first, after)
        assert nonzero(moves) == moves_between(postings, first, after), month
        for account, move in cashbook_month_moves(book, month).items():
            assert moves.get(account, ZERO) == move, (month, account)


def test_beancount_keeps_payees_metadata_and_links_voids(book, ids):
    entries, _ = beancount_load(export(book, "beancount"))
    from beancount.core import data

    txns = {e.meta["id"]: e for e in entries if isinstance(e, data.Transaction) and "id" in e.meta}
    rent = txns[ids["rent"]]
    assert rent.payee == PAYEE_QUOTED and rent.meta["kind"] == "receipt" and rent.meta["doc"] == "R001"
    memo = next(t for t in txns.values() if t.meta.get("memo"))
    assert memo.meta["memo"] == PAYEE_MEMO and PAYEE_MEMO in memo.narration
    assert memo.meta["approvals"] == "gm:王总" and memo.meta["invoice"] == "INV-9"
    cheque = txns[ids["cheque"]]
    assert cheque.meta["cheque"] == "10001" and cheque.payee == '北京 "好" 家具'
    refund = next(t for t in txns.values() if t.meta["kind"] == "deposit-refund")
    assert refund.meta["approvals"] == "finance-manager:钱经理; store-manager:孙店长; gm:王总"
    void, original = txns[ids["void"]], txns[ids["fixed"]]
    assert void.meta["voids"] == ids["fixed"] and original.meta["voided_by"] == ids["void"]
    assert ids["fixed"] in void.links and ids["fixed"] in original.links
    assert sorted((p.account, p.units.number) for p in void.postings) == \
        sorted((p.account, -p.units.number) for p in original.postings)
    adv = txns[ids["adv"]]
    assert adv.meta["person"] == "张三" and adv.payee == "张三"
    assert {p.account for p in adv.postings} == {"Assets:Cash", "Assets:Receivables:Advances:UE5BCA0E4B889"}
    opens = {e.account: e for e in entries if isinstance(e, data.Open)}
    assert opens["Assets:Receivables:Advances:UE5BCA0E4B889"].meta["name"] == "张三"
    assert opens["Assets:Receivables:Advances:" + person("li si")].meta["name"] == "li si"
    assert opens["Assets:Bank:ICBC-Main"].meta["key"] == "icbc"
    assert "Income:Ads" in opens and "Liabilities:Deposits:Construction-Permit" in opens
    assert all(o.currencies == ["CNY"] for o in opens.values())


try:
    import beancount.loader as _bc_loader
except ImportError:  # pragma: no cover - CI installs it
    _bc_loader = None

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from('"\\\n\t;|'),
                min_size=1, max_size=40)


@pytest.mark.skipif(_bc_loader is None, reason="beancount is not installed (pip install beancount)")
@settings(max_examples=200, deadline=None)
@given(payee=_TEXT, narration=_TEXT)
def test_any_text_survives_a_beancount_string(payee, narration):
    src = (f'option "operating_currency" "CNY"\n2026-01-01 open Assets:A\n'
           f"2026-01-02 * {quote(payee)} {quote(narration)}\n  memo: {quote(narration)}\n  Assets:A  0.00 CNY\n")
    entries, errors, _ = _bc_loader.load_string(src)
    assert not errors
    txn = entries[-1]
    assert (txn.payee, txn.narration, txn.meta["memo"]) == (payee, narration, narration)


@given(_TEXT)
def test_ledger_header_text_is_one_line_without_comment_or_payee_marks(text):
    head = header_text(text)
    assert not set(head) & set(";|\n\r\t") and head == head.strip()
    assert "\n" not in one_line(text)


# -- ledger / hledger ----------------------------------------------------------------

def test_ledger_export_passes_hledger_check_and_ledger_bal(book):
    path = export(book, "ledger")
    tool(need("hledger"), "-f", str(path), "check", "--strict", "ordereddates")
    out = tool(need("ledger"), "-f", str(path), "--pedantic", "bal")
    assert out.rstrip().splitlines()[-1].strip() == "0"  # every transaction balances: the total is nil
    flat = tool(need("ledger"), "-f", str(path), "bal", "--flat", "--no-total", "--balance-format", "%(account)\t%(quantity(display_total))\n")
    got = {a: Decimal(q).quantize(Decimal("0.01")) for a, q in (line.split("\t") for line in flat.splitlines() if line)}
    assert got["Assets:Cash"] == Decimal("2238.55") and got["Assets:Bank:ICBC-Main"] == Decimal("26200.50")


def test_hledger_balances_and_monthly_totals_equal_cashbook(book):
    path = export(book, "ledger")
    got = hledger_balances(path)
    amap, postings = cashbook_postings(book)
    want: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for _, account, amount in postings:
        want[account] += amount
    assert nonzero(got) == nonzero(want)
    for account, balance in cashbook_balances(book, f"{M}-31").items():
        assert got.get(account, ZERO) == balance, account
    monthly = hledger_monthly(path)
    assert sorted(monthly) == months_of(postings)
    for month, moves in monthly.items():
        assert nonzero(moves) == moves_between(postings, *month_bounds(month)), month
        for account, move in cashbook_month_moves(book, month).items():
            assert moves.get(account, ZERO) == move, (month, account)


def test_ledger_headers_keep_text_and_tags(book, ids):
    path = export(book, "ledger")
    text = path.read_text(encoding="utf-8")
    assert f"({ids['rent']}) {PAYEE_QUOTED} | receipt for rent" in text
    assert f"; memo: {PAYEE_MEMO}" in text
    # ; and | cannot stand in a header: shown full-width there, exact in the memo tag
    assert "payment for office - pens； paper, \"A4\" ｜ 100 张" in text
    out = tool(need("hledger"), "-f", str(path), "reg", "tag:voids", "-O", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["account"] for r in rows} == {"Expenses:Fixed-Assets", "Assets:Bank:ICBC-Main"}
    payees = tool(need("hledger"), "-f", str(path), "payees")
    assert PAYEE_QUOTED in payees.splitlines() and "张三" in payees.splitlines()


# -- CSV -----------------------------------------------------------------------------

def test_csv_has_one_row_per_posting_and_each_entry_sums_to_zero(book, ids):
    out = cashbook("export", "--to", "csv", book=book).stdout
    lines = out.splitlines()
    assert lines[0] == "date,id,kind,account,amount,currency,payee,narration,doc"
    rows = list(csv.DictReader(io.StringIO(out)))
    amap, postings = cashbook_postings(book)
    assert len(rows) == len(postings)
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for r in rows:
        assert r["currency"] == "CNY" and r["amount"] == f"{Decimal(r['amount']):.2f}"
        sums[r["id"]] += Decimal(r["amount"])
    assert set(sums.values()) == {ZERO}
    rent = [r for r in rows if r["id"] == ids["rent"]]
    assert [(r["account"], r["amount"]) for r in rent] == [("Assets:Cash", "3000.00"), ("Income:Rent", "-3000.00")]
    assert rent[0]["payee"] == PAYEE_QUOTED and rent[0]["doc"] == "R001" and rent[0]["kind"] == "receipt"
    assert {r["doc"] for r in rows if r["id"] == ids["cheque"]} == {"INV-11"}


# -- a window: --from/--to with a balance brought forward ------------------------------

def test_window_brings_balances_forward_and_stays_exact(book):
    start, end = f"{M}-06", f"{M}-09"
    path = export(book, "ledger", "--from", start, "--to", end, name="window.ledger")
    text = path.read_text(encoding="utf-8")
    assert f"{M}-05 * balance brought forward at {M}-05" in text
    dates = {line[:10] for line in text.splitlines() if line[:2] == "20"}
    assert min(dates) == f"{M}-05" and max(dates) <= end
    tool(need("hledger"), "-f", str(path), "check", "--strict", "ordereddates")
    got = hledger_balances(path)
    # assets and liabilities equal the book's at the last day, cash and bank as reported
    amap, postings = cashbook_postings(book)
    at_end: dict[str, Decimal] = defaultdict(lambda: ZERO)
    inside: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for day, account, amount in postings:
        if day <= dt.date.fromisoformat(end):
            at_end[account] += amount
            if day >= dt.date.fromisoformat(start):
                inside[account] += amount
    for account, balance in cashbook_balances(book, end).items():
        assert got.get(account, ZERO) == balance, account
    for account, balance in at_end.items():
        if account.split(":")[0] in ("Assets", "Liabilities"):
            assert got.get(account, ZERO) == balance, account
        elif account.split(":")[0] in ("Income", "Expenses"):
            assert got.get(account, ZERO) == inside[account], account  # only the window's
    # the same window in beancount
    bpath = export(book, "beancount", "--from", start, "--until", end, name="window.beancount")
    tool(need("bean-check"), str(bpath))
    entries, _ = beancount_load(bpath)
    assert nonzero(beancount_balances(entries)) == nonzero(got)


def test_to_date_alone_cuts_the_end(book):
    out = cashbook("export", "--to", "csv", "--to", f"{M}-03", book=book).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and max(r["date"] for r in rows) == f"{M}-03" and "balance-forward" not in {r["kind"] for r in rows}


# -- notes, usage errors, output -------------------------------------------------------

def test_counts_and_closes_are_notes_not_money(book):
    policy = Book(book).policy
    loaded = Book(book).load()
    extra = [
        KINDS["cash-count"].model_validate({"id": f"{M.replace('-', '')}12-900", "time": f"{M}-12T18:00:00+08:00",
                                            "counts": ["100x12", "50x1", "0.5x1"], "total": "1250.50"}),
        KINDS["day-close"].model_validate({"id": f"{M.replace('-', '')}12-901", "time": f"{M}-12T18:05:00+08:00",
                                           "book_balance": "2238.55", "counted": "1250.50", "digest": "a" * 64,
                                           "seal": "b" * 64}),
    ]
    entries = loaded.order + extra
    text, _ = render("beancount", entries, policy)
    assert f'{M}-12 note Assets:Cash "cash count' in text and "100x12 50x1 0.5x1 = 1250.50 CNY" in text
    assert f'{M}-12 note Assets:Cash "day close' in text
    path = book.parent / "notes.beancount"
    path.write_text(text, encoding="utf-8")
    tool(need("bean-check"), str(path))
    ledger, _ = render("ledger", entries, policy)
    assert f"; {M}-12 Assets:Cash: cash count" in ledger
    csv_text, _ = render("csv", entries, policy)
    assert "-900" not in csv_text and "-901" not in csv_text
    assert len(build(entries, policy).items) == len(build(loaded.order, policy).items) + 2


@pytest.mark.parametrize("args, words", [
    ((), "--to beancount"),
    (("--to", "xml"), "beancount"),
    (("--to", "csv", "--to", "ledger"), "once"),
    (("--to", "csv", "--to", "2026-10-31", "--until", "2026-10-30"), "once"),
    (("--to", "csv", "--from", "2026-10-09", "--to", "2026-10-01"), "after"),
    (("--to", "csv", "--from", "yesterday"), "--from"),
])
def test_bad_usage_exits_2_with_a_message(book, args, words):
    p = cashbook("export", *args, book=book, check=False)
    assert p.returncode == 2 and words in p.stderr and "Traceback" not in p.stderr


def test_output_is_written_whole_and_stdout_stays_empty(book):
    target = book.parent / "out" / "book.csv"
    p = cashbook("export", "--to", "csv", "-o", str(target), book=book)
    assert p.stdout == "" and "exported" in p.stderr
    assert target.read_text(encoding="utf-8") == cashbook("export", "--to", "csv", book=book).stdout
    assert not [f for f in target.parent.iterdir() if f.name != "book.csv"]  # no temporary left behind


def test_pure_render_equals_the_command(book):
    b = Book(book)
    window = Options(dt.date.fromisoformat(f"{M}-04"), dt.date.fromisoformat(f"{M}-08"))
    for fmt in ("beancount", "ledger", "csv"):
        text, warnings = render(fmt, b.load().order, b.policy, window)
        assert not warnings
        assert text == cashbook("export", "--to", fmt, "--from", f"{M}-04", "--to", f"{M}-08", book=book).stdout
    with pytest.raises(ValueError):
        Options(dt.date(2026, 10, 9), dt.date(2026, 10, 1))


def test_export_is_deterministic(book):
    a = cashbook("export", "--to", "beancount", book=book).stdout
    b = cashbook("export", "--to", "beancount", book=book).stdout
    assert a == b


# -- the repository's demo book --------------------------------------------------------

# the repository root; $CASHBOOK_DEMO_BOOK points the test at another generated book
DEMO = Path(os.environ.get("CASHBOOK_DEMO_BOOK") or REPO)


def _demo_has_entries() -> bool:
    journals = DEMO / "journals"
    if not (DEMO / "policies.toml").is_file() or not journals.is_dir():
        return False
    return any("[[entry]]" in p.read_text(encoding="utf-8", errors="replace") for p in journals.rglob("*.toml"))


@pytest.mark.skipif(not _demo_has_entries(), reason="the repository has no demo book (journals/ with entries) yet")
def test_demo_book_exports_pass_the_real_tools(tmp_path):
    amap, postings = cashbook_postings(DEMO)
    last = max(d for d, _, _ in postings).isoformat()
    reported = cashbook_balances(DEMO, last)

    ledger = tmp_path / "demo.ledger"
    cashbook("export", "--to", "ledger", "-o", str(ledger), book=DEMO)
    tool(need("hledger"), "-f", str(ledger), "check", "--strict", "ordereddates")
    got = hledger_balances(ledger)
    for account, balance in reported.items():
        assert got.get(account, ZERO) == balance, account
    monthly = hledger_monthly(ledger)
    assert sorted(monthly) == months_of(postings)
    for month, moves in monthly.items():
        assert nonzero(moves) == moves_between(postings, *month_bounds(month)), month
        for account, move in cashbook_month_moves(DEMO, month).items():
            assert moves.get(account, ZERO) == move, (month, account)
    if shutil.which("ledger"):
        tool("ledger", "-f", str(ledger), "--pedantic", "bal")

    bean = tmp_path / "demo.beancount"
    cashbook("export", "--to", "beancount", "-o", str(bean), book=DEMO)
    tool(need("bean-check"), str(bean))
    entries, _ = beancount_load(bean)
    balances = beancount_balances(entries)
    assert nonzero(balances) == nonzero(got)
    for account, balance in reported.items():
        assert balances.get(account, ZERO) == balance, account
    for month in months_of(postings):
        moves = beancount_balances(entries, *month_bounds(month))
        assert nonzero(moves) == moves_between(postings, *month_bounds(month)), month
