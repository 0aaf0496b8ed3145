"""Recording decided: a draft, the policy, the book's state and today's date -> an entry
or the problems that refuse it. Pure: the writer (`store.writer`) and the demo generator
call it with the state they hold, then append what it returns.

`judge` is the one way an entry is checked against the state just before it (references,
then the rules): when recording, when `check` replays the book, and when a back-dated
entry is tried against the days after it.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

from .drafts import decide_kind
from .entries import KINDS, EntryBase
from .policy import Policy
from .problems import Problem
from .state import BookState
from .validate import check_references

#: The rules: every problem of one entry given the policy, the state before it and today.
Checker = Callable[[EntryBase, Policy, BookState, dt.date], list[Problem]]
#: An entry's problems against the state just before it (see `judge`, `core.state.fold`).
Judge = Callable[[EntryBase, BookState], list[Problem]]


def all_rules(entry: EntryBase, policy: Policy, state: BookState, today: dt.date) -> list[Problem]:
    """Every rule (`core.rules.check_entry`), imported when first needed: reading a book
    without checking it does not load the rules."""
    from .rules import check_entry

    return check_entry(entry, policy, state, today)


def judge(policy_at: Callable[[dt.date], Policy], rules: Checker | None, today: dt.date | None = None) -> Judge:
    """Checks an entry against the state just before it: its references, then ``rules``
    (none: references only) under the policy in force on its day, as of ``today`` (None:
    the entry's own day, as when the book is replayed)."""
    def run(entry: EntryBase, state: BookState) -> list[Problem]:
        policy = policy_at(entry.date)
        found = check_references(entry, policy, state)
        if rules is not None:
            found += rules(entry, policy, state, today or entry.date)
        return found

    return run


def decide(draft: dict, policy: Policy, state: BookState, today: dt.date,
           rules: Checker | None = all_rules) -> tuple[EntryBase | None, list[Problem]]:
    """The entry ``draft`` (a record with its ``id`` and ``time``) becomes, and its problems
    against ``state`` (the book just before it); the entry is None when a problem blocks.
    The draft is first given its real kind (`decide_kind`: a cash-bank transfer is a bank
    deposit or a withdrawal). A draft that is not a valid entry raises pydantic's
    ValidationError, which the CLI reports as bad input."""
    decided = decide_kind(draft, policy)
    if "id" in draft:  # a kind decided anew keeps the id given
        decided = {**decided, "id": draft["id"]}
    entry = KINDS[decided["kind"]].model_validate(decided)
    problems = judge(lambda _: policy, rules, today)(entry, state)
    if any(p.severity == "block" for p in problems):
        return None, problems
    return entry, problems
