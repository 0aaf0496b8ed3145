"""A branch book as a git repository: commit on close, sync with its remote, refuse rewrites.

git is the engine, driven through its own command line (``git`` must be on the PATH).
This module never force-pushes and never rewrites a commit. What it adds to plain git
is the book's own rule: a sealed day is immutable, so a history (the remote's, or this
machine's own) that changes a sealed day's file, deletes it, or reorders or drops a
line of the seal log is refused before anything is merged or pushed, naming the days.

Refs kept in the book's repository:
  ``refs/remotes/origin/<branch>``   the remote's tip as last accepted here (the witness)
  ``refs/cashbook/incoming/*``       what the last fetch brought, not yet accepted
"""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..core.close import parse_seal_log
from ..core.problems import CashbookError, Problem
from .files import atomic_write, book_lock

SEAL_LOG_PATH = "journals/seals.log"
BRANCH = "main"
REMOTE = "origin"
INCOMING = "refs/cashbook/incoming"
GITIGNORE = ("# cashbook: lock file and disposable cache (machine-specific, never synced)\n"
             ".cashbook.lock\n.cashbook/\n.*.tmp\n")
# never ask for a password on a terminal a script runs in; messages we read stay in English
_ENV = {"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "LANGUAGE": "C", "GIT_MERGE_AUTOEDIT": "no"}


class GitFailed(Exception):
    def __init__(self, args: tuple[str, ...], code: int, err: str):
        self.args_, self.code, self.err = args, code, err.strip()
        super().__init__(f"git {' '.join(args)}: {self.err or f'exit {code}'}")


def git(root: Path, *args: str, check: bool = True, env: dict | None = None, timeout: float | None = 300) -> str:  # not money: seconds
    """Run ``git ARGS`` in ``root``; its stdout. A failure raises `GitFailed` (``check``)."""
    if not Path(root).is_dir():
        raise GitFailed(args, -1, f"{root} is not a folder")
    try:
        p = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=timeout,
                           env={**os.environ, **_ENV, **(env or {})})
    except FileNotFoundError:
        raise CashbookError(Problem("git-missing", "git is not installed (or not on the PATH); install git 2.20 or later "
                                    "to sync a book")) from None
    except subprocess.TimeoutExpired:
        raise GitFailed(args, -1, f"no answer after {timeout:g} s") from None
    if check and p.returncode != 0:
        raise GitFailed(args, p.returncode, p.stderr)
    return p.stdout


def is_repo(root: Path) -> bool:
    """The book is the top of its own git repository (a book inside a larger repository,
    like the demo book in the project's checkout, is not a branch book)."""
    return (Path(root) / ".git").exists()


def rev(root: Path, ref: str) -> str | None:
    out = git(root, "rev-parse", "-q", "--verify", f"{ref}^{{commit}}", check=False).strip()
    return out or None


def _is_ancestor(root: Path, a: str, b: str) -> bool:
    return subprocess.run(["git", "merge-base", "--is-ancestor", a, b], cwd=root, capture_output=True,
                          env={**os.environ, **_ENV}).returncode == 0


def identity(root: Path, author: str = "") -> dict:
    """Author and committer: ``[sync] author`` of policies.toml ("Name <email>"), else git's
    own configuration, else the book's name (so a close never fails for want of a name)."""
    env: dict[str, str] = {}
    if author:
        name, _, email = author.partition("<")
        env = {"GIT_AUTHOR_NAME": name.strip(), "GIT_AUTHOR_EMAIL": email.rstrip(">").strip() or "cashier@localhost"}
    elif not git(root, "config", "user.name", check=False).strip() and not os.environ.get("GIT_AUTHOR_NAME"):
        env = {"GIT_AUTHOR_NAME": "cashbook", "GIT_AUTHOR_EMAIL": "cashier@localhost"}
    if env:
        env.setdefault("GIT_COMMITTER_NAME", os.environ.get("GIT_COMMITTER_NAME") or env["GIT_AUTHOR_NAME"])
        env.setdefault("GIT_COMMITTER_EMAIL", os.environ.get("GIT_COMMITTER_EMAIL") or env["GIT_AUTHOR_EMAIL"])
        if not git(root, "config", "user.name", check=False).strip():
            env["GIT_COMMITTER_NAME"], env["GIT_COMMITTER_EMAIL"] = env["GIT_AUTHOR_NAME"], env["GIT_AUTHOR_EMAIL"]
    return env


