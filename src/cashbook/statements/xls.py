"""Binary Excel 97-2003 (.xls, BIFF in an OLE container) through xlrd.

Cells become text exactly: numbers through their shortest decimal repr (never float
arithmetic), dates to ISO text; then the rows go through the same header detection and
profiles as the CSV exports (or through a generic column mapping).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from .common import MAX_INT_DIGITS
from .model import StatementError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BIFF_MAGICS = (b"\x09\x00\x04\x00", b"\x09\x02\x06\x00", b"\x09\x04\x06\x00", b"\x09\x08")
ZIP_MAGIC = b"PK\x03\x04"


def is_xls(data: bytes) -> bool:
    return data.startswith(OLE_MAGIC) or any(data.startswith(m) for m in BIFF_MAGICS)


def _number_text(value: float) -> str:  # not money: an .xls cell's binary float, written out through Decimal(repr())
    if value != value or value in (float("inf"), float("-inf")):  # not money: NaN and infinities
        return "NaN"
    d = Decimal(repr(value))
    if abs(d) >= Decimal(10) ** (MAX_INT_DIGITS + 4):
        return f"{d:f}"
    if d == d.to_integral_value():
        return str(int(d))
    q = d.quantize(Decimal("0.01"))
    if q != d and abs(q - d) < Decimal("0.000001"):
        return f"{q:f}"  # 16.780000000000001: a binary artefact of a two-place number
    return f"{d:f}"


MAX_UNZIPPED = 200 * 1024 * 1024  # a workbook or archive that inflates beyond this is refused


def zip_names(data: bytes) -> list[str] | None:
    """The member names of a ZIP archive, or None when the bytes are no readable archive."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except Exception:  # BadZipFile, NotImplementedError (odd versions), EOFError ...: no readable archive
        return None
    if sum(i.file_size for i in infos) > MAX_UNZIPPED:
        raise StatementError(f"the ZIP archive inflates to more than {MAX_UNZIPPED // 2**20} MB; refusing to read it")
    return [i.filename for i in infos]


def is_xlsx(data: bytes) -> bool:
    names = zip_names(data) if data.startswith(ZIP_MAGIC) else None
    return bool(names) and any(n.startswith("xl/") for n in names) and "[Content_Types].xml" in names


def read_xlsx_sheets(data: bytes) -> list[tuple[str, list[tuple[int, list[str]]]]]:
    """An .xlsx (Excel 2007+, WeChat's current export) through openpyxl, cells as exact text."""
    import io
    import warnings

    try:
        import openpyxl  # imported lazily: only .xlsx needs it
    except ImportError:  # pragma: no cover - openpyxl is a declared dependency
        raise StatementError("reading .xlsx needs the openpyxl package (pip install openpyxl)") from None
    zip_names(data)  # refuses an archive that inflates too far
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not know
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheets = []
            for sheet in book.worksheets:
                rows = []
                for r, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                    rows.append((r, [_value_text(v) for v in values]))
                while rows and not any(rows[-1][1]):
                    rows.pop()
                if rows:
                    sheets.append((sheet.title, rows))
            book.close()
    except StatementError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on damaged input; all mean the same
        raise StatementError(f"the .xlsx workbook is damaged or unreadable ({type(exc).__name__}: {exc})") from None
    if not sheets:
        raise StatementError("the .xlsx workbook has no rows")
    return sheets


def _value_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):  # not money: a cell as the file stores it, turned to text without arithmetic
        return _number_text(v)
    if isinstance(v, Decimal):
        return f"{v:f}"
    if isinstance(v, datetime.datetime):
        return v.date().isoformat() if v.time() == datetime.time(0) else v.isoformat(sep=" ")
    if isinstance(v, (datetime.date, datetime.time)):
        return v.isoformat()
    return str(v)


def read_xls_sheets(data: bytes) -> list[tuple[str, list[tuple[int, list[str]]]]]:
    """[(sheet name, [(row number, cells as text)])] for every sheet with content."""
    if data.startswith(ZIP_MAGIC):
        if is_xlsx(data):
            return read_xlsx_sheets(data)
        raise StatementError(
            "this is a ZIP archive but not an .xlsx workbook (no xl/ part); expected an .xlsx, or a ZIP of "
            "camt.053/OFX/MT940/CSV statements"
        )
    if not is_xls(data):
        raise StatementError("not a binary .xls workbook (no OLE/BIFF signature)", 1)
    try:
        import xlrd  # imported lazily: only .xls needs it
    except ImportError:  # pragma: no cover - xlrd is a declared dependency
        raise StatementError("reading .xls needs the xlrd package (pip install xlrd)") from None
    try:
        book = xlrd.open_workbook(file_contents=bytes(data), on_demand=False, logfile=_NullLog())
    except Exception as exc:  # xlrd raises many kinds on damaged input; all mean the same
        raise StatementError(f"the .xls workbook is damaged or unreadable ({type(exc).__name__}: {exc})") from None
    sheets = []
    try:
        for sheet in book.sheets():
            rows: list[tuple[int, list[str]]] = []
            for r in range(sheet.nrows):
                cells = []
                for cell in sheet.row(r):
                    cells.append(_cell_text(cell, book.datemode, xlrd))
                rows.append((r + 1, cells))
            if rows:
                sheets.append((sheet.name, rows))
    except StatementError:
        raise
    except Exception as exc:
        raise StatementError(f"the .xls workbook is damaged or unreadable ({type(exc).__name__}: {exc})") from None
    if not sheets:
        raise StatementError("the .xls workbook has no rows")
    return sheets


def _cell_text(cell, datemode: int, xlrd) -> str:
    t = cell.ctype
    if t == xlrd.XL_CELL_TEXT:
        return str(cell.value)
    if t == xlrd.XL_CELL_NUMBER:
        return _number_text(cell.value)
    if t == xlrd.XL_CELL_DATE:
        try:
            dt = xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        except Exception:
            return _number_text(cell.value)
        if isinstance(dt, datetime.datetime) and dt.time() == datetime.time(0):
            return dt.date().isoformat()
        return dt.isoformat(sep=" ")
    if t == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    return ""  # empty, blank, error cells


class _NullLog:
    def write(self, *_a):  # xlrd prints warnings to its logfile; keep the library silent
        pass


def parse_xls(data: bytes, *, profile: str | None = None, mapping: dict | None = None):
    """Every sheet with a recognisable header becomes statements; others are ignored."""
    from .chinese_csv import parse_rows
    from .generic_csv import parse_mapped_rows

    sheets = read_xls_sheets(data)
    statements = []
    first_error: StatementError | None = None
    passed_over: list[str] = []
    for name, rows in sheets:
        where = f"sheet {name!r}" if len(sheets) > 1 else ""
        try:
            if mapping is not None:
                found = parse_mapped_rows(rows, mapping, where=where)
            else:
                found = parse_rows(rows, profile=profile, where=where)
        except StatementError as exc:
            if first_error is None:
                first_error = exc
            if len(sheets) > 1 and _is_header_error(exc):
                passed_over.append(f"sheet {name!r} was not read: {exc}")  # a cover or summary sheet, said
                continue
            raise
        statements.extend(found)
    if not statements:
        assert first_error is not None
        raise first_error
    if passed_over:
        import dataclasses

        first = statements[0]
        statements[0] = dataclasses.replace(first, warnings=first.warnings + tuple(passed_over))
    return statements


def _is_header_error(exc: StatementError) -> bool:
    return "header row" in exc.message
