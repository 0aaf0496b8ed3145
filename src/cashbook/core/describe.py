"""How an entry reads in a journal: its summary (摘要) and its document number."""

from __future__ import annotations

from .entries import EntryBase


class Bi(str):
    """Text with its Chinese: it is the English (JSON, CSV, --lang en), and `.zh` under --lang zh."""

    zh: str

    def __new__(cls, en: str, zh: str):
        text = super().__new__(cls, en)
        text.zh = zh
        return text

    def codec_args(self) -> tuple[str, str]:
        """What rebuilds it (``Bi(*args)``): how a kept report stores it."""
        return str(self), self.zh


def summary_bi(entry: EntryBase) -> Bi:
    """The 摘要 in English, carrying its Chinese."""
    return Bi(summary(entry), summary_zh(entry))


ZH_DIRECTION = {"overage": "长款", "shortage": "短款", "in": "收入", "out": "支出", "credit": "收入", "debit": "支出"}


def summary_zh(entry: EntryBase) -> str:
    """The 摘要 in Chinese: the same facts (names, keys and numbers stay as written)."""
    k = entry.kind
    e = entry
    direction = ZH_DIRECTION.get(str(e.field("direction", "")), str(e.field("direction", "")))
    parts = {
        "receipt": lambda: [f"收{e.party}款", e.category],
        "collection": lambda: [f"代{e.on_behalf_of}收{e.party}款"],
        "payment": lambda: [f"付{e.party}款", e.category],
        "bank-deposit": lambda: [f"现金存入{e.account}"],
        "withdrawal": lambda: [f"从{e.account}提取现金"],
        "transfer": lambda: [f"{e.from_account}转入{e.to_account}"],
        "advance": lambda: [f"{e.person}借款", e.purpose, f"应还日 {e.due}"],
        "settlement": lambda: [f"{e.person}报销/还款 {e.advance}"],
        "deposit-hold": lambda: [f"收{e.party}押金 {e.type}"],
        "deposit-refund": lambda: [f"退{e.party}押金 {e.type}"],
        "bank-entry": lambda: [f"银行{direction}", e.category],
        "opening": lambda: ["期初余额"],
        "void": lambda: [f"冲销 {e.target}", e.reason],
        "adjustment": lambda: [f"现金{direction}"],
        "receipt-book": lambda: [f"收据 {e.first}..{e.last} 领用给 {e.till}（{e.to}）"],
        "receipt-book-return": lambda: [f"收据 {e.book} 由 {e.by} 交回"],
        "receipt-spoiled": lambda: [f"收据 {e.doc} 作废", e.reason],
        "sign": lambda: [f"{e.target} 由 {'、'.join(str(a) for a in e.approvals)} 补签"],
        "cheque-book": lambda: [f"{e.account} 支票 {e.first}..{e.last} 登记"],
        "cheque-spoiled": lambda: [f"支票 {e.cheque} 作废", e.reason],
        "handover": lambda: [f"{e.till} 收款由 {e.giver} 交给 {e.receiver}"],
        "recovery": lambda: [f"向 {e.party} 收回赔偿 {e.payment}"],
        "cash-count": lambda: [f"{e.account} 现金盘点"],
        "day-close": lambda: ["日结封账"],
    }.get(k, lambda: [k])()
    if entry.memo:
        parts.append(entry.memo)
    return "；".join(str(p) for p in parts if p)


def summary(entry: EntryBase, lang: str = "en") -> str:
    """The 摘要 line of an entry, in the cashier's words."""
    if lang == "zh":
        return summary_zh(entry)
    k = entry.kind
    e = entry
    parts: list[str]
    if k == "receipt":
        parts = [f"receipt from {e.party}", e.category]
    elif k == "collection":
        parts = [f"collected from {e.party} for {e.on_behalf_of}"]
    elif k == "payment":
        parts = [f"paid to {e.party}", e.category]
    elif k == "bank-deposit":
        parts = [f"cash banked into {e.account}"]
    elif k == "withdrawal":
        parts = [f"cash withdrawn from {e.account}"]
    elif k == "transfer":
        parts = [f"transfer {e.from_account} -> {e.to_account}"]
    elif k == "advance":
        parts = [f"advance to {e.person}", e.purpose, f"due {e.due}"]
    elif k == "settlement":
        parts = [f"settlement of {e.advance} by {e.person}"]
    elif k == "deposit-hold":
        parts = [f"{e.type} deposit from {e.party}"]
    elif k == "deposit-refund":
        parts = [f"{e.type} deposit refunded to {e.party}"]
    elif k == "bank-entry":
        parts = [f"bank {e.direction}", e.category]
    elif k == "opening":
        parts = ["opening balance"]
    elif k == "void":
        parts = [f"void of {e.target}", e.reason]
    elif k == "adjustment":
        parts = [f"cash {e.direction}"]
    elif k == "receipt-book":
        parts = [f"receipt book {e.first}..{e.last} issued to {e.till} ({e.to})"]
    elif k == "receipt-book-return":
        parts = [f"receipt book {e.book} returned by {e.by}"]
    elif k == "receipt-spoiled":
        parts = [f"receipt {e.doc} spoiled (作废)", e.reason]
    elif k == "sign":
        parts = [f"{e.target} signed by {', '.join(str(a) for a in e.approvals)} (补签)"]
    elif k == "cheque-book":
        parts = [f"cheque book {e.first}..{e.last} of {e.account}"]
    elif k == "cheque-spoiled":
        parts = [f"cheque {e.cheque} spoiled (作废)", e.reason]
    elif k == "handover":
        parts = [f"{e.till} takings handed over by {e.giver} to {e.receiver}"]
    elif k == "recovery":
        parts = [f"compensation {e.payment} recovered from {e.party}"]
    else:
        parts = [k]
    if entry.memo:
        parts.append(entry.memo)
    return "; ".join(p for p in parts if p)


def document(entry: EntryBase) -> str:
    for name in ("doc", "invoice", "cheque", "slip", "ref", "line"):
        value = getattr(entry, name, "")
        if value:
            return f"chq {value}" if name == "cheque" else value
    return ""
