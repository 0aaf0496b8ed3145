#!/usr/bin/env python3
"""Generate the repository's demo book: a furniture mall's cash desk (家具商场出纳), one quarter.

    python scripts/make_demo.py [--out DIR] [--force]

Writes ``policies.toml``, ``journals/`` and ``demo/statements/`` into DIR (default: the
repository root) for 2026-09-01 .. 2026-11-29 (2026-11-30, the quarter's last day, is
left empty for the closing work). Every entry is checked and written by the library's
own parts (entry models, ids, ``check_entry`` rules, atomic append: see `MemoryBook`),
so the demo obeys the same rules as the CLI: the generator plans each day so that
nothing is refused and nothing is warned about (cash stays within the 2,000.00 limit
after every entry, takings are banked the same day, cash payments come only from the
float and the day's withdrawals). The finished book is re-read and checked by the
library from scratch, as `cashbook check` does.

Every day ends like the cashier's day does (`end_of_day()`): the takings are banked;
the bank's own charges of the day (fees, interest) are booked from its advice slips
(Sep and Oct only, as ``bank-entry`` entries naming their statement line; November's
are left for `cashbook bank book-charges`); the drawer
is counted by denomination (``cash-count``, as `cashbook count` records it) and the
day is closed and sealed with ``close_day_in_book(..., seal=True)`` at 18:30, as
`cashbook close day` does. On 2026-10-15 the count is 10.00 short: the close is
refused, a shortage (短款) ``adjustment`` is booked with the finance manager's and the
GM's approval, and the day then closes. The last three days (2026-11-27 .. 29) are
left uncounted and open, for a newcomer to count and close.

The banks' side is generated from the book's bank movements with realistic timing
(`Bank`): cash banked the same or the next day (2026-09-30's afternoon deposit is
credited on 10-01), transfers the same day, cheques clearing 2-10 days after issue
(the last November cheque has not cleared by the 29th), card takings settled the next
morning in one or two POS batch lines, and fees and quarterly interest that only the
bank knows about. It writes the monthly statements a bank would send
(``demo/statements/icbc-2026-MM.txt``: ICBC corporate [HISTORYDETAIL] layout;
``cmb-2026-MM.csv``: CMB corporate 交易明细 layout; both GBK) and imports them with
the library (`import_lines` + `parse_statement`, under the book lock), as
`cashbook bank import` does; then checks that every month's reconciliation balances
and lists exactly the items in transit the generator meant.

Deterministic: ``random.Random(20260901)`` drives the business, two more seeded
generators the bank and the drawer's denominations, and every entry and statement
line has a fixed time (+08:00), so two runs write the same bytes.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import os
import random
import shutil
import sys
import time as _time
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Callable

from cashbook.core.close import parse_count
from cashbook.core.entries import EntryBase, reversal
from cashbook.core.problems import CashbookError
from cashbook.core.rules import book_checks, check_entry, travel_advance
from cashbook.core.decide import decide
from cashbook.core.state import BookState, replay
from cashbook.core.words import to_words
from cashbook.statements import parse_statement
from cashbook.store.bankfiles import import_lines, line_uid, load_statement
from cashbook.store.book import Book, Loaded, close_day_in_book, seal_problems
from cashbook.store.files import book_lock
from cashbook.store.journal import DayFile, append_entry, day_path, read_day
from cashbook.store.policyfile import default_policy_text
from cashbook.store.policyversions import keep_first_version

SEED = 20260901
FIRST = dt.date(2026, 9, 1)
LAST = dt.date(2026, 11, 29)  # 2026-11-30 is left empty
TZ = dt.timezone(dt.timedelta(hours=8))
ROOT = Path(__file__).resolve().parent.parent

BOOK_NAME = "红星家具广场 cash desk"
CASH_LIMIT = Decimal("2000.00")
FLOAT = Decimal("1500.00")  # the float (备用金) the cashier draws up to for the day's payments
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
OPENING = {"cash": Decimal("1800.00"), "icbc": Decimal("352468.35"), "cmb": Decimal("118906.20")}

# -- the close and the bank ---------------------------------------------------------------
SEALED_THROUGH = dt.date(2026, 11, 26)  # 11-27 .. 11-29 are left uncounted and open
CLOSE_AT = dt.time(18, 30)  # the day close (日结), after the count
SHORTAGE_DAY = dt.date(2026, 10, 15)  # the drawer is 10.00 short (短款)
SHORTAGE = Decimal("10.00")
CHARGES_BOOKED_THROUGH = dt.date(2026, 10, 31)  # bank fees/interest booked day by day in Sep and Oct only
STATEMENT_END = LAST  # the November statement is the one downloaded on the 29th
STATEMENT_MONTHS = ("2026-09", "2026-10", "2026-11")
STATEMENTS = Path("demo") / "statements"
COMPANY = "北京红星家具广场有限公司"
BANK_ACCOUNTS = {  # full numbers as the banks print them (policies.toml shows them masked)
    "icbc": "0200004909201875617",
    "cmb": "1109327741501801",
}
POS_MERCHANT_NO = "898110159120417"

# 2026 public holidays (中秋节 9-25..27, 国庆节 10-01..07): the desk is staffed but quiet.
HOLIDAYS = {dt.date(2026, 9, 25), dt.date(2026, 9, 26), dt.date(2026, 9, 27)} | {
    dt.date(2026, 10, d) for d in range(1, 8)
}

# -- people ----------------------------------------------------------------------------
GM = "gm:王建国"
GM_DEPUTY = "刘德明"  # 常务副总: pays first when the GM is away; the GM signs later (可先付款后补签)
TILL = "一楼服务台收银台"  # the till whose receipt books and takings the cashier keeps
TILL_CLERK = "赵晓燕"
CASHIER = "林婷"
RECEIPT_BOOK = 100  # numbers per receipt book (收据本)
CHEQUE_BOOK = 25  # cheques per cheque book (支票本)
SIGNERS = {
    "gm": "王建国",
    "center-gm": "赵志刚",
    "store-manager": "李秀英",
    "finance-manager": "陈静",
    "floor-manager": "吴磊",
    "customer-service-manager": "郑敏",
    "furniture-manager": "何伟",
    "property-manager": "周强",
    "security-manager": "马军",
    "planning-manager": "孙丽",
    "chief-accountant": "高红梅",
}
# staff who travel: (name, department head who signs)
STAFF = {
    "张伟": ("招商部", "dept-head:刘洋"),
    "刘芳": ("企划部", "dept-head:孙丽"),
    "杨帆": ("物业部", "dept-head:周强"),
    "黄磊": ("营运部", "dept-head:吴磊"),
    "徐静": ("招商部", "dept-head:刘洋"),
}
# hourly workers paid their wages in cash on the 20th (each under the 1,000.00 limit)
HOURLY = ["保洁员 李桂兰", "保洁员 王秀珍", "临时搬运工 赵大勇", "夜间巡场 钱国庆"]

# -- merchants (商户): name, floor/unit, area m² ------------------------------------------
MERCHANTS = [
    ("恒森实木家具", "1F-A01", 420), ("美达沙发城", "1F-A06", 380), ("欧梵整体橱柜", "1F-B02", 260),
    ("雅居床品家纺", "1F-B09", 120), ("金檀红木家具", "2F-A01", 560), ("林语北欧家居", "2F-A08", 300),
    ("锦绣窗帘布艺", "2F-B03", 90), ("卓越办公家具", "2F-B07", 340), ("梦思床垫专卖", "2F-C02", 150),
    ("华美灯饰", "2F-C05", 180), ("东方古典家具", "3F-A02", 480), ("佳和实木地板", "3F-A09", 220),
    ("博雅书房家具", "3F-B01", 160), ("尚品定制衣柜", "3F-B06", 240), ("润泽卫浴洁具", "3F-C03", 200),
    ("聚福园红木", "3F-C08", 520), ("简约时光家居", "4F-A01", 280), ("木之语原木家具", "4F-A05", 310),
    ("凯撒皮艺沙发", "4F-B02", 350), ("丽家软床", "4F-B08", 140), ("新潮餐桌椅", "4F-C01", 130),
    ("童趣儿童家具", "4F-C06", 170), ("雅韵藤编家具", "1F-C04", 80), ("宏达五金配件", "1F-C10", 60),
    ("天逸户外家具", "4F-D02", 230),
]
NEW_MERCHANTS = ["栖木集成家居", "意式轻奢家具馆", "静岚茶台茶具"]  # moving in: fit-out this quarter
VENDORS = ["陈记竹藤编", "老王竹艺", "小李布艺抱枕", "福满堂工艺品", "佳佳手工地毯", "绿意盆栽园艺", "鑫鑫家居饰品"]

PETTY = [  # category, payee, what, low, high
    ("postage", "顺丰速运", "合同快递费", 20, 180),
    ("postage", "中国邮政", "挂号信邮资", 15, 120),
    ("office", "文印快印中心", "招商资料打印装订", 60, 480),
    ("office", "农夫山泉送水站", "办公室桶装水", 90, 360),
    ("telecom", "中国移动营业厅", "营运部手机话费充值", 100, 300),
    ("telecom", "中国电信营业厅", "前台座机话费", 80, 260),
    ("vehicle", "中国石化加油站", "公务车加油", 200, 600),
    ("vehicle", "城市停车场", "公务车停车费", 10, 80),
    ("vehicle", "捷路洗车行", "公务车洗车", 30, 60),
    ("entertainment", "湘味楼酒家", "招商洽谈工作餐", 180, 880),
    ("entertainment", "福满楼茶餐厅", "客户接待餐费", 120, 650),
    ("travel", "市出租汽车公司", "外勤打车费", 25, 150),
    ("travel", "铁路12306", "外勤高铁票", 100, 560),
]
CHEQUE_SUPPLIERS = [  # category, payee, what, low, high
    ("fixed-assets", "海信商用空调销售公司", "中庭空调柜机", 12000, 28000),
    ("fixed-assets", "安视达监控设备有限公司", "停车场监控摄像头", 6000, 18000),
    ("fixed-assets", "联想授权专卖店", "收银台电脑", 4000, 9000),
    ("office-supplies", "得力办公用品经营部", "办公用品采购", 1000, 3500),
    ("office-supplies", "晨光文具批发部", "收据本、文件夹", 1000, 2500),
    ("utilities", "市自来水公司", "水费", 3000, 9000),
    ("utilities", "港华燃气公司", "员工食堂燃气费", 1000, 3000),
    ("labour-protection", "安泰劳保用品商行", "保安冬季制服、劳保鞋", 2000, 6000),
]
ELECTRICITY_COMPANY = "国网北京市电力公司朝阳供电公司"


def money(rng: random.Random, low: float | int, high: float | int, step: str = "0.01") -> Decimal:
    """A random amount in [low, high] on a grid of ``step`` (exact, no floats in the result)."""
    unit = Decimal(step)
    lo = int(Decimal(str(low)) / unit)
    hi = int(Decimal(str(high)) / unit)
    return (rng.randint(lo, hi) * unit).quantize(CENT)


def round_up(value: Decimal, step: int = 100) -> Decimal:
    return ((value / step).to_integral_value(ROUND_CEILING) * step).quantize(CENT)


def round_down(value: Decimal, step: int = 100) -> Decimal:
    return ((value / step).to_integral_value(ROUND_FLOOR) * step).quantize(CENT)


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in HOLIDAYS


def business_day_on_or_before(day: dt.date) -> dt.date:
    while not is_business_day(day):
        day -= dt.timedelta(days=1)
    return day


class DemoError(Exception):
    pass


def plain_book(root: Path, cls=Book) -> Book:
    """A `Book` without the library's on-disk cache (no ``.cashbook/`` written by the generator)."""
    try:
        return cls(root, use_cache=False)
    except TypeError:  # a library without the cache
        return cls(root)


