"""The open advances of a person or department and the open compensations of a handler are
found without walking every advance the person ever had (`BookState.open_advances_of`,
`open_compensations`): the state remembers, per person, department and handler, where the
items still open start, and goes back when one opens again (a settlement or recovery
voided). The answer equals a look at every item, whatever is settled, recovered or voided,
and however often it is asked between steps."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings, strategies as st

from cashbook.core.entries import KINDS, reversal
from cashbook.core.state import BookState

DAY = dt.date(2026, 3, 2)
PEOPLE = ["甲", "乙"]
DEPTS = ["", "保安部", "财务部"]


def every_open(state: BookState, ids) -> list:
    """The first build's look: every item of the list, open ones kept."""
    items = [state.advances.get(i) or state.compensations.get(i) for i in ids if i not in state.voided]
    return [a for a in items if a is not None and a.outstanding > 0]


step = st.one_of(
    st.tuples(st.just("advance"), st.sampled_from(PEOPLE), st.sampled_from(DEPTS), st.integers(1, 500)),
    st.tuples(st.just("compensation"), st.sampled_from(PEOPLE), st.integers(0, 40), st.integers(1, 500)),
    st.tuples(st.just("settle"), st.integers(0, 30), st.just(""), st.integers(1, 600)),
    st.tuples(st.just("recover"), st.integers(0, 30), st.just(""), st.integers(1, 600)),
    st.tuples(st.just("void"), st.integers(0, 60), st.just(""), st.just(0)),
    st.tuples(st.just("ask"), st.just(0), st.just(""), st.just(0)),
)


def entry(n: int, kind: str, day: dt.date = DAY, **fields):
    return KINDS[kind].model_validate({"id": f"{day:%Y%m%d}-{n:03d}", "kind": kind, "time": f"{day}T10:00:00+08:00",
                                       "memo": "m", **fields})


def check_every_answer(state: BookState, paid: list | None = None) -> None:
    for person in PEOPLE:
        assert state.open_advances_of(person) == every_open(state, state.advances_of.get(person, ()))
        assert state.open_compensations(person) == every_open(state, state.compensations_of.get(person, ()))
        if paid is not None:  # in date order (on a day, as applied), and only those paid before a day
            mine = sorted((p for p in paid if p.handler == person), key=lambda p: p.date)
            assert state.compensations_of.get(person, []) == [p.id for p in mine]
            for cut in range(0, 42, 7):
                before = DAY + dt.timedelta(days=cut)
                assert state.open_compensations(person, before=before) == [
                    c for c in every_open(state, state.compensations_of.get(person, ())) if c.date < before]
    for dept in DEPTS[1:]:
        assert state.open_advances_of(dept, department=True) == every_open(state, state.advances_of_dept.get(dept, ()))


@settings(max_examples=300, deadline=None)
@given(st.lists(step, max_size=60))
def test_the_open_items_are_those_a_look_at_every_item_finds(steps):
    state, made = BookState(), []
    for n, (what, who, dept, amount) in enumerate(steps, start=1):
        advances = [e for e in made if e.kind == "advance"]
        paid = [e for e in made if e.kind == "payment"]
        if what == "advance":
            e = entry(n, "advance", person=who, purpose="trip", due=str(DAY), department=dept, amount=f"{amount}.00")
        elif what == "compensation":  # on any of 40 days, in any order (a back-dated one goes in its place)
            e = entry(n, "payment", DAY + dt.timedelta(days=dept), party="顾客", category="compensation", handler=who,
                      amount=f"{amount}.00")
        elif what == "settle" and advances:
            a = advances[who % len(advances)]
            e = entry(n, "settlement", advance=a.id, person=a.person, returned=f"{amount}.00")
        elif what == "recover" and paid:
            p = paid[who % len(paid)]
            e = entry(n, "recovery", payment=p.id, party="供应商", amount=f"{amount}.00")
        elif what == "void" and made:
            target = made[who % len(made)]
            e = entry(n, "void", target=target.id, reason="wrong", reverses=reversal(target))
        else:
            check_every_answer(state, paid)  # asked between steps: the remembered starts move on
            continue
        state.apply(e)
        made.append(e)
    check_every_answer(state, [e for e in made if e.kind == "payment"])


def test_an_item_settled_then_opened_again_by_a_void_is_open_once_more():
    """Asked while closed (the remembered start moves past it), then its settlement or
    recovery is voided: it is open again, for the person, the department and the handler."""
    state = BookState()
    advance = entry(1, "advance", person="甲", purpose="trip", due=str(DAY), department="保安部", amount="100.00")
    settled = entry(2, "settlement", advance=advance.id, person="甲", returned="100.00")
    paid = entry(3, "payment", party="顾客", category="compensation", handler="乙", amount="50.00")
    recovered = entry(4, "recovery", payment=paid.id, party="供应商", amount="50.00")
    for e in (advance, settled, paid, recovered):
        state.apply(e)
    assert state.open_advances_of("甲") == state.open_advances_of("保安部", department=True) == []
    assert state.open_compensations("乙") == []
    state.apply(entry(5, "void", target=settled.id, reason="wrong", reverses=reversal(settled)))
    state.apply(entry(6, "void", target=recovered.id, reason="wrong", reverses=reversal(recovered)))
    assert [a.id for a in state.open_advances_of("甲")] == [advance.id]
    assert [a.id for a in state.open_advances_of("保安部", department=True)] == [advance.id]
    assert [c.id for c in state.open_compensations("乙")] == [paid.id]
    check_every_answer(state)
