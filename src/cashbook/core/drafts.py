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
