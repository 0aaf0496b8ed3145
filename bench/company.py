#!/usr/bin/env python3
"""Head office at scale: N branch books of E entries each, pulled and consolidated.

    python bench/company.py [--branches 50] [--entries 20000] [--repeats 3] [--out bench/data/company]

One book is generated (bench/generate.py, seed 1) and copied into every branch; each branch
is a git repository with a local bare repository as its remote. Then:

1. head office's first `company pull` (clones everything, verifies every seal chain);
2. one new day's work in every branch (a receipt and its bank deposit on the open last
   day, `cashbook sync`), then `company pull` again: the row the issue sets a target for
   (proportional to what changed, not to the size of the books);
3. `company pull` with nothing new;
4. a warm `company report month` (the middle month, run once before timing) beside a warm
   single-book `report month` of the same month (target: at most 2x).

Times are wall-clock seconds (median of --repeats where the step can repeat). Results go to
stdout and, with --results, to a Markdown file.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com", "GIT_COMMITTER_NAME": "bench",
           "GIT_COMMITTER_EMAIL": "bench@example.com", "GIT_CONFIG_NOSYSTEM": "1"}


def run(cmd: list[str], env: dict, cwd: Path | None = None, ok=(0,)) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    p = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    took = time.perf_counter() - start
    if p.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    return took, p


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--branches", type=int, default=50)
    ap.add_argument("--entries", type=int, default=20000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", type=Path, default=HERE / "data" / "company")
    ap.add_argument("--results", type=Path, default=None, help="write the table to this Markdown file too")
    args = ap.parse_args(argv)
    out = args.out.resolve()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    gitconfig = out / "gitconfig"
    gitconfig.write_text("")
    env = {**os.environ, **GIT_ENV, "GIT_CONFIG_GLOBAL": str(gitconfig)}
    cb = [sys.executable, "-m", "cashbook"]
    rows: list[tuple[str, float, str]] = []

    t, _ = run([sys.executable, str(HERE / "generate.py"), "--entries", str(args.entries), "--out", str(out / "gen")], env)
    meta = json.loads((out / "gen" / "meta.json").read_text())
    last_day, month = meta["last_day"], meta["middle_month"]
    env["CASHBOOK_NOW"] = f"{last_day}T18:00:00+08:00"
    print(f"generated one book of {args.entries} entries in {t:.1f} s; last day {last_day}, middle month {month}", flush=True)

    start = time.perf_counter()
    names = [f"store{i:02d}" for i in range(1, args.branches + 1)]
    for name in names:
        book, remote = out / name, out / "remotes" / f"{name}.git"
        shutil.copytree(out / "gen" / "cashbook", book)
        run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], env)
        run(cb + ["sync", "setup", remote.as_uri(), "--book", str(book)], env)
        run(cb + ["sync", "--book", str(book)], env)
    print(f"{args.branches} branch books set up and pushed in {time.perf_counter() - start:.0f} s", flush=True)

    hq = out / "hq"
    run(cb + ["company", "init", str(hq), *[a for n in names for a in ("--branch", f"{n}={(out / 'remotes' / f'{n}.git').as_uri()}")]], env)
    t, _ = run(cb + ["company", "pull", "--company", str(hq)], env)
    rows.append(("first company pull (clone and verify every branch)", t, ""))
    print(f"first pull {t:.1f} s", flush=True)

    for name in names:
        book = out / name
        run(cb + ["receive", "500", "--from", "bench", "--category", "rent", "--account", "cash", "--date", last_day,
                  "--time", "17:00", "--book", str(book)], env)
        run(cb + ["sync", "--book", str(book)], env)
    t, p = run(cb + ["company", "pull", "--company", str(hq), "--format", "json"], env)
    assert all(b["status"] == "ok" for b in json.loads(p.stdout)["branches"]), p.stdout[-2000:]
    rows.append((f"company pull after one new day's work in all {args.branches} branches", t, f"{t / args.branches:.2f} s a branch"))
    print(f"pull after one day {t:.1f} s", flush=True)

    times = [run(cb + ["company", "pull", "--company", str(hq)], env)[0] for _ in range(args.repeats)]
    rows.append(("company pull, nothing new", statistics.median(times), ""))

    one = hq / "branches" / names[0]
    run(cb + ["report", "month", month, "--book", str(one)], env, ok=(0, 1))
    single = statistics.median(run(cb + ["report", "month", month, "--book", str(one)], env, ok=(0, 1))[0] for _ in range(args.repeats))
    run(cb + ["company", "report", "month", month, "--company", str(hq)], env, ok=(0, 1))
    company = statistics.median(run(cb + ["company", "report", "month", month, "--company", str(hq)], env, ok=(0, 1))[0]
                                for _ in range(args.repeats))
    rows.append(("warm `report month`, one branch book", single, ""))
    rows.append((f"warm `company report month`, {args.branches} branches", company, f"{company / single:.2f}x one book (target <= 2x)"))

    lines = [f"# company bench: {args.branches} branch books x {args.entries} entries", "",
             f"machine load at the end: {os.getloadavg()[0]:.1f} (1 min)", "",
             "| step | seconds | note |", "|---|---:|---|"]
    lines += [f"| {name} | {t:.2f} | {note} |" for name, t, note in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.results:
        args.results.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
