"""The company's rules, each a pure function of (entry, policy, book state, today).

Every rule returns problems with its stable code (SPEC 4), the figure and the limit,
and what would make the entry acceptable. A rule's severity comes from policies.toml;
a ``block`` problem turns into a recorded exception when the entry carries an
``--override`` by a role the policy allows for that rule. No I/O, no clock: today is
passed in.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Callable, Iterable

from .entries import (
    RECEIPT_KINDS,
    Advance,
    DepositHold,
    DepositRefund,
    EntryBase,
    Payment,
    Settlement,
    Transfer,
    Withdrawal,
)
from .money import ZERO, fmt_grouped
from .policy import Policy, Rule
from .problems import Problem
from .state import NUMBERED, BookState

RuleFn = Callable[[EntryBase, Policy, BookState, dt.date], list[Problem]]
RULES: list[RuleFn] = []
_KINDS_OF: dict[RuleFn, frozenset[str] | None] = {}  # the kinds a rule can find fault with (None: every kind)


def rule(*kinds: str):
    """Register a rule; with ``kinds``, it is only asked about entries of those kinds (a long
    book checks a million entries, and most rules have nothing to say about most kinds)."""
    def register(fn: RuleFn) -> RuleFn:
        RULES.append(fn)
        _KINDS_OF[fn] = frozenset(kinds) or None
        return fn

    return register


_FOR_KIND: dict[str, tuple[RuleFn, ...]] = {}


def rules_for(kind: str) -> tuple[RuleFn, ...]:
    """The rules that apply to entries of ``kind``, in registration order."""
    found = _FOR_KIND.get(kind)
    if found is None:
        found = _FOR_KIND[kind] = tuple(fn for fn in RULES if _KINDS_OF[fn] is None or kind in _KINDS_OF[fn])
    return found


def _m(value: Decimal) -> str:
    return fmt_grouped(value)


def _problem(policy: Policy, code: str, message: str, entry: EntryBase, **data) -> Problem:
    settings = policy.rules.by_code(code)
    severity = settings.severity if settings is not None else "block"
    return Problem(code, message, entry_id=entry.id, severity=severity, data={"rule": code, **data})


def cash_out(entry: EntryBase, policy: Policy) -> Decimal:
    """Cash leaving a cash account by this entry for a payment (not banking)."""
    if isinstance(entry, (Payment, Advance, DepositRefund)) and entry.account in policy.cash_accounts():
        return entry.amount
    return ZERO


def _amount_of(entry: EntryBase) -> Decimal:
    """The entry's amount: a field for most kinds, a sum for settlements and voids, none for counts."""
    amount = entry.__dict__.get("amount")
    if amount is None and entry.kind in ("settlement", "void"):
        amount = entry.amount
    return amount if amount is not None else ZERO


def approvals_needed(entry: EntryBase, policy: Policy, state: BookState) -> tuple[str, ...]:
    """Roles that must sign this entry: every matching band, plus a deposit type's chain."""
    roles: list[str] = []
    category = entry.field("category")
    amount = _amount_of(entry)
    for band in policy.rules.needs_approval.bands_for(entry.kind):
        if band.category is not None and band.category != category:
            continue
        figure = amount + split_parts(entry, band.category, policy, state)[1] if band.from_ is not None or band.below is not None else amount
        if band.matches(entry.kind, category, figure):
            roles += [r for r in band.roles if r not in roles]
    if isinstance(entry, DepositRefund):
        dtype = policy.deposit_types.get(entry.type)
        if dtype:
            roles += [r for r in dtype.refund_approvers if r not in roles]
    return tuple(roles)


def split_parts(entry: EntryBase, category: str | None, policy: Policy, state: BookState) -> tuple[list[str], Decimal]:
    """Earlier live payments to the same party (of ``category``, when the band names one) within
    ``rules.needs-approval.split_days`` before this one: a payment split in parts counts whole."""
    days = policy.rules.needs_approval.split_days
    if not days or not isinstance(entry, Payment):
        return [], ZERO
    ids, total = [], ZERO
    today = entry.date.toordinal()
    for day, i in reversed(state.payments_to.get(entry.party, ())):  # in day order: the window only
        if day > today:  # a back-dated payment checked against the book after it
            continue
        if today - day >= days:
            break
        e = state.entries.get(i)
        if e is None or i in state.voided or (category is not None and e.category != category):
            continue
        ids.append(i)
        total += e.amount
    return ids, total


# -- the rules -----------------------------------------------------------------------

