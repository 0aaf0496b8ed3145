"""Book-level commands: init, check, words."""

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import BookOpt, Format, FormatOpt, Session, begin, fail, open_book


def _unfinished_init(root: Path, policy: Path, journals: Path, text: bytes) -> bool:
    """An init killed after writing policies.toml: the file is exactly what init writes, no
    journal exists yet and .gitignore is missing. Running init again finishes it."""
    from ..store.files import read_regular

    if policy.is_symlink() or not policy.is_file() or (root / ".gitignore").exists():
        return False
    if journals.exists() and not (journals.is_dir() and not any(journals.iterdir())):
        return False
    try:
        return read_regular(policy, "policy") == text
    except OSError:
        return False


def leftovers(root: Path) -> list:
    """`check` names each temporary file a killed writer left (the next write removes it) and
    each folder under journals/ that a link leads out of it (writes there are refused)."""
    import os

    from ..core.problems import Problem
    from ..store.files import is_inside, leftover_temps

    found = [Problem("leftover-temp", "a temporary file left by a write that was killed before it finished; what it holds was "
                     "never acknowledged and the book does not read it; the next write to the book removes it",
                     file=p.relative_to(root).as_posix(), severity="warn") for p in leftover_temps(root)]
    journals = root / "journals"
    folders = [journals / name for name in (sorted(os.listdir(journals)) if journals.is_dir() else [])]
    bank = journals / "bank"
    folders += [bank / name for name in (sorted(os.listdir(bank)) if bank.is_dir() and is_inside(bank, journals) else [])]
    for folder in folders:
        if folder.is_dir() and not is_inside(folder, journals):
            found.append(Problem("outside-book", f"a link to {os.path.realpath(folder)}, out of the book's journals; "
                                 "cashbook writes nothing there: replace the link with a real folder",
                                 file=folder.relative_to(root).as_posix()))
    return found


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init(
        directory: Annotated[Optional[str], typer.Argument(help="Folder for the new book (default: --book, $CASHBOOK_BOOK or the current directory).", show_default=False)] = None,
        book: BookOpt = None,
    ):
        """Create a book with the default policies and an empty journals/ folder; never overwrites."""
        from ..store.book import find_root
        from ..store.files import atomic_write, sweep_temps
        from ..store.policyfile import POLICY_FILE, default_policy_text

        begin("table", book)
        if directory is not None and not directory.strip():
            fail("bad-option", f"DIRECTORY {directory!r} names no folder; give the new book's folder")
        root = Path(directory) if directory else find_root(book)
        if root.exists() and not root.is_dir():
            fail("bad-option", f"{root} exists and is not a folder")
        policy = root / POLICY_FILE
        journals = root / "journals"
        text = default_policy_text().encode("utf-8")
        unfinished = _unfinished_init(root, policy, journals, text)
        if not unfinished and (policy.exists() or policy.is_symlink() or (journals.is_dir() and any(journals.iterdir()))):
            fail("book-exists", f"{root} already holds a book ({POLICY_FILE} or journals/); init never overwrites one")
        try:
            root.mkdir(parents=True, exist_ok=True)
            journals.mkdir(exist_ok=True)
        except OSError as exc:
            fail("write-failed", f"cannot create {root}: {exc.strerror}")
        sweep_temps(root)  # a killed init's temporary policies.toml
        if not unfinished:
            atomic_write(policy, text)
        gitignore = root / ".gitignore"
        if not gitignore.exists():
            atomic_write(gitignore, b"# cashbook: lock file and disposable cache\n.cashbook.lock\n.cashbook/\n")
        done = "finished the interrupted init of the book" if unfinished else "created book"
        if Session.lang == "zh":
            done = "已完成中断的建账" if unfinished else "已建账"
            print(f"{done}：{root}；请编辑 {POLICY_FILE}（账户、角色、限额），然后 `cashbook opening cash AMOUNT`")
        else:
            print(f"{done} in {root}: edit {POLICY_FILE} (accounts, roles, limits), then `cashbook opening cash AMOUNT`")

    @app.command("check")
    def check(
        book: BookOpt = None,
        fmt: FormatOpt = Format.table,
        no_cache: Annotated[bool, typer.Option("--no-cache", help="Read and parse every file afresh, ignoring (and not touching) the cache: proves the cache agrees with the files.")] = False,
    ):
        """Validate every file, entry and rule of the book and the seal chain; exit 1 with file:line: code: message lines."""
        from ..core.rules import check_entry
        from ..render import dumps, shown

        begin(fmt, book)
        b = open_book(book, use_cache=not no_cache)
        problems, files, entries = b.check(check_entry)
        problems = problems + leftovers(b.root)
        if b.policy.sync.require_signed:
            from .sync import signature_check

            problems = problems + signature_check(b)
        errors = [p for p in problems if p.severity == "block"]
        warnings = [p for p in problems if p.severity != "block"]
        if fmt == Format.json:
            sys.stdout.write(dumps({"schema": "cashbook.check/1", "ok": not errors, "files": files, "entries": entries,
                                    "errors": len(errors), "warnings": len(warnings),
                                    "problems": [p.as_json() for p in problems]}) + "\n")
        elif fmt == Format.csv:  # one table, with its header also when the book is clean
            from ..reports.model import Column, Report, Table
            from .output import write_csv

            cols = [Column(k, k, k) for k in ("file", "line", "code", "severity", "entry", "message")]
            rows = [{"file": p.file, "line": p.line, "code": p.code, "severity": p.severity, "entry": p.entry_id,
                     "message": p.message} for p in problems]
            write_csv(Report({}, [Table(cols, rows, "Problems", "问题", name="problems")]), "en", None, "utf-8-sig", None, None)
        elif Session.lang == "zh":
            from ..render.zh import problem_line

            for p in errors:
                print(shown(problem_line(p, "zh")))
            for p in warnings:
                print(f"{shown(problem_line(p, 'zh'))}（提醒）")
            verdict = "无误" if not errors else f"{len(errors)} 个错误"
            print(f"已检查 {files} 个文件、{entries} 笔记录：{verdict}，{len(warnings)} 个提醒", file=sys.stderr)
        else:
            for p in errors:
                print(shown(str(p)))
            for p in warnings:
                print(f"{shown(str(p))} (warning)")
            verdict = "ok" if not errors else f"{len(errors)} error(s)"
            print(f"checked {files} file(s), {entries} entries: {verdict}, {len(warnings)} warning(s)", file=sys.stderr)
        raise typer.Exit(1 if errors else 0)

    @app.command("words")
    def words(
        amount: Annotated[str, typer.Argument(help="Amount, e.g. 1250.00.")],
        fmt: FormatOpt = Format.table,
    ):
        """The amount in Chinese capital numerals (大写), e.g. 壹仟贰佰伍拾元整."""
        from ..core.words import to_words
        from ..render import dumps
        from .common import amount_arg

        begin(fmt)
        value = amount_arg(amount, allow_zero=True)
        text = to_words(value)
        if fmt == Format.json:
            sys.stdout.write(dumps({"schema": "cashbook.words/1", "amount": value, "words": text}) + "\n")
        else:
            print(text)
