"""Any CSV (or .xls) by an explicit column mapping, for banks without a profile.

mapping = {
    "date": "Date",                 # required: column with the booking date
    "amount": "Amount",             # a signed amount column ...
    "debit": "Out", "credit": "In", # ... or split columns (money out / money in)
    "direction": "D/C",             # with "amount": a 借/贷, Dr/Cr, 收/支 column (unsigned amount)
    "credit_values": ["C"], "debit_values": ["D"],  # optional spellings of the direction
    "ref": "Ref", "memo": "Text" or ["Text", "Note"], "counterparty": "Payee",
    "balance": "Balance", "value_date": "Value date", "account": "Account no",
    "date_format": "%d/%m/%Y",      # strptime form; default YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD
    "decimal": ",",                 # "1.234,56" amounts; default "."
    "encoding": "cp1252", "delimiter": ";",
    "currency": "EUR",              # ISO code of the statement, default CNY
}
"""

from __future__ import annotations

from .chinese_csv import Row, candidate_row_sets, direction_sign
from .common import (
    ZERO,
    cap_warnings,
    check_running_balances,
    clean_cell,
    decode_text,
    join_text,
    looks_like_date,
    norm_header,
    norm_space,
    parse_date,
    parse_money,
)
from .model import Statement, StatementError, StatementLine

COLUMN_KEYS = ("date", "amount", "debit", "credit", "direction", "ref", "counterparty", "balance", "value_date", "account")
OTHER_KEYS = ("memo", "date_format", "decimal", "encoding", "delimiter", "currency", "credit_values", "debit_values")


def check_mapping(mapping) -> dict:
    if not isinstance(mapping, dict):
        raise StatementError("the column mapping must be a dict of role -> column name")
    unknown = [k for k in mapping if k not in COLUMN_KEYS + OTHER_KEYS]
    if unknown:
        raise StatementError(
            f"unknown mapping key(s) {', '.join(map(repr, unknown))}; expected {', '.join(COLUMN_KEYS + OTHER_KEYS)}"
        )
    for k in COLUMN_KEYS + ("date_format", "encoding", "delimiter", "currency", "decimal"):
        v = mapping.get(k)
        if v is not None and (not isinstance(v, str) or not v.strip()):
            raise StatementError(f"mapping {k!r} must be a non-empty text, got {v!r}")
    memo = mapping.get("memo")
    if memo is not None and not (
        isinstance(memo, str) or (isinstance(memo, (list, tuple)) and all(isinstance(m, str) for m in memo))
    ):
        raise StatementError("mapping 'memo' must be a column name or a list of column names")
    for k in ("credit_values", "debit_values"):
        v = mapping.get(k)
        if v is not None and not (isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v)):
            raise StatementError(f"mapping {k!r} must be a list of texts")
    if not mapping.get("date"):
        raise StatementError("the mapping needs a 'date' column")
    has_amount = bool(mapping.get("amount"))
    has_split = bool(mapping.get("debit")) and bool(mapping.get("credit"))
    if has_amount == has_split:
        raise StatementError("the mapping needs either an 'amount' column or both 'debit' and 'credit' columns")
    if mapping.get("direction") and not has_amount:
        raise StatementError("a 'direction' column goes with an 'amount' column")
    if mapping.get("decimal") not in (None, ".", ","):
        raise StatementError("mapping 'decimal' must be '.' or ','")
    if mapping.get("delimiter") is not None and len(mapping["delimiter"]) != 1:
        raise StatementError("mapping 'delimiter' must be one character")
    return mapping


def _memo_columns(mapping) -> list[str]:
    memo = mapping.get("memo")
    if memo is None:
        return []
    return [memo] if isinstance(memo, str) else list(memo)


def _wanted(mapping) -> list[str]:
    return [mapping[k] for k in COLUMN_KEYS if mapping.get(k)] + _memo_columns(mapping)


def _find_header(rows: list[Row], mapping) -> tuple[int, dict[str, int]] | None:
    wanted = [norm_header(w) for w in _wanted(mapping)]
    for pos, (_, cells) in enumerate(rows[:80]):
        index: dict[str, int] = {}
        for i, c in enumerate(cells):
            index.setdefault(norm_header(clean_cell(c)), i)
        if all(w in index for w in wanted):
            return pos, index
    return None


def _no_header(rows: list[Row], mapping) -> StatementError:
    wanted = _wanted(mapping)
    best = None
    for line, cells in rows[:80]:
        have = {norm_header(clean_cell(c)) for c in cells}
        hits = [w for w in wanted if norm_header(w) in have]
        if hits and (best is None or len(hits) > len(best[1])):
            best = (line, hits)
    if best is None:
        return StatementError(f"no header row with the mapped columns {', '.join(map(repr, wanted))}")
    missing = [w for w in wanted if w not in best[1]]
    return StatementError(f"the header row lacks the mapped column(s) {', '.join(map(repr, missing))}", best[0])


