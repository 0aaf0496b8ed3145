"""Recording commands: one entry each, checked against the rules before it is written."""

import inspect
from typing import Annotated, Callable, Optional

import typer

from .common import (
    ApprovalsOpt,
    BookOpt,
    DateOpt,
    Format,
    MemoOpt,
    OverrideOpt,
    Session,
    TimeOpt,
    amount_arg,
    approvals_arg,
    begin,
    entry_time,
    fail,
    now,
    open_book,
    parse_date,
)
from .output import as_command, command_signature, option


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


def _checked_method(draft: dict) -> None:
    method = draft.get("method")
    if method is not None and method not in METHODS:
        fail("bad-option", f"--method {method!r}: one of {', '.join(METHODS)}")


def record(book: str | None, fmt: Format, draft: dict, date: str | None, time: str | None, overrides: list[str] | None = None):
    """Check and write one entry (or the few a draft stands for), then print it. Shared by every
    recording command: what the user left out the book fills in (`core.drafts.complete`)."""
    from pydantic import ValidationError

    from ..core.drafts import complete
    from ..core.problems import CashbookError, Problem
    from ..core.rules import check_entry
    from ..render.recorded import print_recorded

    b = open_book(book)
    policy = b.policy
    when = entry_time(date, time, policy)
    if overrides:
        draft = {**draft, "overrides": approvals_arg(overrides, "--override")}

    def full(state):
        _checked_method(draft)
        return complete(draft, policy, state)

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


class Recording:
    """One recording command as data: its name, its own options (the parameters of ``draft``,
    which turns them into the draft entry, or None when it has printed all there is) and which
    of the shared ones it takes. `--date`, `--time`, `--override`, `--book` and `-f/--format`
    are added here, in that order, after the command's own options."""

    def __init__(self, name: str, draft: Callable, time: bool | str, override: bool):
        self.name, self.draft, self.time, self.override = name, draft, time, override

    def parameters(self) -> list[inspect.Parameter]:
        shared = [option("date", DateOpt, None)]
        shared += [option("time", TimeOpt, None)] if self.time is True else []
        shared += [option("override", OverrideOpt, None)] if self.override else []
        return shared + [option("book", BookOpt, None), option("fmt", RecFormatOpt, Format.table)]

    def command(self) -> Callable:
        spec = self

        def run(**given):
            book, fmt, date = given.pop("book"), given.pop("fmt"), given.pop("date")
            time = given.pop("time", None) if spec.time is True else (spec.time or None)
            override = given.pop("override", None)
            begin(fmt, book)
            draft = spec.draft(**given)
            if draft is not None:
                record(book, fmt, draft, date, time, override)

        return as_command(run, self.draft, command_signature(self.draft, self.parameters()))


RECORDING: list[Recording] = []


def recording(name: str, time: bool | str = True, override: bool = True) -> Callable:
    """Declare ``fn`` as the recording command ``name`` (`Recording`); ``time`` is False for
    no --time, or the fixed time of day its entries take."""

    def declare(fn: Callable) -> Callable:
        RECORDING.append(Recording(name, fn, time, override))
        return fn

    return declare


def register(app: typer.Typer) -> None:
    for spec in RECORDING:
        app.command(spec.name)(spec.command())


@recording("receive")
def receive(
    amount: Annotated[str, typer.Argument(help="Amount received, e.g. 1250 or 1,250.50.")],
    party: Annotated[str, typer.Option("--from", help="Who paid (交款人/单位).")],
    category: Annotated[str, typer.Option("--category", help="Income or liability category key.")],
    account: AccountOpt = "cash",
    method: MethodOpt = None,
    doc: Annotated[str, typer.Option("--doc", help="Receipt number issued (收据号).")] = "",
    memo: MemoOpt = "",
):
    """收款 Record money received."""
    return dict(kind="receipt", amount=amount_arg(amount), party=party, category=category, account=account, method=method,
                doc=doc_number(doc), memo=memo)


@recording("collect")
def collect(
    amount: Annotated[str, typer.Argument(help="Amount collected.")],
    party: Annotated[str, typer.Option("--from", help="Who paid.")],
    on_behalf_of: Annotated[str, typer.Option("--for", help="Whom the money is collected for (代收).")],
    category: Annotated[str, typer.Option("--category", help="Liability category key.")] = "collection",
    account: AccountOpt = "cash",
    method: MethodOpt = None,
    doc: Annotated[str, typer.Option("--doc", help="Receipt number issued.")] = "",
    memo: MemoOpt = "",
):
    """代收 Record money collected on behalf of another party (a liability)."""
    return dict(kind="collection", amount=amount_arg(amount), party=party, on_behalf_of=on_behalf_of, category=category,
                account=account, method=method, doc=doc_number(doc), memo=memo)


