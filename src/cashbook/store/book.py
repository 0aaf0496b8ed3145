"""A book on disk: policies.toml plus journals/YYYY/YYYY-MM-DD.toml day files.

`Book` is the one object commands hold: it knows the book's folder and policies and
the per-user cache, and takes its jobs from one module each:

- `layout`: where the book and its parts are (``find_root``, journals, seal log);
- `scan`: the day files found and parsed, from disk or the cache, with their digests;
- `loader`: fold -> verify seals -> a loaded book (`load`, `check`, `state_after`, `period`);
- `writer`: the write transaction (`record`, `next_id`) and the day close (`close_day_in_book`);
- `damage`: the refusal to read or extend a damaged book;
- `seallog`: the seal log and the verification of sealed days;
- `memo`: finished reports kept with the record of what they read (`remembered`);
- `checkmemo`: what a check found in the first files, so the next one judges only the files after;
- `parallel`: process pools, forked checking workers, GC tuning.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from ..core.policy import Policy
from .cache import Cache
from .checkmemo import CheckMemo
from .damage import Damage
from .files import cache_inside
from .journal import UNREADABLE
from .layout import SEAL_LOG, SEAL_LOG_HEADER, Layout, find_root
from .loader import Checker, Loaded, Loader, Period, receipt_neighbours
from .memo import Memo
from .parallel import PARALLEL_FROM
from .policyfile import read_policy
from .policyversions import PolicyHistory, for_write, history
from .scan import Scanner
from .seallog import read_seal_log, repair_seal_log, seal_problems
from .writer import Writer, close_day_in_book

__all__ = ["Book", "Checker", "Loaded", "Period", "PARALLEL_FROM", "SEAL_LOG", "SEAL_LOG_HEADER", "UNREADABLE",
           "close_day_in_book", "find_root", "read_seal_log", "receipt_neighbours", "repair_seal_log", "seal_problems"]


class Book(Layout, Scanner, Loader, CheckMemo, Writer, Damage, Memo):
    def __init__(self, root: Path, use_cache: bool = True, progress=None):
        self.root = Path(root)
        self._policy: Policy | None = None
        self._history: PolicyHistory | None = None
        self.use_cache = use_cache and os.environ.get("CASHBOOK_NO_CACHE", "") == "" and cache_inside(self.root)
        self._cache: Cache | None = None
        self.progress = progress  # callable(total) -> advance(n) context, for long reads on a terminal
        self._digests: dict[str, str] = {}  # day file -> content digest, as this command knows it
        self._reads: dict[tuple[str, str], str] | None = None  # what a remembered computation read (`remembered`)
        self.judging = False  # `check`: nothing validated is taken from the cache, the policy included

    @property
    def policy(self) -> Policy:
        """The policy policies.toml's bytes say now: read by every command, validated afresh
        by `check` (and without a cache), else taken from the cache under those bytes'
        digest when this code validated the same bytes before (`read_policy`)."""
        if self._policy is None:
            self._policy, self._policy_digest = read_policy(self.root, memo=None if self.judging else self.cache)
        return self._policy

    @property
    def policies(self) -> PolicyHistory:
        """Every version of the policies the book has kept, and which one judges each day."""
        if self._history is None:
            self._history = history(self)
        return self._history

    def policy_at(self, day: dt.date) -> Policy:
        """The policy in force on ``day`` (rules in force when an entry was recorded judge it)."""
        return self.policies.at(day)

    def policies_for_write(self, today: dt.date, checker: Checker | None, day: dt.date) -> None:
        """Under the lock, before a write on ``day``: a changed policies.toml is planned as a new
        version (written by `PolicyHistory.keep` just before the write) or refused (exit 2)."""
        self._history = for_write(self, today, checker, day)

    @property
    def cache(self) -> Cache | None:
        if self.use_cache and self._cache is None:
            self._cache = Cache(self.root)
        return self._cache if self._cache is not None and self._cache.on else None
