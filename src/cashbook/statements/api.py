"""parse_statement: bytes of a bank statement file -> neutral Statement objects."""

from __future__ import annotations

import re
from dataclasses import replace

from .camt053 import parse_camt053
from .chinese_csv import parse_chinese_csv
from .detect import FORMAT_CHOICES, detect_format
from .ends import cut_short, whole_lines
from .generic_csv import check_mapping, parse_generic_csv
from .model import Statement, StatementError
from .mt940 import parse_mt940
from .ofx import parse_ofx
from .xls import ZIP_MAGIC, is_xls, parse_xls, zip_names

INTERNAL_ERROR = "internal error while reading the statement"


def parse_statement(
    data: bytes,
    filename: str = "",
    fmt: str = "auto",
    profile: str | None = None,
    mapping: dict | None = None,
    accept_gaps: bool = False,
) -> list[Statement]:
    """Read a bank statement file's bytes into statements (one per account/currency/period block).

    fmt: auto|csv|xls|xlsx|ofx|camt053|mt940|zip; profile forces a Chinese layout (icbc, ccb, cmb,
    boc, abc, bocom, alipay, wechat or a *_corp variant); mapping reads any CSV or .xls by
    named columns. Any unreadable input raises StatementError, nothing else. A file cut
    short (`ends.cut_short`) is refused; with ``accept_gaps`` its whole lines are read and
    the first statement's warnings name the cut.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, got {type(data).__name__}")
    data = bytes(data)
    try:
        return _parse_whole(data, filename or "", fmt, profile, mapping, accept_gaps)
    except StatementError:
        raise
    except RecursionError:
        raise StatementError("the file is nested too deeply to read") from None
    except MemoryError:
        raise StatementError("the file is too large to read") from None
    except Exception as exc:  # a bug here must still reach the user as a readable error
        raise StatementError(f"{INTERNAL_ERROR} ({type(exc).__name__}: {exc}); please report it") from exc


def _parse_whole(data: bytes, filename: str, fmt: str, profile, mapping, accept_gaps: bool) -> list[Statement]:
    line = data.count(b"\n") + 1
    try:
        statements = _parse(data, filename, fmt, profile, mapping)
    except StatementError as exc:
        if not _cut_there(data, exc, lambda prefix: _parse(prefix, filename, fmt, profile, mapping)):
            raise
        statements, cut = [], f"the file ends in the middle of line {line} ({exc.message}): it was cut short"
    else:
        kind = detect_format(data, filename) if fmt.lower() == "auto" else fmt.lower()
        cut = cut_short(data, kind, statements, lambda prefix: _parse(prefix, filename, fmt, profile, mapping))
    if cut is None:
        return statements
    if not accept_gaps:
        raise StatementError(f"{cut}; get the whole file from the bank again, or import what is there with --accept-gaps", line)
    whole = whole_lines(data)
    statements = _parse(whole, filename, fmt, profile, mapping) if whole.strip() else []
    if not statements:
        raise StatementError(f"{cut}, and no whole line before the cut holds a statement", line)
    note = f"{cut}; line {line}, where the file ends, was not imported (--accept-gaps)"
    return [*statements[:-1], replace(statements[-1], warnings=(*statements[-1].warnings, note))]


def _cut_there(data: bytes, exc: StatementError, read) -> bool:
    """Whether a reading error is the cut itself: the file ends without a line break, and
    the error is on its last line (or is a character cut in two) while its whole lines read."""
    if not data.strip() or data.rstrip(b" \t\x00\x1a").endswith((b"\n", b"\r")):
        return False
    last = data.count(b"\n") + 1
    if exc.line not in (None, last) and "decode" not in exc.message:
        return False
    try:
        return bool(read(whole_lines(data)))
    except Exception:  # noqa: BLE001 - the whole lines do not read either: not (only) a cut
        return False


def _parse(data: bytes, filename: str, fmt: str, profile, mapping, depth: int = 0) -> list[Statement]:
    if not isinstance(fmt, str) or fmt.lower() not in FORMAT_CHOICES:
        raise StatementError(f"unknown format {fmt!r}; expected one of {', '.join(FORMAT_CHOICES)}")
    fmt = fmt.lower()
    if profile is not None and not isinstance(profile, str):
        raise StatementError("profile must be a name like 'icbc'")
    if mapping is not None:
        check_mapping(mapping)
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise StatementError("the file is empty")
    kind = detect_format(data, filename) if fmt == "auto" else fmt
    if kind == "xlsx":
        kind = "xls"
    if kind == "zip":
        return _zip(data, profile, mapping, depth)
    if kind == "xml":
        raise StatementError(
            "the XML file is neither camt.053 (BkToCstmrStmt, urn:iso:std:iso:20022:tech:xsd:camt.053.001.nn) "
            "nor OFX" + _camt_hint(data)
        )
    if kind == "html":
        raise StatementError(
            "this is an HTML page (some banks save it with an .xls name); open it in Excel or WPS and save it "
            "as .xls or CSV"
        )
    if (profile or mapping is not None) and kind not in ("csv", "xls"):
        raise StatementError(f"a profile or column mapping applies to CSV and .xls files, not to {kind}")
    if kind == "xls":
        if not is_xls(data) and fmt == "xls" and not data.startswith(b"PK"):
            # many bank ".xls" downloads are really tab-delimited text
            try:
                return _csv(data, profile, mapping)
            except StatementError as exc:
                raise StatementError(
                    "not a binary .xls workbook (no OLE/BIFF signature), and as delimited text: " + exc.message,
                    exc.line,
                ) from None
        return parse_xls(data, profile=profile, mapping=mapping)
    if kind == "ofx":
        return parse_ofx(data)
    if kind == "camt053":
        return parse_camt053(data)
    if kind == "mt940":
        return parse_mt940(data)
    return _csv(data, profile, mapping)


def _zip(data: bytes, profile, mapping, depth: int) -> list[Statement]:
    """Every statement file inside a ZIP archive (a bank's camt.053 download is often zipped)."""
    import io
    import zipfile

    if depth:
        raise StatementError("a ZIP archive inside a ZIP archive is not read; unpack the outer one")
    names = zip_names(data) if data.startswith(ZIP_MAGIC) else None
    if names is None:
        raise StatementError("the file starts like a ZIP archive (an .xlsx workbook or a zipped statement) but "
                             "is damaged or cut short; download or export it again")
    members = [n for n in names if not n.endswith("/") and not n.startswith("__MACOSX/")
               and not n.rsplit("/", 1)[-1].startswith(".")]
    if not members:
        raise StatementError("the ZIP archive holds no file")
    out: list[Statement] = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in members:
            try:
                member = z.read(name)
            except Exception as exc:  # zlib.error, EOFError, BadZipFile, CRC errors: all mean a damaged archive
                raise StatementError(f"in the ZIP archive, {name} is damaged and cannot be unpacked "
                                     f"({type(exc).__name__}: {exc})") from None
            try:
                out.extend(_parse(member, name, "auto", profile, mapping, depth + 1))
            except StatementError as exc:
                raise StatementError(f"in the ZIP archive, {name}: {exc}") from None
    return out


def _csv(data: bytes, profile, mapping) -> list[Statement]:
    if mapping is not None:
        return parse_generic_csv(data, mapping)
    return parse_chinese_csv(data, profile=profile)


def _camt_hint(data: bytes) -> str:
    m = re.search(rb"camt\.(\d{3})\.001\.\d+", data[:8192])
    if m and m.group(1) != b"053":
        return f" (found camt.{m.group(1).decode()}: only camt.053 end-of-day statements are read)"
    return ""
