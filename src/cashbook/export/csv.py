"""The export as CSV: one row per posting.

Header (stable; scripts rely on it): ``date,id,kind,account,amount,currency,payee,narration,doc``.
Rows of one entry are adjacent and their amounts sum to zero; debits are positive,
credits negative. The balance-forward transaction (with ``--from``) has an empty id and
kind ``balance-forward``. Cash counts and day closes move no money and have no rows.
"""

from __future__ import annotations

import csv
import io

from ..core.entries import EntryBase
from ..core.money import fmt
from ..core.policy import Policy
from .model import Export, Options, Txn, build

HEADER = ("date", "id", "kind", "account", "amount", "currency", "payee", "narration", "doc")


def write(export: Export) -> str:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(HEADER)
    for item in export.items:
        if not isinstance(item, Txn):
            continue
        for account, amount in item.postings:
            out.writerow([item.date.isoformat(), item.id, item.kind, account, fmt(amount), export.currency,
                          item.payee, item.narration, item.doc])
    return buf.getvalue()


def to_csv(entries: list[EntryBase], policy: Policy, options: Options = Options()) -> str:
    return write(build(entries, policy, options))