def parse_mapped_rows(rows: list[Row], mapping: dict, *, where: str = "") -> list[Statement]:
    mapping = check_mapping(mapping)
    found = _find_header(rows, mapping)
    if found is None:
        raise _no_header(rows, mapping)
    pos, index = found

    def col(key):
        name = mapping.get(key)
        return index[norm_header(name)] if name else None

    c_date, c_amount, c_debit, c_credit = col("date"), col("amount"), col("debit"), col("credit")
    c_dir, c_ref, c_cp, c_bal, c_vd, c_acct = (
        col("direction"), col("ref"), col("counterparty"), col("balance"), col("value_date"), col("account")
    )
    c_memo = [index[norm_header(m)] for m in _memo_columns(mapping)]
    date_format = mapping.get("date_format")
    decimal_comma = mapping.get("decimal") == ","
    credit_values = {norm_space(v).lower() for v in mapping.get("credit_values") or ()}
    debit_values = {norm_space(v).lower() for v in mapping.get("debit_values") or ()}
    header_names = {v: k for k, v in index.items()}

    def get(cells, i):
        return clean_cell(cells[i]) if i is not None and i < len(cells) else ""

    def money(cells, i, line):
        return parse_money(get(cells, i), what=f"{header_names.get(i, '?')} value", line=line,
                           decimal_comma=decimal_comma)

    lines: list[StatementLine] = []
    accounts: list[str] = []
    for line, cells in rows[pos + 1:]:
        if not any(clean_cell(c) for c in cells):
            continue
        date_raw = get(cells, c_date)
        amounts = [get(cells, i) for i in (c_amount, c_debit, c_credit) if i is not None]
        is_date = looks_like_date(date_raw) if not date_format else bool(date_raw)
        if not any(amounts) and not is_date:
            continue  # trailer / note line
        if not is_date and any(w in date_raw for w in ("合计", "总计", "total", "Total", "TOTAL")):
            continue
        date = parse_date(date_raw, what=f"{mapping['date']} value", line=line, fmt=date_format)
        if c_amount is not None:
            if not get(cells, c_amount):
                raise StatementError(f"{mapping['amount']} is empty; expected an amount", line)
            amount = money(cells, c_amount, line)
            if c_dir is not None:
                d_raw = get(cells, c_dir)
                key = norm_space(d_raw).lower()
                sign = 1 if key in credit_values else -1 if key in debit_values else None
                if sign is None and not (credit_values or debit_values):
                    sign = direction_sign(d_raw)
                if sign is None:
                    expected = "/".join(sorted(credit_values | debit_values)) or "借/贷, Dr/Cr, C/D or 收/支"
                    raise StatementError(
                        f"{mapping['direction']} value {d_raw!r} is not a direction; expected {expected}", line
                    )
                amount = sign * amount
        else:
            cr = money(cells, c_credit, line) if get(cells, c_credit) else None
            db = money(cells, c_debit, line) if get(cells, c_debit) else None
            if cr is None and db is None:
                raise StatementError(
                    f"neither {mapping['credit']} nor {mapping['debit']} holds an amount; expected one of them", line
                )
            if cr and db:
                raise StatementError(f"both {mapping['credit']} and {mapping['debit']} hold an amount; expected one", line)
            amount = (cr or ZERO) - abs(db or ZERO)
        bal_raw = get(cells, c_bal)
        balance = money(cells, c_bal, line) if bal_raw else None
        vd_raw = get(cells, c_vd)
        value_date = parse_date(vd_raw, what=f"{mapping.get('value_date')} value", line=line,
                                fmt=date_format) if vd_raw else None
        acct = get(cells, c_acct)
        if acct and acct not in accounts:
            accounts.append(acct)
        lines.append(
            StatementLine(
                date=date,
                amount=amount,
                ref=norm_space(get(cells, c_ref)),
                memo=join_text(get(cells, i) for i in c_memo),
                counterparty=norm_space(get(cells, c_cp)),
                balance=balance,
                value_date=value_date,
                source_line=line,
            )
        )
    prefix = f"{where}: " if where else ""
    warnings, opening, closing = check_running_balances(lines)
    warnings = [prefix + w for w in warnings]
    if not lines:
        warnings.append(f"{prefix}no transaction rows after the header")
    if len(accounts) > 1:
        warnings.append(f"{prefix}rows name several accounts ({', '.join(accounts[:5])}); using {accounts[0]}")
    return [
        Statement(
            format="csv",
            account=accounts[0] if accounts else "",
            currency=(mapping.get("currency") or "CNY").upper(),
            opening_balance=opening,
            closing_balance=closing,
            lines=tuple(lines),
            warnings=cap_warnings(warnings),
            profile="mapping",
        )
    ]


def parse_generic_csv(data: bytes, mapping: dict) -> list[Statement]:
    mapping = check_mapping(mapping)
    text = decode_text(data, mapping.get("encoding"))
    first = None
    for _, rows in candidate_row_sets(text, mapping.get("delimiter")):
        first = first or rows
        if _find_header(rows, mapping) is not None:
            return parse_mapped_rows(rows, mapping)
    if first is None:
        from .chinese_csv import read_delimited

        first = read_delimited(text, ",")
    raise _no_header(first, mapping)
