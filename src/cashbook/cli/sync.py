"""`cashbook sync`: a branch book kept in git, committed on close and pushed to its remote."""

import sys
from typing import Annotated, Optional

import typer

from .common import BookOpt, Format, FormatOpt, Session, begin

sync_app = typer.Typer(help="Sync the book with its git remote: commit, fetch, check the sealed days, merge, push (never forced). "
                       "`cashbook sync setup URL` makes the book a branch book.", invoke_without_command=True)


def _root(book):
    from ..store.book import find_root
    from .common import Session

    return find_root(book or Session.book)


def _author(root) -> str:
    from ..store.book import Book

    try:
        return Book(root, use_cache=False).policy.sync.author
    except Exception:  # an unreadable policy is `check`'s to report; git's own identity serves
        return ""


def _git_error(exc) -> None:
    from .common import fail

    fail("git-failed", f"{exc}")


@sync_app.callback()
def sync(
    ctx: typer.Context,
    message: Annotated[Optional[str], typer.Option("--message", "-m", help="Message of the commit of what was recorded.", show_default=False)] = None,
    book: BookOpt = None,
    fmt: FormatOpt = Format.table,
):
    """Commit what was recorded since the last commit, fetch the remote, refuse a history that changes,
    deletes or reorders a sealed day (exit 2, naming the days), merge disjoint open days, push."""
    if ctx.invoked_subcommand is not None:
        return
    from ..render import dumps
    from ..store.gitsync import GitFailed, sync as run_sync

    begin(fmt, book)
    root = _root(book)
    try:
        result = run_sync(root, _author(root), message or "")
    except GitFailed as exc:
        _git_error(exc)
    if fmt == Format.json:
        sys.stdout.write(dumps({"schema": "cashbook.sync/1", "ok": True, **result.as_json()}) + "\n")
        return
    parts = []
    if Session.lang == "zh":
        if result.committed:
            parts.append(f"已提交 {result.committed[:12]}")
        if result.fetched:
            how = {"fast-forward": "快进", "merge": "合并"}.get(result.merged or "", result.merged or "")
            parts.append(f"从远程仓库取得 {result.fetched} 个提交（{how}）")
        parts.append(f"已推送 {result.pushed} 个提交" if result.pushed else "远程仓库已是最新")
        print(f"已同步 {root}：" + "，".join(parts))
        return
    if result.committed:
        parts.append(f"committed {result.committed[:12]}")
    if result.fetched:
        parts.append(f"took {result.fetched} commit(s) from the remote ({result.merged})")
    parts.append(f"pushed {result.pushed} commit(s)" if result.pushed else "the remote was up to date")
    print(f"synced {root}: " + ", ".join(parts))


@sync_app.command("setup")
def setup(
    url: Annotated[str, typer.Argument(help="The remote: file:///path/store1.git, ssh://…, git@host:store1.git.")],
    book: BookOpt = None,
    fmt: FormatOpt = Format.table,
):
    """Make the book a git repository (.gitignore for the lock and cache) with URL as its remote and commit it;
    an empty or missing --book folder is cloned from URL (a second machine joining the book)."""
    from ..render import dumps
    from ..store.gitsync import GitFailed, setup as run_setup

    begin(fmt, book)
    root = _root(book)
    try:
        result = run_setup(root, url, _author(root) if (root / "policies.toml").is_file() else "")
    except GitFailed as exc:
        _git_error(exc)
    if fmt == Format.json:
        sys.stdout.write(dumps({"schema": "cashbook.sync.setup/1", "ok": True, **result}) + "\n")
    elif Session.lang == "zh":
        print(f"已从 {url} 克隆到 {root}；照常记账，`cashbook sync` 发送并取回各日" if result["cloned"] else
              f"{root} 已成为门店账簿，远程仓库 {url}；`cashbook close day` 每日结账时提交，`cashbook sync` 推送")
    elif result["cloned"]:
        print(f"cloned {url} into {root}; record as usual, `cashbook sync` sends and fetches days")
    else:
        print(f"{root} is a branch book with remote {url}; `close day` commits each day, `cashbook sync` pushes")


def after_close(book, report) -> None:
    """The `close day` hook: commit the sealed day in a branch book (nothing elsewhere).
    A commit that fails leaves the close standing and says so; `cashbook sync` commits later."""
    from ..core.money import fmt as money
    from ..store.book import read_seal_log
    from ..store.gitsync import commit_close, is_repo

    if not is_repo(book.root):
        return
    log, _ = read_seal_log(book)
    seal = dict(log or []).get(report.date, "")
    try:
        commit_close(book.root, report.date, report.entries, money(report.cash[0].book_balance), seal, book.policy.sync.author)
    except Exception as exc:  # the seal is written: git trouble (or no git) must not undo the close
        if Session.lang == "zh":
            print(f"提醒：{report.date} 已封账，但未提交到 git（{exc}）；`cashbook sync` 会补交", file=sys.stderr)
        else:
            print(f"warning: {report.date} is sealed but not committed to git ({exc}); `cashbook sync` commits it", file=sys.stderr)


def signature_check(book) -> list:
    """`check` with ``[sync] require_signed``: every sealed day's commit signed, and signed well."""
    from ..store.book import read_seal_log
    from ..store.gitsync import GitFailed, signature_problems

    log, _ = read_seal_log(book)
    try:
        return signature_problems(book.root, log or [])
    except GitFailed as exc:
        from ..core.problems import Problem

        return [Problem("bad-signature", f"cannot read the book's git history to check signatures: {exc}")]


def register(app: typer.Typer) -> None:
    app.add_typer(sync_app, name="sync")
