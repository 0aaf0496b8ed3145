"""Does an entry make sense against the policy and the book? (references, not rules)

Unknown accounts, categories of the wrong type, a void of a missing entry, a settlement
larger than the advance: these are input errors (code, message, what is accepted),
checked the same way when recording and when `cashbook check` replays the book.
"""

from __future__ import annotations

import re

from .entries import (
    VOIDABLE,
    Adjustment,
    Advance,
    BankDeposit,
    BankEntry,
    CashCount,
    Collection,
    DepositHold,
    DepositRefund,
    EntryBase,
    Opening,
    Payment,
    Receipt,
    Settlement,
    Transfer,
    Void,
    Withdrawal,
    reversal,
)
from .policy import Policy
from .problems import Problem
from .state import BookState


BOOK_MAX = 10000  # numbers in one receipt or cheque book (the registers walk each book's range)

_NOT_CASH = re.compile(r"[^0-9.,x×*\s]", re.IGNORECASE)


def iou_in_count(items) -> str:
    """严禁白条抵库 (DOMAIN 1): a count is notes and coins only. The message for the first item
    that is anything else (an IOU, a note, a voucher, a cheque), or "" when all are cash."""
    for item in items:
        if _NOT_CASH.search(item.strip().lower().replace("×", "x")):
            return (f"{item!r} is not cash: a count records only notes and coins (100x12 50x3 …); an IOU, note or "
                    "voucher never stands for missing cash (严禁白条抵库). Count the cash alone, and book what is missing "
                    "with `cashbook adjust shortage AMOUNT --approved-by …` (an advance needs `cashbook advance`)")
    return ""


