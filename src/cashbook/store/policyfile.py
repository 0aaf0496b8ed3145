"""Reading policies.toml into a `Policy`, with ``policies.toml:line: message`` errors."""

from __future__ import annotations

import hashlib
import re
import tomllib
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from ..core.policy import NAMED_SECTIONS, Policy, is_name, name_error
from ..core.problems import CashbookError, Problem
from .files import read_regular
from .tomlmap import key_lines, line_of

POLICY_FILE = "policies.toml"


def default_policy_text() -> str:
    return resources.files("cashbook.store").joinpath("default_policies.toml").read_text(encoding="utf-8")


def _path_in(message: str) -> tuple:
    """A whole-policy check names its key first: ``rules.needs-approval.bands[1]: ...``."""
    m = re.match(r"([\w\-.\[\]]+):", message)
    if not m:
        return ()
    parts = re.sub(r"\[(\d+)\]", r".\1", m[1]).split(".")
    return tuple(int(p) if p.isdigit() else p for p in parts)


def parse_policy(text: str, shown: str = POLICY_FILE) -> Policy:
    """Validate policies.toml text; raise `CashbookError` listing every problem with its line."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise CashbookError(Problem("bad-policy", f"not valid TOML: {exc}", file=shown, line=int(m[1]) if m else None)) from None
    except RecursionError:
        raise CashbookError(Problem("bad-policy", "not valid TOML: nesting too deep", file=shown)) from None
    except ValueError as exc:  # e.g. a 5000-digit integer
        raise CashbookError(Problem("bad-policy", f"not valid TOML: {exc}", file=shown)) from None
    lines = key_lines(text)
    bad_names = [Problem("bad-policy", f"{section}: key {name_error(key)}", file=shown, line=line_of(lines, (section, key)))
                 for section in NAMED_SECTIONS if isinstance(doc.get(section), dict)
                 for key in doc[section] if not is_name(key)]
    if bad_names:  # each at its own line (the model below would name only the section)
        raise CashbookError(bad_names)
    try:
        return Policy.model_validate(doc)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            line = line_of(lines, loc or _path_in(msg))
            where = ".".join(str(p) for p in loc)
            text_ = f"{where}: {msg}" if where else msg
            if err["type"] == "missing":
                text_ = f"{where}: required setting is missing"
            elif err["type"] == "extra_forbidden" and loc == ("book", "effective"):
                text_ = "book.effective: `effective` is a top-level key: put `effective = \"YYYY-MM-DD\"` above [book]"
            elif err["type"] == "extra_forbidden":
                text_ = f"{where}: unknown setting"
            problems.append(Problem("bad-policy", text_, file=shown, line=line))
        raise CashbookError(problems) from None


def read_policy(root: Path, memo=None) -> tuple[Policy, str]:
    """The book's policy, validated from its file, and a digest of the file's bytes (what a
    cached result that depends on the policy is keyed by). With ``memo`` (the cache), the
    file's bytes are still read every time, and the policy validated from the same bytes
    by the same code before is taken as it was (a validation costs a command more than
    anything else it does on a small book)."""
    path = root / POLICY_FILE
    try:
        data = read_regular(path, "policy", inside=root)
    except FileNotFoundError:
        raise CashbookError(Problem(
            "no-book", f"{root} is not a cashbook book (no {POLICY_FILE}); run `cashbook init {root}` or pass --book DIR",
        )) from None
    except OSError as exc:
        raise CashbookError(Problem("unreadable", f"cannot read {path}: {exc.strerror}")) from None
    digest = hashlib.sha256(data).hexdigest()
    known = memo.policy(digest) if memo is not None else None
    if known is not None:
        return known, digest
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CashbookError(Problem("bad-policy", "policies.toml must be UTF-8 text", file=str(path), line=data[: exc.start].count(b"\n") + 1)) from None
    policy = parse_policy(text, shown=str(path))
    if memo is not None:
        memo.put_policy(digest, policy)
    return policy, digest