@recording("pay")
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
):
    """付款 Record a payment."""
    value = amount_arg(amount)
    approvals = approvals_arg(approved_by)
    limit = amount_arg(cheque_limit, "--cheque-limit") if cheque_limit is not None else None
    return dict(kind="payment", taken_by=taken_by, cheque_limit=limit, amount=value, party=party, category=category, account=account,
                method=method, cheque=cheque, invoice=invoice, invoice_party=invoice_party, contract_party=contract_party,
                approvals=approvals, words=words, department=department, handler=handler, on_behalf_of=on_behalf_of, memo=memo)


@recording("bank-deposit")
def bank_deposit(
    amount: Annotated[str, typer.Argument(help="Cash taken to the bank.")],
    account: Annotated[str, typer.Option("--account", help="Bank account key receiving the cash.")],
    cash_account: Annotated[str, typer.Option("--cash-account", help="Cash account the money leaves.")] = "cash",
    slip: Annotated[str, typer.Option("--slip", help="Deposit slip number (送款单号).")] = "",
    memo: MemoOpt = "",
):
    """送存 Record cash deposited into a bank account."""
    return dict(kind="bank-deposit", amount=amount_arg(amount), account=account, cash_account=cash_account, slip=slip, memo=memo)


@recording("withdraw")
def withdraw(
    amount: Annotated[str, typer.Argument(help="Cash drawn from the bank.")],
    account: Annotated[str, typer.Option("--account", help="Bank account key the cash comes from.")],
    approved_by: ApprovalsOpt = None,
    cash_account: Annotated[str, typer.Option("--cash-account", help="Cash account receiving it.")] = "cash",
    cheque: Annotated[str, typer.Option("--cheque", help="Cash cheque number (现金支票号).")] = "",
    memo: MemoOpt = "",
):
    """提现 Record cash withdrawn from a bank account (needs the GM's approval)."""
    value = amount_arg(amount)
    return dict(kind="withdrawal", amount=value, account=account, cash_account=cash_account, cheque=cheque,
                approvals=approvals_arg(approved_by), memo=memo)


@recording("transfer")
def transfer(
    amount: Annotated[str, typer.Argument(help="Amount moved.")],
    from_account: Annotated[str, typer.Option("--from-account", help="Account the money leaves.")],
    to_account: Annotated[str, typer.Option("--to-account", help="Account the money enters.")],
    ref: Annotated[str, typer.Option("--ref", help="Bank reference.")] = "",
    approved_by: ApprovalsOpt = None,
    memo: MemoOpt = "",
):
    """转账 Record a transfer between two of the company's accounts."""
    value = amount_arg(amount)
    return dict(kind="transfer", amount=value, from_account=from_account, to_account=to_account, ref=ref,
                approvals=approvals_arg(approved_by), memo=memo)


@recording("advance")
def advance(
    amount: Annotated[Optional[str], typer.Argument(help="Amount advanced (omit with --estimate).", show_default=False)] = None,
    person: Annotated[Optional[str], typer.Option("--to", help="Member of staff receiving the advance.", show_default=False)] = None,
    purpose: Annotated[str, typer.Option("--purpose", help="What it is for.")] = "",
    due: Annotated[Optional[str], typer.Option("--due", help="YYYY-MM-DD by which it is settled.", show_default=False)] = None,
    department: Annotated[str, typer.Option("--department", help="The person's department (default: from \\[staff] in policies.toml).")] = "",
    approved_by: ApprovalsOpt = None,
    estimate: Annotated[Optional[tuple[str, str, str, str]], typer.Option("--estimate", help="Print the travel advance for FARE LODGING ALLOWANCE DAYS = fare + (lodging + allowance) × days, and record nothing.", show_default=False)] = None,
    account: AccountOpt = "cash",
    method: MethodOpt = None,
    memo: MemoOpt = "",
):
    """借款 Record an advance to a member of staff (or estimate a travel advance)."""
    if estimate is not None:
        from ..core.rules import travel_advance
        from ..render.recorded import print_estimate

        fare, lodging, allowance = (amount_arg(v, n, allow_zero=True) for v, n in zip(estimate, ("FARE", "LODGING", "ALLOWANCE")))
        if not estimate[3].isascii() or not estimate[3].isdigit() or not 1 <= int(estimate[3][:6]) <= 3650:
            fail("bad-option", f"--estimate DAYS {estimate[3]!r} must be a whole number of days, 1 to 3650")
        days = int(estimate[3])
        print_estimate(fare, lodging, allowance, days, travel_advance(fare, lodging, allowance, days), Session.format)
        return None
    if amount is None or person is None or due is None or not purpose:
        fail("bad-option", "an advance needs AMOUNT, --to PERSON, --purpose TEXT and --due YYYY-MM-DD")
    value = amount_arg(amount)
    due_day = parse_date(due, "--due")
    return dict(kind="advance", amount=value, person=person, purpose=purpose, due=due_day, department=department,
                account=account, method=method, approvals=approvals_arg(approved_by), memo=memo)


