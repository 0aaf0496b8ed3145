"""What a draft entry really is, decided before it is checked.

A user (or a script) may describe a movement in more than one way; the book records it
as the one kind whose rules apply, so no rule can be stepped around by choosing a name.
"""

from __future__ import annotations

from .policy import Policy


def decide_kind(draft: dict, policy: Policy) -> dict:
    """A transfer between a cash and a bank account is a bank deposit (送存, cash → bank)
    or a withdrawal (提现, bank → cash, which needs the GM's approval): it is recorded as
    that kind, under that kind's rules and approvals. Every other draft is as given."""
    if draft.get("kind") != "transfer":
        return draft
    accounts = policy.accounts
    src, dst = accounts.get(draft.get("from_account", "")), accounts.get(draft.get("to_account", ""))
    if src is None or dst is None or {src.type, dst.type} != {"cash", "bank"}:
        return draft
    common = {k: draft[k] for k in ("amount", "memo", "time", "overrides") if k in draft}
    if src.type == "cash":
        return {**common, "kind": "bank-deposit", "account": draft["to_account"], "cash_account": draft["from_account"],
                "slip": draft.get("ref", "")}
    memo = draft.get("memo", "")
    if draft.get("ref"):
        memo = f"{memo} (ref {draft['ref']})".strip()
    return {**common, "kind": "withdrawal", "account": draft["from_account"], "cash_account": draft["to_account"],
            "approvals": draft.get("approvals", ()), "memo": memo}


def _fail(code: str, message: str):
    from .problems import CashbookError, Problem

    raise CashbookError(Problem(code, message))


def default_method(account: str, policy: Policy) -> str:
    """How money moves when the user does not say: cash through a cash account (or one the
    policy does not know, for its own rule to name), a transfer through a bank account."""
    acct = policy.accounts.get(account)
    return "cash" if acct is None or acct.type == "cash" else "transfer"


def _settlement(draft: dict, policy: Policy, state) -> dict:
    adv = state.advances.get(draft["advance"])
    if adv is None:
        _fail("unknown-advance", f"no advance with id {draft['advance']!r}; see `cashbook report advances`")
    return {**draft, "person": adv.party}


def _recovery(draft: dict, policy: Policy, state) -> dict:
    payment_id = draft["payment"]
    item = state.compensations.get(payment_id)
    if item is None or payment_id in state.voided:
        _fail("unknown-entry", f"no compensation paid in advance with id {payment_id!r}; see `cashbook report compensation`")
    amount = draft["amount"] if draft.get("amount") is not None else item.outstanding
    if amount <= 0:
        _fail("bad-amount", f"{payment_id} has nothing left to recover")
    return {**draft, "amount": amount, "category": state.entries[payment_id].category}


def _deposit_hold(draft: dict, policy: Policy, state) -> dict:
    if draft.get("amount") is not None:
        return draft
    dtype = policy.deposit_types.get(draft["type"])
    if dtype is None or dtype.amount is None:
        _fail("bad-option", f"deposit type {draft['type']!r} has no fixed amount; give AMOUNT")
    return {**draft, "amount": dtype.amount * draft["units"]}


def _deposit_refund(draft: dict, policy: Policy, state) -> dict:
    deposit_id = draft["deposit"]
    held = state.deposits.get(deposit_id)
    if held is None:
        _fail("deposit-refund-invalid", f"no deposit with id {deposit_id!r}; see `cashbook report deposits`")
    amount = draft["amount"] if draft.get("amount") is not None else held.outstanding
    if amount <= 0:
        _fail("deposit-refund-invalid", f"deposit {deposit_id} has nothing left to refund")
    return {**draft, "amount": amount, "party": held.party, "type": held.type}


def _advance(draft: dict, policy: Policy, state) -> dict:
    return {**draft, "department": draft.get("department") or policy.staff.get(draft["person"], "")}


def _void(draft: dict, policy: Policy, state) -> list[dict]:
    """A void of the entry ``target``; with ``with_dependants``, first a void of each entry
    resting on it (an advance's settlements, a deposit's refunds), latest first."""
    from .entries import reversal

    entry_id, reason, signed = draft["target"], draft["reason"], draft.get("approvals", [])
    target = state.entries.get(entry_id)
    if target is None:
        _fail("unknown-entry", f"no entry with id {entry_id!r}; ids look like 20260901-003 (see `cashbook report journal`)")
    rest = state.dependants(entry_id) if draft.get("with_dependants") else []
    return [dict(kind="void", target=i, reason=f"{reason} (with {entry_id})", reverses=reversal(state.entries[i]),
                 approvals=signed) for i in reversed(rest)] + \
        [dict(kind="void", target=entry_id, reason=reason, reverses=reversal(target), approvals=signed)]


# what each kind takes from the policy or the book when the user leaves it out
FILL = {"settlement": _settlement, "recovery": _recovery, "deposit-hold": _deposit_hold, "deposit-refund": _deposit_refund,
        "advance": _advance, "void": _void}


def complete(draft: dict, policy: Policy, state) -> dict | list[dict]:
    """The draft with what the user left to the book filled in, from the policy and ``state``
    (the book as it stands): the method (`default_method`; a payment with a cheque number is
    by cheque), the amount still outstanding, the party of an advance or a deposit, a
    person's department, a deposit type's fixed amount, a void's reversal and dependants,
    and the roles a deputy approved for their holder to sign later (``to_sign``). A list
    when one command records several entries (a void with its dependants). A draft naming
    what the book does not hold is refused (`CashbookError`)."""
    fill = FILL.get(draft.get("kind", ""))
    done = fill(draft, policy, state) if fill else draft
    return [_finish(one, policy) for one in done] if isinstance(done, list) else _finish(done, policy)


def _finish(draft: dict, policy: Policy) -> dict:
    if "method" in draft and draft["method"] is None:
        draft = {**draft, "method": "cheque" if draft.get("cheque") else default_method(draft.get("account", ""), policy)}
    if draft.get("kind") == "sign":
        return draft
    from .rules import deputised

    roles = deputised(draft.get("approvals", ()), policy)
    return {**draft, "to_sign": roles} if roles else draft
