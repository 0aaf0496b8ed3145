"""What a recording command prints: the new entry's id and the new balance, and any warnings."""

from __future__ import annotations

import sys

from ..core.money import fmt_grouped
from . import console, dumps, shown


def touched_accounts(entry, policy) -> list[str]:
    return [p.account for p in entry.postings() if p.account in policy.accounts]


def print_recorded(entry, state, warnings, policy, fmt: str) -> None:
    accounts = touched_accounts(entry, policy) or [getattr(entry, "account", "cash")]
    main = accounts[-1] if entry.kind in ("bank-deposit", "transfer") else accounts[0]
    if entry.kind in ("bank-deposit",):
        main = entry.account
    amount = getattr(entry, "amount", None)
    if entry.kind == "cash-count":
        amount = entry.total
    if fmt == "json":
        sys.stdout.write(dumps({
            "id": entry.id, "date": entry.date, "time": entry.time, "kind": entry.kind, "amount": amount,
            "account": main, "balance": state.balance(main),
            "balances": {a: state.balance(a) for a in dict.fromkeys(accounts)},
            "warnings": [w.as_json() for w in warnings],
            "entry": entry.to_record(),
        }) + "\n")
        return
    # one plain line each (no rich here: it would cost a recording command a tenth of its time)
    what = f" {fmt_grouped(amount)}" if amount is not None else ""
    balances = ", ".join(f"{a} balance {fmt_grouped(state.balance(a))}" for a in dict.fromkeys(accounts))
    print(f"recorded {entry.id} {entry.kind}{what} on {entry.date}" + (f"; {balances}" if balances else ""))
    for w in warnings:
        print(f"warning: {w.code}: {shown(w.message)}", file=sys.stderr)


def print_estimate(fare, lodging, allowance, days: int, total, fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write(dumps({"fare": fare, "lodging": lodging, "allowance": allowance, "days": days, "amount": total}) + "\n")
    else:
        console().print(f"travel advance = {fmt_grouped(fare)} + ({fmt_grouped(lodging)} + {fmt_grouped(allowance)}) × {days} = {fmt_grouped(total)}")