@rule()
def day_sealed(entry, policy, state, today):
    if entry.kind != "day-close" and state.is_sealed(entry.date):
        return [Problem("day-sealed", f"{entry.date} is closed (days up to {state.last_sealed} are sealed); "
                        "record the entry, or a correction referring to the original, on an open day",
                        entry_id=entry.id, data={"sealed_through": state.last_sealed})]
    return []


@rule()
def needs_approval(entry, policy, state, today):
    needed = approvals_needed(entry, policy, state)
    given = {a.role for a in entry.field("approvals", ())}
    missing = [r for r in needed if r not in given]
    if not missing:
        return []
    names = ", ".join(f"{r} ({policy.roles.get(r, r)})" for r in missing)
    amount = _amount_of(entry)
    parts, earlier = split_parts(entry, entry.field("category"), policy, state)
    split = (f" (with {', '.join(parts)} to {entry.party} within {policy.rules.needs_approval.split_days} days: "
             f"{_m(amount + earlier)} in all, rules.needs-approval.split_days)") if parts else ""
    return [_problem(policy, "needs-approval",
                     f"a {entry.kind} of {_m(amount)}{split} needs the approval of {names}; add --approved-by "
                     + " --approved-by ".join(f"{r}:NAME" for r in missing),
                     entry, missing=missing, figure=amount)]


def deputised(approvals, policy: Policy) -> tuple[str, ...]:
    """The roles among ``approvals`` (``role:name`` strings or `Approval`) given by a deputy of
    the role's holder (policies.toml ``[people.ROLE].deputies``): the holder signs later."""
    roles = []
    for a in approvals:
        role, _, name = a.partition(":") if isinstance(a, str) else (a.role, ":", a.name)
        holders = policy.people.get(role.strip())
        if holders and name.strip() in holders.deputies and role.strip() not in roles:
            roles.append(role.strip())
    return tuple(roles)


@rule()
def approver_twice(entry, policy, state, today):
    """One person signs once in a chain: the same name under two roles is one signature, not two."""
    roles_of: dict[str, list[str]] = {}
    for a in entry.field("approvals", ()):
        if a.role not in roles_of.setdefault(a.name, []):
            roles_of[a.name].append(a.role)
    twice = {n: r for n, r in roles_of.items() if len(r) > 1}
    if not twice:
        return []
    name, roles = next(iter(twice.items()))
    return [_problem(policy, "approver-twice", f"{name} signs as {' and '.join(roles)}: one person signs once in a chain; "
                     f"each of {', '.join(roles)} needs its own signer", entry, name=name, roles=roles)]


@rule()
def approvers(entry, policy, state, today):
    """An approval for a role listed under [people] names its holder, or a deputy (then the entry
    awaits the holder's signature); an override or a later signature only the holder."""
    if not policy.people:
        return []
    problems = []
    stand_in = entry.field("to_sign", ())
    for a, can_deputise in [(a, entry.kind != "sign") for a in entry.field("approvals", ())] + [(a, False) for a in entry.overrides]:
        holders = policy.people.get(a.role)
        if holders is None or a.name in holders.names:
            continue
        if a.name in holders.deputies and can_deputise and a.role in stand_in:
            continue
        who = ", ".join(holders.names) or "(nobody)"
        why = (f"{a.name} is a deputy of {a.role}: a deputy approves a payment first, but only {who} signs it later or "
               "overrides a rule") if a.name in holders.deputies else f"{a.name} is not {a.role} in policies.toml ([people.{a.role}]: {who}"
        why += "" if a.name in holders.deputies else (f"; deputies {', '.join(holders.deputies)})" if holders.deputies else ")")
        problems.append(Problem("needs-approval", why, entry_id=entry.id, severity="block",
                                data={"rule": "needs-approval", "role": a.role, "name": a.name}))
    return problems


@rule("payment", "advance", "deposit-refund")
def cash_payment_limit(entry, policy, state, today):
    """每笔支付业务超过使用现金限额1000元的部分,应当以支票支付: every cash payout (a payment, an
    advance, a deposit refund), not only `pay`."""
    settings = policy.rules.cash_payment_limit
    out = cash_out(entry, policy)
    if out > settings.limit:
        what = {"payment": "cash payment", "advance": "advance paid in cash", "deposit-refund": "deposit refund paid in cash"}[entry.kind]
        return [_problem(policy, "cash-payment-limit",
                         f"{what} of {_m(out)} is above the single cash-payment limit {_m(settings.limit)} "
                         f"(rules.cash-payment-limit.limit); pay it by cheque or transfer from a bank account"
                         + _override_hint(settings), entry, figure=out, limit=settings.limit)]
    return []