class MemoryBook(Book):
    """`Book` whose `record` works on the book kept in memory instead of re-reading it.

    Workaround for speed, not correctness. `Book.record` re-reads the book for every
    entry (every file without the library's SQLite cache; with it, a re-parse, a cache
    write and a snapshot look-up per entry): ~1,500 entries take 20 s to minutes instead
    of a few seconds. This `record` takes the same steps with the library's own parts,
    under the book lock: the id (`Book.next_id` over the day file's entries), the decision
    (`core.decide.decide`: the entry model, `check_references` and the rules, blocking
    problems refuse), the atomic append (`append_entry`) and the one fold
    (`core.state.replay`), on one state kept in step. The cash counts go this way too, as `cashbook count` records them.

    The day closes do not: they go through `close_day_in_book` on a plain library `Book`
    (see `Desk.close_day`), exactly as `cashbook close day` runs. And the finished book
    is re-read from scratch by the library and checked with every rule and the seal
    chain (`verify`), so any drift between this and `Book.record` would be caught.
    """

    def __init__(self, root: Path):
        try:
            super().__init__(root, use_cache=False)
        except TypeError:
            super().__init__(root)
        self.mem = Loaded(state=BookState(), files=[])  # the book written so far (it starts empty)
        self.by_path: dict[Path, DayFile] = {}

    def record(self, draft, today, checker=None, time=None):
        policy = self.policy
        state = self.mem.state
        with book_lock(self.root):
            when = time or draft["time"]
            if callable(draft):
                draft = draft(state)
            draft = {**draft, "time": when}
            day = when.date()
            path = day_path(self.root, day)
            entry, problems = decide({**draft, "id": self.next_id(day, self.by_path.get(path))}, policy, state, today, checker)
            if entry is None:
                raise CashbookError(problems)
            append_entry(path, entry)
            replay(state, [entry], frozenset(policy.cash_accounts()))
        self.remember(entry)
        return entry, state, problems

    def remember(self, entry: EntryBase) -> None:
        path = day_path(self.root, entry.date)
        df = self.by_path.get(path)
        if df is None:
            df = self.by_path[path] = DayFile(path=path, day=entry.date)
            self.mem.files.append(df)
        df.entries.append(entry)
        self.mem.order.append(entry)
        self.mem.where[entry.id] = (self.shown(path), 0)

    def take_in(self, day: dt.date) -> None:
        """Add what the library appended to ``day``'s file (the day close) to the memory."""
        path = day_path(self.root, day)
        for entry in replay(self.mem.state, read_day(path, self.shown(path)).entries, frozenset(self.policy.cash_accounts())):
            self.remember(entry)


class ReadOnce(Book):
    """A library `Book` read once: for several reports over a book that no longer changes."""

    _once = None

    def load(self, checker=None, today=None):
        if checker is not None:
            return super().load(checker, today)
        if self._once is None:
            self._once = super().load()
        return self._once


@dataclass
class Open:
    """A deposit or advance the generator will come back to."""

    id: str
    party: str
    type: str
    amount: Decimal


