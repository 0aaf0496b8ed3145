"""What a recording command prints: the new entry's id and the new balance, and any warnings."""

from __future__ import annotations

import sys

from ..core.money import fmt_grouped
from . import console, dumps, shown


def touched_accounts(entry, policy) -> list[str]:
    return [p.account for p in entry.postings() if p.account in policy.accounts]


def _lang() -> str:
    from ..core.lang import Current

    return Current.lang


def _schema(kind: str) -> str:
    return f"cashbook.{kind}/1"


def print_recorded(entry, state, warnings, policy, fmt: str, lang: str | None = None) -> None:
    lang = lang or _lang()
    accounts = touched_accounts(entry, policy) or [getattr(entry, "account", "cash")]
    main = accounts[-1] if entry.kind in ("bank-deposit", "transfer") else accounts[0]
    if entry.kind in ("bank-deposit",):
        main = entry.account
    amount = getattr(entry, "amount", None)
    if entry.kind == "cash-count":
        amount = entry.total
    count = count_sheet(entry, state) if entry.kind == "cash-count" else {}
    if fmt == "json":
        sys.stdout.write(dumps({
            "schema": _schema("recorded"), "id": entry.id, "date": entry.date, "time": entry.time, "kind": entry.kind, "amount": amount,
            "account": main, "balance": state.balance(main),
            "balances": {a: state.balance(a) for a in dict.fromkeys(accounts)},
            "warnings": [w.as_json() for w in warnings],
            "entry": entry.to_record(), **count,
        }) + "\n")
        return
    if lang == "zh":
        from .zh import kind, problem_line

        if count:
            print(f"现金盘点表 {entry.account} {entry.date}")
            for row in count["denominations"]:
                print(f"  {row['denomination']:>6} × {row['count']:<7} {fmt_grouped(row['amount']):>14}")
            diff = count["difference"]
            label = "" if not diff else ("（长款）" if diff > 0 else "（短款）")
            print(f"  实点 {fmt_grouped(entry.total):>20}\n  账面 {fmt_grouped(count['book_balance']):>20}\n"
                  f"  差额 {fmt_grouped(diff):>20}{label}")
        what = f" {fmt_grouped(amount)}" if amount is not None else ""
        balances = "，".join(f"{a} 余额 {fmt_grouped(state.balance(a))}" for a in dict.fromkeys(accounts))
        print(f"已记账 {entry.id} {kind(entry.kind)}{what}，日期 {entry.date}" + (f"；{balances}" if balances else ""))
        for w in warnings:
            print(f"提醒：{shown(problem_line(w, 'zh'))}", file=sys.stderr)
        return
    if count:
        print(f"现金盘点表 cash count {entry.account} {entry.date}")
        for row in count["denominations"]:
            print(f"  {row['denomination']:>6} × {row['count']:<7} {fmt_grouped(row['amount']):>14}")
        diff = count["difference"]
        label = "" if not diff else (" 长款 overage" if diff > 0 else " 短款 shortage")
        print(f"  counted 实点 {fmt_grouped(entry.total):>20}\n  book 账面 {fmt_grouped(count['book_balance']):>23}\n"
              f"  difference 差额 {fmt_grouped(diff):>17}{label}")
    # one plain line each (no rich here: it would cost a recording command a tenth of its time)
    what = f" {fmt_grouped(amount)}" if amount is not None else ""
    balances = ", ".join(f"{a} balance {fmt_grouped(state.balance(a))}" for a in dict.fromkeys(accounts))
    print(f"recorded {entry.id} {entry.kind}{what} on {entry.date}" + (f"; {balances}" if balances else ""))
    for w in warnings:
        print(f"warning: {w.code}: {shown(w.message)}", file=sys.stderr)


def count_sheet(entry, state) -> dict:
    """现金盘点表: the denominations counted, the book balance and the over/short amount."""
    from decimal import Decimal

    rows = []
    for item in entry.counts:
        denom, _, n = item.partition("x")
        rows.append({"denomination": denom, "count": int(n), "amount": (Decimal(denom) * int(n)).quantize(Decimal("0.01"))})
    book = state.balance(entry.account)
    return {"denominations": rows, "book_balance": book, "difference": entry.total - book}


def print_estimate(fare, lodging, allowance, days: int, total, fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write(dumps({"schema": _schema("advance.estimate"), "fare": fare, "lodging": lodging, "allowance": allowance, "days": days, "amount": total}) + "\n")
    elif _lang() == "zh":
        console().print(f"差旅借款 = {fmt_grouped(fare)} + ({fmt_grouped(lodging)} + {fmt_grouped(allowance)}) × {days} = {fmt_grouped(total)}")
    else:
        console().print(f"travel advance = {fmt_grouped(fare)} + ({fmt_grouped(lodging)} + {fmt_grouped(allowance)}) × {days} = {fmt_grouped(total)}")
