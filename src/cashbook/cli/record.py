"""Recording commands: one entry each, checked against the rules before it is written."""

from typing import Annotated, Optional

import typer

from .common import (
    ApprovalsOpt,
    BookOpt,
    DateOpt,
    Format,
    MemoOpt,
    OverrideOpt,
    TimeOpt,
    amount_arg,
    approvals_arg,
    begin,
    entry_time,
    fail,
    now,
    open_book,
)


MethodOpt = Annotated[Optional[str], typer.Option("--method", help="cash | cheque | transfer | pos (default: cash for the cash account, transfer for a bank account).", show_default=False)]
AccountOpt = Annotated[str, typer.Option("--account", help="Account key from policies.toml.")]
RecFormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table (a sentence) or json (one object) for scripts.")]

METHODS = ("cash", "cheque", "transfer", "pos")

# draft field -> the option a user typed, for error messages
OPTION_OF = {
    "party": "--from/--to", "category": "--category", "account": "--account", "amount": "AMOUNT",
    "doc": "--doc", "invoice": "--invoice", "cheque": "--cheque", "memo": "--memo", "person": "--to",
    "purpose": "--purpose", "due": "--due", "type": "--type", "approvals": "--approved-by",
    "overrides": "--override", "reason": "--reason", "words": "--words", "from_account": "--from-account",
    "to_account": "--to-account", "on_behalf_of": "--for", "returned": "--returned", "spent": "--spent",
    "invoice_party": "--invoice-party", "slip": "--slip", "ref": "--ref", "lost_receipt": "--lost-receipt",
    "department": "--department", "handler": "--handler", "first": "FIRST", "last": "LAST", "till": "--till", "to": "--to", "by": "--by",
    "giver": "--from", "receiver": "--to",
    "taken_by": "--taken-by", "contract_party": "--contract-party", "cheque_limit": "--cheque-limit", "payment": "PAYMENT_ID",
}


def doc_number(text: str) -> str:
    """A receipt number as the book keeps it: ``sj 0011`` is ``SJ0011``."""
    return "".join(text.split()).upper()


def _method(method: str | None, account: str, policy) -> str:
    if method is None:
        acct = policy.accounts.get(account)
        return "cash" if acct is None or acct.type == "cash" else "transfer"
    if method not in METHODS:
        fail("bad-option", f"--method {method!r}: one of {', '.join(METHODS)}")
    return method


def record(book: str | None, fmt: Format, draft, date: str | None, time: str | None, overrides: list[str] | None = None):
    """Build, check and write one entry, then print it. Shared by every recording command."""
    from pydantic import ValidationError

    from ..core.problems import CashbookError, Problem
    from ..core.rules import check_entry
    from ..render.recorded import print_recorded

    b = open_book(book)
    policy = b.policy
    when = entry_time(date, time, policy)
    extra = {}
    if overrides:
        extra["overrides"] = approvals_arg(overrides, "--override")

    from ..core.rules import deputised

    def signed_later(one: dict) -> dict:
        roles = deputised(one.get("approvals", ()), policy) if one.get("kind") != "sign" else ()
        return {**one, **extra, **({"to_sign": roles} if roles else {})}

    def full(state):
        base = draft(state, policy) if callable(draft) else draft
        return [signed_later(one) for one in base] if isinstance(base, list) else signed_later(base)

    try:
        entry, state, warnings = b.record(full, today=now().date(), checker=check_entry, time=when)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else ""
            option = OPTION_OF.get(name, name)
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "string_too_short":
                msg = "must not be empty"
            problems.append(Problem("bad-option", f"{option}: {msg}"))
        raise CashbookError(problems) from None
    print_recorded(entry, state, warnings, policy, fmt.value)