def commit(root: Path, message: str, paths: list[str] | None = None, author: str = "") -> str | None:
    """Stage ``paths`` (all of the book when None) and commit; the new commit, None when
    nothing changed. Signed when git is configured to sign (commit.gpgsign)."""
    if paths is None:
        git(root, "add", "-A")
    else:
        present = [p for p in paths if (root / p).exists() or git(root, "ls-files", "--", p, check=False).strip()]
        if present:
            git(root, "add", "-A", "--", *present)
    if subprocess.run(["git", "diff", "--cached", "--quiet"], cwd=root, env={**os.environ, **_ENV}).returncode == 0:
        return None
    git(root, "commit", "-q", "-m", message, env=identity(root, author))
    return rev(root, "HEAD")


def _recover(root: Path) -> None:
    """Undo what a killed git left half done: a merge not concluded, a stale index lock
    (we hold the book lock, so no cashbook git runs beside us)."""
    gitdir = root / ".git"
    lock = gitdir / "index.lock"
    if lock.exists():
        try:
            if time.time() - lock.stat().st_mtime > 5:  # a file's age, not the book's clock
                lock.unlink()
        except OSError:
            pass
    if (gitdir / "MERGE_HEAD").exists():
        git(root, "merge", "--abort", check=False)


# -- set-up -----------------------------------------------------------------------------

def setup(root: Path, url: str, author: str = "") -> dict:
    """Make the book a repository (if it is not one) with a .gitignore, set ``origin`` to
    ``url`` and commit what the book holds. An empty or missing folder is cloned from
    ``url`` instead (a second machine joining a branch book)."""
    root = Path(root)
    if not url.strip():
        raise CashbookError(Problem("bad-option", "URL: give the remote's address, e.g. file:///srv/books/store1.git "
                                    "or git@server:store1.git"))
    if not root.exists() or (root.is_dir() and not any(root.iterdir())):
        try:
            git(root.parent if root.parent.exists() else Path.cwd(), "clone", "-q", "--origin", REMOTE, "--branch", BRANCH, url, str(root.resolve()))
        except GitFailed as exc:
            raise CashbookError(Problem("remote-unreachable", f"cannot clone {url}: {exc.err}")) from None
        if not (root / "policies.toml").exists():
            raise CashbookError(Problem("not-a-book", f"{url} holds no cashbook book (no policies.toml); "
                                        "run `cashbook init` there first, or set up from a book"))
        return {"cloned": True, "book": str(root), "remote": url, "commit": rev(root, "HEAD")}
    if not (root / "policies.toml").is_file():
        raise CashbookError(Problem("not-a-book", f"{root} is not a book (no policies.toml); `cashbook init {root}` first"))
    created = False
    if not is_repo(root):
        git(root, "init", "-q")
        git(root, "symbolic-ref", "HEAD", f"refs/heads/{BRANCH}")
        created = True
    ignore = root / ".gitignore"
    text = ignore.read_text(encoding="utf-8") if ignore.exists() else ""
    missing = [line for line in GITIGNORE.splitlines()[1:] if line not in text.splitlines()]
    if missing or not text:
        atomic_write(ignore, ((text.rstrip("\n") + "\n" if text else GITIGNORE.splitlines()[0] + "\n") + "\n".join(missing) + "\n").encode())
    remotes = git(root, "remote").split()
    git(root, "remote", "set-url" if REMOTE in remotes else "add", REMOTE, url)
    with book_lock(root):
        made = commit(root, "cashbook: the book put under git (sync setup)", author=author)
    return {"cloned": False, "created": created, "book": str(root), "remote": url, "commit": made or rev(root, "HEAD")}


