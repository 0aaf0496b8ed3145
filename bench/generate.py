#!/usr/bin/env python3
"""Seeded synthetic data for the benchmark: one cash desk written three ways.

    python bench/generate.py --entries N --out DIR [--seed S] [--days D]

writes, for the same N entries,

- ``DIR/cashbook/``: a cashbook book (``policies.toml``, ``journals/YYYY/YYYY-MM-DD.toml``
  and ``journals/seals.log``), written directly in the canonical layout that
  ``cashbook.store.journal.entry_text`` produces (not through ``Book.record``: that would
  take hours at 1M);
- ``DIR/ledger.journal``: the same transactions for ledger 3 and hledger;
- ``DIR/book.beancount``: the same transactions for beancount;
- ``DIR/meta.json``: what was generated (first/last day, middle month, counts by kind, the
  time it took), read by ``bench/run.py``.

The two exports mirror ``cashbook export --to ledger`` and ``--to beancount`` of the book
(same account names, payees, narrations, metadata and postings), so ``bench/test_generate.py``
can compare them with cashbook's own export.

The shape: a large furniture mall's cash desk with one cash drawer and three bank accounts
(icbc, cmb, boc), open Monday to Friday. ``max(ceil(N / 500), min(250, N // 40))``
business days (``--days`` to choose): 10k and 100k entries span one year (40 and 400 entries
a day), 1M spans 2,000 business days, about 8 years (500 a day). The last day is
2025-12-31; the book starts as far back as the days need. Entries: receipts (cash, bank
transfer, POS), payments (cash, transfer, cheque with the amount in words), bank deposits of
the takings (送存), cash withdrawals (提现) for the day's payments, transfers between the
banks, collections for others (代收), merchant deposits held and refunded (押金), staff
advances and their settlements (借款/报销), monthly bank fees and quarterly interest, voids
of mistaken bank receipts, and every day but the last closes with a cash count and a day
close that seals it (seal chain and seals.log as `cashbook close day` writes them).
46 categories, about 400 merchants, 260 suppliers, 30 staff and 120 other payers (800+ payees).

The data obey every rule of the generated policies, so ``cashbook check`` reports no error
and no warning: approvals (gm on every payment and withdrawal, the compensation bands, the
advance band, each deposit type's refund chain), an invoice on every payment above 100, cash
payments at most 1,000 and never for the no-cash categories, cash on hand always under the
limit, cash payments funded by the float and the morning withdrawal (no sitting payment),
unique cheque and receipt numbers without gaps, no cheque above the bank balance, advances
settled before they are overdue, deposits refunded in full to the merchant that paid them.
One figure differs from cashbook's defaults: the cash-on-hand limit is 50,000.00 instead of
2,000.00 (a desk taking 500 entries a day; with 2,000.00 it would bank every few minutes).

Deterministic: one ``random.Random(seed)`` drives everything; the same arguments write the
same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import random
import re
import shutil
import sys
import time as _time
from collections import Counter, deque
from decimal import Decimal
from pathlib import Path

LAST_DAY = dt.date(2025, 12, 31)
OFFSET = "+08:00"
CUR = "CNY"
TITLE = "bench: 大型家具商场 cash desk"
CASH_LIMIT = 5_000_000  # cents: 50,000.00
FLOAT = 300_000  # cents kept in the drawer overnight: 3,000.00
MAX_CASH_OUT = 3_500_000  # planned cash payments per day at most: 35,000.00
BANK_AT = 4_200_000  # bank the excess when cash on hand passes 42,000.00
HEADER = "# cashbook day journal {date}: entries are appended; correct by `cashbook void`, never by editing.\n"
SEAL_LOG_HEADER = "# cashbook seal log: one line per closed day, `date seal`; `cashbook check` verifies it against the day files\n"

# -- the chart: accounts, categories, deposit types ------------------------------------------
BANKS = {
    "icbc": ("工商银行 基本户", "中国工商银行北京十里河支行", "0200 0049 0900 0012 617"),
    "cmb": ("招商银行 一般户", "招商银行北京分行劲松支行", "1109 0000 5018 01"),
    "boc": ("中国银行 一般户", "中国银行北京潘家园支行", "3470 5678 9012"),
}
OPENING = {"cash": FLOAT, "icbc": 800_000_000, "cmb": 300_000_000, "boc": 150_000_000}

INCOME = {
    "rent": "场地租金 site rent", "management-fee": "管理费 management fee",
    "electricity": "电费 electricity recharged", "advertising": "广告费 advertising",
    "interest": "利息收入 bank interest", "other-income": "其他收入 fines, fees, scrap",
    "parking": "停车费 parking", "promotion-fee": "促销活动费 promotion fees",
    "service-fee": "服务费 service fees", "penalty-income": "罚没收入 penalties",
    "sponsorship": "赞助收入 sponsorship", "storage-fee": "仓储费 storage",
}
LIABILITY = {"deposit": "押金 deposits", "collection": "代收款 collections for others"}
EXPENSE = {
    "wages": "工资 wages and bonuses", "travel": "差旅费 travel", "entertainment": "业务招待费 entertainment",
    "telecom": "通讯费 telephone", "office": "办公费 office", "vehicle": "车辆费 vehicle",
    "postage": "邮寄费 postage", "utilities": "水电费 utilities", "fixed-assets": "固定资产 fixed assets",
    "office-supplies": "办公用品 office supplies", "labour-protection": "劳保用品 labour protection",
    "welfare": "福利用品 welfare goods", "bank-fees": "银行手续费 bank fees",
    "compensation": "先行赔付 compensation paid for suppliers", "cleaning": "保洁费 cleaning",
    "security": "安保费 security", "repairs": "维修费 repairs", "insurance": "保险费 insurance",
    "printing": "印刷费 printing", "training": "培训费 training", "consulting": "咨询费 consulting",
    "legal": "法律服务费 legal", "software": "软件服务费 software", "logistics": "物流费 logistics",
    "marketing": "市场推广费 marketing", "water": "饮用水 drinking water", "gardening": "绿化费 gardening",
    "uniforms": "工服费 uniforms", "meals": "员工餐费 staff meals", "taxes-fees": "税费 taxes and levies",
    "decoration": "装饰费 decoration", "equipment-rental": "设备租赁 equipment rental",
}
NO_CASH = ("fixed-assets", "office-supplies", "labour-protection", "welfare")
CATEGORY_TYPE = {**{k: "income" for k in INCOME}, **{k: "liability" for k in LIABILITY}, **{k: "expense" for k in EXPENSE}}
CATEGORY_NAME = {**INCOME, **LIABILITY, **EXPENSE}
DEPOSIT_TYPES = {  # key: (name, fixed amount in cents or None, refund approvers, wait days)
    "site": ("场地定金 site deposit", None, ("finance-manager", "store-manager", "gm"), 0),
    "quality": ("商品质量保证金 quality guarantee", None,
                ("floor-manager", "customer-service-manager", "furniture-manager", "finance-manager", "store-manager", "gm"), 365),
    "fit-out": ("装修押金 fit-out deposit", None,
                ("floor-manager", "furniture-manager", "property-manager", "security-manager", "planning-manager",
                 "finance-manager", "store-manager", "gm"), 0),
    "construction-permit": ("施工证押金 construction permit", 5_000,
                            ("property-manager", "furniture-manager", "finance-manager", "store-manager"), 0),
    "electricity": ("电费押金 electricity deposit", None, ("finance-manager", "store-manager"), 0),
    "telephone": ("电话费押金 telephone deposit", 100_000, ("finance-manager", "store-manager"), 0),
    "banner": ("喷绘布押金 banner-cloth deposit", None, ("finance-manager", "store-manager"), 0),
}
ROLES = {
    "gm": ("总经理 general manager", "王建国"), "center-gm": ("中心总经理 centre general manager", "赵志刚"),
    "store-manager": ("店长 store manager", "李秀英"), "finance-manager": ("财务经理 finance manager", "陈静"),
    "dept-head": ("部门负责人 department head", "刘洋"), "floor-manager": ("楼层经理 floor manager", "吴磊"),
    "customer-service-manager": ("客服经理 customer-service manager", "郑敏"),
    "furniture-manager": ("家具部经理 furniture manager", "何伟"),
    "property-manager": ("物业经理 property manager", "周强"),
    "security-manager": ("保安经理 security manager", "马军"),
    "planning-manager": ("企划经理 planning manager", "孙丽"),
    "chief-accountant": ("主管会计 chief accountant", "高红梅"),
}
GM = "gm:王建国"


def approval(role: str) -> str:
    return f"{role}:{ROLES[role][1]}"


# -- export account names (cashbook.export.accounts, for this chart) ------------------------
COMPONENT = re.compile(r"^[A-Z0-9][A-Za-z0-9-]*$")
ROOT_OF = {"income": "Income", "expense": "Expenses", "liability": "Liabilities"}


def titled(key: str) -> str:
    return "-".join(p[:1].upper() + p[1:] for p in re.split(r"[-_.\s]+", key) if p)


def person_component(name: str) -> str:
    if COMPONENT.match(name):
        return name
    raw = name.encode("utf-8").hex().upper()
    if len(raw) > 64:
        raw = hashlib.sha256(name.encode("utf-8")).hexdigest()[:32].upper()
    return "U" + raw


def export_accounts() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """cashbook posting account -> export name, and export name -> metadata of its open."""
    names: dict[str, str] = {"cash": "Assets:Cash", "opening-balances": "Equity:Opening-Balances"}
    info: dict[str, dict[str, str]] = {"Assets:Cash": {"key": "cash", "name": "库存现金"}, "Equity:Opening-Balances": {}}
    for key, (name, bank, number) in BANKS.items():
        names[key] = f"Assets:Bank:{key.upper()}"
        info[names[key]] = {"key": key, "name": name, "bank": bank, "number": number}
    for key, kind in CATEGORY_TYPE.items():
        names[f"category:{key}"] = f"{ROOT_OF[kind]}:{titled(key)}"
        info[names[f"category:{key}"]] = {"key": key, "name": CATEGORY_NAME[key]}
    for key, (name, *_rest) in DEPOSIT_TYPES.items():
        names[f"deposits:{key}"] = f"Liabilities:Deposits:{titled(key)}"
        info[names[f"deposits:{key}"]] = {"key": key, "name": name}
    return names, info


# -- policies.toml ------------------------------------------------------------------------
def policies_text() -> str:
    out = [
        "# cashbook policies for the benchmark book (bench/generate.py): cashbook's default rules,",
        "# with a cash-on-hand limit of 50,000.00 for a desk taking about 500 entries a day.",
        "",
        "[book]",
        f'name = "{TITLE}"',
        f'currency = "{CUR}"',
        f'utc_offset = "{OFFSET}"',
        "",
        "[accounts.cash]",
        'type = "cash"',
        'name = "库存现金"',
    ]
    for key, (name, bank, number) in BANKS.items():
        out += ["", f"[accounts.{key}]", 'type = "bank"', f'name = "{name}"', f'bank = "{bank}"', f'number = "{number}"']
    out += ["", "[roles]"] + [f'{k} = "{v[0]}"' for k, v in ROLES.items()]
    out += ["", "[categories]"] + [f'{k} = {{ type = "{CATEGORY_TYPE[k]}", name = "{CATEGORY_NAME[k]}" }}' for k in CATEGORY_TYPE]
    for key, (name, amount, approvers, wait) in DEPOSIT_TYPES.items():
        out += ["", f"[deposit_types.{key}]", f'name = "{name}"']
        if amount is not None:
            out.append(f'amount = "{money(amount)}"')
        out.append("refund_approvers = [" + ", ".join(f'"{r}"' for r in approvers) + "]")
        if wait:
            out.append(f"refund_wait_days = {wait}")
    out += f"""