class Desk:
    """The cashier's desk: records entries through the library and keeps the cash legal."""

    def __init__(self, root: Path, rng: random.Random):
        self.book = MemoryBook(root)
        self.closer = Book(root)  # the library as `cashbook close day` uses it (with its cache)
        self.rng = rng
        self.state = None
        self.day: dt.date | None = None
        self.clock: dt.datetime | None = None
        self.step = 20
        self.kinds: Counter[str] = Counter()
        self.receipt_no = 0  # SJ receipt book (收据), cash receipts and deposits
        self.receipt_books: dict[str, str] = {}  # series -> the book issued to the till now
        self.collect_no = 0  # DS receipt book for collections on behalf of others (代收)
        self.cheque_no = 10203000  # transfer cheques (转账支票) on icbc
        self.cash_cheque_no = 30501000  # cash cheques (现金支票) on icbc
        self.slip_no = 0
        self.ref_no = 0
        self.deposits: dict[str, list[Open]] = {}
        self.advances: dict[str, Open] = {}
        self.collections: list[Open] = []
        self.day_entries: list[EntryBase] = []
        self.bank = Bank()
        self.counter = random.Random(SEED + 2)  # the drawer's notes and coins
        self.closes: list[dt.date] = []

    # -- the clock and the one way an entry gets written --------------------------------
    def begin_day(self, day: dt.date, expected: int) -> None:
        self.day = day
        self.day_entries = []
        self.midday_trip = False
        self.slip_no = 0
        start = dt.datetime.combine(day, dt.time(8, 30), TZ) + dt.timedelta(minutes=self.rng.randint(0, 15))
        self.clock = start
        self.step = max(3, min(40, 400 // max(expected, 1)))  # the day's entries spread over about 08:30-15:30

    def tick(self) -> dt.datetime:
        step = self.rng.randint(1, 2 * self.step - 1)
        if self.clock + dt.timedelta(minutes=step) > self.clock.replace(hour=18, minute=0):
            step = 1
        self.clock += dt.timedelta(minutes=step)
        return self.clock

    def rec(self, draft: dict, time: dt.datetime | None = None) -> EntryBase:
        draft = {**draft, "time": time or self.tick()}
        entry, self.state, problems = self.book.record(draft, today=draft["time"].date(), checker=check_entry)
        if problems:  # warnings: the demo is meant to be clean
            raise DemoError(f"{entry.id} recorded with warnings: " + "; ".join(str(p) for p in problems))
        self.kinds[entry.kind] += 1
        self.day_entries.append(entry)
        return entry

    def close_day(self, day: dt.date, now: dt.datetime):
        """`cashbook close day DAY`: the library's close (seals when the count agrees)."""
        report = close_day_in_book(self.closer, day, now, check_entry, seal=True)
        if report.sealed:
            self.book.take_in(day)
        return report

    # -- numbering --------------------------------------------------------------------
    def next_receipt(self) -> str:
        self.receipt_no += 1
        self.receipt_book("SJ", self.receipt_no, 4)
        return f"SJ{self.receipt_no:04d}"

    def next_collection_receipt(self) -> str:
        self.collect_no += 1
        self.receipt_book("DS", self.collect_no, 3)
        return f"DS{self.collect_no:03d}"

    def receipt_book(self, prefix: str, number: int, width: int) -> None:
        """The first number of a book: the used book goes back (销号交回) and the next is issued
        to the till (收据领取台帐), as `cashbook return-receipts` / `issue-receipts` record it."""
        if number % RECEIPT_BOOK != 1:
            return
        if prefix in self.receipt_books:
            self.rec(dict(kind="receipt-book-return", book=self.receipt_books[prefix], by=TILL_CLERK, memo="用完交回, 存根齐全"))
        first, last = f"{prefix}{number:0{width}d}", f"{prefix}{number + RECEIPT_BOOK - 1:0{width}d}"
        self.receipt_books[prefix] = self.rec(dict(kind="receipt-book", first=first, last=last, till=TILL, to=TILL_CLERK,
                                                   memo="领用收据一本")).id

    def next_cheque(self) -> str:
        self.cheque_no += 1
        self.cheque_book(self.cheque_no, "转账支票")
        return str(self.cheque_no)

    def next_cash_cheque(self) -> str:
        self.cash_cheque_no += 1
        self.cheque_book(self.cash_cheque_no, "现金支票")
        return str(self.cash_cheque_no)

    def cheque_book(self, number: int, what: str) -> None:
        """A new cheque book bought from the bank, entered in the cheque register (支票领购)."""
        if number % CHEQUE_BOOK == 1:
            self.rec(dict(kind="cheque-book", account="icbc", first=str(number), last=str(number + CHEQUE_BOOK - 1),
                          memo=f"购入{what}一本"))

    def next_slip(self) -> str:
        self.slip_no += 1
        return f"JK{self.day:%Y%m%d}{self.slip_no:02d}"

    def next_ref(self, prefix: str) -> str:
        self.ref_no += 1
        return f"{prefix}{self.day:%Y%m%d}{self.ref_no:05d}"

    def invoice(self) -> str:
        return f"{self.rng.randrange(10**7, 10**8):08d}"

    # -- cash figures (read from the library's own state) --------------------------------
    def cash(self) -> Decimal:
        return self.state.balance("cash") if self.state else ZERO

    def _fig(self):
        return self.state.day(self.day, "cash")

    def funded(self) -> Decimal:
        """What today's cash payments may still use: float + withdrawals − paid (no 坐支)."""
        fig = self._fig()
        return min(fig.opening + fig.withdrawals - fig.cash_paid, self.cash())

    def unbanked(self) -> Decimal:
        fig = self._fig()
        return max(fig.takings - fig.banked, ZERO)

    def cash_room_for(self, amount: Decimal) -> bool:
        """Can ``amount`` come in as cash (banking the takings first, on the one midday trip)?"""
        if self.cash() + amount <= CASH_LIMIT:
            return True
        return not self.midday_trip and self.cash() - self.unbanked() + amount <= CASH_LIMIT

    def make_room(self, amount: Decimal) -> None:
        """Bank the takings held so far if ``amount`` more would put cash over the limit."""
        if self.cash() + amount > CASH_LIMIT:
            self.bank_takings("午间送存现金收入")
            self.midday_trip = True
        if self.cash() + amount > CASH_LIMIT:
            raise DemoError(f"{self.day}: no room for {amount} in cash")

    def bank_takings(self, memo: str = "送存当日现金收入") -> None:
        amount = self.unbanked()
        if amount > 0:
            self.rec(dict(kind="bank-deposit", account="icbc", amount=amount, slip=self.next_slip(), memo=memo))

    def fund(self, amount: Decimal, memo: str = "提取备用金") -> None:
        """Make sure ``amount`` can be paid in cash from float and withdrawals (never takings)."""
        if self.funded() >= amount:
            return
        self.bank_takings("送存现金收入后提现")
        room = round_down(CASH_LIMIT - self.cash())
        want = round_up(amount - self.funded() + self.rng.choice([600, 800, 1000, 1200]))
        draw = min(want, room)
        if self.funded() + draw < amount:
            raise DemoError(f"{self.day}: cannot fund a cash payment of {amount}")
        self.rec(dict(kind="withdrawal", account="icbc", amount=draw, cheque=self.next_cash_cheque(),
                      approvals=[GM], memo=memo))

    def top_up_float(self, planned: Decimal) -> None:
        """First thing in the morning: draw enough for the day's planned cash payments (one withdrawal)."""
        if self.funded() >= planned + 200:
            return
        draw = round_down(FLOAT - self.cash())  # fill the float (备用金)
        if draw > 0:
            self.rec(dict(kind="withdrawal", account="icbc", amount=draw, cheque=self.next_cash_cheque(),
                          approvals=[GM], memo="提取备用金"))

    # -- receipts ----------------------------------------------------------------------
    def receive(self, amount: Decimal, party: str, category: str, memo: str, prefer_cash: bool,
                method: str = "transfer") -> EntryBase:
        """A receipt in cash (with a receipt number) when it fits under the limit, else into icbc."""
        if prefer_cash and self.cash_room_for(amount):
            self.make_room(amount)
            return self.rec(dict(kind="receipt", account="cash", method="cash", amount=amount, party=party,
                                 category=category, doc=self.next_receipt(), memo=memo))
        if prefer_cash:
            method = "pos"  # too much for the drawer: the merchant pays by card
        return self.rec(dict(kind="receipt", account="icbc", method=method, amount=amount, party=party,
                             category=category, memo=memo + f"; 回单{self.next_ref('HD')}"))

    def hold_deposit(self, amount: Decimal, party: str, type_: str, memo: str, prefer_cash: bool, units: int = 1) -> EntryBase:
        """A deposit held, with a receipt from the SJ book (its customer copy is needed for the refund)."""
        if prefer_cash and self.cash_room_for(amount):
            self.make_room(amount)
            account, method = "cash", "cash"
        else:
            account, method = "icbc", "pos" if prefer_cash else "transfer"
        entry = self.rec(dict(kind="deposit-hold", account=account, method=method, amount=amount, party=party,
                              type=type_, doc=self.next_receipt(), units=units, memo=memo))
        self.deposits.setdefault(type_, []).append(Open(entry.id, party, type_, amount))
        return entry

    # -- payments ----------------------------------------------------------------------
    def pay_cash(self, amount: Decimal, party: str, category: str, memo: str, invoice: str = "",
                 fund_memo: str = "提取备用金") -> EntryBase:
        self.fund(amount, fund_memo)
        return self.rec(dict(kind="payment", account="cash", method="cash", amount=amount, party=party,
                             category=category, invoice=invoice, approvals=[GM], memo=memo))

    def pay_bank(self, amount: Decimal, party: str, category: str, memo: str, invoice: str = "",
                 account: str = "icbc") -> EntryBase:
        return self.rec(dict(kind="payment", account=account, method="transfer", amount=amount, party=party,
                             category=category, invoice=invoice, approvals=[GM], memo=memo))

    def pay_cheque(self, amount: Decimal, party: str, category: str, memo: str) -> EntryBase:
        return self.rec(dict(kind="payment", account="icbc", method="cheque", amount=amount, party=party,
                             category=category, cheque=self.next_cheque(), invoice=self.invoice(),
                             invoice_party=party, words=to_words(amount), approvals=[GM], memo=memo))

    def refund_deposit(self, held: Open, memo: str, cash: bool, amount: Decimal | None = None) -> EntryBase:
        policy = self.book.policy
        chain = policy.deposit_types[held.type].refund_approvers
        amount = amount or held.amount
        draft = dict(kind="deposit-refund", deposit=held.id, party=held.party, type=held.type, amount=amount,
                     approvals=[f"{role}:{SIGNERS[role]}" for role in chain], memo=memo)
        if cash:
            self.fund(amount, "提取备用金(退押金)")
            return self.rec({**draft, "account": "cash", "method": "cash"})
        return self.rec({**draft, "account": "icbc", "method": "transfer"})


# -- the banks' side --------------------------------------------------------------------------

@dataclass
class Line:
    """One line of a bank statement: what the bank did with the account, and when."""

    account: str
    date: dt.date
    time: dt.time
    amount: Decimal  # + money in (贷), - money out (借)
    summary: str  # 摘要
    purpose: str = ""  # 用途
    party: str = ""  # 对方单位名称 / 收(付)方名称
    party_account: str = ""
    party_bank: str = ""  # 对方行号 (CNAPS code)
    ref: str = ""  # 凭证号 (cheques, the bank's own charges) / 流水号 (CMB: every line)
    book: tuple[str, ...] = ()  # the book entries it settles; () for the bank's own charges
    balance: Decimal = ZERO

    @property
    def uid(self) -> str:
        """The id `cashbook bank import` gives the line (what a bank-entry's ``line`` names)."""
        if not self.ref:
            raise DemoError("a line is named by its reference only when it has one")
        return line_uid(self.account, self.date, self.amount, self.ref, "", "") + "-0"


@dataclass
class Movement:
    """A book entry's movement on a bank account, and the day the bank shows it (None: not yet)."""

    account: str
    entry: str
    date: dt.date
    amount: Decimal
    bank_date: dt.date | None


BANKS = [  # (CNAPS code, bank) for counterparties' accounts
    ("102100000030", "中国工商银行北京分行营业部"), ("103100000026", "中国农业银行北京市分行"),
    ("104100000004", "中国银行北京市分行"), ("105100000017", "中国建设银行北京市分行"),
    ("308100005019", "招商银行北京分行"), ("301100000015", "交通银行北京市分行"),
    ("302100011000", "中信银行北京分行"), ("305100000013", "中国民生银行北京分行"),
]
OWN_BANK_CODES = {"icbc": "102100004909", "cmb": "308100005019"}  # our accounts' branches
CMB_COLUMNS = ["交易日", "交易时间", "起息日", "交易类型", "借方金额", "贷方金额", "余额", "摘要", "流水号", "业务名称",
               "用途", "收(付)方名称", "收(付)方帐号", "收(付)方开户行名"]
ICBC_COLUMNS = ["凭证号", "本方账号", "对方账号", "交易时间", "借/贷", "借方发生额", "贷方发生额", "对方行号", "摘要", "用途",
                "对方单位名称", "余额"]


def outgoing_transfer(entry: EntryBase, account: str) -> bool:
    """A transfer out of ``account`` that the bank charges a fee for (汇划手续费)."""
    if entry.kind == "transfer":
        return entry.from_account == account
    return (entry.kind in ("payment", "advance", "deposit-refund") and entry.account == account
            and entry.method == "transfer")


def transfer_fee(amount: Decimal) -> Decimal:
    for ceiling, fee in ((10000, "5.00"), (100000, "10.00"), (500000, "15.00"), (1000000, "20.00")):
        if amount <= ceiling:
            return Decimal(fee)
    return Decimal("25.00")


def last_business_day(day: dt.date) -> bool:
    nxt = day + dt.timedelta(days=1)
    while not is_business_day(nxt):
        nxt += dt.timedelta(days=1)
    return is_business_day(day) and nxt.month != day.month


class Bank:
    """ICBC (基本户) and CMB (一般户) as the banks see the quarter.

    The banks' own charges come day by day (`charges`): transfer fees (one line a day
    for the day's transfers, one for the payroll batch), the monthly account fee on the
    last business day, and the quarterly interest (结息) on 09-21. Everything else is
    derived from the book at the end (`statement`): each movement shows on the bank's
    side with the bank's timing, and lines after 2026-11-29 are not on any statement yet.
    """

    def __init__(self) -> None:
        self.rng = random.Random(SEED + 1)
        self.charged: list[Line] = []
        self.moves: list[Movement] = []

    # -- the bank's own lines, as the days pass ---------------------------------------
    def charge(self, account: str, day: dt.date, clock: dt.time, amount: Decimal, summary: str, purpose: str) -> Line:
        ref = f"{day:%y%m%d}{clock:%H%M%S}" if account == "icbc" else f"S{day:%y%m%d}{clock:%H%M%S}0"
        bank = "中国工商银行" if account == "icbc" else "招商银行"
        line = Line(account, day, clock, amount, summary, purpose, bank, ref=ref)
        self.charged.append(line)
        return line

    def charges(self, day: dt.date, entries: list[EntryBase]) -> list[Line]:
        """The fees and interest the banks book on ``day`` (given the day's entries)."""
        out: list[Line] = []
        if day == dt.date(2026, 9, 21):  # quarterly interest, settled on the 20th, paid on the 21st
            for account, amount in (("icbc", "286.42"), ("cmb", "97.15")):
                clock = dt.time(0, 5 + self.rng.randint(0, 20), self.rng.randint(0, 59))
                out.append(self.charge(account, day, clock, Decimal(amount), "结息", "2026年三季度活期存款利息"))
        for account in BANK_ACCOUNTS:
            sent = [e for e in entries if outgoing_transfer(e, account)]
            payroll = [e for e in sent if e.kind == "payment" and e.category == "wages"]
            others = [e for e in sent if e not in payroll]
            if others:
                fee = sum((transfer_fee(e.amount) for e in others), ZERO)
                clock = dt.time(17, 30, self.rng.randint(0, 59))
                out.append(self.charge(account, day, clock, -fee, "手续费", f"网银汇款手续费 {len(others)}笔"))
            for e in payroll:
                clock = dt.time(17, 31, self.rng.randint(0, 59))
                out.append(self.charge(account, day, clock, Decimal("-38.00"), "手续费", "代发工资手续费 38笔"))
            if last_business_day(day):
                fee = Decimal("-30.00") if account == "icbc" else Decimal("-20.00")
                clock = dt.time(17, 35, self.rng.randint(0, 59))
                out.append(self.charge(account, day, clock, fee, "收费", f"{day.month}月账户管理费"))
        return out

    # -- the rest, from the book ------------------------------------------------------
    def statement(self, entries: list[EntryBase], voided: dict[str, str]) -> dict[str, list[Line]]:
        """Every account's statement lines up to STATEMENT_END, in the bank's order, with balances."""
        voids = set(voided.values())
        lines: dict[str, list[Line]] = {a: [] for a in BANK_ACCOUNTS}
        pos: dict[dt.date, list[EntryBase]] = {}
        cheques = [e for e in entries if e.kind == "payment" and e.method == "cheque" and e.id not in voided]
        self.last_cheque = max(cheques, key=lambda e: (e.date, e.id)).id if cheques else ""
        for e in entries:
            if e.kind in ("opening", "bank-entry") or e.id in voided or e.id in voids:
                continue  # an entry and its void cancel out: the bank never saw either
            for account in BANK_ACCOUNTS:
                amount = sum((p.amount for p in e.postings() if p.account == account), ZERO)
                if not amount:
                    continue
                if getattr(e, "method", "") == "pos":
                    pos.setdefault(e.date, []).append(e)
                    continue
                line = self.line_for(e, account, amount)
                lines[account].append(line)
                self.moves.append(Movement(account, e.id, e.date, amount, line.date))
        for day in sorted(pos):
            for line in self.pos_batches(day, pos[day]):
                lines["icbc"].append(line)
                for e in pos[day]:
                    if e.id in line.book:
                        self.moves.append(Movement("icbc", e.id, e.date, e.amount, line.date))
        for line in self.charged:
            lines[line.account].append(line)
        for m in self.moves:
            if m.bank_date is not None and m.bank_date > STATEMENT_END:
                m.bank_date = None
        for account, found in lines.items():
            kept = sorted((l for l in found if l.date <= STATEMENT_END), key=lambda l: (l.date, l.time, l.book))
            balance = OPENING[account]
            for line in kept:
                balance += line.amount
                line.balance = balance
            lines[account] = kept
        self.number_cmb(lines["cmb"])
        return lines

    def line_for(self, e: EntryBase, account: str, amount: Decimal) -> Line:
        rng = self.rng
        t = e.time.replace(tzinfo=None)
        memo = e.memo.split(";")[0].strip()
        party = getattr(e, "party", "") or getattr(e, "person", "")
        code, _bank = party_bank(party)
        person = e.kind == "advance"
        own = BANK_ACCOUNTS[account]

        def same_day(minutes: int) -> dt.datetime:
            moved = t + dt.timedelta(minutes=minutes, seconds=rng.randint(0, 59))
            return moved if moved.date() == t.date() else t

        if e.kind in ("receipt", "deposit-hold", "collection"):  # money sent to us: on the statement first
            when = same_day(-rng.randint(3, 40))
            summary = "转账" if code.startswith("102") else "跨行汇款"
            return Line(account, when.date(), when.time(), amount, summary, memo, party, party_account(party), code,
                        book=(e.id,))
        if e.kind == "bank-deposit":  # 现金缴款: credited the same day, or the next if it came late
            late = t.hour >= 16 and (rng.random() < 0.4 or t.date() == dt.date(2026, 9, 30))
            if late:
                when = dt.datetime.combine(t.date() + dt.timedelta(days=1), dt.time(9, rng.randint(0, 50), rng.randint(0, 59)))
            else:
                when = same_day(rng.randint(20, 50))
            return Line(account, when.date(), when.time(), amount, "现金存款", "缴存营业款", COMPANY, own, "",
                        book=(e.id,))
        if e.kind == "withdrawal":  # 现金支票, cashed at the counter
            when = same_day(rng.randint(3, 20))
            return Line(account, when.date(), when.time(), amount, "现金支票", "备用金", COMPANY, own, "", ref=e.cheque,
                        book=(e.id,))
        if e.kind == "payment" and e.method == "cheque":  # 转账支票: presented by the payee's bank
            lag = rng.randint(2, 10)
            if e.id == self.last_cheque:
                lag = max(lag, (STATEMENT_END - e.date).days + 1)  # issued late in November: not yet cleared
                if lag > 10:
                    raise DemoError(f"the last cheque {e.id} is not late enough in November to be outstanding")
            day = e.date + dt.timedelta(days=lag)
            while not is_business_day(day):
                day += dt.timedelta(days=1)
            clock = dt.time(rng.randint(9, 15), rng.randint(0, 59), rng.randint(0, 59))
            return Line(account, day, clock, amount, "转账支票", memo, party, party_account(party), code, ref=e.cheque,
                        book=(e.id,))
        if e.kind == "transfer":  # between our own accounts: the credit a few seconds after the debit
            when = t + dt.timedelta(minutes=5, seconds=3 if amount > 0 else 0)
            other = e.to_account if amount < 0 else e.from_account
            return Line(account, when.date(), when.time(), amount, "网银汇款", memo, COMPANY, BANK_ACCOUNTS[other],
                        OWN_BANK_CODES[other], book=(e.id,))
        if e.kind in ("payment", "advance", "deposit-refund") and e.method == "transfer":
            when = same_day(rng.randint(1, 15))
            if e.kind == "payment" and e.category == "wages":
                return Line(account, when.date(), when.time(), amount, "代发工资", memo, COMPANY, own, "", book=(e.id,))
            purpose = "差旅借款" if person else memo
            return Line(account, when.date(), when.time(), amount, "网银汇款", purpose, party,
                        party_account(party, person), code, book=(e.id,))
        raise DemoError(f"no bank line for {e.id} ({e.kind}, {getattr(e, 'method', '')})")

    def pos_batches(self, day: dt.date, items: list[EntryBase]) -> list[Line]:
        """Card takings of ``day`` settled by the acquirer the next morning, one line per
        terminal (many book entries to one statement line)."""
        rng = self.rng
        terminals: list[list[EntryBase]] = [list(items)]
        if len(items) >= 4:  # both terminals were used
            terminals = [[], []]
            for i, e in enumerate(items):
                terminals[i % 2 if i < 2 else rng.randint(0, 1)].append(e)
        settle = day + dt.timedelta(days=1)
        out = []
        for k, group in enumerate(terminals, 1):
            amount = sum((e.amount for e in group), ZERO)
            clock = dt.time(5, 10 + 7 * k, rng.randint(0, 59))
            out.append(Line("icbc", settle, clock, amount, "POS清算",
                            f"商户{POS_MERCHANT_NO} 终端{k:02d} {day:%m%d}交易{len(group)}笔", "银联商务股份有限公司",
                            "110060149018170009931", "301100000015", book=tuple(e.id for e in group)))
        return out

    def number_cmb(self, lines: list[Line]) -> None:
        """CMB gives every line a 流水号; the bank's own charges already have theirs."""
        used = {l.ref for l in lines if l.ref}
        for line in lines:
            if not line.ref:
                ref = f"G{line.date:%y%m%d}{line.time:%H%M%S}0"
                while ref in used:
                    ref = ref[:-1] + str(int(ref[-1]) + 1)
                used.add(ref)
                line.ref = ref

    # -- what the reconciliation should show ------------------------------------------
    def in_transit(self, account: str, month_end: dt.date) -> dict[str, list[tuple[dt.date, Decimal]]]:
        moves = [m for m in self.moves if m.account == account and m.date <= month_end
                 and (m.bank_date is None or m.bank_date > month_end)]
        unbooked = [l for l in self.charged if l.account == account and l.date <= month_end
                    and l.date > CHARGES_BOOKED_THROUGH and l.date <= STATEMENT_END]
        return {
            "deposits_in_transit": sorted((m.date, m.amount) for m in moves if m.amount > 0),
            "outstanding_payments": sorted((m.date, -m.amount) for m in moves if m.amount < 0),
            "bank_credits_not_booked": sorted((l.date, l.amount) for l in unbooked if l.amount > 0),
            "bank_debits_not_booked": sorted((l.date, -l.amount) for l in unbooked if l.amount < 0),
        }


def _digits(text: str, n: int) -> str:
    return str(int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16))[-n:].rjust(n, "0")


def party_bank(party: str) -> tuple[str, str]:
    """A counterparty's bank (CNAPS code, name), fixed per party."""
    return BANKS[int(_digits("bank|" + party, 6)) % len(BANKS)]


def party_account(party: str, person: bool = False) -> str:
    return ("6222" + _digits("card|" + party, 15)) if person else ("11" + _digits("acct|" + party, 17))


def statement_files(lines: dict[str, list[Line]]) -> dict[str, bytes]:
    """The monthly statement files the banks send, by file name (GBK, as they come)."""
    out: dict[str, bytes] = {}
    for month in STATEMENT_MONTHS:
        icbc = [l for l in lines["icbc"] if f"{l.date:%Y-%m}" == month]
        cmb = [l for l in lines["cmb"] if f"{l.date:%Y-%m}" == month]
        out[f"icbc-{month}.txt"] = icbc_text(icbc)
        out[f"cmb-{month}.csv"] = cmb_csv(cmb, month)
    return out


def month_end(day: dt.date) -> dt.date:
    nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def _money(amount: Decimal, grouped: bool = True) -> str:
    return f"{amount:,.2f}" if grouped else f"{amount:.2f}"


def icbc_text(lines: list[Line]) -> bytes:
    """ICBC corporate online banking, 历史明细 download ([HISTORYDETAIL], tab-separated)."""
    rows = ["[HISTORYDETAIL]", "\t".join(ICBC_COLUMNS)]
    for l in lines:
        rows.append("\t".join([
            l.ref, BANK_ACCOUNTS["icbc"], l.party_account, f"{l.date:%Y-%m-%d} {l.time:%H:%M:%S}",
            "借" if l.amount < 0 else "贷", _money(-l.amount) if l.amount < 0 else "",
            _money(l.amount) if l.amount > 0 else "", l.party_bank, l.summary, l.purpose, l.party, _money(l.balance),
        ]))
    return ("\n".join(rows) + "\n").encode("gbk")


def cmb_csv(lines: list[Line], month: str) -> bytes:
    """CMB corporate banking 交易明细 export (CSV with a short preamble).

    The importer recognises it by its columns (profile cmb_corp: 交易日, 借方金额,
    贷方金额, 流水号, 收(付)方名称)."""
    import csv
    import io

    first = dt.date.fromisoformat(month + "-01")
    last = min(month_end(first), STATEMENT_END)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["招商银行交易明细"])
    w.writerow(["账号:", BANK_ACCOUNTS["cmb"]])
    w.writerow(["币种:", "人民币"])
    w.writerow(["查询区间:", f"{first:%Y%m%d}-{last:%Y%m%d}"])
    w.writerow([])
    w.writerow(CMB_COLUMNS)
    bank_of = dict(BANKS) | {OWN_BANK_CODES["icbc"]: "中国工商银行北京十里河支行"}
    for l in lines:
        kind = {"结息": "利息", "手续费": "收费"}.get(l.summary) or ("汇入汇款" if l.amount > 0 else "汇出汇款")
        w.writerow([
            f"{l.date:%Y%m%d}", f"{l.time:%H:%M:%S}", f"{l.date:%Y%m%d}", kind,
            _money(-l.amount, False) if l.amount < 0 else "", _money(l.amount, False) if l.amount > 0 else "",
            _money(l.balance, False), l.summary, l.ref, "企业银行" if l.book else "", l.purpose, l.party,
            l.party_account, bank_of.get(l.party_bank, ""),
        ])
    return buf.getvalue().encode("gbk")


