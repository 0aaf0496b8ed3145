"""Split payments (a payment in parts counts whole for the approval bands) are found from
the payments to the party the state keeps for the last `SPLIT_KEEP` days, in day order, so
that a payment looks only at the days of its window (`rules.split_parts`), not at a year of
payments to the party. The answer equals a look at every payment of the book, whatever the
order the payments come in (a back-dated one lands in its place) and whatever is voided."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from cashbook.core.entries import KINDS, reversal
from cashbook.core.rules import split_parts
from cashbook.core.state import SPLIT_KEEP, BookState

START = dt.date(2026, 1, 1)


@pytest.fixture(scope="module")
def policy():
    from cashbook.store.policyfile import default_policy_text, parse_policy

    return parse_policy(default_policy_text())


def payment(n: int, day: int, party: str, category: str, amount: int):
    date = START + dt.timedelta(days=day)
    return KINDS["payment"].model_validate({
        "id": f"{date:%Y%m%d}-{n:03d}", "kind": "payment", "time": f"{date}T10:00:00+08:00",
        "memo": "m", "account": "cash", "amount": f"{amount}.00", "party": party, "category": category})


def void(n: int, day: int, target):
    date = START + dt.timedelta(days=day)
    return KINDS["void"].model_validate({"id": f"{date:%Y%m%d}-{n:03d}", "kind": "void", "time": f"{date}T11:00:00+08:00",
                                         "memo": "m", "target": target.id, "reason": "wrong", "reverses": reversal(target)})


def every_payment(applied: list, state: BookState, probe, category: str | None, days: int) -> tuple[list[str], Decimal]:
    """The parts as a look at every payment applied: newest day first, and on one day the
    one applied last first."""
    today = probe.date.toordinal()
    found = [(e.date.toordinal(), i, e) for i, e in enumerate(applied)
             if e.kind == "payment" and e.party == probe.party and 0 <= today - e.date.toordinal() < days
             and e.id not in state.voided and (category is None or e.category == category)]
    found.sort(key=lambda t: (t[0], t[1]), reverse=True)
    return [e.id for _, _, e in found], sum((e.amount for _, _, e in found), Decimal(0))


step = st.tuples(st.integers(0, 2 * SPLIT_KEEP + 30), st.sampled_from(["甲", "乙"]), st.sampled_from(["office", "repairs"]),
                 st.integers(1, 900), st.booleans())


@settings(max_examples=150, deadline=None)
@given(st.lists(step, max_size=40), st.booleans(), st.integers(1, 30), st.integers(0, 2 * SPLIT_KEEP + 40))
def test_the_window_of_payments_gives_the_parts_a_look_at_every_payment_gives(policy, steps, in_day_order, days, probe_day):
    if in_day_order:
        steps = sorted(steps, key=lambda s: s[0])
    else:  # back-dated payments within a year of each other (none is dropped as too old)
        steps = [(day % (SPLIT_KEEP - 40), *rest) for day, *rest in steps]
    state, applied = BookState(), []
    for n, (day, party, category, amount, voided) in enumerate(steps, start=1):
        p = payment(n, day, party, category, amount)
        state.apply(p)
        applied.append(p)
        if voided:
            v = void(500 + n, day, p)
            state.apply(v)
            applied.append(v)
    rules = policy.rules.model_copy(update={"needs_approval": policy.rules.needs_approval.model_copy(update={"split_days": days})})
    pol = policy.model_copy(update={"rules": rules})
    last = max((s[0] for s in steps), default=0)
    if in_day_order:
        probe_day = max(probe_day, last)  # the book in order: an entry after the last one
    for party in ("甲", "乙"):
        probe = payment(999, probe_day, party, "office", 1)
        for category in (None, "office"):
            assert split_parts(probe, category, pol, state) == every_payment(applied, state, probe, category, days)
    for recent in state.payments_to.values():  # kept in day order, none older than SPLIT_KEEP days before the last
        days_kept = [d for d, _ in recent]
        assert days_kept == sorted(days_kept) and days_kept[0] >= days_kept[-1] - SPLIT_KEEP