@rule("payment")
def no_cash_category(entry, policy, state, today):
    settings = policy.rules.no_cash_category
    if isinstance(entry, Payment) and entry.method == "cash" and entry.category in settings.categories:
        return [_problem(policy, "no-cash-category",
                         f"{entry.category} is never paid in cash (rules.no-cash-category.categories); pay it by transfer or cheque"
                         + _override_hint(settings), entry, figure=entry.amount, category=entry.category)]
    return []


@rule("payment", "settlement")
def needs_invoice(entry, policy, state, today):
    settings = policy.rules.needs_invoice
    if isinstance(entry, Payment) and policy.categories.get(entry.category) and policy.categories[entry.category].type == "expense":
        figure, has = entry.amount, bool(entry.invoice)
    elif isinstance(entry, Settlement) and entry.spent:
        figure, has = entry.spent, bool(entry.invoice)
    else:
        return []
    if figure > settings.threshold and not has:
        return [_problem(policy, "needs-invoice",
                         f"{_m(figure)} is above the settlement threshold {_m(settings.threshold)} (rules.needs-invoice.threshold) "
                         "and needs a proper tax invoice; add --invoice NUMBER" + _override_hint(settings),
                         entry, figure=figure, limit=settings.threshold)]
    return []


@rule("payment", "advance", "deposit-refund")
def sitting_payment(entry, policy, state, today):
    """坐支 (SPEC 4): cash payments of a day may be funded only by its opening float plus its
    withdrawals from the bank; float banked earlier in the day no longer funds anything (takings
    are taken to be banked first). A payment that needs the day's cash receipts is a sitting
    payment; one the drawer cannot cover at all is `balance_negative`'s (not enough cash)."""
    out = cash_out(entry, policy)
    if not out:
        return []
    fig = state.day(entry.date, entry.account)
    funded = fig.opening + fig.withdrawals - fig.cash_paid - fig.float_banked
    if out <= funded or fig.takings <= 0 or out > state.balance(entry.account):
        return []
    banked = f" − float banked {_m(fig.float_banked)}" if fig.float_banked else ""
    return [_problem(policy, "sitting-payment",
                     f"cash payment of {_m(out)} would be paid out of today's cash receipts (坐支): today's float and "
                     f"withdrawals leave only {_m(max(funded, ZERO))} for payments (opening {_m(fig.opening)} + withdrawn "
                     f"{_m(fig.withdrawals)} − already paid {_m(fig.cash_paid)}{banked}); withdraw cash from the bank first"
                     + _override_hint(policy.rules.sitting_payment), entry, figure=out, limit=max(funded, ZERO))]


@rule()
def balance_negative(entry, policy, state, today):
    """No balance below its floor (DOMAIN 1, 4: cash cannot be paid that is not there; a
    bank account only down to its agreed overdraft): a hard limit, never a warning."""
    moved: dict[str, Decimal] = {}
    accounts = policy.accounts
    for account, amount in entry.postings():
        if account in accounts:
            moved[account] = moved.get(account, ZERO) + amount
    problems = []
    for account, delta in moved.items():
        if delta >= 0:
            continue
        before = state.balance(account)
        after = before + delta
        floor = accounts[account].floor()
        if after < floor:
            short = floor - after
            what = "cash may not go below 0.00" if accounts[account].type == "cash" else \
                f"{account} may not go below {_m(floor)} (accounts.{account}.overdraft)"
            problems.append(Problem(
                "balance-negative",
                f"{account} holds {_m(before)} on {entry.date}; taking {_m(-delta)} would leave {_m(after)}, "
                f"{_m(short)} short ({what}); record the money coming in first, or take less",
                entry_id=entry.id, severity="block",
                data={"rule": "balance-negative", "account": account, "date": entry.date, "figure": after,
                      "limit": floor, "short": short}))
    return problems


@rule()
def cash_over_limit(entry, policy, state, today):
    settings = policy.rules.cash_over_limit
    problems = []
    cash = policy.cash_accounts()
    postings = entry.postings()
    for p in postings:
        if p.amount > 0 and p.account in cash:
            after = state.balance(p.account) + sum(q.amount for q in postings if q.account == p.account)
            if after > settings.limit:
                problems.append(_problem(policy, "cash-over-limit",
                                         f"cash on hand in {p.account} will be {_m(after)}, above the limit {_m(settings.limit)} "
                                         f"(rules.cash-over-limit.limit); bank the excess {_m(after - settings.limit)} today",
                                         entry, figure=after, limit=settings.limit))
            break
    return problems


