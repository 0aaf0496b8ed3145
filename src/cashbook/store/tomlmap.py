"""Line numbers for TOML keys, so errors can say ``file:line``.

`tomllib` parses values but forgets where they were. `key_lines` re-reads the text
cheaply and maps each key path (``("entry", 3, "amount")``, ``("rules",
"cash-over-limit", "limit")``) to its line. It understands the layouts people and
cashbook write (tables, arrays of tables, ``key = value``); for anything exotic it
falls back to the nearest table header, which is still a useful place to look.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r'^\s*("(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_\-]+(?:\s*\.\s*(?:"[^"]*"|[A-Za-z0-9_\-]+))*)\s*=')


def _split_dotted(text: str) -> list[str]:
    parts, buf, quote = [], "", None
    for ch in text:
        if quote:
            if ch == quote:
                quote = None
            else:
                buf += ch
        elif ch in "\"'":
            quote = ch
        elif ch == ".":
            parts.append(buf.strip())
            buf = ""
        else:
            buf += ch
    parts.append(buf.strip())
    return parts


def key_lines(text: str) -> dict[tuple, int]:
    """Map key paths to 1-based line numbers. Arrays of tables get an index."""
    lines: dict[tuple, int] = {}
    counts: dict[tuple, int] = {}
    table: tuple = ()
    depth = 0  # inside a multi-line array or string, keys are not keys
    for no, line in enumerate(text.split("\n"), start=1):  # \n only, like byte offsets
        if depth == 0:
            m = _HEADER.match(line)
            if m and not _KEY.match(line):
                path = tuple(_split_dotted(m.group(2)))
                if m.group(1) == "[[":
                    idx = counts.get(path, 0)
                    counts[path] = idx + 1
                    table = path + (idx,)
                else:
                    table = path
                lines.setdefault(table, no)
                continue
            k = _KEY.match(line)
            if k:
                lines.setdefault(table + tuple(_split_dotted(k.group(1))), no)
        # track multi-line arrays / strings crudely: brackets outside quotes
        depth += _bracket_delta(line)
        if depth < 0:
            depth = 0
    return lines


def _bracket_delta(line: str) -> int:
    if "=" not in line and not line.strip().startswith(("]", "{", "[", '"', "'")) and not line.strip().endswith(","):
        return 0
    delta, quote, escape = 0, None, False
    _, _, value = line.partition("=") if _KEY.match(line) else ("", "", line)
    for ch in value:
        if quote:
            if escape:
                escape = False
            elif ch == "\\" and quote == '"':
                escape = True
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            break
        elif ch in "[{":
            delta += 1
        elif ch in "]}":
            delta -= 1
    return delta


def line_of(lines: dict[tuple, int], path: tuple) -> int | None:
    """The line of ``path``, or of its nearest enclosing table."""
    path = tuple(path)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None
