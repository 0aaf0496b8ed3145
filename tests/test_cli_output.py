"""The output options every report shares (defined once in cli/output.py) behave alike everywhere."""

from __future__ import annotations

import json

import pytest


@pytest.mark.parametrize("fmt", ["json", "table"])
def test_a_report_in_any_format_goes_into_the_file_output_names(book, cli, tmp_path, fmt):
    """`-o FILE` with -f json or table wrote nothing and ended in an internal error (NameError)."""
    target = tmp_path / f"balances.{fmt}"
    done = cli("report", "balances", "-f", fmt, "-o", str(target), book=book)
    assert done.code == 0, done.err
    assert "internal error" not in done.err and f"wrote {target}" in done.err
    assert done.out == ""
    shown = cli("report", "balances", "-f", fmt, book=book)
    assert target.read_text(encoding="utf-8") == shown.out
    if fmt == "json":
        assert json.loads(target.read_text(encoding="utf-8"))["schema"].startswith("cashbook.report.balances/")
