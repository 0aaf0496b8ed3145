#!/usr/bin/env python3
"""Generate the repository's demo book: a furniture mall's cash desk (家具商场出纳), one quarter.

    python scripts/make_demo.py [--out DIR] [--force]

Writes ``policies.toml`` and ``journals/`` into DIR (default: the repository root) for
2026-09-01 .. 2026-11-29 (2026-11-30, the quarter's last day, is left empty for the
closing work). Every entry goes through the library, ``Book.record(draft, today=<its
date>, checker=check_entry)``, so the demo obeys the same rules as the CLI: the
generator plans each day so that nothing is refused and nothing is warned about
(cash stays within the 2,000.00 limit after every entry, takings are banked the same
day, cash payments come only from the float and the day's withdrawals).

Deterministic: one ``random.Random(20260901)`` drives everything and every entry has
a fixed time (+08:00), so two runs write the same bytes.

Layout for later work: `run_day()` is called once per calendar day; it runs the day's
business (`business_day()` or `quiet_day()`) and then `end_of_day()`, which banks the
day's takings. A cash count and day close (sealing) belong at the end of `end_of_day()`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
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

from cashbook.core.entries import EntryBase, reversal
from cashbook.core.problems import CashbookError
from cashbook.core.rules import check_entry, travel_advance
from cashbook.core.words import to_words
from cashbook.store.book import Book
from cashbook.store.journal import DayFile, day_path
from cashbook.store.policyfile import default_policy_text

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

# 2026 public holidays (中秋节 9-25..27, 国庆节 10-01..07): the desk is staffed but quiet.
HOLIDAYS = {dt.date(2026, 9, 25), dt.date(2026, 9, 26), dt.date(2026, 9, 27)} | {
    dt.date(2026, 10, d) for d in range(1, 8)
}

# -- people ----------------------------------------------------------------------------
GM = "gm:王建国"
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


class CachedBook(Book):
    """`Book` whose ``load()`` (without checker) is read once and then kept in step.

    Workaround: `Book.record` re-reads and replays the whole book on every call, which
    makes generating ~1,400 entries quadratic (about 6 minutes instead of 4 seconds). `Book.record` mutates the
    state it loaded (``loaded.state.apply(entry)``), so keeping that object and adding
    each new entry to its day file's list (for the next id) gives the same result as a
    fresh load. The generator re-reads the finished book from scratch at the end and
    checks every entry, so any drift would be caught.
    """

    def __init__(self, root: Path):
        super().__init__(root)
        self._loaded = None

    def load(self, checker=None, today=None):
        if checker is not None:
            return super().load(checker, today)
        if self._loaded is None:
            self._loaded = super().load()
        return self._loaded

    def record(self, draft, today, checker=None):
        entry, state, problems = super().record(draft, today=today, checker=checker)
        loaded = self._loaded
        if loaded is None or loaded.state is not state:  # record() no longer goes through load(): nothing to keep
            self._loaded = None
            return entry, state, problems
        path = day_path(self.root, entry.date)
        df = next((f for f in loaded.files if f.path == path), None)
        if df is None:
            df = DayFile(path=path, day=entry.date)
            loaded.files.append(df)
        df.entries.append(entry)
        loaded.order.append(entry)
        return entry, state, problems


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
        self.book = CachedBook(root)
        self.rng = rng
        self.state = None
        self.day: dt.date | None = None
        self.clock: dt.datetime | None = None
        self.step = 20
        self.kinds: Counter[str] = Counter()
        self.receipt_no = 0  # SJ receipt book (收据), cash receipts and deposits
        self.collect_no = 0  # DS receipt book for collections on behalf of others (代收)
        self.cheque_no = 10203000  # transfer cheques (转账支票) on icbc
        self.cash_cheque_no = 30501000  # cash cheques (现金支票) on icbc
        self.slip_no = 0
        self.ref_no = 0
        self.deposits: dict[str, list[Open]] = {}
        self.advances: dict[str, Open] = {}
        self.collections: list[Open] = []

    # -- the clock and the one way an entry gets written --------------------------------
    def begin_day(self, day: dt.date, expected: int) -> None:
        self.day = day
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
        return entry

    # -- numbering --------------------------------------------------------------------
    def next_receipt(self) -> str:
        self.receipt_no += 1
        return f"SJ{self.receipt_no:04d}"

    def next_collection_receipt(self) -> str:
        self.collect_no += 1
        return f"DS{self.collect_no:03d}"

    def next_cheque(self) -> str:
        self.cheque_no += 1
        return str(self.cheque_no)

    def next_cash_cheque(self) -> str:
        self.cash_cheque_no += 1
        return str(self.cash_cheque_no)

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
    """Bank the day's takings before the bank closes (每日收入当日存入银行).

    The place for the cash count (盘点) and the day close (日结, sealing) when the
    library has them: count the drawer here and close the day after the last entry.
    """
    desk.clock = max(desk.clock, dt.datetime.combine(day, dt.time(16, 20), TZ))
    desk.bank_takings()
    if desk.cash() > CASH_LIMIT:  # cannot happen: every entry keeps cash within the limit
        raise DemoError(f"{day}: cash {desk.cash()} above the limit at day end")


def opening_balances(desk: Desk) -> None:
    midnight = dt.datetime.combine(FIRST, dt.time(0, 0), TZ)
    for account, amount in (("cash", "1800.00"), ("icbc", "352468.35"), ("cmb", "118906.20")):
        desk.rec(dict(kind="opening", account=account, amount=Decimal(amount), memo="期初余额 2026-09-01"), time=midnight)


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
    # bank charges
    if rng.random() < 0.35:
        amount = Decimal(rng.choice(["0.50", "2.00", "5.00", "10.00", "15.00", "25.00"]))
        ev.append((2, lambda a=amount: desk.pay_bank(a, "中国工商银行", "bank-fees", "网银汇款手续费")))
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
    draft = dict(kind="advance", person=person, purpose=purpose, due=due, amount=amount, approvals=[head, GM])
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


# monthly bills by bank transfer; interest at the quarter's settlement date
def _power_bill(desk):
    amount = money(desk.rng, 86000, 128000, "0.01")
    short = amount + 20000 - desk.state.balance("cmb")
    if short > 0:  # never a cheque or transfer the account cannot cover (禁止空头支票)
        desk.rec(dict(kind="transfer", from_account="icbc", to_account="cmb", amount=round_up(short, 10000),
                      ref=desk.next_ref("ZZ"), approvals=[GM], memo="划转资金备付电费"))
    desk.pay_bank(amount, ELECTRICITY_COMPANY, "utilities", "上月商场用电电费", invoice=desk.invoice(), account="cmb")


for _d in (dt.date(2026, 9, 9), dt.date(2026, 10, 12), dt.date(2026, 11, 9)):
    on(_d.year, _d.month, _d.day)(_power_bill)


def _account_fees(desk):
    desk.pay_bank(Decimal("30.00"), "中国工商银行", "bank-fees", "账户管理费及网银年费(月)", account="icbc")
    desk.pay_bank(Decimal("20.00"), "招商银行", "bank-fees", "账户管理费(月)", account="cmb")


for _d in (dt.date(2026, 9, 30), dt.date(2026, 10, 30), dt.date(2026, 11, 27)):
    on(_d.year, _d.month, _d.day, order=2)(_account_fees)


@on(2026, 9, 21, order=2)
def _interest(desk):
    desk.receive(Decimal("286.42"), "中国工商银行", "interest", "三季度活期存款利息", prefer_cash=False)
    desk.receive(Decimal("97.15"), "招商银行", "interest", "三季度活期存款利息", prefer_cash=False)


@on(2026, 10, 23, order=1)
def _cmb_supplier(desk):
    desk.pay_bank(Decimal("36800.00"), "星光传媒广告有限公司", "office",
                  "国庆促销活动物料及宣传服务费", invoice=desk.invoice(), account="cmb")


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
    desk.receive(Decimal("850.00"), "雅韵藤编家具", "management-fee", "9月物业管理费(重开)", prefer_cash=True)


@on(2026, 10, 28, order=0)
def _void_cheque(desk):
    wrong = desk.pay_cheque(Decimal("5680.00"), "安泰劳保用品商行", "labour-protection", "保安冬季制服")
    desk.rec(dict(kind="void", target=wrong.id, reason=f"支票{wrong.cheque}金额填错作废(支票留存), 另开支票",
                  reverses=reversal(wrong)))
    desk.pay_cheque(Decimal("5860.00"), "安泰劳保用品商行", "labour-protection", "保安冬季制服")


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
    out.mkdir(parents=True, exist_ok=True)
    journals.mkdir()
    policy.write_text(policy_text(), encoding="utf-8")


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
    return desk


def verify(out: Path) -> None:
    """Re-read the finished book from scratch and run every rule, as `cashbook check` does."""
    from cashbook.core.rules import receipt_gaps

    loaded = Book(out).load(checker=check_entry)
    if loaded.problems:
        raise DemoError("the generated book has problems:\n" + "\n".join(str(p) for p in loaded.problems[:20]))
    gaps = receipt_gaps(sorted(loaded.state.receipt_numbers))
    if gaps:
        raise DemoError(f"receipt-number gaps: {gaps}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT, help="book folder to write (default: the repository root)")
    parser.add_argument("--force", action="store_true", help="replace an existing demo book (deletes its journals/)")
    args = parser.parse_args(argv)
    out: Path = args.out
    lock = out / ".cashbook.lock"
    had_lock = lock.exists()
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
    elapsed = _time.perf_counter() - started
    total = sum(desk.kinds.values())
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(desk.kinds.items()))
    balances = ", ".join(f"{a} {desk.state.balance(a)}" for a in ("cash", "icbc", "cmb"))
    print(f"wrote {total} entries to {out} in {elapsed:.1f} s ({kinds}); balances: {balances}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