@recording("settle")
def settle(
    advance_id: Annotated[str, typer.Argument(help="Id of the advance being settled.")],
    returned: Annotated[str, typer.Option("--returned", help="Cash handed back.")] = "0",
    spent: Annotated[str, typer.Option("--spent", help="Amount spent, backed by invoices.")] = "0",
    category: Annotated[Optional[str], typer.Option("--category", help="Expense category of the spending.", show_default=False)] = None,
    invoice: Annotated[str, typer.Option("--invoice", help="Invoice number(s) for the spending.")] = "",
    approved_by: ApprovalsOpt = None,
    account: AccountOpt = "cash",
    memo: MemoOpt = "",
):
    """报销/还款 Settle an advance with cash returned and/or spending with invoices."""
    ret = amount_arg(returned, "--returned", allow_zero=True)
    spn = amount_arg(spent, "--spent", allow_zero=True)
    return dict(kind="settlement", advance=advance_id, person=None, returned=ret, spent=spn, category=category, invoice=invoice,
                account=account, approvals=approvals_arg(approved_by), memo=memo)


@recording("recover")
def recover(
    payment_id: Annotated[str, typer.Argument(help="Id of the compensation payment (先行赔付) recovered.")],
    party: Annotated[str, typer.Option("--from", help="Who pays it back: the supplier, or the handler (from wages).")],
    amount: Annotated[Optional[str], typer.Option("--amount", help="Amount recovered (default: all outstanding).", show_default=False)] = None,
    account: AccountOpt = "cash",
    method: MethodOpt = None,
    memo: MemoOpt = "",
):
    """追偿 Record a compensation paid in advance recovered from the supplier (or the handler)."""
    value = amount_arg(amount, "--amount") if amount is not None else None
    return dict(kind="recovery", payment=payment_id, party=party, amount=value, category=None, account=account, method=method,
                memo=memo)


@recording("issue-receipts", override=False)
def issue_receipts(
    first: Annotated[str, typer.Argument(help="First receipt number of the book, e.g. SJ0001.")],
    last: Annotated[str, typer.Argument(help="Last receipt number, e.g. SJ0050.")],
    till: Annotated[str, typer.Option("--till", help="The till (收银台) or desk that uses it.")],
    to: Annotated[str, typer.Option("--to", help="Who takes the book.")],
    memo: MemoOpt = "",
):
    """收据领用 Issue a receipt book (its number range) to a till."""
    return dict(kind="receipt-book", first=doc_number(first), last=doc_number(last), till=till, to=to, memo=memo)


@recording("return-receipts", override=False)
def return_receipts(
    book_id: Annotated[str, typer.Argument(help="Id of the issue-receipts entry.")],
    by: Annotated[str, typer.Option("--by", help="Who hands the book back.")],
    memo: MemoOpt = "",
):
    """收据交回 A used receipt book handed back (销号交回); its unused numbers are cancelled."""
    return dict(kind="receipt-book-return", book=book_id, by=by, memo=memo)


@recording("spoil-receipt", override=False)
def spoil_receipt(
    doc: Annotated[str, typer.Argument(help="The spoiled receipt's number.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is spoiled (作废).")],
):
    """收据作废 A spoiled receipt, kept with its copies: the number is used and never reused."""
    if not reason.strip():
        fail("bad-option", "--reason must say why the receipt is spoiled")
    return dict(kind="receipt-spoiled", doc=doc_number(doc), reason=reason)


@recording("sign", override=False)
def sign(
    entry_id: Annotated[str, typer.Argument(help="Id of the entry a deputy approved.")],
    by: Annotated[list[str], typer.Option("--by", help="ROLE:NAME of the holder signing now (补签); repeat for each.")],
):
    """补签 The holder of a role signs an entry a deputy approved in their absence."""
    return dict(kind="sign", target=entry_id, approvals=approvals_arg(by, "--by"))


@recording("issue-cheques", override=False)
def issue_cheques(
    first: Annotated[str, typer.Argument(help="First cheque number of the book.")],
    last: Annotated[str, typer.Argument(help="Last cheque number.")],
    account: Annotated[str, typer.Option("--account", help="Bank account key of the cheques.")],
    memo: MemoOpt = "",
):
    """支票领购 Record a cheque book of a bank account (its number range) in the cheque register."""
    return dict(kind="cheque-book", account=account, first=first.strip(), last=last.strip(), memo=memo)