[rules.cash-over-limit]
severity = "warn"
limit = "{money(CASH_LIMIT)}"

[rules.cash-payment-limit]
severity = "block"
limit = "1000.00"
override = ["gm"]

[rules.no-cash-category]
severity = "block"
categories = [{", ".join(f'"{c}"' for c in NO_CASH)}]

[rules.needs-invoice]
severity = "block"
threshold = "100.00"

[rules.sitting-payment]
severity = "block"
override = ["gm"]

[rules.needs-approval]
severity = "block"

[[rules.needs-approval.bands]]
kind = "payment"
roles = ["gm"]

[[rules.needs-approval.bands]]
kind = "payment"
category = "compensation"
below = "3000.00"
roles = ["store-manager"]

[[rules.needs-approval.bands]]
kind = "payment"
category = "compensation"
from = "3000.00"
roles = ["gm", "center-gm"]

[[rules.needs-approval.bands]]
kind = "withdrawal"
roles = ["gm"]

[[rules.needs-approval.bands]]
kind = "advance"
roles = ["dept-head", "gm"]

[[rules.needs-approval.bands]]
kind = "adjustment"
roles = ["finance-manager", "gm"]

[rules.cheque-number-used]
severity = "block"

[rules.cheque-overdraft]
severity = "block"

[rules.cheque-payee-mismatch]
severity = "block"

