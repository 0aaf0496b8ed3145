#!/usr/bin/env python3
"""The sub-second target ratios, each pair of commands run in alternation.

    python bench/paired.py [--size 1000000] [--pairs 15] [--data bench/data] [--results bench/RESULTS-paired.md]

`bench/run.py` times each command's repeats back to back, so when this machine goes
through a slow or a fast spell, the spell lands on one side of a ratio (the Typer baseline
was 0.26 s in one run and 0.41 s in the next, cashbook's own `--help` 0.38–0.40 s in
both). Here the two commands of a ratio take turns (A B, then B A, ...), each turn after
its own untimed set-up, so both sides see the same spells; each ratio is the median of A
over the median of B, with the median of the per-turn ratios beside it. The three ratios:
`cashbook --help` / the Typer baseline's `--help` (≤ 1.2), `cashbook receive` at SIZE /
the Typer do-nothing command (≤ 1.5), and that append / an append on an empty book (≤ 1.1).
The append at SIZE is made in place in the generated book, with its warm cache, after a
warm-up append, exactly as `run.py`'s append row; the empty book's append on a fresh copy
warmed the same way.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import (Bench, append_argv, baseline, compile_cashbook, label, machine, now_for, run_once,  # noqa: E402
                 source_digest, versions)

TARGETS = [  # (name, A, B, target)
    ("`cashbook --help` / baseline Typer --help", "cb-help", "typer-help", 1.2),
    ("`cashbook receive` at {size} / baseline do-nothing command", "cb-append", "typer-noop", 1.5),
    ("append at {size} / append on an empty book", "cb-append", "cb-append-empty", 1.1),
]


def commands(b: Bench, size: int) -> tuple[dict, dict]:
    """Each command's (argv, set-up) by key, and the environment they run in."""
    out = b.ensure_data(size)
    last = b.data[size]["last_day"]
    env = dict(b.env, CASHBOOK_NOW=now_for(last))
    book, empty = out / "cashbook", b.empty_book()
    append = lambda where: append_argv(b.cashbook, last, where)  # noqa: E731
    return {
        "cb-help": ([b.cashbook, "--help"], None),
        "typer-help": (baseline("--help"), None),
        "typer-noop": (baseline("noop", "1", "--from", "X"), None),
        "cb-append": (append(book), b.in_place_setup(book, last, append(book), env)),
        "cb-append-empty": (append(empty), b.copy_setup(empty, append, env)),
    }, env


def timed(b: Bench, key: str, cmd: list[str], setup, env: dict, turn: int) -> float:
    run_cmd, cleanup = cmd, None
    if setup is not None:
        run_cmd, cleanup = setup(turn)
    try:
        r = run_once(run_cmd, env, b.args.timeout)
    finally:
        if cleanup:
            cleanup()
    if r.timed_out or r.rc != 0:
        raise SystemExit(f"{key}: exit {r.rc}{' (timed out)' if r.timed_out else ''}: {r.err.strip()[-300:]}")
    b.log(f"    {key}: {r.seconds:.3f} s")
    return r.seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=1_000_000, help="entries in the book the append is made in")
    ap.add_argument("--pairs", type=int, default=15, help="turns of each pair")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", default=str(HERE / "data"))
    ap.add_argument("--results", default=str(HERE / "RESULTS-paired.md"))
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    args.only = None
    b = Bench(args)
    if not b.cashbook:
        raise SystemExit("cashbook is not installed (pip install -e .)")
    compile_cashbook(b.env)
    started, load0, src0 = dt.datetime.now(), os.getloadavg(), source_digest()
    cmds, env = commands(b, args.size)
    rows = []
    for name, a, c, target in TARGETS:
        name = name.format(size=label(args.size))
        b.log(f"{name}: {args.pairs} turns")
        times: dict[str, list[float]] = {a: [], c: []}
        for turn in range(args.pairs):
            order = (a, c) if turn % 2 == 0 else (c, a)
            for key in order:
                times[key].append(timed(b, key, *cmds[key], env, turn))
        ma, mc = statistics.median(times[a]), statistics.median(times[c])
        per_turn = statistics.median(x / y for x, y in zip(times[a], times[c]))
        rows.append((name, a, c, ma, mc, ma / mc, per_turn, target, times))
    load1 = os.getloadavg()
    v, m = versions(b), machine()
    lines = [
        "# Sub-second target ratios, each pair run in alternation",
        "",
        f"Produced by `python bench/paired.py {' '.join(argv if argv is not None else sys.argv[1:])}` on "
        f"{started:%Y-%m-%d %H:%M} (finished {dt.datetime.now():%H:%M}); see the docstring of bench/paired.py for why.",
        "",
        f"- Machine: {m['nproc']} CPUs, {m['memory_gb']} GB, {m['cpu']}; Python {m['python']}; load average at start "
        f"{load0[0]:.2f} / {load0[1]:.2f} / {load0[2]:.2f}, at the end {load1[0]:.2f} / {load1[1]:.2f} / {load1[2]:.2f}",
        f"- cashbook {v['cashbook']}; typer {v['typer']}; pydantic {v['pydantic']}; source digest {src0} at the start, "
        f"{source_digest()} at the end",
        "",
        "| ratio | A (median) | B (median) | A / B | median of the turns' A / B | target | |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, a, c, ma, mc, ratio, per_turn, target, _ in rows:
        lines.append(f"| {name} | {ma:.3f} s ({a}) | {mc:.3f} s ({c}) | {ratio:.3f} | {per_turn:.3f} | ≤ {target} | "
                     f"**{'met' if ratio <= target else 'missed'}** |")
    lines += ["", "Every turn, in seconds (A, B):", ""]
    for name, a, c, *_, times in rows:
        lines.append(f"- {name}: " + ", ".join(f"{x:.3f}/{y:.3f}" for x, y in zip(times[a], times[c])))
    Path(args.results).write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.rmtree(b.tmp, ignore_errors=True)
    b.log(f"wrote {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
