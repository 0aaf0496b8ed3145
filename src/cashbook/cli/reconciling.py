"""A bank account's reconciliation for a month, from the book and the stored statement: what
`bank reconcile`, the month report's bank lines and the cheque register's cleared cheques all
ask (so neither `cli/bank.py` nor `cli/report.py` imports the other)."""

from .common import fail, now


def bank_month(text: str):
    """The first and last day of the month ``--month`` names."""
    from ..core.close import month_bounds

    try:
        return month_bounds(text)
    except ValueError as exc:
        fail("bad-option", f"--month {exc}")


def reconciliation(b, account: str, month: str, loaded=None, stored=None):
    """The reconciliation of ``account`` for ``month`` (`store.bankfiles.reconciliation`), a
    bad ``--month`` refused first."""
    from ..store.bankfiles import reconciliation

    bank_month(month)
    return reconciliation(b, account, month, loaded, stored)


def month_status(book, month: str) -> list[dict]:
    """Each bank account's reconciliation for ``month``: balanced, not balanced (`not-reconciled`),
    no statement imported for it (`statement-missing`), or none kept (`statement = false`)."""
    from ..core.money import fmt_grouped
    from ..core.reconcile import statement_covers
    from ..store.bankfiles import load_statement

    first, last = bank_month(month)
    out, loaded = [], None
    for account in book.policy.bank_accounts():
        stored = load_statement(book.root, account)
        if not statement_covers(first, last, stored.lines, stored.anchors):
            if not book.policy.accounts[account].statement:
                out.append({"account": account, "balanced": None, "status": "no statement kept (statement = false in policies.toml)"})
            else:
                out.append({"account": account, "balanced": False, "code": "statement-missing",
                            "status": f"no statement imported for {month}: import it with "
                                      f"`cashbook bank import FILE --account {account}`, then `cashbook bank reconcile "
                                      f"--account {account} --month {month}`"})
            continue
        loaded = loaded or book.load()
        result, stored = reconciliation(book, account, month, loaded, stored)
        status = "reconciled, balanced" if result.balanced else f"not reconciled: difference {fmt_grouped(result.difference)}"
        row = {"account": account, "balanced": result.balanced, "status": status, "difference": result.difference}
        if not result.balanced:
            row["code"] = "not-reconciled"
        out.append(row)
    return out


def cleared_entries(book, loaded) -> set[str]:
    """Entries matched to a bank statement line (a cheque that has cleared)."""
    from ..store.bankfiles import load_statement

    month = f"{now():%Y-%m}"
    cleared: set[str] = set()
    for account in book.policy.bank_accounts():
        stored = load_statement(book.root, account)
        if stored.lines:
            result, _ = reconciliation(book, account, month, loaded, stored)
            cleared.update(i for m in result.matches for i in m.book)
    return cleared
