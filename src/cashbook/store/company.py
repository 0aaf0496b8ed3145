"""Head office: the company folder that fetches every branch book and witnesses its sealed days.

```
company.toml            company name and branches (name, git URL, optional account prefix)
branches/NAME/          a read-only clone of each branch book, checked out at the last accepted commit
witness/NAME.log        every sealed day seen at a pull: `date seal sha256-of-the-day-file`, append-only
pulls.json              per branch: the accepted commit, the last good pull, the last status and reason
```
A pull fetches a branch, checks the new commit out, verifies the seal chain, and checks that
every sealed day in the witness is still byte-identical and still in the seal log in the same
place. Only then is the commit accepted and the new sealed days added to the witness; a branch
that fails is put back at its last accepted commit and reported with the reason. Head office
never commits to or pushes into a branch.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..core.close import file_digest
from ..core.problems import CashbookError, Problem
from .files import atomic_write, book_lock
from .gitsync import BRANCH, REMOTE, SEAL_LOG_PATH, GitFailed, changed_files, day_file, rev, git

COMPANY_FILE = "company.toml"
STATE_FILE = "pulls.json"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
INCOMING = "refs/cashbook/incoming"


@dataclass(frozen=True)
class Branch:
    name: str
    url: str
    prefix: str = ""


@dataclass
class Company:
    root: Path
    name: str
    branches: list[Branch]

    def folder(self, branch: Branch | str) -> Path:
        return self.root / "branches" / (branch if isinstance(branch, str) else branch.name)

    def witness_file(self, branch: Branch | str) -> Path:
        return self.root / "witness" / f"{branch if isinstance(branch, str) else branch.name}.log"


def find_company(folder: str | None) -> Path:
    import os

    if folder:
        return Path(folder)
    env = os.environ.get("CASHBOOK_COMPANY")
    return Path(env) if env else Path.cwd()


def company_text(name: str, branches: list[Branch]) -> str:
    out = ["# cashbook company: the branch books head office consolidates (cashbook company pull / report)",
           f"name = {json.dumps(name, ensure_ascii=False)}", ""]
    for b in branches:
        out += ["[[branches]]", f"name = {json.dumps(b.name)}", f"url = {json.dumps(b.url, ensure_ascii=False)}"]
        if b.prefix:
            out.append(f"prefix = {json.dumps(b.prefix, ensure_ascii=False)}")
        out.append("")
    return "\n".join(out)


def check_branch(name: str, url: str, prefix: str, where: str) -> Branch:
    if not NAME.match(name or ""):
        raise CashbookError(Problem("bad-company", f"{where}: branch name {name!r}: letters, digits, - and _ "
                                    "(it names the branch's folder), e.g. store1"))
    if not (url or "").strip():
        raise CashbookError(Problem("bad-company", f"{where}: branch {name!r} has no url; give its git remote, "
                                    "e.g. file:///srv/books/store1.git"))
    return Branch(name, url.strip(), prefix or "")


def read_company(root: Path) -> Company:
    path = root / COMPANY_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CashbookError(Problem("not-a-company", f"{root} has no {COMPANY_FILE}; create one with "
                                    "`cashbook company init DIR --name NAME --branch NAME=URL`")) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CashbookError(Problem("bad-company", f"{path}: {exc}")) from None
    branches, seen = [], set()
    items = data.get("branches", [])
    if not isinstance(items, list):
        raise CashbookError(Problem("bad-company", f"{path}: branches is a list of [[branches]] tables"))
    for i, b in enumerate(items):
        if not isinstance(b, dict):
            raise CashbookError(Problem("bad-company", f"{path}: branches[{i}] is not a table"))
        unknown = set(b) - {"name", "url", "prefix"}
        if unknown:
            raise CashbookError(Problem("bad-company", f"{path}: branches[{i}]: unknown key(s) {', '.join(sorted(unknown))}; "
                                        "a branch has name, url and an optional prefix"))
        branch = check_branch(str(b.get("name", "")), str(b.get("url", "")), str(b.get("prefix", "")), f"{path}: branches[{i}]")
        if branch.name in seen:
            raise CashbookError(Problem("bad-company", f"{path}: branch {branch.name!r} is listed twice"))
        seen.add(branch.name)
        branches.append(branch)
    return Company(root, str(data.get("name", root.name)), branches)


# -- the witness and the pull state -----------------------------------------------------------

@dataclass
class Witnessed:
    day: dt.date
    seal: str
    digest: str  # sha256 of the whole day file as sealed


def read_witness(path: Path) -> list[Witnessed]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    out = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and not line.startswith("#"):
            out.append(Witnessed(dt.date.fromisoformat(parts[0]), parts[1], parts[2]))
    return out


def read_state(root: Path) -> dict:
    try:
        data = json.loads((root / STATE_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def write_state(root: Path, state: dict) -> None:
    atomic_write(root / STATE_FILE, (json.dumps(state, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode())


@dataclass
class PullResult:
    branch: str
    status: str  # ok | failed | unreachable
    commit: str | None = None
    new_days: list[dt.date] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    last_good: str | None = None
    reason: str = ""

    def as_json(self) -> dict:
        return {"branch": self.branch, "status": self.status, "commit": self.commit, "new_sealed_days": self.new_days,
                "last_good_pull": self.last_good, "reason": self.reason, "problems": [p.as_json() for p in self.problems]}


def pull(company: Company, now: dt.datetime, verify) -> list[PullResult]:
    """Fetch every branch, verify it, check it against the witness, and accept it or put it
    back. ``verify(folder) -> list[Problem]`` verifies a whole book (the first pull); later
    pulls verify the change since the accepted commit (`verify_changes`)."""
    results = []
    with book_lock(company.root):
        state = read_state(company.root)
        for branch in company.branches:
            result = _pull_one(company, branch, state, now, verify)
            results.append(result)
            write_state(company.root, state)  # after each branch: a kill keeps the others' progress
    return results


def _fetch(folder: Path, url: str) -> str | None:
    if not (folder / ".git").exists():
        folder.mkdir(parents=True, exist_ok=True)
        git(folder, "init", "-q")
    current = git(folder, "remote", "get-url", REMOTE, check=False).strip()
    if not current:
        git(folder, "remote", "add", REMOTE, url)
        git(folder, "config", f"remote.{REMOTE}.pushurl", "head-office-never-pushes")  # read-only: a push fails at once
    elif current != url:  # company.toml gave a new URL
        git(folder, "remote", "set-url", REMOTE, url)
    git(folder, "fetch", "-q", "--no-tags", "--prune", "--refmap=", REMOTE, f"+refs/heads/*:{INCOMING}/*")
    return rev(folder, f"{INCOMING}/{BRANCH}")


def _checkout(folder: Path, commit: str) -> None:
    if (folder / ".git" / "index.lock").exists():  # left by a killed checkout; we hold the company lock
        (folder / ".git" / "index.lock").unlink()
    git(folder, "checkout", "-q", "-f", "--detach", commit)
    git(folder, "clean", "-q", "-f", "-d", "--", "journals", "policies.toml")  # files a cut-short checkout left


def _pull_one(company: Company, branch: Branch, state: dict, now: dt.datetime, verify) -> PullResult:
    st = state.setdefault(branch.name, {})
    folder = company.folder(branch)
    accepted = st.get("commit")
    result = PullResult(branch.name, "ok", accepted, last_good=st.get("last_good"))
    try:
        new = _fetch(folder, branch.url)
    except GitFailed as exc:
        result.status = "unreachable"
        last = exc.err.splitlines()[-1] if exc.err else str(exc)
        result.reason = f"cannot fetch {branch.url}: {last}"
        st.update(status="unreachable", reason=result.reason)
        return result
    if new is None:
        result.status, result.reason = "failed", f"{branch.url} has no {BRANCH} branch yet (nothing pushed)"
        st.update(status="failed", reason=result.reason)
        return result
    if (new == accepted and st.get("status") in ("ok", "unreachable") and rev(folder, "HEAD") == new
            and not git(folder, "status", "--porcelain", "--untracked-files=no").strip()):
        result.last_good = now.isoformat(timespec="seconds")  # nothing new: verified when accepted
        st.update(last_good=result.last_good, status="ok", reason="")
        return result
    st["pulling"] = new  # until accepted or put back: a pull cut short here is undone by the next reader
    write_state(company.root, state)
    try:
        _checkout(folder, new)
        changed = changed_files(folder, accepted, new) if accepted else None
        problems = witness_problems(company, branch, folder, changed)
        if changed is None:  # the first pull: the whole book, as `check` sees it
            problems += [p for p in verify(folder) if p.severity == "block"]
        else:  # the accepted commit was verified: the change is what needs it
            problems += [p for p in verify_changes(folder, changed, read_witness(company.witness_file(branch)))
                         if p.severity == "block"]
    except GitFailed as exc:
        problems = [Problem("branch-failed", f"git could not read the branch: {exc.err or exc}")]
    except CashbookError as exc:  # not a book at all, an unreadable policy …
        problems = [Problem("branch-failed", str(p)) for p in exc.problems]
    if problems:
        if accepted:
            try:
                _checkout(folder, accepted)
            except GitFailed:
                pass
        result.status, result.problems = "failed", problems
        result.reason = "; ".join(p.message for p in problems[:3]) + (f" (+{len(problems) - 3} more)" if len(problems) > 3 else "")
        st.update(status="failed", reason=result.reason, rejected=new)
        st.pop("pulling", None)
        return result
    result.new_days = add_to_witness(company, branch, folder)
    result.commit = new
    result.last_good = now.isoformat(timespec="seconds")
    st.update(commit=new, last_good=result.last_good, status="ok", reason="")
    st.pop("rejected", None)
    st.pop("pulling", None)
    return result


def witness_problems(company: Company, branch: Branch, folder: Path, changed: set[str] | None) -> list[Problem]:
    """Every sealed day seen before: the file byte-identical, its seal-log line unchanged and in place."""
    from ..core.close import parse_seal_log

    seen = read_witness(company.witness_file(branch))
    if not seen:
        return []
    log_path = folder / SEAL_LOG_PATH
    try:
        log, _ = parse_seal_log(log_path.read_text(encoding="utf-8"), SEAL_LOG_PATH)
    except (OSError, UnicodeDecodeError):
        log = []
    problems = []
    # files not changed since the accepted commit were verified then: hash only what changed (None: all)
    for w in seen:
        path = day_file(w.day)
        if changed is not None and path not in changed:
            continue
        try:
            digest = file_digest((folder / path).read_bytes())
        except FileNotFoundError:
            problems.append(Problem("witness-mismatch", f"{branch.name}: sealed day {w.day} was deleted ({path})", file=path,
                                    data={"branch": branch.name, "day": w.day}))
            continue
        if digest != w.digest:
            problems.append(Problem("witness-mismatch", f"{branch.name}: sealed day {w.day} changed since head office saw it "
                                    f"({path}: sha256 {digest[:12]}, witnessed {w.digest[:12]})", file=path,
                                    data={"branch": branch.name, "day": w.day}))
    logged = dict(log)
    for i, w in enumerate(seen):
        if w.day not in logged:
            problems.append(Problem("witness-mismatch", f"{branch.name}: the seal-log line of {w.day} was deleted",
                                    file=SEAL_LOG_PATH, data={"branch": branch.name, "day": w.day}))
        elif logged[w.day] != w.seal:
            problems.append(Problem("witness-mismatch", f"{branch.name}: the seal of {w.day} differs from the one witnessed",
                                    file=SEAL_LOG_PATH, data={"branch": branch.name, "day": w.day}))
        elif i >= len(log) or log[i][0] != w.day:
            problems.append(Problem("witness-mismatch", f"{branch.name}: the seal log was reordered at {w.day}",
                                    file=SEAL_LOG_PATH, data={"branch": branch.name, "day": w.day}))
    return problems


def verify_changes(folder: Path, changed: set[str], seen: list[Witnessed]) -> list[Problem]:
    """What `check` would find wrong with the seal chain and the files in the part of a
    branch that changed since its accepted commit (whose files were verified when accepted):
    each newly sealed day's file hashes to its close, the close's seal is its own figures,
    it follows the seal before it (the last witnessed one first) and the seal log says so;
    every changed day file and the policy read cleanly. Work in proportion to the change."""
    from ..core.close import SealedFile, parse_seal_log, seal_value, sealed_digest
    from .journal import read_day
    from .policyfile import read_policy

    problems: list[Problem] = []
    try:
        log, bad = parse_seal_log((folder / SEAL_LOG_PATH).read_text(encoding="utf-8"), SEAL_LOG_PATH)
    except FileNotFoundError:
        log, bad = [], []
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem("seal-broken", f"cannot read the seal log: {exc}", file=SEAL_LOG_PATH)]
    problems += bad
    if [d for d, _ in log[:len(seen)]] != [w.day for w in seen]:
        return problems  # the witness comparison names what changed in the seal log
    previous = seen[-1].seal if seen else ""
    sealed_now = set()
    for day, seal in log[len(seen):]:
        shown = day_file(day)
        sealed_now.add(shown)
        df = read_day(folder / shown, shown)
        problems += [p for p in df.problems if p.severity == "block"]
        closes = [e for e in df.entries if e.kind == "day-close"]
        if not closes:
            problems.append(Problem("seal-broken", f"sealed day {day} (seal log) has no day close", file=shown))
            continue
        close = closes[-1]
        line = df.lines.get(close.id)
        if len(closes) > 1 or df.entries[-1] is not close:
            problems.append(Problem("seal-broken", f"{day} has entries after its seal or more than one seal", file=shown, line=line))
        digest = sealed_digest(SealedFile(day, shown, df.raw, df.entries, df.lines))
        if digest != close.digest:
            problems.append(Problem("seal-broken", f"{day} was changed after it was sealed: its entries no longer match the "
                                    "seal's digest", file=shown, line=line))
        if seal_value(day, close.digest, close.previous, close.book_balance, close.counted) != close.seal:
            problems.append(Problem("seal-broken", f"the seal record of {day} was edited", file=shown, line=line))
        if close.previous != previous:
            problems.append(Problem("seal-broken", f"the seal chain is broken before {day}: it follows seal "
                                    f"{close.previous[:12] or '(none)'}, the sealed day before it ends with {previous[:12] or '(none)'}",
                                    file=shown, line=line))
        if close.seal != seal:
            problems.append(Problem("seal-broken", f"the seal of {day} differs from the one in the seal log", file=SEAL_LOG_PATH))
        previous = seal
    for shown in sorted(changed - sealed_now):
        if re.match(r"^journals/\d{4}/\d{4}-\d{2}-\d{2}\.toml$", shown) and (folder / shown).exists():
            df = read_day(folder / shown, shown)
            problems += [p for p in df.problems if p.severity == "block"]
            if any(e.kind == "day-close" for e in df.entries):
                problems.append(Problem("seal-broken", f"{shown} holds a day close that is not in the seal log", file=shown))
    if "policies.toml" in changed:
        try:
            read_policy(folder)
        except CashbookError as exc:
            problems += exc.problems
    return problems


def add_to_witness(company: Company, branch: Branch, folder: Path) -> list[dt.date]:
    from ..core.close import parse_seal_log

    path = company.witness_file(branch)
    seen = read_witness(path)
    known = {w.day for w in seen}
    try:
        log, _ = parse_seal_log((folder / SEAL_LOG_PATH).read_text(encoding="utf-8"), SEAL_LOG_PATH)
    except FileNotFoundError:
        log = []
    new = [(d, s) for d, s in log if d not in known]
    if not new:
        return []
    lines = [f"{w.day} {w.seal} {w.digest}" for w in seen]
    lines += [f"{d} {s} {file_digest((folder / day_file(d)).read_bytes())}" for d, s in new]
    path.parent.mkdir(parents=True, exist_ok=True)
    header = f"# head office's witness of {branch.name}: `date seal sha256(day file)` of every sealed day seen at a pull\n"
    atomic_write(path, (header + "\n".join(lines) + "\n").encode())
    return [d for d, _ in new]


def _head_file(folder: Path) -> str | None:
    """The commit checked out (detached HEAD), read from the file: no git process per branch."""
    try:
        return (folder / ".git" / "HEAD").read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


def ready(company: Company) -> tuple[list[tuple[Branch, Path, dict]], list[dict]]:
    """The branches whose last accepted commit can be read (checked out again if a pull was
    cut short), and those left out with the reason."""
    state = read_state(company.root)
    good, left_out = [], []
    for branch in company.branches:
        st = state.get(branch.name, {})
        folder = company.folder(branch)
        if st.get("status") == "failed":
            left_out.append({"branch": branch.name, "reason": st.get("reason", "failed"), "last_good_pull": st.get("last_good")})
            continue
        if not st.get("commit"):
            left_out.append({"branch": branch.name, "reason": st.get("reason") or "never pulled: run `cashbook company pull`",
                             "last_good_pull": None})
            continue
        try:
            if st.get("pulling") or _head_file(folder) != st["commit"]:  # a pull was cut short
                with book_lock(company.root):
                    _checkout(folder, st["commit"])
                    fresh = read_state(company.root)
                    fresh.get(branch.name, {}).pop("pulling", None)
                    write_state(company.root, fresh)
        except (GitFailed, OSError) as exc:
            left_out.append({"branch": branch.name, "reason": f"its copy cannot be read: {exc}", "last_good_pull": st.get("last_good")})
            continue
        good.append((branch, folder, st))
    return good, left_out


# -- consolidated reports kept between runs ---------------------------------------------------

def _memo_folder(root: Path) -> Path | None:
    """Outside the company folder, in the user's own cache folder (owner-only); None when
    caching is off ($CASHBOOK_NO_CACHE)."""
    import hashlib
    import os

    if os.environ.get("CASHBOOK_NO_CACHE"):
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cashbook" / "company"
    return base / hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:20]


def memo_get(root: Path, key: str) -> dict | None:
    """A consolidated report kept under ``key`` (what it was computed from); None if absent or unreadable."""
    import hashlib

    folder = _memo_folder(root)
    if folder is None:
        return None
    try:
        kept = json.loads((folder / (hashlib.sha1(key.encode()).hexdigest() + ".json")).read_text(encoding="utf-8"))
        return kept["report"] if isinstance(kept, dict) and kept.get("key") == key else None
    except (OSError, ValueError, KeyError):
        return None


def memo_put(root: Path, key: str, report: dict) -> None:
    import hashlib

    folder = _memo_folder(root)
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        for old in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime)[:-64]:  # keep the recent ones
            old.unlink(missing_ok=True)
        atomic_write(folder / (hashlib.sha1(key.encode()).hexdigest() + ".json"),
                     json.dumps({"key": key, "report": report}, ensure_ascii=False).encode("utf-8"))
    except OSError:
        pass  # a cache that cannot be written is only slower


def memo_key(*parts) -> str:
    """What a consolidated report was computed from, and the code that computed it."""
    from .cache import code_digest

    return json.dumps([code_digest(), *parts], ensure_ascii=False, sort_keys=True, default=str)
