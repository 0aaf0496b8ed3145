"""camt.053 results against genkgo/camt's own expected output for the same XML files."""

from __future__ import annotations

from pathlib import Path

import json
from decimal import Decimal as D

import pytest

from cashbook.statements import parse_statement

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "statements"

CASES = ["genkgo_camt053.v2.multi.statement", "genkgo_camt053.v2.all-balance-types", "genkgo_camt053.v4", "genkgo_camt053.v8"]
MINOR = {"JPY": 0}


def money(node) -> D:
    """genkgo's Money: integer minor units + currency."""
    ccy = node["getCurrency"]["getCode"]
    return D(node["getAmount"]).scaleb(-MINOR.get(ccy, 2)).quantize(D("0.01"))


@pytest.mark.parametrize("case", CASES)
def test_matches_genkgo_expected(case):
    xml, expected = SAMPLES / f"{case}.xml", SAMPLES / f"{case}.expected.json"
    if not (xml.is_file() and expected.is_file()):
        pytest.skip(f"{case} samples absent")
    statements = {s.statement_id: s for s in parse_statement(xml.read_bytes(), filename=xml.name)}
    data = json.loads(expected.read_text())
    assert data["getEntries"], "the expected file lists entries"
    for entry in data["getEntries"]:
        record = entry["getRecord"]
        st = statements[record["getId"]]
        assert st.account == record["getAccount"]["getIdentification"]
        openings = [b for b in record["getBalances"] if b["getType"] == "opening"]
        closings = [b for b in record["getBalances"] if b["getType"] == "closing"]
        assert st.opening_balance == money(openings[0]["getAmount"])
        assert st.closing_balance == money(closings[0]["getAmount"])
        line = st.lines[entry["getIndex"]]
        assert line.amount == money(entry["getAmount"])
        assert st.currency == entry["getAmount"]["getCurrency"]["getCode"]
        assert line.date.isoformat() == entry["getBookingDate"]["0"][:10]
        assert line.value_date.isoformat() == entry["getValueDate"]["0"][:10]
        detail = entry["getTransactionDetail"]
        expected_ref = entry["getAccountServicerReference"] or detail["getReference"]["getEndToEndId"]
        assert line.ref == expected_ref
        names = [p["getRelatedPartyType"]["getName"] for p in detail["getRelatedParties"]]
        assert line.counterparty in names
        assert detail["getRemittanceInformation"]["getMessage"] in line.memo
        assert entry["getStatus"] == "BOOK"