def cheque_book_of(state: BookState, account: str, number: str) -> tuple[EntryBase | None, list[EntryBase]]:
    """The cheque book of ``account`` whose range holds ``number``, and every book of the account."""
    found = receipt_series(number)
    books = [b for b in (state.entries.get(i) for i in state.cheque_books) if b is not None and b.account == account]
    for b in books:
        lo, hi = receipt_series(b.first), receipt_series(b.last)
        if found and lo and hi and lo[:2] == found[:2] and lo[2] <= found[2] <= hi[2]:
            return b, books
    return None, books


@rule("payment", "withdrawal", "cheque-spoiled", "cheque-book")
def cheque_register(entry, policy, state, today):
    """支票领用登记簿: once an account's cheque books are recorded, every cheque of it comes from
    one of them; books never share a number; a cheque is not written above its limit (限额)."""
    problems = []
    number = entry.field("cheque", "") if entry.kind in ("payment", "withdrawal", "cheque-spoiled") else ""
    if number and state.cheque_books:
        held, books = cheque_book_of(state, entry.account, number)
        if books and held is None:
            ranges = ", ".join(f"{b.first}..{b.last} ({b.id})" for b in books)
            problems.append(_problem(policy, "cheque-not-issued", f"cheque {number} on {entry.account} is in no cheque book "
                                     f"recorded for it ({ranges}); record the book with `cashbook issue-cheques`", entry, cheque=number))
    if entry.kind == "cheque-book":
        lo, hi = receipt_series(entry.first), receipt_series(entry.last)
        for b in (state.entries.get(i) for i in state.cheque_books):
            blo, bhi = receipt_series(b.first), receipt_series(b.last)
            if b.account == entry.account and lo and hi and blo and bhi and blo[:2] == lo[:2] and lo[2] <= bhi[2] and blo[2] <= hi[2]:
                problems.append(_problem(policy, "cheque-book-overlap", f"{entry.first}..{entry.last} overlaps cheque book "
                                         f"{b.first}..{b.last} of {b.account} ({b.id})", entry))
                break
    limit = entry.field("cheque_limit")
    if entry.kind == "payment" and limit is not None and entry.amount > limit:
        problems.append(_problem(policy, "cheque-over-limit", f"{_m(entry.amount)} is above the limit {_m(limit)} written on "
                                 f"cheque {entry.cheque} (限额); a new cheque is needed", entry, figure=entry.amount, limit=limit))
    return problems


@rule("payment", "withdrawal", "advance", "deposit-refund", "transfer", "cheque-spoiled")
def cheques(entry, policy, state, today):
    problems = []
    if entry.kind in ("payment", "withdrawal", "cheque-spoiled") and entry.cheque:
        used = state.cheques.get((entry.account, entry.cheque))
        if used:
            problems.append(_problem(policy, "cheque-number-used",
                                     f"cheque {entry.cheque} on {entry.account} was already issued by {used}; a voided cheque's number "
                                     "is kept, not reused: take the next cheque", entry, cheque=entry.cheque))
    if isinstance(entry, Payment) and entry.cheque:
        problems += _cheque_payee(entry, policy)
    bank_out: tuple[str, Decimal] | None = None
    if isinstance(entry, (Payment, Advance, DepositRefund)) and entry.account in policy.bank_accounts():
        bank_out = (entry.account, entry.amount)
    elif isinstance(entry, Withdrawal):
        bank_out = (entry.account, entry.amount)
    elif isinstance(entry, Transfer) and entry.from_account in policy.bank_accounts():
        bank_out = (entry.from_account, entry.amount)
    if bank_out:
        acct, amount = bank_out
        balance = state.balance(acct)
        if amount > balance:  # an agreed overdraft is `balance_negative`'s floor; a cheque is judged on the book balance
            problems.append(_problem(policy, "cheque-overdraft",
                                     f"{_m(amount)} from {acct} is above its book balance {_m(balance)} (空头支票); "
                                     "fund the account first", entry, figure=amount, limit=balance))
    return problems


def same_party(a: str, b: str) -> bool:
    """Two spellings of one unit's name: spaces and full-width brackets do not make another party."""
    def norm(text: str) -> str:
        return "".join(text.split()).replace("（", "(").replace("）", ")").casefold()

    return norm(a) == norm(b)