# -- what a commit holds -----------------------------------------------------------------

def day_file(day: dt.date) -> str:
    return f"journals/{day:%Y}/{day:%Y-%m-%d}.toml"


@dataclass
class Tree:
    """One commit as the sync rules see it: its seal log and the blob of each journal file."""

    commit: str | None
    seals: list[tuple[dt.date, str]] = field(default_factory=list)
    blobs: dict[str, str] = field(default_factory=dict)

    def sealed_days(self) -> list[dt.date]:
        return [d for d, _ in self.seals]


def tree(root: Path, commit_: str | None) -> Tree:
    if commit_ is None:
        return Tree(None)
    blobs = {}
    for line in git(root, "ls-tree", "-r", "-z", commit_, "--", "journals").split("\0"):
        if line:
            meta, _, path = line.partition("\t")
            blobs[path] = meta.split()[2]
    seals: list[tuple[dt.date, str]] = []
    if SEAL_LOG_PATH in blobs:
        text = git(root, "cat-file", "blob", blobs[SEAL_LOG_PATH])
        seals, _ = parse_seal_log(text, SEAL_LOG_PATH)
    return Tree(commit_, seals, blobs)


def rewrites(before: Tree, after: Tree, who: str) -> list[Problem]:
    """What ``after`` does to the sealed days of ``before``: a changed or deleted day file,
    a seal-log line dropped, changed or moved. ``who`` names the side in the messages."""
    problems = []
    for day, seal in before.seals:
        path = day_file(day)
        if path not in after.blobs:
            problems.append(Problem("sync-refused", f"{who} deletes sealed day {day} ({path})", file=path, data={"day": day}))
        elif after.blobs[path] != before.blobs.get(path):
            problems.append(Problem("sync-refused", f"{who} changes sealed day {day} ({path})", file=path, data={"day": day}))
    logged = dict(after.seals)
    for i, (day, seal) in enumerate(before.seals):
        if day not in logged:
            problems.append(Problem("sync-refused", f"{who} drops the seal-log line of {day}", file=SEAL_LOG_PATH, data={"day": day}))
        elif logged[day] != seal:
            problems.append(Problem("sync-refused", f"{who} changes the seal of {day} in the seal log", file=SEAL_LOG_PATH, data={"day": day}))
        elif i >= len(after.seals) or after.seals[i][0] != day:
            problems.append(Problem("sync-refused", f"{who} reorders the seal log at {day}", file=SEAL_LOG_PATH, data={"day": day}))
    return problems


def changed_files(root: Path, a: str, b: str) -> set[str]:
    return {p for p in git(root, "diff", "--name-only", "-z", "--no-renames", a, b).split("\0") if p}


def _day_of(path: str) -> dt.date | None:
    name = path.rsplit("/", 1)[-1]
    if path.startswith("journals/") and name.endswith(".toml"):
        try:
            return dt.date.fromisoformat(name[:-5])
        except ValueError:
            return None
    return None


def divergence(root: Path, base: Tree, local: Tree, remote: Tree) -> list[Problem]:
    """Both sides wrote since ``base``: the merge is allowed only when they changed different
    files and neither wrote on a day the other has sealed (or before a day it sealed)."""
    ours, theirs = changed_files(root, base.commit, local.commit), changed_files(root, base.commit, remote.commit)
    problems = []
    both = sorted(ours & theirs)
    sealed_ours = [d for d in local.sealed_days() if d not in base.sealed_days()]
    sealed_theirs = [d for d in remote.sealed_days() if d not in base.sealed_days()]
    if SEAL_LOG_PATH in both:
        problems.append(Problem("sync-conflict", "both machines sealed days since they last agreed (here: "
                                f"{', '.join(map(str, sealed_ours)) or 'none'}; remote: {', '.join(map(str, sealed_theirs)) or 'none'}); "
                                "a book has one seal chain: keep one machine's closes and re-enter the other's entries on open days",
                                file=SEAL_LOG_PATH, data={"days": sealed_ours + sealed_theirs}))
    for path in both:
        if path == SEAL_LOG_PATH:
            continue
        day = _day_of(path)
        what = f"day {day}" if day else path
        problems.append(Problem("sync-conflict", f"{what} was written on this machine and at the remote since they last "
                                f"agreed ({path}); record each day on one machine only", file=path,
                                data={"day": day} if day else {}))
    for changed, sealed, who, other in ((theirs, sealed_ours, "the remote", "this machine"),
                                        (ours, sealed_theirs, "this machine", "the remote")):
        if not sealed:
            continue
        last = max(sealed)
        for path in sorted(changed - set(both)):
            day = _day_of(path)
            if day is not None and day <= last:
                problems.append(Problem("sync-conflict", f"{who} wrote day {day} ({path}) but {other} has sealed "
                                        f"{'it' if day in sealed else f'a later day ({last})'}; the days cannot be merged",
                                        file=path, data={"day": day}))
    return problems