def check_references(entry: EntryBase, policy: Policy, state: BookState) -> list[Problem]:
    out: list[Problem] = []

    def bad(code: str, message: str) -> None:
        out.append(Problem(code, message, entry_id=entry.id))

    def account(key: str, want: str | None = None, what: str = "account") -> None:
        acct = policy.accounts.get(key)
        if acct is None:
            bad("unknown-account", f"{what} {key!r} is not in policies.toml; accounts: {', '.join(policy.accounts)}")
        elif want and acct.type != want:
            names = [k for k, a in policy.accounts.items() if a.type == want]
            bad("wrong-account", f"{what} {key!r} is a {acct.type} account; a {want} account is needed: {', '.join(names) or '(none defined)'}")

    def category(key: str | None, types: tuple[str, ...]) -> None:
        cat = policy.categories.get(key or "")
        if cat is not None and cat.type in types:
            return
        fitting = [k for k, c in policy.categories.items() if c.type in types]
        if cat is None:
            bad("unknown-category", f"category {key!r} is not in policies.toml; {'/'.join(types)} categories: {', '.join(fitting)}")
        elif cat.type not in types:
            bad("wrong-category", f"category {key!r} is {cat.type}; this needs a {'/'.join(types)} category: {', '.join(fitting)}")

    def method_fits(acct_key: str, method: str) -> None:
        acct = policy.accounts.get(acct_key)
        if acct is None:
            return
        if (method == "cash") != (acct.type == "cash"):
            want = "a cash account" if method == "cash" else f"a bank account ({', '.join(policy.bank_accounts()) or 'none defined'})"
            bad("wrong-account", f"method {method!r} goes through {want}, not {acct_key!r} ({acct.type})")

    roles = policy.roles
    for approval in entry.field("approvals", ()) + entry.overrides:
        if approval.role not in roles:
            bad("needs-approval", f"unknown approval role {approval.role!r}; roles in policies.toml: {', '.join(sorted(roles))}")

    if isinstance(entry, Opening):
        account(entry.account)
        earlier = [i for i in state.openings.get(entry.account, ()) if i not in state.voided]
        if earlier:
            bad("opening-exists", f"{entry.account} already has an opening balance ({earlier[0]}); void it first to set another")
    elif isinstance(entry, (Receipt, Collection)):
        account(entry.account)
        method_fits(entry.account, entry.method)
        category(entry.category, ("income", "liability"))
    elif isinstance(entry, Payment):
        account(entry.account)
        method_fits(entry.account, entry.method)
        category(entry.category, ("expense", "liability"))
        if entry.method == "cheque" and not entry.cheque:
            bad("missing-field", "a payment by cheque needs --cheque NUMBER")
        if entry.cheque and entry.method != "cheque":
            bad("bad-field", f"--cheque given but the method is {entry.method!r}; add --method cheque")
        if (entry.taken_by or entry.cheque_limit is not None) and not entry.cheque:
            bad("bad-field", "--taken-by and --cheque-limit belong to a payment by cheque; add --cheque NUMBER")
    elif isinstance(entry, (BankDeposit, Withdrawal)):
        account(entry.account, "bank", "bank account")
        account(entry.cash_account, "cash", "cash account")
    elif isinstance(entry, Transfer):
        account(entry.from_account, what="--from-account")
        account(entry.to_account, what="--to-account")
        if entry.from_account == entry.to_account:
            bad("bad-field", "a transfer needs two different accounts")
        types = {policy.accounts[k].type for k in (entry.from_account, entry.to_account) if k in policy.accounts}
        if types == {"cash", "bank"}:
            bad("transfer-cash", "money between cash and a bank is a bank-deposit (送存) or a withdrawal (提现), "
                "under their rules and approvals, not a transfer; void this one and record it as such")
    elif isinstance(entry, Advance):
        account(entry.account)
        method_fits(entry.account, entry.method)
        if entry.due < entry.date:
            bad("bad-field", f"due date {entry.due} is before the advance ({entry.date})")
    elif isinstance(entry, Settlement):
        account(entry.account, "cash", "cash account")
        adv = state.advances.get(entry.advance)
        if adv is None or entry.advance in state.voided:
            bad("unknown-advance", f"no open advance with id {entry.advance!r}; see `cashbook report advances`")
        else:
            if entry.person != adv.party:
                bad("bad-field", f"advance {adv.id} was made to {adv.party}, not {entry.person}")
            if entry.amount <= 0:
                bad("bad-amount", "a settlement needs --returned and/or --spent above zero")
            elif entry.amount > adv.outstanding:
                bad("bad-amount", f"settles {entry.amount} but only {adv.outstanding} of advance {adv.id} is outstanding")
        if entry.spent:
            category(entry.category, ("expense",))
        elif entry.category:
            bad("bad-field", "--category is only for --spent")
    elif isinstance(entry, DepositHold):
        account(entry.account)
        method_fits(entry.account, entry.method)
        if entry.type not in policy.deposit_types:
            bad("unknown-deposit-type", f"deposit type {entry.type!r} is not in policies.toml; types: {', '.join(policy.deposit_types)}")
    elif isinstance(entry, DepositRefund):
        account(entry.account)
        method_fits(entry.account, entry.method)
    elif isinstance(entry, BankEntry):
        account(entry.account, "bank", "bank account")
        category(entry.category, ("income", "liability") if entry.direction == "credit" else ("expense", "liability"))
    elif isinstance(entry, CashCount):
        account(entry.account, "cash", "cash account")
        iou = iou_in_count(entry.counts)
        if iou:
            bad("iou-in-count", iou)
        else:
            from .close import parse_count
            from .money import fmt_grouped

            try:
                _, total = parse_count(list(entry.counts), policy)
            except ValueError as exc:
                bad("bad-count", str(exc))
            else:
                if total != entry.total:
                    bad("bad-count", f"the count adds up to {fmt_grouped(total)}, not the total {fmt_grouped(entry.total)} written")
    elif isinstance(entry, Adjustment):
        account(entry.account, "cash", "cash account")
    elif entry.kind == "sign":
        target = state.entries.get(entry.target)
        waiting = state.awaiting_signature.get(entry.target, [])
        if target is None:
            bad("unknown-entry", f"no entry with id {entry.target!r} to sign")
        for a in entry.approvals:
            if target is not None and a.role not in waiting:
                bad("bad-field", f"{entry.target} awaits no signature of {a.role}"
                    + (f" (it awaits {', '.join(waiting)})" if waiting else " (nothing of it awaits a signature)"))
    elif entry.kind == "receipt-book":
        from .rules import receipt_series

        lo, hi = receipt_series(entry.first), receipt_series(entry.last)
        if not lo or not hi or lo[:2] != hi[:2]:
            bad("bad-field", f"{entry.first}..{entry.last}: give the first and last receipt numbers of one series, "
                "e.g. SJ0001 SJ0050 (same prefix, same number of digits)")
        elif lo[2] > hi[2]:
            bad("bad-field", f"{entry.first} comes after {entry.last}")
        elif hi[2] - lo[2] >= BOOK_MAX:
            bad("bad-field", f"{entry.first}..{entry.last} is {hi[2] - lo[2] + 1} numbers; a receipt book holds at most {BOOK_MAX}")
    elif entry.kind in ("cheque-book", "cheque-spoiled"):
        from .rules import receipt_series

        account(entry.account, "bank", "bank account")
        if entry.kind == "cheque-book":
            lo, hi = receipt_series(entry.first), receipt_series(entry.last)
            if not lo or not hi or lo[:2] != hi[:2] or lo[2] > hi[2]:
                bad("bad-field", f"{entry.first}..{entry.last}: give the first and last cheque numbers of the book, in order, "
                    "with the same number of digits")
            elif hi[2] - lo[2] >= BOOK_MAX:
                bad("bad-field", f"{entry.first}..{entry.last} is {hi[2] - lo[2] + 1} cheques; a cheque book holds at most {BOOK_MAX}")
    elif entry.kind == "receipt-book-return":
        issued = state.entries.get(entry.book)
        if issued is None or issued.kind != "receipt-book":
            bad("unknown-entry", f"{entry.book!r} is not a receipt book issued; see `cashbook report receipt-books`")
        elif entry.book in state.receipt_books_returned:
            bad("bad-field", f"receipt book {entry.book} was already returned by {state.receipt_books_returned[entry.book]}")
    elif entry.kind == "handover":
        if entry.giver.strip() == entry.receiver.strip():
            bad("bad-field", f"a hand-over passes the takings from one person to another, not from {entry.giver} to themself")
    elif entry.kind == "recovery":
        account(entry.account)
        method_fits(entry.account, entry.method)
        item = state.compensations.get(entry.payment)
        if item is None or entry.payment in state.voided:
            bad("unknown-entry", f"{entry.payment!r} is not a compensation paid in advance; see `cashbook report compensation`")
        else:
            if entry.amount > item.outstanding:
                bad("bad-amount", f"recovers {entry.amount} but only {item.outstanding} of {item.id} is outstanding")
            paid = state.entries.get(entry.payment)
            if paid is not None and entry.category != paid.category:
                bad("bad-field", f"{item.id} was paid under {paid.category}, not {entry.category}")
    elif isinstance(entry, Void):
        target = state.entries.get(entry.target)
        if target is None:
            bad("unknown-entry", f"no entry with id {entry.target!r} to void")
        elif target.kind not in VOIDABLE:
            bad("bad-field", f"{target.kind} entries cannot be voided")
        elif entry.target in state.voided:
            bad("already-voided", f"{entry.target} was already voided by {state.voided[entry.target]}")
        elif tuple(entry.reverses) != reversal(target):
            bad("bad-field", f"the reversal postings do not undo {entry.target}'s postings")
        elif state.dependants(entry.target):
            rest = state.dependants(entry.target)
            bad("void-has-dependants", f"{entry.target} ({target.kind}) has {', '.join(rest)} recorded against it; "
                f"void those first, or give `cashbook void {entry.target} --with-dependants` to void them with it")
    return out
