"""Which reader a file needs, judged by its content (the file name only breaks ties)."""

from __future__ import annotations

import re

from .camt053 import CAMT053_NS
from .xls import ZIP_MAGIC, is_xls, is_xlsx

FORMAT_CHOICES = ("auto", "csv", "xls", "xlsx", "ofx", "camt053", "mt940", "zip")


def _head_text(data: bytes, size: int = 8192) -> str:
    head = data[:size]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return head.decode("utf-16", errors="ignore")
        except Exception:  # pragma: no cover
            return ""
    return head.decode("latin-1")


def detect_format(data: bytes, filename: str = "") -> str:
    """'xls' (also .xlsx), 'zip' (an archive of statements), 'ofx', 'camt053', 'mt940', 'xml' (other
    XML), 'html' (a web page) or 'csv' (the rest)."""
    if is_xls(data):
        return "xls"
    if data.startswith(ZIP_MAGIC):
        return "xls" if is_xlsx(data) else "zip"
    head = _head_text(data)
    stripped = head.lstrip("\ufeff\xef\xbb\xbf \t\r\n")
    if re.search(r"OFXHEADER|<OFX>", head, re.I):
        return "ofx"
    if stripped.startswith("<"):
        if CAMT053_NS.search(data[:8192]) or re.search(r"<(\w+:)?BkToCstmrStmt\b", head):
            return "camt053"
        if re.search(r"<\?xml", stripped[:100]) or re.search(r"<(\w+:)?Document\b", head):
            return "xml"  # XML but neither OFX nor camt.053
    if re.search(r"<(html|table)\b", head[:4096], re.I):
        return "html"
    if stripped.startswith("{1:") or re.search(r"(?m)^\s*\{1:", head):
        return "mt940"
    if re.search(r"(?m)^:20:", head) and re.search(r"(?m)^:(25|60F|60M|61):", head):
        return "mt940"
    name = filename.lower()
    if name.endswith((".sta", ".940", ".mt940")) and re.search(r"(?m)^:\d{2}[A-Z]?:", head):
        return "mt940"
    return "csv"
