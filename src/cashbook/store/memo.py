"""The report memo: a finished report kept in the cache with the record of what it read
(day files, the file list, the seal log, the policies, the bank statements), reused only
while every one of those is unchanged."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, TypeVar

from .cache import Scanned, digest
from .files import read_regular
from .policyfile import POLICY_FILE

T = TypeVar("T")


class Memo:
    """`Book.remembered` (mixed into `Book`)."""

    def remembered(self, name: str, compute: Callable[[], "T"], types: tuple[type, ...] = ()) -> "T":
        """``compute()``, kept in the cache with the record of what it read: every day file
        it was given (and those a snapshot it started from stands for), the list of files,
        the seal log, the policy and the bank statements, each by its content digest. A
        repeat is a look-up while all of those are unchanged; any change computes it again.
        ``types``: the dataclasses the value is made of (see `cache.encode`)."""
        cache = self.cache
        if cache is None:
            return compute()
        found = cache.memo(name, types)
        if found is not None and self._unchanged(found[0]):
            return found[1]
        outer, self._reads = self._reads, {}
        try:
            value = compute()
            reads = self._reads
        finally:
            self._reads = outer
        if outer is not None:
            outer.update(reads)
        self.policy
        reads[("policy", POLICY_FILE)] = self.policies.digest  # policies.toml and every kept version
        reads[("bank", "journals/bank")] = _folder_digest(self.journals / "bank")
        cache.put_memo(name, [(kind, what, seen) for (kind, what), seen in sorted(reads.items())], value, types)
        return value

    def _unchanged(self, reads: list[tuple[str, str, str]]) -> bool:
        """Is every input in ``reads`` as it was (see `remembered`)?"""
        listing: list[Scanned] | None = None
        for kind, what, value in reads:
            if kind in ("file", "scan") and listing is None:
                listing = self.scan()
                by_name = {s.shown: s for s in listing}
            if kind == "file":
                s = by_name.get(what)
                now = self.digest_of(s) if s else "absent"
            elif kind == "scan":
                now = digest("\n".join(s.shown for s in listing).encode())
            elif kind == "seals":
                now = _file_digest(self.seal_log)
            elif kind == "policy":
                now = self.policies.digest
            elif kind == "bank":
                now = _folder_digest(self.journals / "bank")
            else:
                return False
            if now != value:
                return False
        return True


def _file_digest(path: Path) -> str:
    try:
        return digest(read_regular(path, "seal log"))
    except OSError:
        return "absent"


def _folder_digest(folder: Path) -> str:
    """Names every file under ``folder`` and its bytes (the bank statements: a few small files)."""
    out = []
    for top, dirs, files in os.walk(folder):
        dirs.sort()
        out += [f"{top}/{name}={_file_digest(Path(top, name))}" for name in sorted(files)]
    return digest("\n".join(out).encode())