@recording("spoil-cheque", override=False)
def spoil_cheque(
    cheque: Annotated[str, typer.Argument(help="The spoiled cheque's number.")],
    account: Annotated[str, typer.Option("--account", help="Bank account key of the cheque.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is spoiled (作废).")],
):
    """支票作废 A spoiled cheque, kept (not destroyed): its number is never used again."""
    if not reason.strip():
        fail("bad-option", "--reason must say why the cheque is spoiled")
    return dict(kind="cheque-spoiled", account=account, cheque=cheque.strip(), reason=reason)


@recording("handover", override=False)
def handover(
    amount: Annotated[str, typer.Argument(help="Takings handed over.")],
    till: Annotated[str, typer.Option("--till", help="The till the takings come from.")],
    giver: Annotated[str, typer.Option("--from", help="Who hands them over (交款人).")],
    receiver: Annotated[str, typer.Option("--to", help="Who receives them (收款人, the cashier).")],
    memo: MemoOpt = "",
):
    """收款交接 Log a till's takings handed to the cashier: time, amount, giver and receiver."""
    return dict(kind="handover", till=till, amount=amount_arg(amount), giver=giver, receiver=receiver, memo=memo)


@recording("hold-deposit")
def hold_deposit(
    amount: Annotated[Optional[str], typer.Argument(help="Amount held (default: the type's fixed amount × --units).", show_default=False)] = None,
    party: Annotated[str, typer.Option("--from", help="Merchant paying the deposit.")] = "",
    type_: Annotated[str, typer.Option("--type", help="Deposit type key (site, quality, fit-out, construction-permit, ...).")] = "",
    units: Annotated[int, typer.Option("--units", min=1, max=100000, help="Cards or lines, for types with a fixed amount per unit.")] = 1,
    doc: Annotated[str, typer.Option("--doc", help="Receipt number given to the merchant.")] = "",
    account: AccountOpt = "cash",
    method: MethodOpt = None,
    memo: MemoOpt = "",
):
    """押金收取 Record a deposit taken from a merchant."""
    if not party or not type_:
        fail("bad-option", "a deposit needs --from MERCHANT and --type TYPE")
    value = amount_arg(amount) if amount is not None else None
    return dict(kind="deposit-hold", amount=value, party=party, type=type_, doc=doc_number(doc), account=account, method=method,
                memo=memo, units=units)


@recording("refund-deposit")
def refund_deposit(
    deposit_id: Annotated[str, typer.Argument(help="Id of the deposit being refunded.")],
    amount: Annotated[Optional[str], typer.Option("--amount", help="Amount refunded (default: all still held).", show_default=False)] = None,
    approved_by: ApprovalsOpt = None,
    left_on: Annotated[Optional[str], typer.Option("--left-on", help="YYYY-MM-DD the merchant left (for deposits refundable only after a wait).", show_default=False)] = None,
    lost_receipt: Annotated[str, typer.Option("--lost-receipt", help="Loss declaration reference when the customer's receipt copy is lost.")] = "",
    account: AccountOpt = "cash",
    method: MethodOpt = None,
    memo: MemoOpt = "",
):
    """押金退还 Refund a held deposit to its merchant."""
    value = amount_arg(amount, "--amount") if amount is not None else None
    left = parse_date(left_on, "--left-on") if left_on else None
    return dict(kind="deposit-refund", deposit=deposit_id, amount=value, party=None, type=None, account=account, method=method,
                lost_receipt=lost_receipt, left_on=left, approvals=approvals_arg(approved_by), memo=memo)


@recording("void", override=False)
def void(
    entry_id: Annotated[str, typer.Argument(help="Id of the entry to reverse.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is voided.")],
    with_dependants: Annotated[bool, typer.Option("--with-dependants", help="Also void what rests on it (an advance's settlements, a deposit's refunds), latest first.")] = False,
    approved_by: ApprovalsOpt = None,
):
    """冲销 Reverse an earlier entry with a new one (the original stays)."""
    if not reason.strip():
        fail("bad-option", "--reason must say why the entry is voided")
    return dict(kind="void", target=entry_id, reason=reason, approvals=approvals_arg(approved_by), with_dependants=with_dependants)


@recording("opening", time="00:00", override=False)
def opening(
    account: Annotated[str, typer.Argument(help="Account key.")],
    amount: Annotated[str, typer.Argument(help="Opening balance (期初余额).")],
):
    """期初余额 Set an account's opening balance."""
    return dict(kind="opening", account=account, amount=amount_arg(amount, allow_zero=True))
