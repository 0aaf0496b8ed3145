"""Problems are values: every check returns them, the CLI boundary prints them.

A `Problem` carries a stable code (part of the contract: scripts and tests match on
it), a message that says what is wrong and what would be accepted, and where it was
found. `CashbookError` is the one exception for work that cannot continue; only the
CLI layer catches it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["block", "warn"]


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    file: str | None = None
    line: int | None = None
    entry_id: str | None = None
    severity: Severity = "block"
    # extra machine-readable facts (figure, limit, rule key ...) for JSON output
    data: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def where(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        return self.file or ""

    def __str__(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.code}: {self.message}"

    def as_json(self) -> dict:
        out: dict = {"code": self.code, "message": self.message, "severity": self.severity}
        if self.file:
            out["file"] = self.file
        if self.line:
            out["line"] = self.line
        if self.entry_id:
            out["entry"] = self.entry_id
        out.update(self.data)
        return out


class CashbookError(Exception):
    """Work cannot continue: bad input or a book that cannot be read.

    Carries one or more problems; the CLI prints them and exits with `exit_code`
    (2 for bad input, nothing written).
    """

    def __init__(self, problems: Problem | list[Problem] | str, exit_code: int = 2, code: str = "bad-input"):
        if isinstance(problems, str):
            problems = [Problem(code, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        self.exit_code = exit_code
        super().__init__("; ".join(str(p) for p in self.problems))