# -- sync ---------------------------------------------------------------------------------

@dataclass
class SyncResult:
    committed: str | None = None
    fetched: int = 0  # commits the remote had that this machine had not
    merged: str | None = None  # "fast-forward" | "merge"
    pushed: int = 0  # commits sent
    head: str | None = None
    remote: str | None = None

    def as_json(self) -> dict:
        return {"committed": self.committed, "fetched": self.fetched, "merged": self.merged, "pushed": self.pushed,
                "head": self.head, "remote": self.remote}


def _require_branch_book(root: Path) -> str:
    if not is_repo(root):
        raise CashbookError(Problem("not-synced", f"{root} is not a branch book (not a git repository); "
                                    "run `cashbook sync setup URL` first"))
    url = git(root, "remote", "get-url", REMOTE, check=False).strip()
    if not url:
        raise CashbookError(Problem("not-synced", f"{root} has no remote; run `cashbook sync setup URL`"))
    return url


def _count(root: Path, a: str | None, b: str) -> int:
    return int(git(root, "rev-list", "--count", b, *([f"^{a}"] if a else [])).strip() or 0)


def sync(root: Path, author: str = "", message: str = "", attempts: int = 5) -> SyncResult:
    """Commit what was recorded, fetch, check the remote's history against the sealed days
    and merge what may be merged, then push (never forced). Refusals raise `CashbookError`
    (exit 2) naming the days; an unreachable remote raises it with exit 1 after the local
    commit is made (the book stays correct; the next sync completes)."""
    root = Path(root)
    url = _require_branch_book(root)
    result = SyncResult()
    with book_lock(root):
        _recover(root)
        _refuse_local_edits(root)
        result.committed = commit(root, message or _recorded_message(root), author=author)
        for attempt in range(attempts):
            if attempt:
                time.sleep(random.uniform(0.05, 0.5) * attempt)  # out of step with the machine we raced
            if _sync_once(root, url, author, result):
                break
        else:
            raise CashbookError(Problem("remote-unreachable", f"{url} kept moving while syncing ({attempts} tries); run "
                                        "`cashbook sync` again"), exit_code=1)
    result.head = rev(root, "HEAD")
    return result


def _recorded_message(root: Path) -> str:
    git(root, "add", "-A")
    days = sorted({d for d in map(_day_of, git(root, "diff", "--cached", "--name-only", "-z").split("\0")) if d})
    shown = ", ".join(map(str, days[:8])) + (" …" if len(days) > 8 else "")
    return f"record {shown}" if days else "cashbook sync: the book's files changed since the last commit"


def _refuse_local_edits(root: Path) -> None:
    """A sealed day edited (or deleted) in the book since its last commit is never committed."""
    head = rev(root, "HEAD")
    if head is None:
        return
    git(root, "add", "-A")
    staged = git(root, "write-tree").strip()
    problems = rewrites(tree(root, head), tree(root, staged), "this machine's book (since its last commit)")
    if problems:
        git(root, "reset", "-q")
        raise CashbookError([Problem(p.code, p.message + f"; sealed days are immutable: restore it with `git checkout HEAD -- {p.file}` "
                                     "and record a correction on an open day", p.file, data=p.data) for p in problems])