def _cheque_payee(entry: Payment, policy: Policy) -> list[Problem]:
    """开出的支票收款单位名称应与合同、发票一致 (DOMAIN 4)."""
    settings = policy.rules.cheque_payee_mismatch
    out = []
    if entry.invoice_party:
        if not same_party(entry.invoice_party, entry.party):
            out.append(_problem(policy, "cheque-payee-mismatch", f"cheque payee {entry.party!r} differs from the invoice party "
                                f"{entry.invoice_party!r}; the payee must be the unit that issued the invoice", entry))
    elif entry.invoice and settings.require_invoice_party:
        out.append(_problem(policy, "cheque-payee-mismatch", f"cheque {entry.cheque} pays invoice {entry.invoice}: name the party "
                            "on the invoice with --invoice-party, so the payee is compared with it "
                            "(rules.cheque-payee-mismatch.require_invoice_party)", entry))
    if settings.contract:
        if not entry.contract_party:
            out.append(_problem(policy, "cheque-payee-mismatch", f"cheque {entry.cheque}: name the party on the contract with "
                                "--contract-party (rules.cheque-payee-mismatch.contract)", entry))
        elif not same_party(entry.contract_party, entry.party):
            out.append(_problem(policy, "cheque-payee-mismatch", f"cheque payee {entry.party!r} differs from the contract party "
                                f"{entry.contract_party!r}; the payee must be the contract's party", entry))
    return out


@rule("payment")
def words_mismatch(entry, policy, state, today):
    words = entry.field("words", "")
    if not words:
        return []
    from .words import to_words, words_agree

    amount = entry.amount
    try:
        agree = words_agree(amount, words)
    except ValueError:
        agree = False
    if agree:
        return []
    return [_problem(policy, "words-mismatch",
                     f"the amount in words {words!r} does not agree with the figure {_m(amount)} ({to_words(amount)}); "
                     "大小写必须一致: write both again", entry, figure=amount)]


@rule("adjustment")
def adjustment_matches_count(entry, policy, state, today):
    """长款/短款 are booked as counted: an adjustment equals the difference between the day's count
    and the book (an overage when more was counted, a shortage when less), never another figure."""
    if entry.kind != "adjustment":
        return []
    count = state.counts.get((entry.date, entry.account))
    if count is None:
        return [_problem(policy, "adjustment-mismatch", f"no cash count of {entry.account} on {entry.date}: count the drawer "
                         f"first (`cashbook count {entry.date} 100xN …`); an adjustment books the counted difference", entry)]
    difference = count.total - state.balance(entry.account)
    want = "overage" if difference > 0 else "shortage"
    if difference and entry.direction == want and entry.amount == abs(difference):
        return []
    if not difference:
        said = f"the count {_m(count.total)} equals the book: there is nothing to adjust"
    else:
        said = (f"the count {_m(count.total)} against the book {_m(state.balance(entry.account))} is a {want} "
                f"({'长款' if want == 'overage' else '短款'}) of {_m(abs(difference))}: `cashbook adjust {want} {abs(difference)}`")
    return [_problem(policy, "adjustment-mismatch", f"{entry.direction} of {_m(entry.amount)} does not match the day's count: "
                     + said, entry, figure=entry.amount, limit=abs(difference))]


@rule("advance")
def advance_overdue(entry, policy, state, today):
    if not isinstance(entry, Advance):
        return []
    days = policy.rules.advance_overdue.days
    late = [a for a in state.open_advances_of(entry.person) if a.due and (entry.date - a.due).days > days]
    if not late:
        return []
    a = late[0]
    return [_problem(policy, "advance-overdue",
                     f"{entry.person} has advance {a.id} of {_m(a.outstanding)} outstanding, due {a.due}, "
                     f"{(entry.date - a.due).days} days overdue (more than {days}, rules.advance-overdue.days); "
                     f"settle it (`cashbook settle {a.id}`) before a new advance" + _override_hint(policy.rules.advance_overdue),
                     entry, figure=(entry.date - a.due).days, limit=days)]


def _days_before(day: dt.date, days: int) -> dt.date:
    """The first day that is not more than ``days`` days before ``day``: what was paid before it is late."""
    try:
        return day - dt.timedelta(days=days)
    except OverflowError:
        return dt.date.min


def department_of(entry: EntryBase, policy: Policy) -> str:
    """The department of the person an entry pays: named on it, else the policy's staff list."""
    person = entry.field("person") or entry.field("party") or ""
    return entry.field("department") or policy.staff.get(person, "")


