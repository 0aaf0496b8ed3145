"""How a `BookState` is kept in a snapshot and resumed from one (the state itself is plain
data, `core/state.py`).

A snapshot of a long book holds tens of thousands of open items and day figures, and
most commands read a few: those stay compact tuples until read (`OpenItems`, `DayBook`),
and each field of the state is decoded on its first use (`SnapshotState`). The
book-sized indexes are not in snapshots at all: the cache keeps them on disk
(`cache.Cache.indexes`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import MutableMapping
from decimal import Decimal

from ..core.state import BookState, DayFigures, OpenItem

#: the indexes that grow with the whole book; a cache keeps them on disk, not in snapshots
BIG_INDEXES = ("entries", "cheques", "receipt_numbers")


def open_item_tuple(item: OpenItem) -> tuple:
    """An open item but its id, as plain values (`open_item` reads it back)."""
    return (item.date.toordinal(), item.party, item.type, str(item.amount), str(item.outstanding),
            item.due.toordinal() if item.due else 0, item.doc, item.account)


def open_item(id, date, party, type, amount, outstanding, due, doc, account) -> OpenItem:
    return OpenItem(id, dt.date.fromordinal(date), party, type, Decimal(amount), Decimal(outstanding),
                    dt.date.fromordinal(due) if due else None, doc, account)


def day_figures_tuple(fig: DayFigures) -> tuple:
    """A day's figures as text, in field order (`DayFigures(*map(Decimal, ...))` reads it back)."""
    return (str(fig.opening), str(fig.receipts), str(fig.payments), str(fig.takings),
            str(fig.withdrawals), str(fig.cash_paid), str(fig.banked), str(fig.float_banked))


class _Compact(MutableMapping):
    """A dict whose values stay in a compact tuple form until they are read."""

    __slots__ = ("_items",)

    def __init__(self, items: dict | None = None):
        self._items: dict = dict(items or {})

    @staticmethod
    def _unpack(key, value: tuple):
        raise NotImplementedError

    @staticmethod
    def pack(value) -> tuple:
        raise NotImplementedError

    def __getitem__(self, key):
        value = self._items[key]
        if type(value) is tuple:
            value = self._items[key] = self._unpack(key, value)
        return value

    def __setitem__(self, key, value) -> None:
        self._items[key] = value

    def __delitem__(self, key) -> None:
        del self._items[key]

    def __contains__(self, key) -> bool:
        return key in self._items

    def __iter__(self):
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self._items)} items)"

    def packed(self) -> dict:
        """Every item as its compact tuple (those never read are as they were)."""
        pack = self.pack
        return {k: v if type(v) is tuple else pack(v) for k, v in self._items.items()}


class OpenItems(_Compact):
    """id -> `OpenItem`: the advances, deposits or compensations of a snapshot."""

    __slots__ = ()
    _unpack = staticmethod(lambda key, value: open_item(key, *value))
    pack = staticmethod(open_item_tuple)


class DayBook(_Compact):
    """(date, cash account) -> `DayFigures`: the day figures of a snapshot."""

    __slots__ = ()
    _unpack = staticmethod(lambda key, value: DayFigures(*map(Decimal, value)))
    pack = staticmethod(day_figures_tuple)


#: the fields kept compact in a snapshot, and how
COMPACT = {"advances": OpenItems, "deposits": OpenItems, "compensations": OpenItems, "days": DayBook}


def snapshot_fields(state: BookState, keep_unread: bool) -> dict:
    """Every field of ``state`` for a snapshot (the book-sized indexes as None; open items
    and day figures compact). With ``keep_unread``, a field never read since the state was
    resumed (`SnapshotState`) stays the function given for it there, so an unchanged part
    can be stored again as it was, without reading it."""
    lazy = state.__dict__.get("_lazy") or {}
    out = {}
    for name in BookState.__dataclass_fields__:
        if name in BIG_INDEXES:
            out[name] = None
        elif keep_unread and name in lazy:
            out[name] = lazy[name]
        else:
            value = getattr(state, name)
            kind = COMPACT.get(name)
            out[name] = value if kind is None or type(value) is kind else kind(value)
    return out


class SnapshotState(BookState):
    """A `BookState` resumed from a snapshot, each field produced on first use: ``parts``
    maps each field name to a function returning its value (a snapshot decodes only what
    a command reads). It folds entries in like any state."""

    @classmethod
    def from_parts(cls, parts: dict) -> "SnapshotState":
        state = cls.__new__(cls)
        lazy = dict(parts)
        for name in cls.__dataclass_fields__:
            if name in lazy and hasattr(cls, name):  # a class-level default would shadow __getattr__
                state.__dict__[name] = lazy.pop(name)()
        state.__dict__["_lazy"] = lazy
        return state

    def __getattr__(self, name: str):
        lazy = self.__dict__.get("_lazy")
        if lazy and name in lazy:
            value = lazy.pop(name)()
            self.__dict__[name] = value
            return value
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
