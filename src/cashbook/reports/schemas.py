"""The contract of the JSON outputs: every report's JSON carries ``schema`` (its name and
version, ``cashbook.NAME/1``), and the main ones are described by pydantic models whose
JSON Schemas are generated into docs/schemas/ (`python -m cashbook.reports.schemas`);
a test checks the files match these models and that real output validates.

Money is a string with two decimals (``"1250.00"``), dates ``YYYY-MM-DD``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

VERSION = 1
Money = str  # two-place decimal as text: never a float
MONEY = {"pattern": r"^-?\d+\.\d{2}$"}


def schema_id(name: str) -> str:
    return f"cashbook.{name}/{VERSION}"


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")
    schema_: str = Field(alias="schema", description="cashbook.NAME/VERSION of this output")


class Problem(BaseModel):
    model_config = ConfigDict(extra="allow")
    code: str
    message: str
    severity: str


class DayClose(_Out):
    """`close day`, `report day`."""

    date: str
    account: str
    opening: Money = Field(json_schema_extra=MONEY)
    receipts: Money = Field(json_schema_extra=MONEY)
    payments: Money = Field(json_schema_extra=MONEY)
    book_balance: Money = Field(json_schema_extra=MONEY)
    counted: Optional[Money] = None
    difference: Optional[Money] = None
    over_limit: Money = Field(json_schema_extra=MONEY)
    takings: Money = Field(json_schema_extra=MONEY)
    banked: Money = Field(json_schema_extra=MONEY)
    undeposited: Money = Field(json_schema_extra=MONEY)
    sealed: bool
    seal_entry: Optional[str] = None
    count: Optional[list[str]] = None
    entries: int
    problems: list[Problem]


class Item(BaseModel):
    model_config = ConfigDict(extra="allow")
    date: str
    amount: Money = Field(json_schema_extra=MONEY)
    ref: Optional[str] = None
    memo: Optional[str] = None


class Reconciliation(_Out):
    """`bank reconcile`: the four kinds of items in transit and both adjusted balances."""

    account: str
    month: str
    book_balance: Money
    statement_balance: Optional[Money]
    statement_balance_source: str
    bank_credits_not_booked: list[Item]
    bank_debits_not_booked: list[Item]
    deposits_in_transit: list[Item]
    outstanding_payments: list[Item]
    adjusted_book_balance: Money
    adjusted_statement_balance: Optional[Money]
    difference: Optional[Money]
    balanced: bool
    statement_missing: bool


class Denomination(BaseModel):
    denomination: Money
    pieces: int
    amount: Money


class CashCount(_Out):
    """`report count`: the 现金盘点表."""

    date: str
    account: str
    counted: Optional[Money]
    book_balance: Money
    difference: Optional[Money]
    overage: Money
    shortage: Money
    counted_words: str
    counted_at: Optional[str]
    denominations: list[Denomination]


class JournalLine(BaseModel):
    model_config = ConfigDict(extra="allow")
    date: str
    id: str
    kind: str
    doc: str
    summary: str
    receipt: Optional[Money]
    payment: Optional[Money]
    balance: Money


class JournalAccount(BaseModel):
    model_config = ConfigDict(extra="allow")
    account: str
    name: str
    type: str
    opening: Money
    receipts: Money
    payments: Money
    closing: Money
    lines: list[JournalLine]


class Journal(_Out):
    """`report journal`."""

    accounts: list[JournalAccount]


class Balances(_Out):
    """`report balances`."""

    date: str
    accounts: list[dict]
    total: Money


class Recorded(_Out):
    """What every recording command prints with -f json (receive, pay, count, void, ...): the new
    entry and the balances it left; its warnings (a block is a refusal: `error`)."""

    id: str
    date: str
    time: str
    kind: str
    amount: Optional[Money] = Field(json_schema_extra=MONEY)
    account: str
    balance: Money = Field(json_schema_extra=MONEY)
    balances: dict[str, Money]
    warnings: list[Problem]
    entry: dict


class Check(_Out):
    """`check`: every file, entry and rule."""

    ok: bool
    files: int
    entries: int
    errors: int
    warnings: int
    problems: list[Problem]


class Error(_Out):
    """A refusal or bad input (exit 2, nothing written), or what stopped a command, on stdout with -f json."""

    ok: bool
    exit_code: int
    problems: list[Problem]


class Words(_Out):
    """`words`: the amount in Chinese capital numerals."""

    amount: Money = Field(json_schema_extra=MONEY)
    words: str


class Estimate(_Out):
    """`advance --estimate`: fare + (lodging + allowance) × days."""

    fare: Money = Field(json_schema_extra=MONEY)
    lodging: Money = Field(json_schema_extra=MONEY)
    allowance: Money = Field(json_schema_extra=MONEY)
    days: int
    amount: Money = Field(json_schema_extra=MONEY)


MODELS: dict[str, type[_Out]] = {"report.day": DayClose, "close.day": DayClose, "bank.reconcile": Reconciliation,
                                 "report.count": CashCount, "report.journal": Journal, "report.balances": Balances,
                                 "recorded": Recorded, "check": Check, "error": Error, "words": Words,
                                 "advance.estimate": Estimate}
FOLDER = Path("docs") / "schemas"


def generated() -> dict[str, str]:
    """File name → JSON Schema text, as committed under docs/schemas/."""
    out = {}
    for name, model in MODELS.items():
        schema = model.model_json_schema(by_alias=True)
        schema["$id"] = schema_id(name)
        out[f"{name}.schema.json"] = json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return out


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path.cwd()
    folder = root / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in generated().items():
        (folder / name).write_text(text, encoding="utf-8")
        print(f"wrote {folder / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