[rules.words-mismatch]
severity = "block"

[rules.advance-overdue]
severity = "block"
days = 7

[rules.deposit-refund-invalid]
severity = "block"

[rules.compensation-unsettled]   # the generator books no recoveries: the handler is named, the month not enforced
severity = "block"
days = 36500

[rules.receipt-number-used]
severity = "block"

[rules.receipt-number-gap]
severity = "warn"

[rules.undeposited-takings]
severity = "warn"

[rules.count-difference]
severity = "block"
""".split("\n")
    return "\n".join(out).rstrip("\n") + "\n"


# -- small formatting helpers ---------------------------------------------------------------
CASH_PAYMENT_LIMIT = 100_000  # cents: rules.cash-payment-limit.limit
DEPARTMENTS = ("招商部", "营运部", "物业部", "企划部", "财务部")


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    c = -cents if cents < 0 else cents
    return f"{sign}{c // 100}.{c % 100:02d}"


_TOML_ESC = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_PLAIN = re.compile(r'^[^"\\\x00-\x1f\x7f]*$')


def toml_str(s: str) -> str:
    if s.isprintable() and '"' not in s and "\\" not in s:
        return f'"{s}"'
    out = []
    for ch in s:
        if ch in _TOML_ESC:
            out.append(_TOML_ESC[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_value(v) -> str:
    if isinstance(v, str):
        return toml_str(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (list, tuple)):
        if not v:
            return "[]"
        inner = []
        for item in v:
            text = toml_value(item)
            inner.append("    " + text.replace("\n", "\n    ") + ",")
        return "[\n" + "\n".join(inner) + "\n]"
    raise TypeError(type(v))


_BREAKS = re.compile(r"[\r\n\t\v\f\x00-\x08\x0e-\x1f]+")
_BEAN_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def one_line(text: str) -> str:
    if text.isprintable():
        return text.strip()
    return _BREAKS.sub(" ", text).strip()


def header_text(text: str) -> str:
    return one_line(text).replace(";", "；").replace("|", "｜")


def bean_quote(text: str) -> str:
    if text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    text = _BEAN_CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def meta_text(v) -> str:
    if isinstance(v, (list, tuple)):
        return "; ".join(str(x) for x in v)
    return str(v)


# fields that are not metadata in cashbook's export (cashbook.export.model._NOT_META)
NOT_META = {
    "id", "kind", "time", "amount", "account", "cash_account", "from_account", "to_account", "category",
    "returned", "spent", "reverses", "party", "target", "digest", "previous", "seal", "counts", "total",
    "book_balance", "counted",
}

DENOMS = (10000, 5000, 2000, 1000, 500, 100, 50, 10)  # cents


def denom_text(c: int) -> str:
    return str(c // 100) if c % 100 == 0 else f"{Decimal(c) / 100:f}".rstrip("0").rstrip(".")


def count_items(cents: int) -> list[str]:
    out = []
    for d in DENOMS:
        n, cents = divmod(cents, d)
        if n:
            out.append(f"{denom_text(d)}x{n}")
    if cents:
        raise ValueError("cash balance is not made of denominations")
    return out


# -- names ----------------------------------------------------------------------------------
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅志刚晓东海燕玉兰春梅文博子涵浩然欣怡宇轩"
BRAND = ("恒森 美达 欧梵 雅居 金檀 林语 锦绣 卓越 梦思 华美 东方 佳和 博雅 尚品 润泽 聚福 简约 木之语 凯撒 丽家 新潮 童趣 "
         "雅韵 宏达 天逸 栖木 意式 静岚 红星 金海 顺德 龙江 乐从 全友 双虎 联邦 曲美 华日 掌上 明珠 索菲亚 欧派 好莱客 "
         "诗尼曼 维意 尚品宅 志邦 金牌 我乐 皮阿诺 顾家 芝华仕 敏华 左右 慕思 喜临门 穗宝 雅兰 金可儿 舒达 丝涛 席梦思").split()
GOODS = ("实木家具 沙发城 整体橱柜 床品家纺 红木家具 北欧家居 窗帘布艺 办公家具 床垫专卖 灯饰 古典家具 实木地板 书房家具 "
         "定制衣柜 卫浴洁具 原木家具 皮艺沙发 软床 餐桌椅 儿童家具 藤编家具 五金配件 户外家具 集成家居 轻奢家具馆 茶台茶具").split()
SERVICE = ("保洁服务公司 保安服务公司 物业维修部 印务公司 广告传媒 物流公司 咨询有限公司 律师事务所 软件科技 园林绿化 "
           "工装定制 餐饮管理 装饰工程 设备租赁 办公设备 电脑城 加油站 停车场 洗车行 快递 文具店 劳保用品商行 电器商场 "
           "保险公司 培训学校 送水站 商贸公司 建材市场").split()
CITY = "北京 朝阳 海淀 丰台 通州 大兴 顺义 昌平 天津 廊坊 保定 石家庄 唐山 燕郊 亦庄".split()

SUPPLIER_CATEGORY = {
    "保洁服务公司": "cleaning", "保安服务公司": "security", "物业维修部": "repairs", "印务公司": "printing",
    "广告传媒": "marketing", "物流公司": "logistics", "咨询有限公司": "consulting", "律师事务所": "legal",
    "软件科技": "software", "园林绿化": "gardening", "工装定制": "uniforms", "餐饮管理": "meals",
    "装饰工程": "decoration", "设备租赁": "equipment-rental", "办公设备": "fixed-assets", "电脑城": "fixed-assets",
    "加油站": "vehicle", "停车场": "vehicle", "洗车行": "vehicle", "快递": "postage", "文具店": "office-supplies",
    "劳保用品商行": "labour-protection", "电器商场": "welfare", "保险公司": "insurance", "培训学校": "training",
    "送水站": "water", "商贸公司": "office", "建材市场": "repairs",
}
MISC_PAYEES = [("中国移动营业厅", "telecom"), ("中国电信营业厅", "telecom"), ("中国联通营业厅", "telecom"),
               ("市供电局", "utilities"), ("自来水公司", "utilities"), ("燃气公司", "utilities"),
               ("税务局", "taxes-fees"), ("铁路12306", "travel"), ("市出租汽车公司", "travel"), ("航空售票处", "travel"),
               ("湘味楼酒家", "entertainment"), ("福满楼茶餐厅", "entertainment"), ("全聚德", "entertainment"),
               ("中国邮政", "postage"), ("顺丰速运", "postage")]
MEMOS = {
    "rent": ["{m}月场地租金", "临时展位场地费", "{m}月租金"], "management-fee": ["{m}月物业管理费", "管理费补缴"],
    "electricity": ["预付电费充值", "{m}月电费"], "advertising": ["中庭广告位", "电梯广告{m}月"],
    "parking": ["停车费", "月卡停车费"], "promotion-fee": ["促销活动场地费", "{m}月促销分摊"],
    "service-fee": ["搬运服务费", "送货服务费"], "penalty-income": ["违规罚款", "消防违规罚款"],
    "sponsorship": ["活动赞助", "{m}月家居节赞助"], "storage-fee": ["仓库租用费", "临时仓储费"],
    "other-income": ["废品回收", "工本费"],
}


def make_names(rng: random.Random) -> dict[str, list]:
    merchants, seen = [], set()
    while len(merchants) < 400:
        name = rng.choice(BRAND) + rng.choice(GOODS)
        if len(merchants) % 7 == 3:
            name = rng.choice(CITY) + name
        if name not in seen:
            seen.add(name)
            merchants.append(name)
    suppliers = []
    while len(suppliers) < 260:
        kind = rng.choice(SERVICE)
        name = rng.choice(CITY) + rng.choice(BRAND) + kind
        if name not in seen:
            seen.add(name)
            suppliers.append((name, SUPPLIER_CATEGORY[kind]))
    suppliers += MISC_PAYEES
    people, staff = set(), []
    while len(staff) < 30:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        if name not in people:
            people.add(name)
            staff.append(name)
    customers = []
    while len(customers) < 120:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        if name not in people:
            people.add(name)
            customers.append(name)
    return {"merchants": merchants, "suppliers": suppliers, "staff": staff, "customers": customers}


def business_days(n_days: int, last: dt.date) -> list[dt.date]:
    days, d = [], last
    while len(days) < n_days:
        if d.weekday() < 5:
            days.append(d)
        d -= dt.timedelta(days=1)
    return days[::-1]


def default_days(entries: int) -> int:
    return max(math.ceil(entries / 500), min(250, max(1, entries // 40)))


# -- the generator --------------------------------------------------------------------------
class Writer:
    """Renders each entry three ways and writes day files, the ledger body and the beancount body."""

    def __init__(self, out: Path, meta: bool = True):
        self.out = out
        self.book = out / "cashbook"
        self.names, self.info = export_accounts()
        self.used: set[str] = set()
        self.tags: set[str] = set()
        self.meta = meta
        self.ledger_body = open(out / ".ledger.body", "w", encoding="utf-8", buffering=1 << 20)
        self.bean_body = open(out / ".bean.body", "w", encoding="utf-8", buffering=1 << 20)
        self.day_parts: list[str] = []
        self.day: dt.date | None = None
        self.kinds: Counter = Counter()
        self.first_day: dt.date | None = None
        self.seals: list[tuple[dt.date, str]] = []
        self.last_seal = ""

    def person_account(self, person: str) -> str:
        key = f"advances:{person}"
        if key not in self.names:
            name = f"Assets:Receivables:Advances:{person_component(person)}"
            self.names[key] = name
            self.info[name] = {"name": person}
        return self.names[key]

    def start_day(self, day: dt.date) -> None:
        self.day = day
        self.day_parts = [HEADER.format(date=day)]
        if self.first_day is None:
            self.first_day = day

    def day_text(self) -> str:
        return "\n".join(self.day_parts)

    def end_day(self) -> None:
        path = self.book / "journals" / f"{self.day:%Y}" / f"{self.day:%Y-%m-%d}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(self.day_text())

    def entry(self, eid: str, kind: str, time: str, fields: list[tuple[str, object]],
              postings: list[tuple[str, int]] | None, payee: str = "", narration: str = "",
              links: tuple[str, ...] = (), voided_by: str = "", voids: str = "", note: str = "") -> None:
        """One entry: ``fields`` in the order `to_record` gives (defaults left out)."""
        self.kinds[kind] += 1
        lines = ["[[entry]]", f'id = "{eid}"', f'kind = "{kind}"', f'time = "{time}"']
        for k, v in fields:
            lines.append(f"{k} = {toml_value(v)}")
        self.day_parts.append("\n".join(lines) + "\n")
        date = time[:10]
        meta = [("id", eid), ("kind", kind), ("time", time)]
        if voids:
            meta.append(("voids", voids))
        meta += [(k, meta_text(v)) for k, v in fields if k not in NOT_META]
        if voided_by:
            meta.append(("voided_by", voided_by))
        for k, _ in meta:
            self.tags.add(k)
        if postings is None:  # a note: cash count or day close
            account = self.names["cash"]
            self.used.add(account)
            self.ledger_body.write(f"; {date} {account}: {one_line(note)}\n\n")
            bean = [f"{date} note {account} {bean_quote(note)}"]
            if self.meta:
                bean += [f"  {k}: {bean_quote(v)}" for k, v in meta]
            self.bean_body.write("\n".join(bean) + "\n\n")
            return
        accts = [self.names[a] if a in self.names else self.person_account(a.partition(":")[2]) for a, _ in postings]
        self.used.update(accts)
        amounts = [money(c) for _, c in postings]
        width = max(len(a) for a in accts)
        aw = max(len(a) for a in amounts)
        narr = header_text(narration)
        head = f"{date} * ({eid}) {header_text(payee)} | {narr}" if payee else f"{date} * ({eid}) {narr}"
        led = [head]
        if self.meta:
            led += [f"    ; {k}: {one_line(v)}" for k, v in meta]
        led += [f"    {a:<{width}}  {m:>{aw}} {CUR}" for a, m in zip(accts, amounts)]
        self.ledger_body.write("\n".join(led) + "\n\n")
        head = f"{date} *" + (f" {bean_quote(payee)}" if payee else "") + f" {bean_quote(narration)}"
        for link in links:
            head += f" ^{link}"
        bean = [head]
        if self.meta:
            bean += [f"  {k}: {bean_quote(v)}" for k, v in meta]
        bean += [f"  {a:<{width}}  {m:>{aw}} {CUR}" for a, m in zip(accts, amounts)]
        self.bean_body.write("\n".join(bean) + "\n\n")

    def finish(self) -> None:
        self.ledger_body.close()
        self.bean_body.close()
        (self.book / "policies.toml").write_text(policies_text(), encoding="utf-8")
        from cashbook.store.policyversions import keep_first_version
        keep_first_version(self.book, self.first_day)  # as a book in use: its first write keeps the rules it was recorded under
        (self.book / ".gitignore").write_text("# cashbook: lock file and disposable cache\n.cashbook.lock\n.cashbook/\n", encoding="utf-8")
        log = SEAL_LOG_HEADER + "".join(f"{d} {s}\n" for d, s in self.seals)
        (self.book / "journals" / "seals.log").write_text(log, encoding="utf-8")
        used = sorted(self.used)
        tags = set(self.tags) if self.meta else set()
        for name in used:
            tags.update(self.info.get(name, {}))
        head = [f"; cashbook export: {one_line(TITLE)}",
                "; generated by `cashbook export --to ledger`; for ledger 3 and hledger; amounts exactly as stored",
                "", f"commodity {CUR}", f"    format 1000.00 {CUR}", ""]
        head += [f"tag {t}" for t in sorted(tags)]
        if tags:
            head.append("")
        for name in used:
            head.append(f"account {name}")
            head += [f"    ; {k}: {one_line(v)}" for k, v in sorted(self.info.get(name, {}).items())]
        head.append("")
        _join(self.out / "ledger.journal", "\n".join(head) + "\n", self.out / ".ledger.body")
        head = [f"; cashbook export: {TITLE}",
                "; generated by `cashbook export --to beancount`; amounts exactly as stored",
                f"option \"title\" {bean_quote(TITLE)}", f"option \"operating_currency\" \"{CUR}\"", ""]
        for name in used:
            head.append(f"{self.first_day.isoformat()} open {name} {CUR}")
            head += [f"  {k}: {bean_quote(v)}" for k, v in sorted(self.info.get(name, {}).items())]
        head.append("")
        _join(self.out / "book.beancount", "\n".join(head) + "\n", self.out / ".bean.body")


def _join(target: Path, head: str, body: Path) -> None:
    """head + body, with the body's trailing blank line dropped (the exports end with one newline)."""
    size = body.stat().st_size
    with open(target, "w", encoding="utf-8", newline="\n") as out:
        out.write(head)
        out.flush()
        with open(body, "rb") as src, open(target, "ab") as raw:
            remaining = max(size - 1, 0)  # every body item ends "\n\n": keep one
            while remaining > 0:
                chunk = src.read(min(remaining, 1 << 22))
                if not chunk:
                    break
                raw.write(chunk)
                remaining -= len(chunk)
    body.unlink()