def register(app: typer.Typer) -> None:
    @app.command("receive")
    def receive(
        amount: Annotated[str, typer.Argument(help="Amount received, e.g. 1250 or 1,250.50.")],
        party: Annotated[str, typer.Option("--from", help="Who paid (交款人/单位).")],
        category: Annotated[str, typer.Option("--category", help="Income or liability category key.")],
        account: AccountOpt = "cash",
        method: MethodOpt = None,
        doc: Annotated[str, typer.Option("--doc", help="Receipt number issued (收据号).")] = "",
        memo: MemoOpt = "",
        date: DateOpt = None,
        time: TimeOpt = None,
        override: OverrideOpt = None,
        book: BookOpt = None,
        fmt: RecFormatOpt = Format.table,
    ):
        """收款 Record money received."""
        begin(fmt, book)
        value = amount_arg(amount)
        record(book, fmt, lambda s, p: dict(kind="receipt", amount=value, party=party, category=category, account=account,
                                            method=_method(method, account, p), doc=doc_number(doc), memo=memo), date, time, override)

    @app.command("collect")
    def collect(
        amount: Annotated[str, typer.Argument(help="Amount collected.")],
        party: Annotated[str, typer.Option("--from", help="Who paid.")],
        on_behalf_of: Annotated[str, typer.Option("--for", help="Whom the money is collected for (代收).")],
        category: Annotated[str, typer.Option("--category", help="Liability category key.")] = "collection",
        account: AccountOpt = "cash",
        method: MethodOpt = None,
        doc: Annotated[str, typer.Option("--doc", help="Receipt number issued.")] = "",
        memo: MemoOpt = "",
        date: DateOpt = None,
        time: TimeOpt = None,
        override: OverrideOpt = None,
        book: BookOpt = None,
        fmt: RecFormatOpt = Format.table,
    ):
        """代收 Record money collected on behalf of another party (a liability)."""
        begin(fmt, book)
        value = amount_arg(amount)
        record(book, fmt, lambda s, p: dict(kind="collection", amount=value, party=party, on_behalf_of=on_behalf_of, category=category,
                                            account=account, method=_method(method, account, p), doc=doc_number(doc), memo=memo), date, time, override)

    @app.command("pay")
    def pay(
        amount: Annotated[str, typer.Argument(help="Amount paid.")],
        party: Annotated[str, typer.Option("--to", help="Who is paid (收款人/单位).")],
        category: Annotated[str, typer.Option("--category", help="Expense (or liability) category key.")],
        account: AccountOpt = "cash",
        method: MethodOpt = None,
        cheque: Annotated[str, typer.Option("--cheque", help="Cheque number (with --method cheque).")] = "",
        invoice: Annotated[str, typer.Option("--invoice", help="Invoice or voucher number (发票号).")] = "",
        invoice_party: Annotated[str, typer.Option("--invoice-party", help="The party named on the invoice.")] = "",
        contract_party: Annotated[str, typer.Option("--contract-party", help="The party named on the contract.")] = "",
        approved_by: ApprovalsOpt = None,
        department: Annotated[str, typer.Option("--department", help="The payee's department, when staff or a department is paid.")] = "",
        taken_by: Annotated[str, typer.Option("--taken-by", help="Who took the cheque (领用人), for the cheque register.")] = "",
        cheque_limit: Annotated[Optional[str], typer.Option("--cheque-limit", help="The limit written on the cheque (限额).", show_default=False)] = None,
        handler: Annotated[str, typer.Option("--handler", help="Who handled a compensation paid in advance (先行赔付经办人).")] = "",
        on_behalf_of: Annotated[str, typer.Option("--for", help="The supplier a compensation is paid for.")] = "",
        words: Annotated[str, typer.Option("--words", help="The amount in capital numerals as written (大写), cross-checked.")] = "",
        memo: MemoOpt = "",
        date: DateOpt = None,
        time: TimeOpt = None,
        override: OverrideOpt = None,
        book: BookOpt = None,
        fmt: RecFormatOpt = Format.table,
    ):
        """付款 Record a payment."""
        begin(fmt, book)
        value = amount_arg(amount)
        approvals = approvals_arg(approved_by)
        limit = amount_arg(cheque_limit, "--cheque-limit") if cheque_limit is not None else None
        record(book, fmt, lambda s, p: dict(kind="payment", taken_by=taken_by, cheque_limit=limit, amount=value, party=party, category=category, account=account,
                                            method="cheque" if cheque and method is None else _method(method, account, p),
                                            cheque=cheque, invoice=invoice, invoice_party=invoice_party, contract_party=contract_party, approvals=approvals,
                                            words=words, department=department, handler=handler,
                                            on_behalf_of=on_behalf_of, memo=memo), date, time, override)

    @app.command("bank-deposit")
    def bank_deposit(
        amount: Annotated[str, typer.Argument(help="Cash taken to the bank.")],
        account: Annotated[str, typer.Option("--account", help="Bank account key receiving the cash.")],
        cash_account: Annotated[str, typer.Option("--cash-account", help="Cash account the money leaves.")] = "cash",
        slip: Annotated[str, typer.Option("--slip", help="Deposit slip number (送款单号).")] = "",
        memo: MemoOpt = "",
        date: DateOpt = None,
        time: TimeOpt = None,
        override: OverrideOpt = None,
        book: BookOpt = None,
        fmt: RecFormatOpt = Format.table,
    ):
        """送存 Record cash deposited into a bank account."""
        begin(fmt, book)
        value = amount_arg(amount)
        record(book, fmt, dict(kind="bank-deposit", amount=value, account=account, cash_account=cash_account, slip=slip, memo=memo),
               date, time, override)

    @app.command("withdraw")
    def withdraw(
        amount: Annotated[str, typer.Argument(help="Cash drawn from the bank.")],
        account: Annotated[str, typer.Option("--account", help="Bank account key the cash comes from.")],
        approved_by: ApprovalsOpt = None,
        cash_account: Annotated[str, typer.Option("--cash-account", help="Cash account receiving it.")] = "cash",
        cheque: Annotated[str, typer.Option("--cheque", help="Cash cheque number (现金支票号).")] = "",
        memo: MemoOpt = "",
        date: DateOpt = None,
        time: TimeOpt = None,
        override: OverrideOpt = None,
        book: BookOpt = None,
        fmt: RecFormatOpt = Format.table,
    ):
        """提现 Record cash withdrawn from a bank account (needs the GM's approval)."""
        begin(fmt, book)
        value = amount_arg(amount)
        record(book, fmt, dict(kind="withdrawal", amount=value, account=account, cash_account=cash_account, cheque=cheque,
                               approvals=approvals_arg(approved_by), memo=memo), date, time, override)

    @app.command("transfer")
    def transfer(
        amount: Annotated[str, typer.Argument(help="Amount moved.")],
        from_account: Annotated[str, typer.Option("--from-account", help="Account the money leaves.")],
        to_account: Annotated[str, typer.Option("--to-account", help="Account the money enters.")],
        ref: Annotated[str, typer.Option("--ref", help="Bank reference.")] = "",
        approved_by: ApprovalsOpt = None,
        memo: MemoOpt = "",
        date: DateOpt = None,
        time: TimeOpt = None,
        override: OverrideOpt = None,
        book: BookOpt = None,
        fmt: RecFormatOpt = Format.table,
    ):
        """转账 Record a transfer between two of the company's accounts."""
        begin(fmt, book)
        value = amount_arg(amount)
        record(book, fmt, dict(kind="transfer", amount=value, from_account=from_account, to_account=to_account, ref=ref,
                               approvals=approvals_arg(approved_by), memo=memo), date, time, override)

    @app.command("advance")
    def advance(
        amount: Annotated[Optional[str], typer.Argument(help="Amount advanced (omit with --estimate).", show_default=False)] = None,
        person: Annotated[Optional[str], typer.Option("--to", help="Member of staff receiving the advance.", show_default=False)] = None,
        purpose: Annotated[str, typer.Option("--purpose", help="What it is for.")] = "",
        due: Annotated[Optional[str], typer.Option("--due", help="YYYY-MM-DD by which it is settled.", show_default=False)] = None,
        department: Annotated[str, typer.Option("--department", help="The person's department (default: from [staff] in policies.toml).")] = "",
        approved_by: ApprovalsOpt = None,
        estimate: Annotated[Optional[tuple[str, str, str, str]], typer.Option("--estimate", help="Print the travel advance for FARE LODGING ALLOWANCE DAYS = fare + (lodging + allowance) × days, and record nothing.", show_default=False)] = None,
        account: AccountOpt = "cash",
        method: MethodOpt = None,
        memo: MemoOpt = "",
        date: DateOpt = None,
        time: TimeOpt = None,
        override: OverrideOpt = None,
        book: BookOpt = None,
        fmt: RecFormatOpt = Format.table,
    ):
        """借款 Record an advance to a member of staff (or estimate a travel advance)."""
        begin(fmt, book)
        if estimate is not None:
            from ..core.rules import travel_advance
            from ..render.recorded import print_estimate

            fare, lodging, allowance = (amount_arg(v, n, allow_zero=True) for v, n in zip(estimate, ("FARE", "LODGING", "ALLOWANCE")))
            if not estimate[3].isascii() or not estimate[3].isdigit() or not 1 <= int(estimate[3][:6]) <= 3650:
                fail("bad-option", f"--estimate DAYS {estimate[3]!r} must be a whole number of days, 1 to 3650")
            days = int(estimate[3])
            print_estimate(fare, lodging, allowance, days, travel_advance(fare, lodging, allowance, days), fmt.value)
            return
        if amount is None or person is None or due is None or not purpose:
            fail("bad-option", "an advance needs AMOUNT, --to PERSON, --purpose TEXT and --due YYYY-MM-DD")
        value = amount_arg(amount)
        from .common import parse_date

        due_day = parse_date(due, "--due")
        record(book, fmt, lambda s, p: dict(kind="advance", amount=value, person=person, purpose=purpose, due=due_day,
                                            department=department or p.staff.get(person, ""),
                                            account=account, method=_method(method, account, p),
                                            approvals=approvals_arg(approved_by), memo=memo), date, time, override)

    @app.command("settle")
    def settle(
        advance_id: Annotated[str, typer.Argument(help="Id of the advance being settled.")],
        returned: Annotated[str, typer.Option("--returned", help="Cash handed back.")] = "0",
        spent: Annotated[str, typer.Option("--spent", help="Amount spent, backed by invoices.")] = "0",
        category: Annotated[Optional[str], typer.Option("--category", help="Expense category of the spending.", show_default=False)] = None,
        invoice: Annotated[str, typer.Option("--invoice", help="Invoice number(s) for the spending.")] = "",
        approved_by: ApprovalsOpt = None,
        account: AccountOpt = "cash",
        memo: MemoOpt = "",
        date: DateOpt = None,
        time: TimeOpt = None,
        override: OverrideOpt = None,
        book: BookOpt = None,
        fmt: RecFormatOpt = Format.table,
    ):
        """报销/还款 Settle an advance with cash returned and/or spending with invoices."""
        begin(fmt, book)
        ret = amount_arg(returned, "--returned", allow_zero=True)
        spn = amount_arg(spent, "--spent", allow_zero=True)

        def draft(state, policy):
            adv = state.advances.get(advance_id)
            if adv is None:
                fail("unknown-advance", f"no advance with id {advance_id!r}; see `cashbook report advances`")
            return dict(kind="settlement", advance=advance_id, person=adv.party, returned=ret, spent=spn,
                        category=category, invoice=invoice, account=account, approvals=approvals_arg(approved_by), memo=memo)

        record(book, fmt, draft, date, time, override)

    @app.command("recover")
    def recover(
        payment_id: Annotated[str, typer.Argument(help="Id of the compensation payment (先行赔付) recovered.")],
        party: Annotated[str, typer.Option("--from", help="Who pays it back: the supplier, or the handler (from wages).")],
        amount: Annotated[Optional[str], typer.Option("--amount", help="Amount recovered (default: all outstanding).", show_default=False)] = None,
        account: AccountOpt = "cash",
        method: MethodOpt = None,
        memo: MemoOpt = "",
        date: DateOpt = None,
        time: TimeOpt = None,
        override: OverrideOpt = None,
        book: BookOpt = None,
        fmt: RecFormatOpt = Format.table,
    ):
        """追偿 Record a compensation paid in advance recovered from the supplier (or the handler)."""
        begin(fmt, book)
        value = amount_arg(amount, "--amount") if amount is not None else None

        def draft(state, policy):
            item = state.compensations.get(payment_id)
            if item is None or payment_id in state.voided:
                fail("unknown-entry", f"no compensation paid in advance with id {payment_id!r}; see `cashbook report compensation`")
            amt = value if value is not None else item.outstanding
            if amt <= 0:
                fail("bad-amount", f"{payment_id} has nothing left to recover")
            return dict(kind="recovery", payment=payment_id, party=party, amount=amt, category=state.entries[payment_id].category,
                        account=account, method=_method(method, account, policy), memo=memo)

        record(book, fmt, draft, date, time, override)

    @app.command("issue-receipts")
    def issue_receipts(
        first: Annotated[str, typer.Argument(help="First receipt number of the book, e.g. SJ0001.")],
        last: Annotated[str, typer.Argument(help="Last receipt number, e.g. SJ0050.")],
        till: Annotated[str, typer.Option("--till", help="The till (收银台) or desk that uses it.")],
        to: Annotated[str, typer.Option("--to", help="Who takes the book.")],
        memo: MemoOpt = "",
        date: DateOpt = None,
        time: TimeOpt = None,
        book: BookOpt = None,
        fmt: RecFormatOpt = Format.table,
    ):
        """收据领用 Issue a receipt book (its number range) to a till."""
        begin(fmt, book)
        record(book, fmt, dict(kind="receipt-book", first=doc_number(first), last=doc_number(last), till=till, to=to, memo=memo),
               date, time)

    @app.command("return-receipts")
    def return_receipts(
        book_id: Annotated[str, typer.Argument(help="Id of the issue-receipts entry.")],
        by: Annotated[str, typer.Option("--by", help="Who hands the book back.")],
        memo: MemoOpt = "",
        date: DateOpt = None,
        time: TimeOpt = None,
        book: BookOpt = None,
        fmt: RecFormatOpt = Format.table,
    ):
        """收据交回 A used receipt book handed back (销号交回); its unused numbers are cancelled."""
        begin(fmt, book)
        record(book, fmt, dict(kind="receipt-book-return", book=book_id, by=by, memo=memo), date, time)

    @app.command("spoil-receipt")
    def spoil_receipt(
        doc: Annotated[str, typer.Argument(help="The spoiled receipt's number.")],
        reason: Annotated[str, typer.Option("--reason", help="Why it is spoiled (作废).")],
        date: DateOpt = None,
        time: TimeOpt = None,
        book: BookOpt = None,
        fmt: RecFormatOpt = Format.table,
    ):
        """收据作废 A spoiled receipt, kept with its copies: the number is used and never reused."""
        begin(fmt, book)
        if not reason.strip():
            fail("bad-option", "--reason must say why the receipt is spoiled")
        record(book, fmt, dict(kind="receipt-spoiled", doc=doc_number(doc), reason=reason), date, time)

    @app.command("sign")
    def sign(
        entry_id: Annotated[str, typer.Argument(help="Id of the entry a deputy approved.")],
        by: Annotated[list[str], typer.Option("--by", help="ROLE:NAME of the holder signing now (补签); repeat for each.")],
        date: DateOpt = None,
        time: TimeOpt = None,
        book: BookOpt = None,
        fmt: RecFormatOpt = Format.table,
    ):
        """补签 The holder of a role signs an entry a deputy approved in their absence."""
        begin(fmt, book)
        record(book, fmt, dict(kind="sign", target=entry_id, approvals=approvals_arg(by, "--by")), date, time)

    @app.command("issue-cheques")
    def issue_cheques(
        first: Annotated[str, typer.Argument(help="First cheque number of the book.")],
        last: Annotated[str, typer.Argument(help="Last cheque number.")],
        account: Annotated[str, typer.Option("--account", help="Bank account key of the cheques.")],
        memo: MemoOpt = "",
        date: DateOpt = None,
        time: TimeOpt = None,
        book: BookOpt = None,
        fmt: RecFormatOpt = Format.table,
    ):
        """支票领购 Record a cheque book of a bank account (its number range) in the cheque register."""
        begin(fmt, book)
        record(book, fmt, dict(kind="cheque-book", account=account, first=first.strip(), last=last.strip(), memo=memo), date, time)

    @app.command("spoil-cheque")
    def spoil_cheque(
        cheque: Annotated[str, typer.Argument(help="The spoiled cheque's number.")],
        account: Annotated[str, typer.Option("--account", help="Bank account key of the cheque.")],
        reason: Annotated[str, typer.Option("--reason", help="Why it is spoiled (作废).")],
        date: DateOpt = None,
        time: TimeOpt = None,
        book: BookOpt = None,
        fmt: RecFormatOpt = Format.table,
    ):
        """支票作废 A spoiled cheque, kept (not destroyed): its number is never used again."""
        begin(fmt, book)
        if not reason.strip():
            fail("bad-option", "--reason must say why the cheque is spoiled")
        record(book, fmt, dict(kind="cheque-spoiled", account=account, cheque=cheque.strip(), reason=reason), date, time)

    @app.command("handover")
    def handover(
        amount: Annotated[str, typer.Argument(help="Takings handed over.")],
        till: Annotated[str, typer.Option("--till", help="The till the takings come from.")],
        giver: Annotated[str, typer.Option("--from", help="Who hands them over (交款人).")],
        receiver: Annotated[str, typer.Option("--to", help="Who receives them (收款人, the cashier).")],
        memo: MemoOpt = "",
        date: DateOpt = None,
        time: TimeOpt = None,
        book: BookOpt = None,
        fmt: RecFormatOpt = Format.table,
    ):
        """收款交接 Log a till's takings handed to the cashier: time, amount, giver and receiver."""
        begin(fmt, book)
        value = amount_arg(amount)
        record(book, fmt, dict(kind="handover", till=till, amount=value, giver=giver, receiver=receiver, memo=memo), date, time)

    @app.command("hold-deposit")
    def hold_deposit(
        amount: Annotated[Optional[str], typer.Argument(help="Amount held (default: the type's fixed amount × --units).", show_default=False)] = None,
        party: Annotated[str, typer.Option("--from", help="Merchant paying the deposit.")] = "",
        type_: Annotated[str, typer.Option("--type", help="Deposit type key (site, quality, fit-out, construction-permit, ...).")] = "",
        units: Annotated[int, typer.Option("--units", min=1, max=100000, help="Cards or lines, for types with a fixed amount per unit.")] = 1,
        doc: Annotated[str, typer.Option("--doc", help="Receipt number given to the merchant.")] = "",
        account: AccountOpt = "cash",
        method: MethodOpt = None,
        memo: MemoOpt = "",
        date: DateOpt = None,
        time: TimeOpt = None,
        override: OverrideOpt = None,
        book: BookOpt = None,
        fmt: RecFormatOpt = Format.table,
    ):
        """押金收取 Record a deposit taken from a merchant."""
        begin(fmt, book)
        if not party or not type_:
            fail("bad-option", "a deposit needs --from MERCHANT and --type TYPE")
        value = amount_arg(amount) if amount is not None else None

        def draft(state, policy):
            dtype = policy.deposit_types.get(type_)
            amt = value
            if amt is None:
                if dtype is None or dtype.amount is None:
                    fail("bad-option", f"deposit type {type_!r} has no fixed amount; give AMOUNT")
                amt = dtype.amount * units
            return dict(kind="deposit-hold", amount=amt, party=party, type=type_, doc=doc_number(doc), account=account,
                        method=_method(method, account, policy), memo=memo, units=units)

        record(book, fmt, draft, date, time, override)

    @app.command("refund-deposit")
    def refund_deposit(
        deposit_id: Annotated[str, typer.Argument(help="Id of the deposit being refunded.")],
        amount: Annotated[Optional[str], typer.Option("--amount", help="Amount refunded (default: all still held).", show_default=False)] = None,
        approved_by: ApprovalsOpt = None,
        left_on: Annotated[Optional[str], typer.Option("--left-on", help="YYYY-MM-DD the merchant left (for deposits refundable only after a wait).", show_default=False)] = None,
        lost_receipt: Annotated[str, typer.Option("--lost-receipt", help="Loss declaration reference when the customer's receipt copy is lost.")] = "",
        account: AccountOpt = "cash",
        method: MethodOpt = None,
        memo: MemoOpt = "",
        date: DateOpt = None,
        time: TimeOpt = None,
        override: OverrideOpt = None,
        book: BookOpt = None,
        fmt: RecFormatOpt = Format.table,
    ):
        """押金退还 Refund a held deposit to its merchant."""
        begin(fmt, book)
        value = amount_arg(amount, "--amount") if amount is not None else None
        from .common import parse_date

        left = parse_date(left_on, "--left-on") if left_on else None

        def draft(state, policy):
            held = state.deposits.get(deposit_id)
            if held is None:
                fail("deposit-refund-invalid", f"no deposit with id {deposit_id!r}; see `cashbook report deposits`")
            amt = value if value is not None else held.outstanding
            if amt <= 0:
                fail("deposit-refund-invalid", f"deposit {deposit_id} has nothing left to refund")
            return dict(kind="deposit-refund", deposit=deposit_id, amount=amt, party=held.party, type=held.type,
                        account=account, method=_method(method, account, policy), lost_receipt=lost_receipt,
                        left_on=left, approvals=approvals_arg(approved_by), memo=memo)

        record(book, fmt, draft, date, time, override)

    @app.command("void")
    def void(
        entry_id: Annotated[str, typer.Argument(help="Id of the entry to reverse.")],
        reason: Annotated[str, typer.Option("--reason", help="Why it is voided.")],
        with_dependants: Annotated[bool, typer.Option("--with-dependants", help="Also void what rests on it (an advance's settlements, a deposit's refunds), latest first.")] = False,
        approved_by: ApprovalsOpt = None,
        date: DateOpt = None,
        time: TimeOpt = None,
        book: BookOpt = None,
        fmt: RecFormatOpt = Format.table,
    ):
        """冲销 Reverse an earlier entry with a new one (the original stays)."""
        begin(fmt, book)
        if not reason.strip():
            fail("bad-option", "--reason must say why the entry is voided")

        def draft(state, policy):
            from ..core.entries import reversal

            target = state.entries.get(entry_id)
            if target is None:
                fail("unknown-entry", f"no entry with id {entry_id!r}; ids look like 20260901-003 (see `cashbook report journal`)")
            rest = state.dependants(entry_id) if with_dependants else []
            signed = approvals_arg(approved_by)
            return [dict(kind="void", target=i, reason=f"{reason} (with {entry_id})", reverses=reversal(state.entries[i]),
                         approvals=signed) for i in reversed(rest)] + \
                [dict(kind="void", target=entry_id, reason=reason, reverses=reversal(target), approvals=signed)]

        record(book, fmt, draft, date, time)

    @app.command("opening")
    def opening(
        account: Annotated[str, typer.Argument(help="Account key.")],
        amount: Annotated[str, typer.Argument(help="Opening balance (期初余额).")],
        date: DateOpt = None,
        book: BookOpt = None,
        fmt: RecFormatOpt = Format.table,
    ):
        """期初余额 Set an account's opening balance."""
        begin(fmt, book)
        value = amount_arg(amount, allow_zero=True)
        record(book, fmt, dict(kind="opening", account=account, amount=value), date, "00:00")
