"""The pdf renderer: the html page printed by WeasyPrint (a real layout engine: page
sizes, page numbers, tables split across pages) with an embedded CJK font.

WeasyPrint is the `pdf` extra (``pip install 'cashbook[pdf]'``); the font comes from a
system package (Debian: fonts-noto-cjk or fonts-wqy-zenhei). Without either the command
refuses in words rather than print a page of empty boxes.
"""

from __future__ import annotations

import shutil
import subprocess

from ..core.problems import CashbookError, Problem
from ..reports.model import Report
from .html import render_html


def cjk_font_installed() -> bool:
    """Whether fontconfig knows a font that covers Chinese (the one WeasyPrint will use)."""
    if not shutil.which("fc-list"):
        return False
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(out.strip())


def render_pdf(report: Report, lang: str = "en") -> bytes:
    try:
        import logging

        from weasyprint import HTML

        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        logging.getLogger("fontTools").setLevel(logging.ERROR)
    except (ImportError, OSError) as exc:  # OSError: WeasyPrint present but Pango missing
        raise CashbookError(Problem("pdf-unavailable", f"PDF output needs WeasyPrint ({exc}); install it with "
                                    "`pip install 'cashbook[pdf]'` (and on Debian `apt-get install libpango-1.0-0 "
                                    "libpangoft2-1.0-0`), or write html with `-f html`")) from None
    if not cjk_font_installed():
        raise CashbookError(Problem("pdf-unavailable", "PDF output needs a font with Chinese characters and none is "
                                    "installed; on Debian `apt-get install fonts-noto-cjk` (or fonts-wqy-zenhei), "
                                    "or write html with `-f html`"))
    return HTML(string=render_html(report, lang)).write_pdf()
