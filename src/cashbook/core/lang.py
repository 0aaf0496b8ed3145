"""The language of this command's output, in a module of its own: the CLI sets it before it
parses anything, so setting it must not load the printers (or pydantic) for a help page."""

from __future__ import annotations


class Current:
    """The language of this command's output, set by the CLI once it knows it (--lang, else
    $CASHBOOK_LANG, else the book's `lang`) for printers that are not handed it."""

    lang = "en"