def _fetch(root: Path, url: str) -> str | None:
    try:
        git(root, "fetch", "-q", "--no-tags", "--prune", "--refmap=", REMOTE, f"+refs/heads/*:{INCOMING}/*")
    except GitFailed as exc:
        raise CashbookError(Problem("remote-unreachable", f"cannot fetch from {url}: {exc.err.splitlines()[-1] if exc.err else exc}; "
                                    "what was recorded is committed here; run `cashbook sync` again when the remote is back"),
                            exit_code=1) from None
    return rev(root, f"{INCOMING}/{BRANCH}")


def _sync_once(root: Path, url: str, author: str, result: SyncResult) -> bool:
    remote = _fetch(root, url)
    accepted = rev(root, f"refs/remotes/{REMOTE}/{BRANCH}")
    local = rev(root, "HEAD")
    result.remote = remote
    problems: list[Problem] = []
    L = tree(root, local)
    R = tree(root, remote)
    if remote is not None:
        if accepted and accepted != remote and not _is_ancestor(root, accepted, remote):
            problems += rewrites(tree(root, accepted), R, "the remote (its history was rewritten since the last sync)")
        base_commit = git(root, "merge-base", local, remote, check=False).strip() if local else ""
        if local and not base_commit:
            if R.seals or L.seals:
                raise CashbookError(Problem("sync-refused", f"{url} holds another book (no history in common with this one); "
                                            "check the URL; nothing was merged or pushed"))
        B = tree(root, base_commit or None)
        problems += rewrites(B, R, "the remote")
        problems += [Problem(p.code, p.message + " (sealed days are immutable: restore the file with "
                             f"`git checkout {B.commit[:12]} -- {p.file}`)", p.file, data=p.data)
                     for p in rewrites(B, L, "this machine's book")]
        if not problems and base_commit and base_commit not in (local, remote):
            problems += divergence(root, B, L, R)
    elif accepted:
        problems.append(Problem("sync-refused", f"{url} no longer has the book's {BRANCH} branch (deleted since the last sync, "
                                "and with it every sealed day); nothing was pushed. If the book moved to a new, empty remote, "
                                f"run `git update-ref -d refs/remotes/{REMOTE}/{BRANCH}` in the book and sync again"))
    if problems:
        raise CashbookError(_dedupe(problems))
    if remote is not None and local != remote and not _is_ancestor(root, remote, local):
        result.fetched += _count(root, local, remote)
        if local is None or _is_ancestor(root, local, remote):
            git(root, "merge", "-q", "--ff-only", remote)
            result.merged = "fast-forward"
        else:
            try:
                git(root, "merge", "-q", "--no-ff", "--no-edit", "-m",
                    f"cashbook sync: merge the remote's days ({result.fetched} commit(s))", remote, env=identity(root, author))
            except GitFailed as exc:
                git(root, "merge", "--abort", check=False)
                raise CashbookError(Problem("sync-conflict", f"the remote's days do not merge with this machine's: {exc.err}; "
                                            "nothing was merged or pushed")) from None
            result.merged = "merge"
    git(root, "update-ref", f"refs/remotes/{REMOTE}/{BRANCH}", remote) if remote else None
    head = rev(root, "HEAD")
    if head is None or head == remote:
        return True
    try:
        git(root, "push", "-q", REMOTE, f"HEAD:refs/heads/{BRANCH}")
    except GitFailed as exc:
        if any(sign in exc.err for sign in _RACED):
            return False  # someone pushed in between: fetch again and merge
        said = " / ".join(line.removeprefix("remote: ").strip() for line in exc.err.splitlines() if line.strip())
        raise CashbookError(Problem("remote-unreachable", f"cannot push to {url}: {said or exc}; "
                                    "your days are committed here and nothing at the remote changed half-way; "
                                    "run `cashbook sync` again"), exit_code=1) from None
    result.pushed += _count(root, remote, head)
    git(root, "update-ref", f"refs/remotes/{REMOTE}/{BRANCH}", head)
    return True