# -- the quarter's plan: things that happen on given days ---------------------------------

def lease_days(rng: random.Random) -> dict[str, tuple[int, Decimal, Decimal, bool]]:
    """Per merchant: day of the month the rent falls due, monthly rent, management fee, pays fee in cash."""
    out = {}
    for name, _unit, area in MERCHANTS:
        rate = Decimal(rng.choice([55, 60, 68, 75, 80, 88, 95, 105, 120]))
        fee_rate = Decimal(rng.choice(["6", "7", "8", "9", "10"]))
        out[name] = (rng.randint(1, 26), (rate * area).quantize(CENT), (fee_rate * area).quantize(CENT),
                     fee_rate * area <= 900)
    return out


class Plan:
    """Fixed events of the quarter, drawn once from the seed."""

    def __init__(self, rng: random.Random):
        self.leases = lease_days(rng)
        # rent and management fees: each merchant on (or a day or two after) its due day
        self.rent_days: dict[dt.date, list[str]] = {}
        for month in (9, 10, 11):
            for name, (due, *_rest) in self.leases.items():
                day = dt.date(2026, month, due) + dt.timedelta(days=rng.choice([0, 0, 0, 1, 2, 3]))
                if day > LAST:
                    day = LAST
                self.rent_days.setdefault(day, []).append(name)
        self.wage_days = {business_day_on_or_before(dt.date(2026, m, 20)) for m in (9, 10, 11)}
        business = [d for d in days(FIRST, LAST) if is_business_day(d)]
        self.cheque_days = set(rng.sample(business[2:-2], 22))


