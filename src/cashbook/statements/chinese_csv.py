"""Chinese bank and payment-platform exports (CSV, tab-delimited text, and .xls rows).

The header row is found by keywords wherever it sits, the layout ("profile") by which
column names it carries. Each profile says which columns hold the date, the amount
(one signed column, split 收入/支出 columns, or an amount plus a 借/贷 direction), the
reference, memo, counterparty and running balance.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal

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
from .model import SkippedLine, Statement, StatementError, StatementLine

Row = tuple[int, list[str]]  # (1-based line number, raw cells)

HEADER_SCAN_ROWS = 80
FOOTER_WORDS = ("合计", "总计", "小计", "累计")


@dataclass(frozen=True)
class Profile:
    id: str
    bank: str  # Statement.format
    title: str
    date: tuple[str, ...]
    required: tuple[str, ...] = ()  # each item "A|B": one of them must be a header
    amount: tuple[str, ...] = ()  # signed (or, with direction, unsigned) amount
    credit: tuple[str, ...] = ()  # money in (贷方, 收入)
    debit: tuple[str, ...] = ()  # money out (借方, 支出)
    direction: tuple[str, ...] = ()  # 借/贷, 收/支, 来账/往账
    ref: tuple[str, ...] = ()
    memo: tuple[str, ...] = ()  # every present column joined
    counterparty: tuple[str, ...] = ()
    counterparty_in: tuple[str, ...] = ()  # for money in (the payer)
    counterparty_out: tuple[str, ...] = ()  # for money out (the payee)
    balance: tuple[str, ...] = ()
    value_date: tuple[str, ...] = ()
    currency: tuple[str, ...] = ()
    account: tuple[str, ...] = ()
    account_in: tuple[str, ...] = ()  # our account when money comes in (payee account)
    account_out: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    personal_payment: bool = False
    counterparty_strip_digits: bool = False  # CMB 对手信息 = name + account number
    negate: bool = False  # credit-card exports: a positive amount is a charge (money out)
    account_last_digits: bool = False  # the account column holds only the card's last digits (卡末四位)

    def names(self) -> set[str]:
        out: set[str] = set()
        for f in (
            self.date, self.amount, self.credit, self.debit, self.direction, self.ref, self.memo,
            self.counterparty, self.counterparty_in, self.counterparty_out, self.balance, self.value_date,
            self.currency, self.account, self.account_in, self.account_out, self.status,
        ):
            out.update(norm_header(n) for n in f)
        for r in self.required:
            out.update(norm_header(n) for n in r.split("|"))
        return out


PROFILES: tuple[Profile, ...] = (
    # --- personal (个人) exports, from real samples
    Profile(
        "icbc", "icbc", "ICBC personal 明细查询文件下载",
        date=("交易日期",), credit=("记账金额(收入)",), debit=("记账金额(支出)",),
        memo=("摘要", "交易详情", "交易场所"), counterparty=("对方户名",), balance=("余额",),
        currency=("记账币种",), required=("对方账户|对方户名",),
    ),
    Profile(
        "ccb", "ccb", "CCB personal 交易明细",
        date=("记账日",), debit=("支出",), credit=("收入",), balance=("账户余额",), currency=("币种",),
        memo=("摘要", "交易地点"), counterparty=("对方户名",), required=("记账日",),
    ),
    Profile(
        "cmb", "cmb", "CMB personal 交易明细",
        date=("记账日期",), amount=("交易金额",), balance=("联机余额",), currency=("货币",),
        memo=("交易摘要", "客户摘要"), counterparty=("对手信息",), required=("联机余额|对手信息",),
        counterparty_strip_digits=True,
    ),
    Profile(
        "boc", "boc", "BOC personal 交易流水明细单",
        date=("记账日期",), amount=("金额",), balance=("余额",), currency=("币别",),
        memo=("交易名称", "附言"), counterparty=("对方账户名",), account=("借记卡号",),
        required=("交易名称", "对方账户名"),
    ),
    Profile(
        "abc", "abc", "ABC personal 交易明细",
        date=("交易日期",), amount=("交易金额",), balance=("本次余额",), ref=("日志号",),
        memo=("交易摘要", "交易附言"), counterparty=("对手信息",), required=("本次余额|日志号",),
    ),
    Profile(
        "bocom", "bocom", "BOCOM personal 交易明细",
        date=("交易日期",), amount=("交易金额",), direction=("借贷", "借贷标志"), balance=("余额",),
        memo=("交易类型", "摘要"), counterparty=("对方户名",),
    ),
    Profile(
        "alipay", "alipay", "Alipay 支付宝交易明细 (personal payment export)",
        date=("交易时间", "交易创建时间", "付款时间"), amount=("金额", "金额(元)"), direction=("收/支",),
        ref=("交易订单号", "交易号"), memo=("商品说明", "商品名称", "备注"), counterparty=("交易对方",),
        status=("交易状态",), required=("交易订单号|交易号",), personal_payment=True,
    ),
    Profile(
        "wechat", "wechat", "WeChat Pay 微信支付账单明细 (personal payment export)",
        date=("交易时间",), amount=("金额(元)", "金额"), direction=("收/支",), ref=("交易单号",),
        memo=("交易类型", "商品", "备注"), counterparty=("交易对方",), status=("当前状态",),
        required=("交易单号",), personal_payment=True,
    ),
    # --- layouts documented by public parsers (deb-sig/double-entry-generator spdb_debit and citic
    #     providers; column names only, no sample file)
    Profile(
        "spdb", "spdb", "SPDB personal debit 浦发银行借记卡交易明细",
        date=("交易日期", "交易时间", "交易日期时间"), credit=("存入金额", "存入"), debit=("取出金额", "支取金额", "取出"),
        balance=("余额", "账户余额", "借记卡余额"), ref=("交易序号",), memo=("交易摘要", "附言"),
        counterparty=("对方户名",), currency=("币种",),
    ),
    Profile(
        "citic", "citic", "CITIC credit card 中信银行信用卡账单明细",
        date=("入账日期", "交易日期"), value_date=("交易日期",), amount=("结算金额", "交易金额"),
        memo=("交易描述",), currency=("结算币种",), account=("卡末四位",), required=("卡末四位", "入账日期"),
        negate=True, account_last_digits=True,
    ),
    # --- corporate (对公) exports, layouts reported second-hand (no public sample)
    Profile(
        "icbc_corp", "icbc", "ICBC corporate [HISTORYDETAIL] 历史明细",
        date=("交易时间", "交易日期"), debit=("借方发生额",), credit=("贷方发生额",), ref=("凭证号",),
        memo=("摘要", "用途"), counterparty=("对方单位名称", "对方户名"), balance=("余额",),
        account=("本方账号",), required=("对方单位名称|本方账号",),
    ),
    Profile(
        "ccb_corp", "ccb", "CCB corporate 账户明细",
        date=("记账日期", "交易时间"), debit=("借方发生额(支取)",), credit=("贷方发生额(收入)",),
        balance=("余额",), currency=("币种",), counterparty=("对方户名",),
        ref=("账户明细编号-交易流水号", "交易流水号"), memo=("摘要", "备注"), account=("账号",),
    ),
    Profile(
        "cmb_corp", "cmb", "CMB corporate 交易明细",
        date=("交易日",), value_date=("起息日",), debit=("借方金额",), credit=("贷方金额",), balance=("余额",),
        ref=("流水号",), memo=("摘要", "用途", "业务摘要", "其它摘要", "其他摘要"),
        counterparty=("收(付)方名称",), currency=("币种",),
    ),
    Profile(
        "boc_corp", "boc", "BOC corporate 交易明细",
        date=("交易日期",), amount=("交易金额",), direction=("交易类型",), balance=("交易后余额",),
        value_date=("起息日期",), ref=("交易流水号",), memo=("摘要", "用途", "交易附言", "备注"),
        counterparty_in=("付款人名称",), counterparty_out=("收款人名称",), currency=("交易货币",),
        account_in=("收款人账号",), account_out=("付款人账号",), required=("付款人名称", "收款人名称"),
    ),
    Profile(
        "abc_corp", "abc", "ABC corporate 账户明细",
        date=("交易日期", "交易时间", "日期"), credit=("收入金额", "收入"), debit=("支出金额", "支出"),
        balance=("账户余额", "本次余额", "余额"), ref=("交易流水号", "流水号"),
        memo=("摘要", "交易用途", "交易说明", "交易附言", "用途"), counterparty=("对方户名", "对方账户名称"),
        currency=("币种",),
    ),
)
PROFILE_IDS = tuple(p.id for p in PROFILES)
BANKS = tuple(dict.fromkeys(p.bank for p in PROFILES))

_CURRENCIES = {
    "人民币": "CNY", "rmb": "CNY", "cny": "CNY", "本币": "CNY", "美元": "USD", "usd": "USD", "港币": "HKD",
    "港元": "HKD", "hkd": "HKD", "欧元": "EUR", "eur": "EUR", "日元": "JPY", "jpy": "JPY", "英镑": "GBP",
    "gbp": "GBP", "澳元": "AUD", "加元": "CAD", "新加坡元": "SGD", "瑞士法郎": "CHF",
}


def currency_code(text: str) -> str:
    s = norm_space(text).lower()
    if not s:
        return ""
    if s in _CURRENCIES:
        return _CURRENCIES[s]
    for k, v in _CURRENCIES.items():
        if not k.isascii() and s.startswith(k):
            return v
    return s.upper() if re.fullmatch(r"[a-z]{3}", s) else ""


_IN_WORDS = ("贷", "收", "来账", "入账", "cr", "c", "credit", "in", "+")
_OUT_WORDS = ("借", "支", "往账", "出账", "dr", "d", "debit", "out", "-")


def direction_sign(text: str) -> int | None:
    """+1 for money in (贷 Cr, 收入, 来账), -1 for money out (借 Dr, 支出, 往账), None if unknown."""
    s = norm_space(text).lower()
    if not s:
        return None
    first = s.split(" ")[0]
    for w in _IN_WORDS:
        if first == w or (not w.isascii() and first.startswith(w)):
            return 1
    for w in _OUT_WORDS:
        if first == w or (not w.isascii() and first.startswith(w)):
            return -1
    return None


# --------------------------------------------------------------------------- reading rows


def read_delimited(text: str, delimiter: str) -> list[Row]:
    rows: list[Row] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise StatementError(f"the file is not readable as delimited text: {exc}", reader.line_num) from None
    return rows


DELIMITERS = (",", "\t", ";", "|")


def candidate_row_sets(text: str, delimiter: str | None = None):
    """Yield (delimiter, rows) for the given delimiter or each likely one."""
    if delimiter:
        yield delimiter, read_delimited(text, delimiter)
        return
    head = text[:20000]
    for d in DELIMITERS:
        if d in head:
            yield d, read_delimited(text, d)


# --------------------------------------------------------------------------- header detection


@dataclass
class Columns:
    profile: Profile
    header_line: int
    index: dict[str, int]  # normalised header -> position

    def find(self, names: tuple[str, ...]) -> int | None:
        for n in names:
            i = self.index.get(norm_header(n))
            if i is not None:
                return i
        return None

    def find_all(self, names: tuple[str, ...]) -> list[int]:
        out: list[int] = []
        for n in names:
            i = self.index.get(norm_header(n))
            if i is not None and i not in out:
                out.append(i)
        return out


def _index(cells: list[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, c in enumerate(cells):
        key = norm_header(clean_cell(c))
        if key and key not in index:
            index[key] = i
    return index


def _missing(profile: Profile, index: dict[str, int]) -> list[str]:
    def has(names) -> bool:
        return any(norm_header(n) in index for n in names)

    missing: list[str] = []
    if not has(profile.date):
        missing.append("/".join(profile.date))
    if profile.credit and not has(profile.credit):
        missing.append("/".join(profile.credit))
    if profile.debit and not has(profile.debit):
        missing.append("/".join(profile.debit))
    if profile.amount and not has(profile.amount):
        missing.append("/".join(profile.amount))
    if profile.direction and not has(profile.direction):
        missing.append("/".join(profile.direction))
    for r in profile.required:
        if not has(r.split("|")):
            missing.append(r.replace("|", "/"))
    return missing


def resolve_profiles(profile: str | None) -> tuple[Profile, ...]:
    if profile is None or profile in ("", "auto"):
        return PROFILES
    key = profile.strip().lower()
    chosen = tuple(p for p in PROFILES if p.id == key or p.bank == key)
    if not chosen:
        raise StatementError(
            f"unknown statement profile {profile!r}; expected one of {', '.join(BANKS + PROFILE_IDS[len(BANKS):])}"
        )
    return chosen


def find_header(rows: list[Row], profiles: tuple[Profile, ...]) -> tuple[int, Columns] | None:
    """(position in rows, columns) of the first row that a profile recognises, best profile first."""
    for pos, (line, cells) in enumerate(rows[:HEADER_SCAN_ROWS]):
        if sum(1 for c in cells if clean_cell(c)) < 3:
            continue
        index = _index(cells)
        best: tuple[int, int, Profile] | None = None
        for order, p in enumerate(profiles):
            if _missing(p, index):
                continue
            score = len(p.names() & set(index))
            if best is None or score > best[0]:
                best = (score, order, p)
        if best is not None:
            return pos, Columns(best[2], line, index)
    return None


def explain_no_header(rows: list[Row], profiles: tuple[Profile, ...]) -> StatementError:
    """The nearest miss, for a message that says which columns are lacking."""
    near: tuple[int, int, Profile, list[str]] | None = None
    for line, cells in rows[:HEADER_SCAN_ROWS]:
        index = _index(cells)
        if len(index) < 3:
            continue
        for p in profiles:
            hits = len(p.names() & set(index))
            if hits >= 2 and (near is None or hits > near[0]):
                near = (hits, line, p, _missing(p, index))
    names = ", ".join(p.id for p in profiles)
    known = f"layouts known: {names}; or name the columns in a [bank_formats.NAME] mapping and use --profile NAME"
    if near is not None:
        _, line, p, missing = near
        found = _found_columns(rows, line)
        return StatementError(
            f"the header row looks like a {p.title} export but lacks column(s) {', '.join(missing)}; "
            f"columns found: {found}; {known}", line
        )
    widest = max(rows[:HEADER_SCAN_ROWS], key=lambda r: sum(1 for c in r[1] if clean_cell(c)), default=None)
    found = f"; columns of the widest row (line {widest[0]}): {_found_columns(rows, widest[0])}" if widest else ""
    return StatementError(
        "no header row found: the file is not a statement export of a known layout "
        f"(looked for {names}){found}; pass profile=... or a column mapping; {known}"
    )


def _found_columns(rows: list[Row], line: int) -> str:
    cells = next((c for ln, c in rows if ln == line), [])
    shown = [clean_cell(c) for c in cells if clean_cell(c)]
    return ", ".join(shown[:20]) + (" ..." if len(shown) > 20 else "") or "(none)"


# --------------------------------------------------------------------------- preamble (account, currency)

_ACCOUNT_LABELS = {"账号", "帐号", "卡号", "账户", "账户号", "账户号码", "查询账号", "支付宝账户", "银行账号", "客户账号", "本方账号"}
_CURRENCY_LABELS = {"币种", "币别", "货币", "记账币种"}


def read_preamble(rows: list[Row]) -> tuple[str, str]:
    """(account, currency) from label/value cells above the header ("账　　号：" | "xxx")."""
    account = currency = ""
    for _, cells in rows:
        cleaned = [clean_cell(c) for c in cells]
        for i, cell in enumerate(cleaned):
            if not cell:
                continue
            m = re.match(r"^([^:：]{1,30}?)\s*[:：]\s*(.*)$", cell)
            label, value = (m.group(1), m.group(2)) if m else (cell, "")
            label = norm_header(label)
            if label not in _ACCOUNT_LABELS and label not in _CURRENCY_LABELS:
                continue
            if not value:
                value = next((c for c in cleaned[i + 1:] if c), "")
            value = norm_space(value).strip("[]【】")
            if label in _ACCOUNT_LABELS and not account and value:
                account = value
            elif label in _CURRENCY_LABELS and not currency and value:
                currency = currency_code(value)
    return account, currency


# --------------------------------------------------------------------------- rows -> lines

_MASKED = re.compile(r"[xyzXYZ*＊]")


def _get(cells: list[str], i: int | None) -> str:
    if i is None or i >= len(cells):
        return ""
    return clean_cell(cells[i])


def _ref(text: str) -> str:
    s = norm_space(text)
    return "" if set(s) <= {"0"} else s


def _split_account_digits(text: str) -> str:
    m = re.fullmatch(r"(.*?)[\s:：]*\d{6,}", text)
    return norm_space(m.group(1)) if m and m.group(1).strip() else text


@dataclass
class _Parsed:
    line: StatementLine
    currency: str
    account: str


def parse_rows(
    rows: list[Row],
    *,
    profile: str | None = None,
    where: str = "",
) -> list[Statement]:
    """Rows of a delimited file or spreadsheet to statements (one per currency)."""
    profiles = resolve_profiles(profile)
    found = find_header(rows, profiles)
    if found is None:
        raise explain_no_header(rows, profiles)
    pos, cols = found
    p = cols.profile
    pre_account, pre_currency = read_preamble(rows[:pos])
    header_keys = set(cols.index)

    c_date = cols.find(p.date)
    c_amount = cols.find(p.amount)
    c_credit = cols.find(p.credit)
    c_debit = cols.find(p.debit)
    c_dir = cols.find(p.direction)
    c_ref = cols.find(p.ref)
    c_memo = cols.find_all(p.memo)
    c_cp = cols.find(p.counterparty)
    c_cp_in, c_cp_out = cols.find(p.counterparty_in), cols.find(p.counterparty_out)
    c_bal = cols.find(p.balance)
    c_vd = cols.find(p.value_date)
    c_ccy = cols.find(p.currency)
    c_acct = cols.find(p.account)
    c_acct_in, c_acct_out = cols.find(p.account_in), cols.find(p.account_out)
    c_status = cols.find(p.status)

    def name(i: int | None) -> str:
        for k, v in cols.index.items():
            if v == i:
                return k
        return "?"

    def money(raw: str, col: int | None, line: int) -> Decimal:
        return parse_money(raw, what=f"{name(col)} value", line=line)

    parsed: list[_Parsed] = []
    warnings: list[tuple[str, str]] = []  # (currency, text)
    skipped: list[tuple[str, SkippedLine]] = []  # (currency, row left out)
    section = ""  # the account named by a "账号:" line between blocks of one file, if any
    section_currency = ""
    for line, cells in rows[pos + 1:]:
        if not any(clean_cell(c) for c in cells):
            continue
        date_raw = _get(cells, c_date)
        is_date = looks_like_date(date_raw)
        if not is_date:
            section_account, section_ccy = read_preamble([(line, cells)])
            if section_account or section_ccy:
                # "账号: ..." / "币种: ..." between blocks: the rows below are that account's, in that currency
                section = section_account or section
                section_currency = section_ccy or section_currency
                continue
            if _index(cells).keys() >= header_keys:
                continue  # the header repeated (multi-page export)
            if any(w in clean_cell(c) for c in cells for w in FOOTER_WORDS):
                continue  # 合计 / 总计 footer
            if not any(_get(cells, c) for c in (c_amount, c_credit, c_debit) if c is not None):
                continue  # a note or trailer line ("以上数据仅供参考", "-----")
        date = parse_date(date_raw, what=f"{name(c_date)} value", line=line)
        ccy = currency_code(_get(cells, c_ccy)) or section_currency or pre_currency or "CNY"

        sign = 1
        if c_dir is not None:
            dir_raw = _get(cells, c_dir)
            s = direction_sign(dir_raw)
            if s is None:
                if p.personal_payment:
                    what = f"{join_text(_get(cells, i) for i in c_memo)} {_get(cells, c_amount)}".strip()
                    note = f"line {line}: skipped neutral row ({dir_raw or '/'}: neither income nor expense): {what}"
                    warnings.append((ccy, note))
                    fee = re.search(r"服务费\s*[¥￥]?\s*([\d,]+\.\d+)", join_text(_get(cells, i) for i in c_memo))
                    fee_note = f"; its 服务费 {fee.group(1)} is not imported either" if fee else ""
                    skipped.append((ccy, SkippedLine(
                        line, f"neutral row ({dir_raw or '/'}: neither income nor expense of this account){fee_note}",
                        _get(cells, c_amount), join_text(_get(cells, i) for i in c_memo), note)))
                    continue
                raise StatementError(
                    f"{name(c_dir)} value {dir_raw!r} is not a direction; expected 借/贷 (Dr/Cr), 收入/支出 or 来账/往账",
                    line,
                )
            sign = s
        if c_status is not None:
            st = _get(cells, c_status)
            if any(w in st for w in ("关闭", "失败", "撤销")):
                note = f"line {line}: skipped row with status {st!r} (no money moved)"
                warnings.append((ccy, note))
                skipped.append((ccy, SkippedLine(
                    line, f"status {st} (no money moved)",
                    _get(cells, c_amount) or _get(cells, c_credit) or _get(cells, c_debit),
                    join_text(_get(cells, i) for i in c_memo), note)))
                continue

        if c_credit is not None and c_debit is not None:
            cr_raw, db_raw = _get(cells, c_credit), _get(cells, c_debit)
            cr = money(cr_raw, c_credit, line) if cr_raw else None
            db = money(db_raw, c_debit, line) if db_raw else None
            if cr is None and db is None:
                raise StatementError(
                    f"neither {name(c_credit)} nor {name(c_debit)} holds an amount; expected one of them", line
                )
            if cr and db:
                raise StatementError(
                    f"both {name(c_credit)} ({cr_raw}) and {name(c_debit)} ({db_raw}) hold an amount; expected one", line
                )
            for v, col in ((cr, c_credit), (db, c_debit)):
                if v is not None and v < 0:
                    warnings.append((ccy, f"line {line}: negative {name(col)} {v} read as a reversal (红字冲正)"))
            amount = (cr or ZERO) - (db or ZERO)
        else:
            raw = _get(cells, c_amount)
            if not raw:
                raise StatementError(f"{name(c_amount)} is empty; expected an amount", line)
            amount = sign * money(raw, c_amount, line)
            if p.negate:
                amount = -amount

        balance = None
        bal_raw = _get(cells, c_bal)
        if bal_raw and not _MASKED.search(bal_raw):
            balance = money(bal_raw, c_bal, line)
        vd_raw = _get(cells, c_vd)
        value_date = parse_date(vd_raw, what=f"{name(c_vd)} value", line=line) if vd_raw else None

        if c_cp_in is not None or c_cp_out is not None:
            counterparty = _get(cells, c_cp_in if amount >= 0 else c_cp_out)
        else:
            counterparty = _get(cells, c_cp)
        counterparty = norm_space(counterparty)
        if p.counterparty_strip_digits:
            counterparty = _split_account_digits(counterparty)
        if c_acct_in is not None or c_acct_out is not None:
            account = _get(cells, c_acct_in if amount >= 0 else c_acct_out)
        else:
            account = _get(cells, c_acct)
        if p.account_last_digits and account:
            account = "*" + account
        parsed.append(
            _Parsed(
                StatementLine(
                    date=date,
                    amount=amount,
                    ref=_ref(_get(cells, c_ref)),
                    memo=join_text(_get(cells, i) for i in c_memo),
                    counterparty=counterparty,
                    balance=balance,
                    value_date=value_date,
                    source_line=line,
                ),
                ccy,
                norm_space(account) or section,
            )
        )
    return _build(parsed, p, pre_account, warnings, where, skipped)


def _build(
    parsed: list[_Parsed], p: Profile, pre_account: str, warnings: list[tuple[str, str]], where: str,
    skipped: list[tuple[str, SkippedLine]] = (),
) -> list[Statement]:
    currencies = list(dict.fromkeys(x.currency for x in parsed)) or list(dict.fromkeys(c for c, _ in warnings)) or ["CNY"]
    statements: list[Statement] = []
    prefix = f"{where}: " if where else ""
    # one statement per currency and per own account the rows name (a corporate export may hold
    # several accounts: each becomes its own statement, never merged into the first)
    groups: list[tuple[str, str]] = []
    for ccy in currencies:
        accounts = list(dict.fromkeys(x.account or pre_account for x in parsed if x.currency == ccy))
        accounts = [a for a in accounts if a]
        if len(accounts) > 1:  # "3167" in the rows and the full number above them are one account
            from .select import account_matches

            accounts = [a for i, a in enumerate(accounts)
                        if not any(account_matches(a, b) for j, b in enumerate(accounts) if j != i and len(b) >= len(a))]
        if len(accounts) <= 1:
            groups.append((ccy, ""))
        else:
            groups += [(ccy, a) for a in accounts]
    first_of: dict[str, tuple[str, str]] = {}
    for g in groups:
        first_of.setdefault(g[0], g)  # row warnings and skipped rows go with their currency's first statement
    for ccy, own in groups:
        group = [x for x in parsed if x.currency == ccy and (not own or (x.account or pre_account) == own)]
        lines = [x.line for x in group]
        accounts = list(dict.fromkeys(x.account for x in group if x.account))
        account = own or pre_account or (accounts[0] if accounts else "")
        warns = [prefix + w for c, w in warnings
                 if (c == ccy or len(currencies) == 1) and first_of.get(ccy) == (ccy, own)]
        if len(accounts) > 1:
            warns.append(f"{prefix}rows name several own accounts ({', '.join(accounts[:5])}); using {account}")
        if not lines:
            warns.append(f"{prefix}no transaction rows after the header")
        run_warn, opening, closing = check_running_balances(lines)
        warns.extend(prefix + w for w in run_warn)
        statements.append(
            Statement(
                format=p.bank,
                account=account,
                currency=ccy,
                opening_balance=opening,
                closing_balance=closing,
                lines=tuple(lines),
                warnings=cap_warnings(warns),
                profile=p.id,
                personal_payment=p.personal_payment,
                skipped=tuple(sk for c, sk in skipped if first_of.get(c, groups[0]) == (ccy, own)),
            )
        )
    return statements


# --------------------------------------------------------------------------- entry point


def parse_chinese_csv(data: bytes, *, profile: str | None = None, encoding: str | None = None,
                      delimiter: str | None = None) -> list[Statement]:
    text = decode_text(data, encoding)
    profiles = resolve_profiles(profile)
    first_rows: list[Row] | None = None
    for _, rows in candidate_row_sets(text, delimiter):
        if first_rows is None:
            first_rows = rows
        if find_header(rows, profiles) is not None:
            return parse_rows(rows, profile=profile)
    if first_rows is None:
        first_rows = read_delimited(text, delimiter or ",")
    raise explain_no_header(first_rows, profiles)