@rule("payment")
def unsettled_advance(entry, policy, state, today):
    """有前期未报账款项的个人及所在部门,一律不办理付款业务 (DOMAIN 4): a payment to a person, or to
    a department, with an advance still open. A new advance is judged by `advance_overdue`
    instead (DOMAIN 5 lets a person borrow again until one is 7 days overdue)."""
    if not isinstance(entry, Payment):
        return []
    party, dept = entry.party.strip(), department_of(entry, policy)
    held = state.open_advances_of(party)
    whose = party
    if not held:
        for d in dict.fromkeys(x for x in (dept, party) if x):
            held = state.open_advances_of(d, department=True)
            if held:
                whose = f"{party}'s department {d}" if d != party else f"department {d}"
                break
    if not held:
        return []
    a = held[0]
    more = f" (and {len(held) - 1} more)" if len(held) > 1 else ""
    return [_problem(policy, "unsettled-advance",
                     f"{whose} has advance {a.id} to {a.party} of {_m(a.outstanding)} not yet accounted for{more} "
                     f"(有前期未报账款项, rules.unsettled-advance): no payment until it is settled (`cashbook settle {a.id}`)"
                     + _override_hint(policy.rules.unsettled_advance), entry, advance=a.id, figure=a.outstanding)]


@rule("payment")
def compensation_unsettled(entry, policy, state, today):
    """先行赔付 (DOMAIN 5): a compensation paid for a supplier is recovered within a month; until
    then its handler pays no other, and `report compensation` lists it to withhold from wages."""
    settings = policy.rules.compensation_unsettled
    if not isinstance(entry, Payment) or entry.category not in settings.categories:
        return []
    if not entry.handler:
        return [_problem(policy, "compensation-unsettled",
                         f"a {entry.category} payment (先行赔付) names its handler, who answers for it until it is recovered: "
                         "add --handler NAME (and --for SUPPLIER)", entry)]
    late = state.open_compensations(entry.handler, before=_days_before(entry.date, settings.days))
    if not late:
        return []
    c = late[0]
    return [_problem(policy, "compensation-unsettled",
                     f"{entry.handler} handled compensation {c.id} of {_m(c.outstanding)} on {c.date}, not recovered after "
                     f"{(entry.date - c.date).days} days (more than {settings.days}, rules.compensation-unsettled.days): no "
                     f"other until it is (`cashbook recover {c.id} --from SUPPLIER`), or it is withheld from wages"
                     + _override_hint(settings), entry, figure=(entry.date - c.date).days, limit=settings.days, compensation=c.id)]


@rule("advance")
def advance_no_department(entry, policy, state, today):
    if isinstance(entry, Advance) and not department_of(entry, policy):
        return [_problem(policy, "advance-no-department",
                         f"advance to {entry.person} names no department; give --department DEPT or list the person under "
                         "[staff] in policies.toml, so an open advance also stops payments to the department", entry)]
    return []


@rule("deposit-hold", "deposit-refund")
def deposits(entry, policy, state, today):
    problems = []
    if isinstance(entry, DepositHold):
        dtype = policy.deposit_types.get(entry.type)
        if dtype and dtype.amount is not None and entry.amount != dtype.amount * entry.units:
            problems.append(_problem(policy, "deposit-amount",
                                     f"a {entry.type} deposit is {_m(dtype.amount)} per unit; {entry.units} unit(s) make "
                                     f"{_m(dtype.amount * entry.units)}, not {_m(entry.amount)} (deposit_types.{entry.type}.amount)",
                                     entry, figure=entry.amount, limit=dtype.amount * entry.units))
    if not isinstance(entry, DepositRefund):
        return problems
    held = state.deposits.get(entry.deposit)
    code = "deposit-refund-invalid"
    if held is None or entry.deposit in state.voided:
        return [_problem(policy, code, f"{entry.deposit} is not a deposit held; see `cashbook report deposits`", entry)]
    if held.outstanding <= 0:
        problems.append(_problem(policy, code, f"deposit {held.id} was already refunded in full", entry))
    elif entry.amount > held.outstanding:
        problems.append(_problem(policy, code, f"refund {_m(entry.amount)} is above the {_m(held.outstanding)} still held on {held.id}",
                                 entry, figure=entry.amount, limit=held.outstanding))
    if entry.party != held.party or entry.type != held.type:
        problems.append(_problem(policy, code, f"deposit {held.id} is a {held.type} deposit of {held.party}", entry))
    left = entry.left_on
    if left is not None and left < held.date:
        problems.append(_problem(policy, code, f"--left-on {left} is before the deposit was taken ({held.date}, {held.id}); "
                                 "give the day the merchant left", entry))
    elif left is not None and left > entry.date:
        problems.append(_problem(policy, code, f"--left-on {left} is after the refund ({entry.date}); a merchant is "
                                 "refunded after leaving, not before", entry))
    dtype = policy.deposit_types.get(held.type)
    if dtype and dtype.refund_wait_days:
        if left is None:
            problems.append(_problem(policy, code, f"a {held.type} deposit is refunded only {dtype.refund_wait_days} days after the "
                                     "merchant leaves; give --left-on YYYY-MM-DD", entry, limit=dtype.refund_wait_days))
        elif held.date <= left <= entry.date and (entry.date - left).days < dtype.refund_wait_days:
            earliest = left + dt.timedelta(days=dtype.refund_wait_days)
            problems.append(_problem(policy, code, f"a {held.type} deposit is refunded {dtype.refund_wait_days} days after the merchant "
                                     f"leaves (deposit_types.{held.type}.refund_wait_days): not before {earliest}", entry,
                                     figure=(entry.date - left).days, limit=dtype.refund_wait_days))
    if entry.lost_receipt and held.doc and held.doc not in entry.lost_receipt:
        problems.append(_problem(policy, code, f"the loss declaration must name the lost receipt number {held.doc}", entry))
    if entry.lost_receipt and not held.doc:
        pass  # nothing to cross-check: the deposit was recorded without a receipt number
    return problems