def days(first: dt.date, last: dt.date):
    d = first
    while d <= last:
        yield d
        d += dt.timedelta(days=1)


# -- one day -------------------------------------------------------------------------------

def run_day(desk: Desk, plan: Plan, day: dt.date) -> None:
    """Everything recorded on ``day``, then the end-of-day routine."""
    rng = desk.rng
    events = business_day(desk, plan, day) if is_business_day(day) else quiet_day(desk, plan, day)
    desk.begin_day(day, len(events) + 4)
    if day == FIRST:
        opening_balances(desk)
    for _order, event in sorted(events, key=lambda e: (e[0], rng.random())):
        event()
    end_of_day(desk, day)


def end_of_day(desk: Desk, day: dt.date) -> None:
    """The cashier's day end: bank the day's takings before the bank closes (每日收入当日存入银行),
    book the bank's own charges of the day from its advice slips (Sep and Oct), then count
    the drawer (盘点) and close the day (日结, sealing) -- except the last three days."""
    desk.clock = max(desk.clock, dt.datetime.combine(day, dt.time(16, 20), TZ))
    takings = desk._fig().takings if desk.state else ZERO
    if takings > 0:  # the till hands the day's cash takings to the cashier (收款交接台帐)
        desk.rec(dict(kind="handover", till=TILL, amount=takings, giver=TILL_CLERK, receiver=CASHIER, memo="当日现金收款交接"))
    desk.bank_takings()
    if desk.cash() > CASH_LIMIT:  # cannot happen: every entry keeps cash within the limit
        raise DemoError(f"{day}: cash {desk.cash()} above the limit at day end")
    charges = desk.bank.charges(day, [e for e in desk.day_entries if e.id not in desk.state.voided])
    if day <= CHARGES_BOOKED_THROUGH:
        for i, line in enumerate(charges):
            book_charge(desk, line, at(day, 17, 40 + 3 * i))
    if day <= SEALED_THROUGH:
        count_and_close(desk, day)


def at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), TZ) + dt.timedelta(hours=hour, minutes=minute)


def later(desk: Desk, when: dt.datetime) -> dt.datetime:
    """``when``, or a minute after the desk's last entry if that is later (times never go back)."""
    desk.clock = max(when, desk.clock + dt.timedelta(minutes=1))
    return desk.clock


def book_charge(desk: Desk, line: Line, when: dt.datetime) -> EntryBase:
    """A fee or interest the bank booked today, entered from its advice slip (回单) as
    `cashbook bank book-charges` enters it: a bank-entry naming its statement line."""
    credit = line.amount > 0
    return desk.rec(dict(kind="bank-entry", account=line.account, method="transfer", amount=abs(line.amount),
                         direction="credit" if credit else "debit", category="interest" if credit else "bank-fees",
                         line=line.uid, memo=f"{line.date} {line.summary} {line.purpose} (银行回单)"),
                    time=later(desk, when))