class Desk:
    """The simulation: balances, numbers and open items, so every rule holds."""

    def __init__(self, rng: random.Random, w: Writer, names: dict):
        self.rng = rng
        self.w = w
        self.n = names
        self.bal = dict.fromkeys(OPENING, 0)
        self.cheque_no = {"icbc": 30_500_000, "cmb": 10_200_000, "boc": 50_800_000}
        self.receipt_no = 0
        self.slip_no = 0
        self.ref_no = 0
        self.invoice_no = 10_000_000
        self.open_deposits: deque = deque()  # (id, party, type, cents, account, date)
        self.open_advances: dict[str, tuple] = {}  # person -> (id, cents, settle_on)
        self.seq = 0
        self.day: dt.date | None = None
        self.q = 0
        self.slot = 0

    # -- ids, times, numbers
    def next_id(self) -> str:
        self.seq += 1
        return f"{self.id_prefix}{self.seq:03d}"

    def time(self) -> str:
        """Times spread over 08:00-18:00 by slot."""
        secs = 8 * 3600 + (self.slot * 36000) // max(self.q, 1)
        self.slot += 1
        return f"{self.iso_day}T{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}{OFFSET}"

    def cheque(self, account: str) -> str:
        self.cheque_no[account] += 1
        return str(self.cheque_no[account])

    def receipt(self) -> str:
        self.receipt_no += 1
        return f"SJ{self.receipt_no:07d}"

    def invoice(self) -> str:
        self.invoice_no += self.rng.randint(1, 97)
        return str(self.invoice_no)

    def cash_amount(self, lo: int, hi: int) -> int:
        """cents, a multiple of 0.50, in [lo, hi] yuan."""
        return self.rng.randint(lo * 2, hi * 2) * 50

    def bank_amount(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo * 100, hi * 100)

    def bank_with(self, cents: int) -> str | None:
        choices = [b for b in ("icbc", "cmb", "boc") if self.bal[b] >= cents]
        return self.rng.choice(choices) if choices else None

    def post(self, postings) -> None:
        for a, c in postings:
            if a in self.bal:
                self.bal[a] += c

    def emit(self, kind, fields, postings, payee="", narration="", memo="", **kw) -> str:
        eid = kw.pop("eid", None) or self.next_id()
        time = self.time()
        if memo:
            fields = [("memo", memo)] + fields
            narration = f"{narration} - {memo}"
        self.w.entry(eid, kind, time, fields, postings, payee, narration, **kw)
        if postings:
            self.post(postings)
        return eid

    # -- entries
    def opening(self, account: str, cents: int) -> None:
        self.emit("opening", [("account", account), ("amount", money(cents))],
                  [(account, cents), ("opening-balances", -cents)], narration=f"opening balance of {account}")

    def withdrawal(self, cents: int) -> None:
        bank = self.bank_with(cents) or "icbc"
        self.emit("withdrawal", [("account", bank), ("amount", money(cents)), ("cheque", self.cheque(bank)), ("approvals", [GM])],
                  [("cash", cents), (bank, -cents)], narration=f"cash withdrawn from {bank}", memo="提取备用金")

    def bank_deposit(self, cents: int, memo: str) -> None:
        bank = self.rng.choice(("icbc", "icbc", "cmb", "boc"))
        self.slip_no += 1
        self.emit("bank-deposit", [("account", bank), ("amount", money(cents)), ("slip", f"JK{self.slip_no:08d}")],
                  [(bank, cents), ("cash", -cents)], narration=f"cash banked into {bank}", memo=memo)

    def cash_receipt(self) -> int:
        rng = self.rng
        category = rng.choices(("rent", "management-fee", "electricity", "advertising", "parking", "promotion-fee",
                                "service-fee", "penalty-income", "sponsorship", "storage-fee", "other-income"),
                               (20, 20, 25, 5, 10, 4, 6, 2, 1, 2, 5))[0]
        party = rng.choice(self.n["merchants"]) if category not in ("parking", "service-fee") else rng.choice(self.n["customers"])
        cents = self.cash_amount(10, 5000)
        memo = rng.choice(MEMOS[category]).format(m=self.day.month)
        self.emit("receipt", [("amount", money(cents)), ("party", party), ("category", category), ("doc", self.receipt())],
                  [("cash", cents), (f"category:{category}", -cents)], party, f"receipt for {category}", memo)
        return cents

    def bank_receipt(self, void: bool = False) -> None:
        rng = self.rng
        category = rng.choices(("rent", "management-fee", "electricity", "advertising", "promotion-fee", "sponsorship"),
                               (35, 30, 15, 10, 6, 4))[0]
        party = rng.choice(self.n["merchants"])
        bank = rng.choice(("icbc", "icbc", "cmb", "boc"))
        method = "pos" if rng.random() < 0.3 else "transfer"
        cents = self.bank_amount(200, 120000)
        memo = rng.choice(MEMOS[category]).format(m=self.day.month)
        fields = [("account", bank), ("amount", money(cents)), ("method", method), ("party", party), ("category", category)]
        postings = [(bank, cents), (f"category:{category}", -cents)]
        if not void:
            self.emit("receipt", fields, postings, party, f"receipt for {category}", memo)
            return
        target = self.next_id()
        void_id = self.next_id()
        self.emit("receipt", fields, postings, party, f"receipt for {category}", memo, eid=target, links=(target,), voided_by=void_id)
        reason = "金额开错, 重新入账"
        reverses = [(a, -c) for a, c in postings]
        self.emit("void", [("target", target), ("reason", reason), ("reverses", [[a, money(c)] for a, c in reverses])],
                  reverses, party, f"void of {target}: {reason}", eid=void_id, links=(target,), voids=target)

    def payment_fields(self, cents: int, party: str, category: str, method: str, account: str | None, cheque: str = "") -> list:
        fields = []
        if account:
            fields.append(("account", account))
        fields.append(("amount", money(cents)))
        if method != "cash":
            fields.append(("method", method))
        fields += [("party", party), ("category", category)]
        if cheque:
            fields.append(("cheque", cheque))
        if cents > 10_000 or self.rng.random() < 0.5:
            fields.append(("invoice", self.invoice()))
            if cheque:
                fields.append(("invoice_party", party))
        if cheque:
            from cashbook.core.words import to_words

            fields.append(("words", to_words(Decimal(cents) / 100)))
        approvals = [GM]
        if category == "compensation":
            approvals = [GM, approval("store-manager")] if cents < 300_000 else [GM, approval("center-gm")]
            fields.append(("handler", self.n["staff"][cents % len(self.n["staff"])]))
        fields.append(("approvals", approvals))
        return fields

    def pick_supplier(self, cash: bool) -> tuple[str, str]:
        while True:
            party, category = self.rng.choice(self.n["suppliers"])
            if not cash or category not in NO_CASH:
                return party, category

    def cash_payment(self, cents: int) -> None:
        if self.rng.random() < 0.04:
            party, category = self.rng.choice(self.n["customers"]), "compensation"
        else:
            party, category = self.pick_supplier(cash=True)
        self.emit("payment", self.payment_fields(cents, party, category, "cash", None),
                  [(f"category:{category}", cents), ("cash", -cents)], party, f"payment for {category}",
                  self.rng.choice(("", "", "报销", "零星采购")))

    def bank_payment(self, by_cheque: bool) -> bool:
        rng = self.rng
        if rng.random() < 0.03:
            party, category, cents = "工资代发专户", "wages", self.bank_amount(50000, 400000)
        else:
            party, category = self.pick_supplier(cash=False)
            cents = self.bank_amount(150, 60000)
        account = self.bank_with(cents)
        if account is None:
            return False
        method = "cheque" if by_cheque else "transfer"
        cheque = self.cheque(account) if by_cheque else ""
        narration = f"payment for {category}" + (f" by cheque {cheque}" if cheque else "")
        self.emit("payment", self.payment_fields(cents, party, category, method, account, cheque),
                  [(f"category:{category}", cents), (account, -cents)], party, narration, rng.choice(("", "货款", "服务费")))
        return True

    def transfer(self) -> bool:
        cents = self.bank_amount(10000, 500000)
        src = self.bank_with(cents)
        if src is None:
            return False
        dst = self.rng.choice([b for b in BANKS if b != src])
        self.ref_no += 1
        self.emit("transfer", [("from_account", src), ("to_account", dst), ("amount", money(cents)), ("ref", f"ZZ{self.ref_no:08d}")],
                  [(dst, cents), (src, -cents)], narration=f"transfer {src} -> {dst}", memo="资金调拨")
        return True

    def collection(self) -> int:
        party = self.rng.choice(self.n["merchants"])
        owner = self.rng.choice(("市供电局", "自来水公司", "燃气公司", "有线电视台"))
        cents = self.cash_amount(20, 2000)
        self.emit("collection", [("amount", money(cents)), ("party", party), ("on_behalf_of", owner), ("doc", self.receipt())],
                  [("cash", cents), ("category:collection", -cents)], party, f"collected for {owner} (collection)", "代收费用")
        return cents

    def deposit_hold(self) -> int:
        rng = self.rng
        dtype = rng.choices(list(DEPOSIT_TYPES), (10, 6, 8, 10, 6, 4, 6))[0]
        fixed = DEPOSIT_TYPES[dtype][1]
        units = rng.randint(1, 3) if fixed else 1
        cents = fixed * units if fixed else (self.cash_amount(500, 3000) if rng.random() < 0.5 else self.bank_amount(5000, 80000))
        party = rng.choice(self.n["merchants"])
        cash = cents <= 300_000 and cents % 50 == 0
        account = "cash" if cash else rng.choice(list(BANKS))
        fields = ([] if cash else [("account", account)]) + [("amount", money(cents))]
        if not cash:
            fields.append(("method", "transfer"))
        fields += [("party", party), ("type", dtype), ("doc", self.receipt())]
        if units != 1:
            fields.append(("units", units))
        eid = self.emit("deposit-hold", fields, [(account, cents), (f"deposits:{dtype}", -cents)], party, f"{dtype} deposit held",
                        f"{DEPOSIT_TYPES[dtype][0].split()[0]}")
        self.open_deposits.append((eid, party, dtype, cents, account, self.day))
        return cents if cash else 0

    def deposit_refund(self, spare: int) -> int:
        """Refund the oldest open deposit (at least 20 days old); in cash when it was paid in cash and fits ``spare``.
        Returns the cash paid out, or -1 when there is nothing to refund."""
        # the oldest deposit at least 20 days old (one refundable only after a wait: that wait after it was taken)
        found = next((i for i, d in enumerate(self.open_deposits)
                      if (self.day - d[5]).days >= max(20, DEPOSIT_TYPES[d[2]][3] + 10)), None)
        if found is None:
            return -1
        eid, party, dtype, cents, account, _ = self.open_deposits[found]
        cash = account == "cash" and cents <= spare and cents <= CASH_PAYMENT_LIMIT  # no cash payout above the limit
        bank = None if cash else self.bank_with(cents)
        if not cash and bank is None:
            return -1
        del self.open_deposits[found]
        fields = ([] if cash else [("account", bank)]) + [("amount", money(cents))]
        if not cash:
            fields.append(("method", "transfer"))
        fields += [("deposit", eid), ("party", party), ("type", dtype)]
        if DEPOSIT_TYPES[dtype][3]:
            fields.append(("left_on", (self.day - dt.timedelta(days=DEPOSIT_TYPES[dtype][3] + 10)).isoformat()))
        fields.append(("approvals", [approval(r) for r in DEPOSIT_TYPES[dtype][2]]))
        src = "cash" if cash else bank
        self.emit("deposit-refund", fields, [(f"deposits:{dtype}", cents), (src, -cents)], party,
                  f"{dtype} deposit {eid} refunded", "押金退还")
        return cents if cash else 0

    def advance(self, cents: int) -> bool:
        free = [p for p in self.n["staff"] if p not in self.open_advances]
        if not free:
            return False
        person = self.rng.choice(free)
        due = self.day + dt.timedelta(days=self.rng.randint(3, 10))
        purpose = self.rng.choice(("出差 上海家具展", "出差 广州采购", "出差 成都招商", "会务费", "外地考察"))
        eid = self.emit("advance", [("amount", money(cents)), ("person", person), ("purpose", purpose), ("due", due.isoformat()),
                                    ("department", DEPARTMENTS[len(person) % len(DEPARTMENTS)]),
                                    ("approvals", [approval("dept-head"), GM])],
                        [(f"advances:{person}", cents), ("cash", -cents)], person, f"advance for {purpose}, due {due.isoformat()}")
        settle_on = self.day + dt.timedelta(days=self.rng.randint(1, 10))
        self.open_advances[person] = (eid, cents, settle_on)
        return True

    def settlements_due(self) -> list[str]:
        return [p for p, (_, _, on) in self.open_advances.items() if on <= self.day]

    def settlement(self, person: str) -> int:
        eid, cents, _ = self.open_advances.pop(person)
        spent = min(cents, self.cash_amount(50, cents // 100 + 300))
        returned = cents - spent
        category = self.rng.choice(("travel", "travel", "entertainment", "meals"))
        fields = [("advance", eid), ("person", person)]
        if returned:
            fields.append(("returned", money(returned)))
        fields += [("spent", money(spent)), ("category", category), ("invoice", self.invoice())]
        postings = ([("cash", returned)] if returned else []) + [(f"category:{category}", spent), (f"advances:{person}", -cents)]
        self.emit("settlement", fields, postings, person, f"settlement of advance {eid}", "差旅报销")
        return returned

    def bank_entries(self) -> list:
        """Fees each month's first business day; interest each quarter's."""
        out = []
        for bank in BANKS:
            out.append(("fee", bank))
            if self.day.month in (1, 4, 7, 10):
                out.append(("interest", bank))
        return out

    def bank_entry(self, what: str, bank: str) -> None:
        if what == "fee":
            cents = self.bank_amount(5, 300)
            self.emit("bank-entry", [("account", bank), ("amount", money(cents)), ("direction", "debit"), ("category", "bank-fees")],
                      [("category:bank-fees", cents), (bank, -cents)], narration="bank-entry", memo="账户管理费及手续费")
        else:
            cents = self.bank_amount(100, 20000)
            self.emit("bank-entry", [("account", bank), ("amount", money(cents)), ("direction", "credit"), ("category", "interest")],
                      [(bank, cents), ("category:interest", -cents)], narration="bank-entry", memo="季度结息")

    def close(self, last_day: bool) -> None:
        cash = self.bal["cash"]
        if last_day:
            return
        items = count_items(cash)
        self.emit("cash-count", [("counts", items), ("total", money(cash))], None,
                  note=f"cash count {self.day:%Y%m%d}-{self.seq + 1:03d}: {' '.join(items)} = {money(cash)} {CUR}")
        from cashbook.core.close import seal_value

        eid = self.next_id()
        prefix = self.w.day_text() + "\n"
        digest = hashlib.sha256(prefix.encode("utf-8")).hexdigest()
        amount = Decimal(cash) / 100
        seal = seal_value(self.day, digest, self.w.last_seal, amount, amount)
        fields = [("book_balance", money(cash)), ("counted", money(cash)), ("digest", digest)]
        if self.w.last_seal:
            fields.append(("previous", self.w.last_seal))
        fields.append(("seal", seal))
        self.emit("day-close", fields, None, eid=eid,
                  note=f"day close {eid}: book balance {money(cash)} {CUR}, counted {money(cash)} {CUR}, seal {seal}")
        self.w.last_seal = seal
        self.w.seals.append((self.day, seal))

    # -- one business day with exactly q entries
    def run_day(self, day: dt.date, q: int, first: bool, last: bool, month_start: bool) -> None:
        rng = self.rng
        self.day, self.q, self.slot, self.seq = day, q, 0, 0
        self.id_prefix, self.iso_day = f"{day:%Y%m%d}-", day.isoformat()
        self.w.start_day(day)
        left = q
        if first:
            for account, cents in OPENING.items():
                self.opening(account, cents)
            left -= len(OPENING)
        closing = 0 if last else 2
        left -= closing + 1  # the close, and the end-of-day banking
        # plan the day's cash payments (sitting payment: funded by the float plus the morning withdrawal)
        settle = self.settlements_due()[: max(0, left // 4)]
        plan: list[tuple[str, int]] = []
        cash_out = 0
        budget = max(0, left - len(settle) - 1)
        for _ in range(budget):
            r = rng.random()
            if r < 0.34:
                plan.append(("cash-receipt", 0))
            elif r < 0.50:
                plan.append(("bank-receipt", 0))
            elif r < 0.51:
                plan.append(("bank-receipt-void", 0))
            elif r < 0.68:
                cents = self.cash_amount(5, 1000)
                if cash_out + cents <= MAX_CASH_OUT:
                    cash_out += cents
                    plan.append(("cash-payment", cents))
                else:
                    plan.append(("bank-payment", 0))
            elif r < 0.80:
                plan.append(("bank-payment", 0))
            elif r < 0.85:
                plan.append(("cheque-payment", 0))
            elif r < 0.87:
                plan.append(("transfer", 0))
            elif r < 0.92:
                plan.append(("collection", 0))
            elif r < 0.955:
                plan.append(("deposit-hold", 0))
            elif r < 0.975:
                plan.append(("deposit-refund", 0))
            elif r < 0.985:
                cents = self.cash_amount(500, 1000)  # advances in cash stay within the cash-payment limit
                if cash_out + cents <= MAX_CASH_OUT:
                    cash_out += cents
                    plan.append(("advance", cents))
                else:
                    plan.append(("cash-receipt", 0))
            else:
                plan.append(("cash-receipt", 0))
        if month_start:
            plan[:0] = [("bank-entry", i) for i in range(len(self.bank_entries()))]
        self.day_opening = self.bal["cash"]
        need = cash_out + FLOAT - self.bal["cash"]
        withdraw = -(-need // 10_000) * 10_000 if need > 0 else 0
        if withdraw and left > 0:
            self.withdrawal(withdraw)
            left -= 1
        # sitting payment: cash paid out today may use only the opening balance plus today's withdrawals
        room = self.day_opening + withdraw
        takings = banked = 0
        for person in settle:
            takings += self.settlement(person)
            left -= 1
        planned_left = cash_out
        entries = self.bank_entries() if month_start else []
        i = 0
        while left > 0:
            if self.bal["cash"] > BANK_AT:
                # only takings are banked at midday: banking the float would leave less than the planned payments
                # may use (sitting payment: the float banked no longer funds anything)
                amount = min(self.bal["cash"] - planned_left - FLOAT, takings - banked) // 10_000 * 10_000
                if amount > 0:
                    self.bank_deposit(amount, "午间送存现金收入")
                    banked += amount
                    left -= 1
                    continue
            kind, cents = plan[i] if i < len(plan) else ("cash-receipt", 0)
            i += 1
            if kind == "bank-receipt-void" and left < 2:
                kind = "bank-receipt"
            if kind == "cash-receipt":
                takings += self.cash_receipt()
            elif kind == "bank-receipt":
                self.bank_receipt()
            elif kind == "bank-receipt-void":
                self.bank_receipt(void=True)
                left -= 1
            elif kind == "cash-payment":
                self.cash_payment(cents)
                planned_left -= cents
                room -= cents
            elif kind in ("bank-payment", "cheque-payment"):
                if not self.bank_payment(kind == "cheque-payment"):
                    takings += self.cash_receipt()
            elif kind == "transfer":
                if not self.transfer():
                    self.bank_receipt()
            elif kind == "collection":
                takings += self.collection()
            elif kind == "deposit-hold":
                takings += self.deposit_hold()
            elif kind == "deposit-refund":
                # a refund in cash only from what the planned payments leave of the day's room and of the drawer
                spare = min(room, self.bal["cash"]) - planned_left
                got = self.deposit_refund(spare)
                if got < 0:
                    takings += self.cash_receipt()
                room -= max(got, 0)
            elif kind == "advance":
                if self.advance(cents):
                    room -= cents
                else:
                    takings += self.cash_receipt()
                planned_left -= cents
            elif kind == "bank-entry":
                what, bank = entries[cents]
                self.bank_entry(what, bank)
            left -= 1
        # bank the day's takings (same-day banking), keep the float
        cash = self.bal["cash"]
        amount = min(max(takings - banked, cash - FLOAT), cash)
        if amount > 0:
            self.bank_deposit(amount, "当日现金收入送存")
        else:  # nothing to bank: a bank receipt takes the slot
            self.bank_receipt()
        self.close(last)
        self.w.end_day()


def generate(entries: int, out: Path, seed: int = 1, days: int | None = None, meta: bool = True) -> dict:
    started = _time.perf_counter()
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    (out / "cashbook" / "journals").mkdir(parents=True)
    rng = random.Random(seed)
    names = make_names(rng)
    w = Writer(out, meta=meta)
    desk = Desk(rng, w, names)
    n_days = days or default_days(entries)
    cal = business_days(n_days, LAST_DAY)
    base, extra = divmod(entries, n_days)
    minimum = 4 + len(OPENING) + 3 * len(BANKS) + 2
    if base < minimum:
        raise SystemExit(f"--entries {entries} over {n_days} days is {base} a day; at least {minimum} a day are needed")
    prev_month = None
    for i, day in enumerate(cal):
        q = base + (1 if i < extra else 0)
        month_start = prev_month is not None and day.month != prev_month
        prev_month = day.month
        desk.run_day(day, q, first=i == 0, last=i == len(cal) - 1, month_start=month_start)
    w.finish()
    total = sum(w.kinds.values())
    assert total == entries, (total, entries)
    mid = cal[len(cal) // 2]
    info = {
        "entries": entries, "seed": seed, "days": n_days, "first_day": cal[0].isoformat(), "last_day": cal[-1].isoformat(),
        "middle_month": f"{mid:%Y-%m}", "kinds": dict(sorted(w.kinds.items())),
        "payees": len(names["merchants"]) + len(names["suppliers"]) + len(names["staff"]) + len(names["customers"]) + 1,
        "categories": len(CATEGORY_TYPE), "metadata": meta, "generator": GENERATOR_VERSION,
        "seconds": round(_time.perf_counter() - started, 2),
        "bytes": {name: _size(out / name) for name in ("cashbook", "ledger.journal", "book.beancount")},
    }
    (out / "meta.json").write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return info


GENERATOR_VERSION = 3  # 2: the book keeps its first policy version (journals/policies/); 3: midday banking takes takings only


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entries", type=int, required=True, help="number of entries in the book (all kinds)")
    ap.add_argument("--out", type=Path, required=True, help="output folder (replaced)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--days", type=int, default=None, help="business days (default: max(ceil(N/500), min(250, N//40)))")
    ap.add_argument("--no-meta", action="store_true", help="leave metadata out of the ledger and beancount files")
    args = ap.parse_args(argv)
    info = generate(args.entries, args.out, args.seed, args.days, meta=not args.no_meta)
    print(json.dumps(info, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