# a push that lost a race with another machine's (fetch, merge and push again); anything else,
# like a hook's refusal or a full disk at the remote, is reported
_RACED = ("fetch first", "non-fast-forward", "cannot lock ref", "failed to update ref", "stale info")


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        if p.message not in seen:
            seen.add(p.message)
            out.append(p)
    return out


# -- close day -------------------------------------------------------------------------------

def commit_close(root: Path, day: dt.date, entries: int, cash_balance: str, seal: str, author: str = "") -> str | None:
    """After ``close day`` sealed ``day``: commit its file, the seal log and the policy
    versions. Nothing for a book that is not a branch book. The close stands whatever
    happens here; a commit that fails is left to the next `cashbook sync`."""
    root = Path(root)
    if not is_repo(root):
        return None
    message = (f"close {day}: {entries} entries, cash {cash_balance}, seal {seal[:16]}\n\n"
               f"Cashbook-Day: {day}\nCashbook-Entries: {entries}\nCashbook-Cash: {cash_balance}\nCashbook-Seal: {seal}\n")
    return commit(root, message, [day_file(day), SEAL_LOG_PATH, "journals/policies", "policies.toml", ".gitignore"], author)


# -- signatures ----------------------------------------------------------------------------

GOOD_SIGNATURES = {"G"}  # U is a good signature by a key not trusted here: any key at all, with SSH


def signature_problems(root: Path, seals: list[tuple[dt.date, str]]) -> list[Problem]:
    """Each sealed day's commit (the last one that wrote its file) must be signed with a
    good signature; a sealed day not committed at all counts as unsigned."""
    root = Path(root)
    if not seals:
        return []
    if not is_repo(root):
        return [Problem("unsigned-seal", "the policy asks for signed commits ([sync] require_signed) but the book is not "
                        "a git repository; `cashbook sync setup URL`", file="policies.toml")]
    last: dict[str, tuple[str, str, str]] = {}
    current = None
    for line in git(root, "log", "--format=%x01%H %G? %GS", "--name-only", "--no-renames", "--", "journals").split("\n"):
        if line.startswith("\x01"):
            parts = line[1:].split(" ", 2)
            current = (parts[0], parts[1], parts[2] if len(parts) > 2 else "")
        elif line.strip() and current:
            last.setdefault(line.strip(), current)
    dirty = set(git(root, "status", "--porcelain", "-z", "--", "journals").split("\0"))
    dirty = {p[3:] for p in dirty if p}
    problems = []
    for day, _ in seals:
        path = day_file(day)
        if path in dirty or path not in last:
            problems.append(Problem("unsigned-seal", f"sealed day {day} is not committed (so not signed); run `cashbook sync`",
                                    file=path, data={"day": day}))
            continue
        sha, status, signer = last[path]
        if status == "N":
            problems.append(Problem("unsigned-seal", f"sealed day {day} was committed unsigned ({sha[:12]}); the policy asks "
                                    "for signed commits: configure git to sign (commit.gpgsign, user.signingkey; with SSH "
                                    "keys git also needs gpg.ssh.allowedSignersFile to see a signature)",
                                    file=path, data={"day": day, "commit": sha}))
        elif status not in GOOD_SIGNATURES:
            why = {"B": "a bad signature", "U": "a signature by a key this book does not trust (not in "
                   "gpg.ssh.allowedSignersFile, or a GPG key of unknown trust)", "X": "an expired signature", "Y": "a signature by an expired key",
                   "R": "a signature by a revoked key", "E": "a signature that cannot be checked (key not known: "
                   "gpg.ssh.allowedSignersFile or the GPG keyring)"}.get(status, f"signature status {status}")
            problems.append(Problem("bad-signature", f"sealed day {day}: commit {sha[:12]} has {why}", file=path,
                                    data={"day": day, "commit": sha, "signer": signer}))
    return problems