def drawer(rng: random.Random, total: Decimal, denominations) -> list[str]:
    """The drawer at close as `cashbook count` takes it (``100x12 50x3 0.5x2``): mostly
    100-yuan notes, some held back as change in 50s, 20s, 10s, 5s and 1s, and coins."""
    cents = int(total * 100)
    if cents < 0 or cents % 10:
        raise DemoError(f"{total} cannot be counted in the policy's notes and coins")
    yuan, jiao = divmod(cents // 10, 10)
    halves, tenths = divmod(jiao, 5)
    if yuan and rng.random() < 0.35:  # a yuan in small coins
        yuan, halves, tenths = yuan - 1, halves + 1, tenths + 5
    counts: dict[str, int] = {}
    rest = yuan
    for note, keep in (("100", (0, 0, 1, 1, 2)), ("50", (0, 1)), ("20", (0, 1, 1)), ("10", (0, 1)), ("5", (0, 1))):
        n = rest // int(note)
        n -= min(n, rng.choice(keep))
        counts[note] = n
        rest -= n * int(note)
    counts["1"], counts["0.5"], counts["0.1"] = rest, halves, tenths
    allowed = {Decimal(d) for d in denominations}
    items = [f"{d}x{n}" for d, n in counts.items() if n]
    if any(Decimal(i.split("x")[0]) not in allowed for i in items):
        raise DemoError(f"the policy's denominations {sorted(allowed)} lack one of {items}")
    return items or ["100x0"]


def count_and_close(desk: Desk, day: dt.date) -> None:
    """盘点 and 日结: count the drawer by denomination, then close and seal the day, as
    `cashbook count DAY 100xN …` and `cashbook close day DAY` do. On the shortage day the
    drawer is 10.00 short: the close refuses, the shortage is booked with the approvals
    the policy names, and the day then closes."""
    policy = desk.book.policy
    short = SHORTAGE if day == SHORTAGE_DAY else ZERO
    items = drawer(desk.counter, desk.cash() - short, policy.denominations)
    counts, total = parse_count(items, policy)
    if total != desk.cash() - short:
        raise DemoError(f"{day}: the count {items} makes {total}, not {desk.cash() - short}")
    desk.rec(dict(kind="cash-count", account="cash", counts=counts, total=total, memo="下班前盘点库存现金"),
             time=later(desk, at(day, 18, 2 + desk.counter.randint(0, 10))))
    if short:
        refused = desk.close_day(day, at(day, 18, 15))
        if refused.sealed or "count-difference" not in [p.code for p in refused.blocking]:
            raise DemoError(f"{day}: the close should refuse a count {short} short: {refused.problems}")
        desk.rec(dict(kind="adjustment", account="cash", direction="shortage", amount=short,
                      approvals=[f"finance-manager:{SIGNERS['finance-manager']}", GM],
                      memo=f"盘点短款{short}元, 复点无误、查无原因, 经财务经理、总经理批准作短款处理"),
                 time=later(desk, at(day, 18, 22)))
    report = desk.close_day(day, dt.datetime.combine(day, CLOSE_AT, TZ))
    if not report.sealed or report.problems:
        raise DemoError(f"{day}: the close did not seal cleanly: " + "; ".join(str(p) for p in report.problems))
    desk.clock = dt.datetime.combine(day, CLOSE_AT, TZ)
    desk.closes.append(day)


def opening_balances(desk: Desk) -> None:
    midnight = dt.datetime.combine(FIRST, dt.time(0, 0), TZ)
    for account, amount in OPENING.items():
        desk.rec(dict(kind="opening", account=account, amount=amount, memo="期初余额 2026-09-01"), time=midnight)


Event = tuple[int, Callable[[], object]]


def business_day(desk: Desk, plan: Plan, day: dt.date) -> list[Event]:
    """The day's events as (order, action), run in order, shuffled within an order.

    -2 wages (on the 20th), -1 the morning float withdrawal, 0 morning payments,
    1 the day's receipts and payments, 2 afternoon bank business.
    """
    rng = desk.rng
    ev: list[Event] = []
    ev += merchant_fees(desk, plan, day)
    # electricity recharges (电费充值, prepaid meters)
    for _ in range(rng.randint(3, 6)):
        ev.append(electricity_recharge(desk))
    # temporary booth fees (临时促销展位场地费), in cash
    for _ in range(rng.randint(1, 3)):
        vendor = rng.choice(VENDORS)
        amount = money(rng, 150, 600, "10")
        ev.append((1, lambda v=vendor, a=amount: desk.receive(a, v, "rent", "临时促销展位场地费(日租)", prefer_cash=True)))
    # advertising (广告位)
    if rng.random() < 0.6:
        name = rng.choice(MERCHANTS)[0]
        if rng.random() < 0.5:
            amount = money(rng, 200, 800, "50")
            ev.append((1, lambda n=name, a=amount: desk.receive(a, n, "advertising", "中庭海报位广告费", prefer_cash=True)))
        else:
            amount = money(rng, 3000, 20000, "500")
            ev.append((1, lambda n=name, a=amount: desk.receive(a, n, "advertising", "户外LED屏广告费", prefer_cash=False)))
    # other income: fines, scrap
    if rng.random() < 0.35:
        name = rng.choice(MERCHANTS)[0]
        amount = Decimal(rng.choice([50, 100, 200, 300]))
        ev.append((1, lambda n=name, a=amount: desk.receive(a, n, "other-income", "违规占道经营罚款", prefer_cash=True)))
    if rng.random() < 0.2:
        amount = money(rng, 60, 260, "1")
        ev.append((2, lambda a=amount: desk.receive(a, "废品回收站 老刘", "other-income", "废纸箱废品收入", prefer_cash=True)))
    # petty cash expenses (零星报销), each with the GM's signature, out of the morning's float
    petty = ZERO
    for _ in range(rng.randint(2, 5)):
        category, payee, what, low, high = rng.choice(PETTY)
        amount = money(rng, low, high, "0.5")
        petty += amount
        invoice = desk.invoice() if amount > 100 or rng.random() < 0.6 else ""
        ev.append((rng.choice([0, 0, 1]), lambda c=category, p=payee, w=what, a=amount, i=invoice: desk.pay_cash(a, p, c, w, i)))
    ev.append((-1, lambda: desk.top_up_float(petty)))
    # construction permits for merchants' fit-out crews (施工证押金, 50 per card)
    if rng.random() < 0.6:
        name = rng.choice(MERCHANTS + [(n, "", 0) for n in NEW_MERCHANTS])[0]
        units = rng.randint(2, 6)
        ev.append((1, lambda n=name, u=units: desk.hold_deposit(Decimal("50.00") * u, n, "construction-permit",
                                                               f"施工证{u}张", prefer_cash=True, units=u)))
    # bank charges (fees, interest) are the bank's: see `Bank.charges`, booked in `end_of_day`
    if day.weekday() == 4:  # Friday: move money to the general account
        amount = money(rng, 20000, 50000, "1000")
        ev.append((2, lambda a=amount: desk.rec(dict(kind="transfer", from_account="icbc", to_account="cmb", amount=a,
                                                     ref=desk.next_ref("ZZ"), approvals=[GM],
                                                     memo="基本户划转一般户备付款"))))
    if day in plan.cheque_days:
        ev.append((0, lambda: cheque_payment(desk, day)))
    if day in plan.wage_days:
        ev.append((-2, lambda: wage_day(desk, day)))
    ev += scheduled(desk, day)
    while len(ev) < 14:  # a working day at the mall's desk is never idle
        ev.append(electricity_recharge(desk))
    return ev


def electricity_recharge(desk: Desk) -> Event:
    rng = desk.rng
    name = rng.choice(MERCHANTS)[0]
    small = rng.random() < 0.6
    amount = money(rng, 100, 800, "10") if small else money(rng, 1000, 6000, "100")
    return (1, lambda: desk.receive(amount, name, "electricity", "预付电费充值", prefer_cash=small))


def quiet_day(desk: Desk, plan: Plan, day: dt.date) -> list[Event]:
    """Weekends and holidays: the desk is open for merchants, no payments are made."""
    rng = desk.rng
    ev: list[Event] = merchant_fees(desk, plan, day)
    for _ in range(rng.randint(1, 3)):
        name = rng.choice(MERCHANTS)[0]
        amount = money(rng, 100, 700, "10")
        ev.append((1, lambda n=name, a=amount: desk.receive(a, n, "electricity", "预付电费充值", prefer_cash=True)))
    for _ in range(rng.randint(1, 3)):
        vendor = rng.choice(VENDORS)
        amount = money(rng, 200, 600, "10")
        ev.append((1, lambda v=vendor, a=amount: desk.receive(a, v, "rent", "周末促销展位场地费(日租)", prefer_cash=True)))
    ev += scheduled(desk, day)
    return ev


def merchant_fees(desk: Desk, plan: Plan, day: dt.date) -> list[Event]:
    """Monthly rent and management fee from the merchants whose lease falls due today."""
    ev: list[Event] = []
    for name in plan.rent_days.get(day, []):
        _due, rent, fee, fee_in_cash = plan.leases[name]
        month = f"{day.month}月"
        ev.append((1, lambda n=name, r=rent, m=month: desk.receive(r, n, "rent", f"{m}场地租金", prefer_cash=False)))
        ev.append((1, lambda n=name, f=fee, m=month, c=fee_in_cash: desk.receive(f, n, "management-fee", f"{m}物业管理费",
                                                                               prefer_cash=c)))
    return ev


def cheque_payment(desk: Desk, day: dt.date) -> None:
    rng = desk.rng
    category, payee, what, low, high = rng.choice(CHEQUE_SUPPLIERS)
    desk.pay_cheque(money(rng, low, high, "0.5"), payee, category, what)


def wage_day(desk: Desk, day: dt.date) -> None:
    """发放工资 on the 20th: payroll through the bank, hourly workers in cash."""
    rng = desk.rng
    month = f"{day:%Y-%m}"
    payroll = money(rng, 168000, 192000, "0.01")
    desk.pay_bank(payroll, "员工工资代发(工行代发户)", "wages", f"{day.month}月工资 38人 银行代发", invoice=f"GZ{month}")
    people = rng.sample(HOURLY, 3)
    amounts = [money(rng, 820, 980, "10") for _ in people]
    draw = round_down(CASH_LIMIT - desk.cash())
    if draw > 0:
        desk.rec(dict(kind="withdrawal", account="icbc", amount=draw, cheque=desk.next_cash_cheque(), approvals=[GM],
                      memo="提现备发临时工工资"))
    for i, (person, amount) in enumerate(zip(people, amounts), 1):
        desk.pay_cash(amount, person, "wages", f"{day.month}月计时工资", invoice=f"GZ{month}-L{i:02d}",
                      fund_memo="提现备发临时工工资")


# -- one-off events, by date ----------------------------------------------------------------

def scheduled(desk: Desk, day: dt.date) -> list[Event]:
    out: list[Event] = []
    for fn in SCHEDULE.get(day, []):
        out.append((fn.__dict__.get("order", 1), lambda f=fn: f(desk)))
    return out


SCHEDULE: dict[dt.date, list] = {}


def on(y: int, m: int, d: int, order: int = 1):
    def wrap(fn):
        fn.order = order
        SCHEDULE.setdefault(dt.date(y, m, d), []).append(fn)
        return fn

    return wrap


def advance(desk: Desk, person: str, fare: int, lodging: int, allowance: int, trip_days: int, where: str,
            due: dt.date, cash: bool, label: str) -> None:
    amount = travel_advance(Decimal(fare), Decimal(lodging), Decimal(allowance), trip_days).quantize(CENT)
    dept, head = STAFF[person]
    purpose = f"{dept}{where}差旅借款: 往返车费{fare}+(住宿{lodging}+补助{allowance})×{trip_days}天"
    draft = dict(kind="advance", person=person, purpose=purpose, due=due, amount=amount, approvals=[head, GM], department=dept)
    if cash and amount > desk.book.policy.rules.cash_payment_limit.limit:
        cash = False  # above the single cash-payment limit: transferred to the person's card
    if cash:
        desk.fund(amount, "提取备用金(差旅借款)")
        entry = desk.rec({**draft, "account": "cash", "method": "cash"})
    else:
        entry = desk.rec({**draft, "account": "icbc", "method": "transfer"})
    desk.advances[label] = Open(entry.id, person, "advance", amount)


def settle(desk: Desk, label: str, spent: Decimal, memo: str) -> None:
    adv = desk.advances[label]
    returned = adv.amount - spent
    draft = dict(kind="settlement", advance=adv.id, person=adv.party, spent=spent, category="travel",
                 invoice=f"{desk.invoice()} 等{desk.rng.randint(3, 9)}张", memo=memo)
    if returned > 0:
        desk.make_room(returned)
        draft["returned"] = returned
    desk.rec(draft)


def refund_held(desk: Desk, type_: str, memo: str, cash: bool, party: str | None = None) -> None:
    pool = desk.deposits.get(type_, [])
    held = next(h for h in pool if party is None or h.party == party)
    pool.remove(held)
    desk.refund_deposit(held, memo, cash)


def collect(desk: Desk, customer: str, merchant: str, amount: Decimal, cash: bool) -> None:
    draft = dict(kind="collection", party=customer, on_behalf_of=merchant, amount=amount, doc=desk.next_collection_receipt(),
                 memo="统一收银 代收顾客货款")
    if cash:
        desk.make_room(amount)
        entry = desk.rec({**draft, "account": "cash", "method": "cash"})
    else:
        entry = desk.rec({**draft, "account": "icbc", "method": "pos"})
    desk.collections.append(Open(entry.id, merchant, "collection", amount))


def pay_collections(desk: Desk) -> None:
    """结付代收货款: pay merchants what was collected for them."""
    by_merchant: dict[str, Decimal] = {}
    for item in desk.collections:
        by_merchant[item.party] = by_merchant.get(item.party, ZERO) + item.amount
    desk.collections.clear()
    for merchant, amount in by_merchant.items():
        desk.pay_bank(amount, merchant, "collection", "结付代收顾客货款")


# advances (借款): dept head + GM; most settled, 徐静's left open (overdue at quarter end)
@on(2026, 9, 7, order=0)
def _adv_zhang(desk):
    advance(desk, "张伟", 1200, 420, 100, 4, "赴广州家博会招商", dt.date(2026, 9, 18), cash=False, label="zhang")


@on(2026, 9, 17)
def _set_zhang(desk):
    settle(desk, "zhang", Decimal("2861.50"), "张伟广州出差报销, 余款交回")


@on(2026, 9, 22, order=0)
def _adv_liu(desk):
    advance(desk, "刘芳", 560, 300, 80, 2, "赴天津采购促销物料", dt.date(2026, 10, 9), cash=True, label="liu")


@on(2026, 10, 9)
def _set_liu(desk):
    settle(desk, "liu", Decimal("1187.00"), "刘芳天津出差报销, 余款交回")


@on(2026, 10, 12, order=0)
def _adv_yang(desk):
    advance(desk, "杨帆", 980, 350, 100, 3, "赴东莞考察物业系统", dt.date(2026, 10, 23), cash=False, label="yang")


@on(2026, 10, 22)
def _set_yang(desk):
    settle(desk, "yang", Decimal("2330.00"), "杨帆东莞出差报销(无余款)")


@on(2026, 10, 26, order=0)
def _adv_huang(desk):
    advance(desk, "黄磊", 480, 280, 80, 3, "赴石家庄催收欠租", dt.date(2026, 11, 6), cash=True, label="huang")


@on(2026, 11, 5)
def _set_huang(desk):
    settle(desk, "huang", Decimal("1401.50"), "黄磊石家庄出差报销, 余款交回")


@on(2026, 11, 2, order=0)
def _adv_xu(desk):
    advance(desk, "徐静", 1460, 380, 100, 3, "赴成都招商洽谈", dt.date(2026, 11, 13), cash=False, label="xu")


@on(2026, 11, 10, order=0)
def _adv_zhang2(desk):
    advance(desk, "张伟", 620, 320, 100, 2, "赴沈阳拜访品牌商", dt.date(2026, 11, 20), cash=True, label="zhang2")


@on(2026, 11, 18)
def _set_zhang2(desk):
    settle(desk, "zhang2", Decimal("1354.00"), "张伟沈阳出差报销, 余款交回")


# deposits (押金): new merchants moving in, phones, banners
@on(2026, 9, 2)
def _new_shops_sep(desk):
    desk.hold_deposit(Decimal("10000.00"), NEW_MERCHANTS[0], "site", "新商户场地定金(4F-D06)", prefer_cash=False)
    desk.hold_deposit(Decimal("15000.00"), NEW_MERCHANTS[0], "fit-out", "装修押金(4F-D06)", prefer_cash=False)


@on(2026, 9, 8)
def _quality_sep(desk):
    desk.hold_deposit(Decimal("30000.00"), NEW_MERCHANTS[0], "quality", "商品质量保证金(4F-D06)", prefer_cash=False)
    desk.hold_deposit(Decimal("3000.00"), NEW_MERCHANTS[0], "electricity", "电费押金(4F-D06)", prefer_cash=False)
    desk.hold_deposit(Decimal("1000.00"), NEW_MERCHANTS[0], "telephone", "电话押金1线", prefer_cash=False)


@on(2026, 9, 10)
def _banner_sep(desk):
    desk.hold_deposit(Decimal("280.00"), NEW_MERCHANTS[0], "banner", "装修围挡喷绘布押金", prefer_cash=True)


@on(2026, 9, 15)
def _fitout_second(desk):
    desk.hold_deposit(Decimal("20000.00"), NEW_MERCHANTS[1], "fit-out", "装修押金(2F-C09)", prefer_cash=False)
    desk.hold_deposit(Decimal("40000.00"), NEW_MERCHANTS[1], "quality", "商品质量保证金(2F-C09)", prefer_cash=False)
    desk.hold_deposit(Decimal("2000.00"), NEW_MERCHANTS[1], "telephone", "电话押金2线", prefer_cash=False, units=2)


@on(2026, 9, 16)
def _banner_second(desk):
    desk.hold_deposit(Decimal("360.00"), NEW_MERCHANTS[1], "banner", "装修围挡喷绘布押金", prefer_cash=True)


@on(2026, 9, 24)
def _fitout_renovation(desk):
    desk.hold_deposit(Decimal("8000.00"), "凯撒皮艺沙发", "fit-out", "店面翻新装修押金(4F-B02)", prefer_cash=False)


@on(2026, 10, 13)
def _site_third(desk):
    desk.hold_deposit(Decimal("5000.00"), NEW_MERCHANTS[2], "site", "新商户场地定金(1F-C12)", prefer_cash=False)
    desk.hold_deposit(Decimal("6000.00"), NEW_MERCHANTS[2], "fit-out", "装修押金(1F-C12)", prefer_cash=False)


@on(2026, 10, 19)
def _fitout_inspection_first(desk):
    # 栖木集成家居 passed the fit-out inspection (装修验收): deposits back with every sign-off
    refund_held(desk, "fit-out", "装修验收合格, 退装修押金", cash=False, party=NEW_MERCHANTS[0])
    refund_held(desk, "banner", "装修完毕, 退喷绘布押金", cash=True, party=NEW_MERCHANTS[0])


@on(2026, 10, 20)
def _quality_third(desk):
    desk.hold_deposit(Decimal("20000.00"), NEW_MERCHANTS[2], "quality", "商品质量保证金(1F-C12)", prefer_cash=False)
    desk.hold_deposit(Decimal("1000.00"), NEW_MERCHANTS[2], "telephone", "电话押金1线", prefer_cash=False)


@on(2026, 11, 4)
def _telephone_closed(desk):
    held = next(h for h in desk.deposits["telephone"] if h.party == NEW_MERCHANTS[1])
    desk.deposits["telephone"].remove(held)
    desk.refund_deposit(held, "撤销1条电话线并结清话费, 退1线电话押金", cash=False, amount=Decimal("1000.00"))
    desk.deposits["telephone"].append(Open(held.id, held.party, held.type, held.amount - Decimal("1000.00")))


@on(2026, 11, 12)
def _fitout_inspection_second(desk):
    refund_held(desk, "fit-out", "装修验收合格, 退装修押金", cash=False, party=NEW_MERCHANTS[1])
    refund_held(desk, "banner", "装修完毕, 退喷绘布押金", cash=True, party=NEW_MERCHANTS[1])


@on(2026, 11, 24)
def _fitout_inspection_third(desk):
    refund_held(desk, "fit-out", "翻新装修验收合格, 退装修押金", cash=False, party="凯撒皮艺沙发")


def _refund_permits(desk, count):
    pool = desk.deposits.get("construction-permit", [])
    for held in pool[:count]:
        desk.refund_deposit(held, "施工证交回, 退施工证押金", cash=True)
    del pool[:count]


for _d, _n in ((dt.date(2026, 9, 29), 3), (dt.date(2026, 10, 16), 4), (dt.date(2026, 10, 30), 3),
               (dt.date(2026, 11, 13), 4), (dt.date(2026, 11, 26), 3)):
    on(_d.year, _d.month, _d.day, order=0)(lambda desk, n=_n: _refund_permits(desk, n))


# collections on behalf of merchants (代收) and their settlement
@on(2026, 9, 12)
def _collect_1(desk):
    collect(desk, "刘先生", "金檀红木家具", Decimal("38600.00"), cash=False)
    collect(desk, "王女士", "梦思床垫专卖", Decimal("460.00"), cash=True)


@on(2026, 9, 16)
def _pay_collect_1(desk):
    pay_collections(desk)


@on(2026, 10, 4)
def _collect_2(desk):
    collect(desk, "陈先生", "东方古典家具", Decimal("52800.00"), cash=False)
    collect(desk, "张女士", "凯撒皮艺沙发", Decimal("12680.00"), cash=False)
    collect(desk, "赵先生", "童趣儿童家具", Decimal("580.00"), cash=True)


@on(2026, 10, 9)
def _pay_collect_2(desk):
    pay_collections(desk)


@on(2026, 11, 14)
def _collect_3(desk):
    collect(desk, "孙女士", "尚品定制衣柜", Decimal("23450.00"), cash=False)


@on(2026, 11, 18)
def _pay_collect_3(desk):
    pay_collections(desk)


# monthly bills by bank transfer (the banks' fees and interest: `Bank.charges`)
def _power_bill(desk):
    amount = money(desk.rng, 86000, 128000, "0.01")
    short = amount + 20000 - desk.state.balance("cmb")
    if short > 0:  # never a cheque or transfer the account cannot cover (禁止空头支票)
        desk.rec(dict(kind="transfer", from_account="icbc", to_account="cmb", amount=round_up(short, 10000),
                      ref=desk.next_ref("ZZ"), approvals=[GM], memo="划转资金备付电费"))
    desk.pay_bank(amount, ELECTRICITY_COMPANY, "utilities", "上月商场用电电费", invoice=desk.invoice(), account="cmb")


for _d in (dt.date(2026, 9, 9), dt.date(2026, 10, 12), dt.date(2026, 11, 9)):
    on(_d.year, _d.month, _d.day)(_power_bill)


@on(2026, 10, 23, order=1)
def _cmb_supplier(desk):
    desk.pay_bank(Decimal("36800.00"), "星光传媒广告有限公司", "office",
                  "国庆促销活动物料及宣传服务费", invoice=desk.invoice(), account="cmb")


@on(2026, 11, 26, order=0)
def _cctv_cheque(desk):
    # the quarter's last cheque: the supplier banks it after the 29th (outstanding on the statement)
    desk.pay_cheque(Decimal("8650.00"), "安视达监控设备有限公司", "fixed-assets", "停车场出入口道闸摄像机")


@on(2026, 9, 22, order=0)
def _mooncakes(desk):
    # welfare goods are never paid in cash (no-cash-category): a cheque to the shop on the invoice
    desk.pay_cheque(Decimal("4560.00"), "稻香村食品专卖", "welfare", "员工中秋节福利月饼 38盒")


# voids (冲销): a wrong receipt voided the same day and recorded again; a spoiled cheque
@on(2026, 9, 14, order=1)
def _void_receipt(desk):
    wrong = desk.receive(Decimal("580.00"), "雅韵藤编家具", "management-fee", "9月物业管理费", prefer_cash=True)
    desk.rec(dict(kind="void", target=wrong.id, reason=f"金额开错(应为850.00), 收据{wrong.doc}作废, 重开收据",
                  reverses=reversal(wrong)))
    desk.rec(dict(kind="receipt-spoiled", doc=desk.next_receipt(), reason="抬头写错, 三联留存作废"))
    desk.receive(Decimal("850.00"), "雅韵藤编家具", "management-fee", "9月物业管理费(重开)", prefer_cash=True)


@on(2026, 10, 28, order=0)
def _void_cheque(desk):
    wrong = desk.pay_cheque(Decimal("5680.00"), "安泰劳保用品商行", "labour-protection", "保安冬季制服")
    desk.rec(dict(kind="void", target=wrong.id, reason=f"支票{wrong.cheque}金额填错作废(支票留存), 另开支票",
                  reverses=reversal(wrong)))
    desk.pay_cheque(Decimal("5860.00"), "安泰劳保用品商行", "labour-protection", "保安冬季制服")


# the GM away: his deputy approves a payment first, the GM signs it when back (可先付款后补签)
@on(2026, 11, 11)
def _deputy_pays(desk):
    amount = Decimal("386.00")
    desk.fund(amount)
    desk.deputy_paid = desk.rec(dict(kind="payment", account="cash", method="cash", amount=amount, party="顺丰速运",
                                     category="postage", invoice=desk.invoice(), approvals=[f"gm:{GM_DEPUTY}"],
                                     to_sign=["gm"], memo="总经理出差, 常务副总先批付款: 招商合同加急快递"))


@on(2026, 11, 13)
def _gm_signs(desk):
    desk.rec(dict(kind="sign", target=desk.deputy_paid.id, approvals=[GM], memo="总经理出差回来补签"))


@on(2026, 11, 16, order=1)
def _void_bank_receipt(desk):
    wrong = desk.receive(Decimal("4200.00"), "华美灯饰", "rent", "11月广告费", prefer_cash=False)
    desk.rec(dict(kind="void", target=wrong.id, reason="科目记错(应为广告费), 冲销重记", reverses=reversal(wrong)))
    desk.receive(Decimal("4200.00"), "华美灯饰", "advertising", "11月中庭吊旗广告费", prefer_cash=False)


# -- the book --------------------------------------------------------------------------------

def policy_text() -> str:
    text = default_policy_text()
    start = text.index("# -- accounts")
    end = text.index("# -- approval roles")
    accounts = (
        "# -- accounts: cash on hand and bank accounts (现金 / 银行存款) ------------------\n"
        "[accounts.cash]\n"
        'type = "cash"\n'
        'name = "库存现金"\n'
        "\n"
        "[accounts.icbc]\n"
        'type = "bank"\n'
        'name = "工商银行 基本户"\n'
        'bank = "中国工商银行北京十里河支行"\n'
        'number = "0200 0049 09** **** 617"\n'
        "\n"
        "[accounts.cmb]\n"
        'type = "bank"\n'
        'name = "招商银行 一般户"\n'
        'bank = "招商银行北京分行劲松支行"\n'
        'number = "1109 ** **** 5018 01"\n'
        "\n"
    )
    text = text[:start] + accounts + text[end:]
    staff = "".join(f'"{person}" = "{dept}"\n' for person, (dept, _) in STAFF.items())
    people = f'[people.gm]\nnames = ["{SIGNERS["gm"]}"]\ndeputies = ["{GM_DEPUTY}"]\n\n'
    if text.count("[staff]\n") != 1:
        raise DemoError("default policies changed: cannot find [staff] once")
    text = text.replace("[staff]\n", people + "[staff]\n" + staff)
    replacements = [('name = "cashbook"', f'name = "{BOOK_NAME}"'), ('utc_offset = ""', 'utc_offset = "+08:00"')]
    for old, new in replacements:
        if text.count(old) != 1:
            raise DemoError(f"default policies changed: cannot find {old!r} once")
        text = text.replace(old, new)
    return text


def prepare(out: Path, force: bool) -> None:
    policy = out / "policies.toml"
    journals = out / "journals"
    if policy.exists() or (journals.is_dir() and any(journals.iterdir())):
        if not force:
            raise DemoError(f"{out} already holds a book (policies.toml or journals/); pass --force to replace it")
        if journals.exists():
            shutil.rmtree(journals)
    if (out / STATEMENTS).exists():  # generated with the book: replaced with it
        if not force:
            raise DemoError(f"{out / STATEMENTS} already exists; pass --force to replace it")
        shutil.rmtree(out / STATEMENTS)
    out.mkdir(parents=True, exist_ok=True)
    journals.mkdir()
    policy.write_text(policy_text(), encoding="utf-8")
    keep_first_version(out, FIRST)  # journals/policies/2026-09-01.toml: the rules the whole demo was recorded under


@contextlib.contextmanager
def no_fsync():
    """Skip fsync while generating (workaround for speed, not correctness).

    Every append is an atomic write that fsyncs the file and its folder: ~2,800 fsyncs,
    which take 2-15 s on a busy disk and dominate the run. The demo is regenerable and
    is re-read and checked in full afterwards, so per-entry durability buys nothing
    here; the writes stay atomic (temporary file + rename).
    """
    real = os.fsync
    os.fsync = lambda fd: None
    try:
        yield
    finally:
        os.fsync = real


def generate(out: Path) -> Desk:
    rng = random.Random(SEED)
    plan = Plan(rng)
    desk = Desk(out, rng)
    with no_fsync():
        for day in days(FIRST, LAST):
            run_day(desk, plan, day)
        desk.reconciled = bank_side(desk, out)
    return desk


def bank_side(desk: Desk, out: Path) -> list[dict]:
    """Write the banks' monthly statements, import them as `cashbook bank import` does,
    and check each month's reconciliation shows exactly the items in transit meant."""
    from cashbook.store.bankfiles import reconciliation
    from cashbook.core.close import month_bounds

    mem = desk.book.mem
    lines = desk.bank.statement(mem.order, mem.state.voided)
    files = statement_files(lines)
    folder = out / STATEMENTS
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    for account in BANK_ACCOUNTS:
        for name in sorted(n for n in files if n.startswith(account + "-")):
            statements = parse_statement(files[name], name)
            with book_lock(out):
                result = import_lines(out, account, statements, name)
            month = name.split("-", 1)[1].rsplit(".", 1)[0]
            expected = sum(1 for l in lines[account] if f"{l.date:%Y-%m}" == month)
            if result.warnings or result.added != expected or result.lines != expected:
                raise DemoError(f"importing {name}: {result}")
        stored = {l.uid for l in load_statement(out, account).lines}
        missing = [e.id for e in mem.order if e.kind == "bank-entry" and e.account == account and e.line not in stored]
        if missing:
            raise DemoError(f"bank entries name statement lines that were not imported: {missing}")
    report = []
    book = ReadOnce(out)
    for account in BANK_ACCOUNTS:
        for month in STATEMENT_MONTHS:
            result, _ = reconciliation(book, account, month)
            want = desk.bank.in_transit(account, month_bounds(month)[1])
            for key, expected in want.items():
                got = sorted((item["date"], item["amount"]) for item in getattr(result, key))
                if got != expected:
                    raise DemoError(f"{account} {month}: {key} is {got}, meant {expected}")
            if not result.balanced:
                raise DemoError(f"{account} {month}: the reconciliation does not balance ({result.difference})")
            report.append({"account": account, "month": month, "book": result.book_balance,
                           "statement": result.statement_balance, **{k: len(v) for k, v in want.items()}})
    return report


def verify(out: Path) -> None:
    """Re-read the finished book from scratch and run every rule and the seal check, as `cashbook check` does."""
    book = plain_book(out)
    loaded = book.load(checker=check_entry)
    problems = loaded.problems + book_checks(loaded.state, book.policy, loaded.where) + seal_problems(book, loaded)
    problems += book.policies.problems(check_entry)
    if problems:
        raise DemoError("the generated book has problems:\n" + "\n".join(str(p) for p in problems[:20]))
    gaps = loaded.state.receipt_gaps()
    if gaps:
        raise DemoError(f"receipt-number gaps: {gaps}")
    open_days = sorted({e.date for e in loaded.order} - set(loaded.state.seals))
    if open_days != list(days(SEALED_THROUGH + dt.timedelta(days=1), LAST)):
        raise DemoError(f"open days are {open_days}, not the last three")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT, help="book folder to write (default: the repository root)")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing demo book (deletes its journals/ and demo/statements/)")
    args = parser.parse_args(argv)
    out: Path = args.out
    lock = out / ".cashbook.lock"
    had_lock = lock.exists()
    cache = out / ".cashbook"  # the library's disposable cache, made by the closes
    had_cache = cache.exists()
    started = _time.perf_counter()
    try:
        prepare(out, args.force)
        desk = generate(out)
        verify(out)
    except (DemoError, CashbookError) as exc:
        print(f"make_demo: {exc}", file=sys.stderr)
        return 1
    finally:
        if not had_lock and lock.exists():
            lock.unlink()
        if not had_cache and cache.exists():
            shutil.rmtree(cache)
    elapsed = _time.perf_counter() - started
    total = sum(desk.kinds.values())
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(desk.kinds.items()))
    balances = ", ".join(f"{a} {desk.state.balance(a)}" for a in ("cash", "icbc", "cmb"))
    print(f"wrote {total} entries and {len(desk.closes)} day closes ({desk.closes[0]} .. {desk.closes[-1]} sealed) "
          f"to {out} in {elapsed:.1f} s ({kinds}); balances: {balances}")
    for r in desk.reconciled:
        print(f"  {r['account']} {r['month']}: balanced, book {r['book']}, statement {r['statement']}; "
              f"deposits in transit {r['deposits_in_transit']}, outstanding payments {r['outstanding_payments']}, "
              f"bank credits not booked {r['bank_credits_not_booked']}, bank debits not booked {r['bank_debits_not_booked']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