@rule(*RECEIPT_KINDS)
def receipt_numbers(entry, policy, state, today):
    doc = entry.field("doc", "") if entry.kind in RECEIPT_KINDS else ""
    if doc and doc in state.receipt_numbers:
        return [_problem(policy, "receipt-number-used", f"receipt number {doc} was already used by {state.receipt_numbers[doc]}; "
                         "use the next receipt of the book (a spoiled one is kept as 作废, never reused)", entry, doc=doc)]
    return []


def receipt_book_of(state: BookState, doc: str) -> tuple[EntryBase | None, list[EntryBase]]:
    """The receipt book issued whose range holds ``doc``, and every book of its series."""
    found = receipt_series(doc)
    if found is None:
        return None, []
    series = []
    for i in state.receipt_books:
        b = state.entries.get(i)
        lo, hi = receipt_series(b.first), receipt_series(b.last)
        if lo and hi and lo[:2] == found[:2]:
            series.append(b)
            if lo[2] <= found[2] <= hi[2]:
                return b, series
    return None, series


@rule(*RECEIPT_KINDS)
def receipt_issued(entry, policy, state, today):
    """A receipt number of a series kept in receipt books comes from a book issued to a till
    and not yet returned (收据领取台帐, 销号交回)."""
    doc = entry.field("doc", "")
    if not doc or not state.receipt_books:
        return []
    held, series = receipt_book_of(state, doc)
    if not series:
        return []
    if held is None:
        ranges = ", ".join(f"{b.first}..{b.last} ({b.till})" for b in series)
        return [_problem(policy, "receipt-not-issued", f"receipt number {doc} is in no receipt book issued (books of its series: "
                         f"{ranges}); use a receipt of an issued book, or record the book with `cashbook issue-receipts`",
                         entry, doc=doc)]
    if held.id in state.receipt_books_returned:
        return [_problem(policy, "receipt-not-issued", f"receipt number {doc} is in book {held.first}..{held.last} ({held.id}), "
                         f"returned by {state.receipt_books_returned[held.id]}: its unused numbers are cancelled", entry, doc=doc)]
    return []


@rule(*RECEIPT_KINDS)
def receipt_number_far(entry, policy, state, today):
    """A receipt number far outside its series (more than ``max_jump`` beyond the numbers used),
    or a new series beside one of the same prefix with another number of digits, is most likely
    a slip of the pen: flagged. Series kept in issued books are judged by `receipt_issued`."""
    doc = entry.field("doc", "")
    found = receipt_series(doc) if doc else None
    if found is None or not state.receipt_runs:
        return []
    prefix, width, n = found
    if state.receipt_books and receipt_book_of(state, doc)[1]:
        return []
    jump = policy.rules.receipt_number_far.max_jump
    runs = state.receipt_runs.get((prefix, width))
    if runs:
        span = runs[0][0], runs[-1][1]
        if span[0] - jump <= n <= span[1] + jump:
            return []
        used = f"{prefix}{span[0]:0{width}d}..{prefix}{span[1]:0{width}d}"
        return [_problem(policy, "receipt-number-far", f"receipt number {doc} is far outside the numbers used so far ({used}; "
                         f"more than {jump} away, rules.receipt-number-far.max_jump): a slip of the pen? If a new book starts "
                         "here, record it with `cashbook issue-receipts`", entry, doc=doc)]
    others = [k for k in state.receipt_runs if k[0] == prefix]
    if others:
        w = others[0][1]
        return [_problem(policy, "receipt-number-far", f"receipt number {doc} has {width} digits; the {prefix} receipts so far "
                         f"have {w} ({prefix}{'N' * w}): a slip of the pen?", entry, doc=doc)]
    return []


