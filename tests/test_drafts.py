"""What a recording command leaves out, core fills in (`core.drafts.complete`): a pure function
of the draft, the policy and the book as it stands, the same for every caller."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cashbook.core.balances import account_movements, balance_at, opening_balance
from cashbook.core.drafts import complete
from cashbook.core.problems import CashbookError
from cashbook.store.book import Book


def loaded(root):
    book = Book(root, use_cache=False)
    return book.policy, book.load()


def test_the_method_follows_the_account_unless_a_cheque_is_written(book):
    policy, done = loaded(book)
    state = done.state
    assert complete(dict(kind="receipt", account="cash", method=None), policy, state)["method"] == "cash"
    assert complete(dict(kind="receipt", account="bank", method=None), policy, state)["method"] == "transfer"
    assert complete(dict(kind="payment", account="bank", method=None, cheque="0012"), policy, state)["method"] == "cheque"
    assert complete(dict(kind="payment", account="bank", method="transfer", cheque="0012"), policy, state)["method"] == "transfer"
    assert "method" not in complete(dict(kind="withdrawal", account="bank", cheque="1"), policy, state)


def test_a_fixed_deposit_amount_and_a_missing_register_entry(book):
    policy, done = loaded(book)
    held = complete(dict(kind="deposit-hold", amount=None, party="m", type="telephone", method=None, account="cash", units=2),
                    policy, done.state)
    assert held["amount"] == Decimal("2000.00") and held["method"] == "cash"
    with pytest.raises(CashbookError) as refused:
        complete(dict(kind="deposit-hold", amount=None, party="m", type="site", units=1), policy, done.state)
    assert refused.value.problems[0].code == "bad-option" and "has no fixed amount" in refused.value.problems[0].message
    for draft, code in ((dict(kind="settlement", advance="20261101-099", person=None), "unknown-advance"),
                        (dict(kind="deposit-refund", deposit="20261101-099", amount=None), "deposit-refund-invalid"),
                        (dict(kind="recovery", payment="20261101-099", amount=None), "unknown-entry"),
                        (dict(kind="void", target="20261101-099", reason="x"), "unknown-entry")):
        with pytest.raises(CashbookError) as refused:
            complete(draft, policy, done.state)
        assert refused.value.problems[0].code == code


def test_a_settlement_names_the_advance_holder_and_a_void_takes_its_dependants_latest_first(cli, book):
    assert cli("advance", "300", "--to", "王芳", "--purpose", "trip", "--due", "2026-11-30", "--department", "招商部",
               "--approved-by", "dept-head:刘明", "--approved-by", "gm:王总", "--date", "2026-11-02", book=book).code == 0
    policy, done = loaded(book)
    advance = next(e.id for e in done.order if e.kind == "advance")
    settled = complete(dict(kind="settlement", advance=advance, person=None, returned=Decimal(300)), policy, done.state)
    assert settled["person"] == "王芳"
    assert cli("settle", advance, "--returned", "100", "--date", "2026-11-03", book=book).code == 0
    assert cli("settle", advance, "--returned", "200", "--date", "2026-11-04", book=book).code == 0
    policy, done = loaded(book)
    voids = complete(dict(kind="void", target=advance, reason="wrong", approvals=[], with_dependants=True), policy, done.state)
    settlements = [e.id for e in done.order if e.kind == "settlement"]
    assert [v["target"] for v in voids] == [*reversed(settlements), advance]
    assert all("with_dependants" not in v for v in voids)
    assert voids[0]["reason"] == f"wrong (with {advance})" and voids[-1]["reason"] == "wrong"


def test_balances_by_account_are_the_postings_summed(cli, book):
    assert cli("receive", "200", "--from", "张三", "--category", "rent", "--date", "2026-11-05", book=book).code == 0
    assert cli("bank-deposit", "150", "--account", "bank", "--date", "2026-11-06", book=book).code == 0
    policy, done = loaded(book)
    import datetime as dt

    moved = account_movements(done.order, policy.accounts, cash="cash")
    assert moved.figures["cash"] == {"opening": Decimal("1500"), "receipts": Decimal("200"), "payments": Decimal("150"),
                                     "closing": Decimal("1550")}
    assert moved.between == Decimal("150")
    assert balance_at(done.order, "bank", dt.date(2026, 11, 5)) == Decimal("50000")
    assert balance_at(done.order, "bank", dt.date(2026, 11, 6)) == Decimal("50150") == done.state.balance("bank")
    assert opening_balance(done.order, "cash", dt.date(2026, 10, 31)) == 0
    assert opening_balance(done.order, "cash", dt.date(2026, 11, 1)) == Decimal("1500")