@rule("receipt-book")
def receipt_book_overlap(entry, policy, state, today):
    if entry.kind != "receipt-book":
        return []
    lo, hi = receipt_series(entry.first), receipt_series(entry.last)
    if not lo or not hi:
        return []
    for i in state.receipt_books:
        b = state.entries.get(i)
        blo, bhi = receipt_series(b.first), receipt_series(b.last)
        if blo and bhi and blo[:2] == lo[:2] and lo[2] <= bhi[2] and blo[2] <= hi[2]:
            return [_problem(policy, "receipt-book-overlap", f"{entry.first}..{entry.last} overlaps receipt book {b.first}..{b.last} "
                             f"issued by {b.id} to {b.till}; each number is in one book only", entry)]
    return []


def _override_hint(settings: Rule) -> str:
    if settings.severity == "block" and settings.override:
        return f", or add --override {settings.override[0]}:NAME if the policy's {'/'.join(settings.override)} approves"
    return ""


def apply_overrides(entry: EntryBase, policy: Policy, problems: list[Problem]) -> list[Problem]:
    """Turn blocks into recorded exceptions where the entry carries an allowed override."""
    given = {a.role: a for a in entry.overrides}
    out = []
    for p in problems:
        settings = policy.rules.by_code(p.code)
        if p.severity == "block" and settings is not None:
            allowed = [given[r] for r in settings.override if r in given]
            if allowed:
                p = Problem(p.code, p.message + f" [overridden by {allowed[0]}]", p.file, p.line, p.entry_id, "warn",
                            {**p.data, "overridden_by": str(allowed[0])})
        out.append(p)
    return out


def check_entry(entry: EntryBase, policy: Policy, state: BookState, today: dt.date) -> list[Problem]:
    """Every rule against one entry, given the state of the book just before it."""
    problems: list[Problem] = []
    for fn in rules_for(entry.kind):
        problems += fn(entry, policy, state, today)
    return apply_overrides(entry, policy, problems) if problems else problems


def travel_advance(fare: Decimal, lodging: Decimal, allowance: Decimal, days: int) -> Decimal:
    """往返车费 + (住宿费 + 生活补助) × 预计出差天数 (DOMAIN 5)."""
    return fare + (lodging + allowance) * days


def receipt_series(number: str) -> tuple[str, int, int] | None:
    """``SJ0042`` -> (``SJ``, 4, 42): the series a receipt number belongs to, and its value."""
    m = NUMBERED.match(number)
    return (m[1], len(m[2]), int(m[2])) if m else None


#: the book's numbers of one series: (prefix, width, lo, hi) -> values in lo..hi, plus the
#: greatest value below lo (the number a gap at lo would follow)
Neighbours = Callable[[str, int, int, int], Iterable[int]]


def gaps_closed_in(used: Iterable[str], neighbours: Neighbours) -> list[tuple[str, str, str]]:
    """The gaps (prefix, first missing, last missing) that end just before a number in ``used``
    (the receipts of a period), judged against every number of the book."""
    series: dict[tuple[str, int], set[int]] = {}
    for number in used:
        found = receipt_series(number)
        if found:
            series.setdefault(found[:2], set()).add(found[2])
    gaps = []
    for (prefix, width), values in sorted(series.items()):
        known = sorted(values.union(neighbours(prefix, width, min(values), max(values))))
        for a, b in zip(known, known[1:]):
            if b - a > 1 and b in values:
                gaps.append((prefix, f"{prefix}{a + 1:0{width}d}", f"{prefix}{b - 1:0{width}d}"))
    return gaps


def book_checks(state: BookState, policy: Policy, where: dict[str, tuple[str, int]],
                period: tuple[Iterable[str], Neighbours] | None = None) -> list[Problem]:
    """Checks over the whole book rather than one entry: receipt-number gaps (收据缺号),
    each shown at the receipt that follows the gap. With ``period`` (the receipt numbers
    used in it, and a look-up of the book's numbers near them), only the gaps that end
    just before one of those numbers: what a month report shows."""
    out = []
    severity = policy.rules.receipt_number_gap.severity
    numbers = state.receipt_numbers
    gaps = state.receipt_gaps() if period is None else gaps_closed_in(*period)
    for prefix, first, last in gaps:
        width = len(last) - len(prefix)
        after = f"{prefix}{int(last[len(prefix):]) + 1:0{width}d}"
        file, line = where.get(numbers.get(after, ""), (None, None))
        out.append(Problem("receipt-number-gap", f"receipt numbers {first}..{last} are missing before {after}; "
                           "account for them (voided copies kept, receipt book returned?)",
                           file=file, line=line, entry_id=numbers.get(after), severity=severity,
                           data={"rule": "receipt-number-gap", "first_missing": first, "last_missing": last}))
    return out
