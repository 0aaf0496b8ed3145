"""`cashbook company …`: head office fetches every branch book, witnesses its sealed days, consolidates."""

import datetime as dt
import sys
from typing import Annotated, Optional

import typer

from .common import AsOfOpt, Format, FormatOpt, FromOpt, Lang, LangOpt, Session, ToOpt, begin, fail, now, parse_date
from .output import Output, as_command, command_signature, option

company_app = typer.Typer(help="Head office: the branch books listed in company.toml, pulled, verified and consolidated.",
                          no_args_is_help=True)
company_report_app = typer.Typer(help="Consolidated reports: a column per branch and the total.", no_args_is_help=True)
company_app.add_typer(company_report_app, name="report")

CompanyOpt = Annotated[Optional[str], typer.Option("--company", help="Company folder (default: $CASHBOOK_COMPANY, else the current directory).",
                                                   show_default=False)]


def _company(folder):
    from ..store.company import find_company, read_company

    return read_company(find_company(folder))


@company_app.command("init")
def init(
    directory: Annotated[str, typer.Argument(help="Folder for company.toml (created if missing).")],
    name: Annotated[str, typer.Option("--name", help="The company's name.")] = "",
    branch: Annotated[Optional[list[str]], typer.Option("--branch", help="NAME=URL of a branch book's git remote; repeat for each.",
                                                        show_default=False)] = None,
    prefix: Annotated[Optional[list[str]], typer.Option("--prefix", help="NAME=PREFIX: the branch's accounts are shown as PREFIX+key "
                                                        "in the consolidated reports (kept apart instead of summed).", show_default=False)] = None,
):
    """Write company.toml: the company name and its branches (name, git URL, optional account prefix); never overwrites."""
    from pathlib import Path

    from ..store.company import COMPANY_FILE, check_branch, company_text
    from ..store.files import atomic_write

    begin("table")
    root = Path(directory)
    if (root / COMPANY_FILE).exists():
        fail("company-exists", f"{root / COMPANY_FILE} exists; edit it to add branches (init never overwrites)")
    prefixes = {}
    for item in prefix or []:
        label, sep, value = item.partition("=")
        if not sep or not value.strip():
            fail("bad-option", f"--prefix {item!r}: write NAME=PREFIX, e.g. store1=s1-")
        prefixes[label.strip()] = value.strip()
    branches, seen = [], set()
    for item in branch or []:
        label, sep, url = item.partition("=")
        if not sep:
            fail("bad-option", f"--branch {item!r}: write NAME=URL, e.g. store1=file:///srv/books/store1.git")
        b = check_branch(label.strip(), url, prefixes.pop(label.strip(), ""), f"--branch {item!r}")
        if b.name in seen:
            fail("bad-option", f"--branch {b.name!r} given twice")
        seen.add(b.name)
        branches.append(b)
    if prefixes:
        fail("bad-option", f"--prefix for {', '.join(prefixes)}: no --branch of that name")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail("write-failed", f"cannot create {root}: {exc.strerror}")
    atomic_write(root / COMPANY_FILE, company_text(name or root.resolve().name, branches).encode("utf-8"))
    gitignore = root / ".gitignore"
    if not gitignore.exists():
        atomic_write(gitignore, b".cashbook.lock\nbranches/\n")
    if Session.lang == "zh":
        print(f"已写入 {root / COMPANY_FILE}，含 {len(branches)} 个门店；`cashbook company pull --company {root}` 拉取各门店账簿")
    else:
        print(f"wrote {root / COMPANY_FILE} with {len(branches)} branch(es); `cashbook company pull --company {root}` fetches them")


def _verify(folder) -> list:
    """A branch book as `check` sees its seal chain and its files (rule findings are `company check`'s)."""
    from ..core.rules import check_entry
    from ..store.book import UNREADABLE, Book

    problems, _, _ = Book(folder).check(check_entry)
    return [p for p in problems if p.code == "seal-broken" or p.code in UNREADABLE]


@company_app.command("pull")
def pull(
    company: CompanyOpt = None,
    fmt: FormatOpt = Format.table,
):
    """Fetch every branch read-only, verify its seal chain and that no sealed day seen before changed
    (the witness); a failing branch is named and left out of the reports (exit 1)."""
    from ..render import dumps
    from ..store.company import pull as run_pull

    begin(fmt)
    c = _company(company)
    if not c.branches:
        fail("bad-company", f"{c.root / 'company.toml'} lists no branches; add [[branches]] tables (name, url) "
             "or `cashbook company init DIR --branch NAME=URL`")
    results = run_pull(c, now(), _verify)
    ages = _ages(c)
    if fmt == Format.json:
        out = [{**r.as_json(), "age_of_last_good_pull": ages.get(r.branch)} for r in results]
        sys.stdout.write(dumps({"schema": "cashbook.company.pull/1", "ok": all(r.status == "ok" for r in results), "branches": out}) + "\n")
    elif Session.lang == "zh":
        from ..render.zh import age_zh, problem_line, reason_zh

        for r in results:
            if r.status == "ok":
                new = f"，新封账：{'、'.join(map(str, r.new_days))}" if r.new_days else ""
                print(f"{r.branch}：正常，位于 {r.commit[:12]}{new}")
            else:
                status = {"unreachable": "无法连接", "failed": "拉取失败"}.get(r.status, r.status)
                age = f"（上次成功拉取 {r.last_good}，{age_zh(ages[r.branch])}前）" if r.last_good else "（从未成功拉取）"
                print(f"{r.branch}：{status}：{reason_zh(r.reason)}{age}")
                for p in r.problems:
                    print(f"  {problem_line(p, 'zh')}")
    else:
        for r in results:
            if r.status == "ok":
                new = f", newly sealed: {', '.join(map(str, r.new_days))}" if r.new_days else ""
                print(f"{r.branch}: ok at {r.commit[:12]}{new}")
            else:
                age = f" (last good pull {r.last_good}, {ages[r.branch]} ago)" if r.last_good else " (never pulled good)"
                print(f"{r.branch}: {r.status}: {r.reason}{age}")
                for p in r.problems:
                    print(f"  {p}")
    raise typer.Exit(0 if all(r.status == "ok" for r in results) else 1)


def _ages(c) -> dict:
    from ..reports.company import age
    from ..store.company import read_state

    out = {}
    for name, st in read_state(c.root).items():
        if st.get("last_good"):
            out[name] = age(dt.datetime.fromisoformat(st["last_good"]), now())
    return out


@company_app.command("check")
def check(
    company: CompanyOpt = None,
    fmt: FormatOpt = Format.table,
):
    """`cashbook check` on every branch as last pulled; exit 1 when a branch has errors or is left out."""
    from ..core.rules import check_entry
    from ..render import dumps
    from ..store.book import Book
    from ..store.company import ready

    begin(fmt)
    c = _company(company)
    good, left_out = ready(c)
    out = []
    for branch, folder, _ in good:
        problems, files, entries = Book(folder).check(check_entry)
        errors = [p for p in problems if p.severity == "block"]
        out.append({"branch": branch.name, "ok": not errors, "files": files, "entries": entries, "errors": len(errors),
                    "warnings": len(problems) - len(errors), "problems": [p.as_json() for p in problems]})
        if fmt != Format.json and Session.lang == "zh":
            from ..render.zh import problem_line

            for p in problems:
                print(f"{branch.name}：{problem_line(p, 'zh')}" + ("" if p.severity == "block" else "（提醒）"))
            print(f"{branch.name}：已检查 {files} 个文件、{entries} 笔记录：" + ("正常" if not errors else f"{len(errors)} 个错误"),
                  file=sys.stderr)
        elif fmt != Format.json:
            for p in problems:
                print(f"{branch.name}: {p}" + ("" if p.severity == "block" else " (warning)"))
            print(f"{branch.name}: checked {files} file(s), {entries} entries: " + ("ok" if not errors else f"{len(errors)} error(s)"),
                  file=sys.stderr)
    ok = all(o["ok"] for o in out) and not left_out
    if fmt == Format.json:
        sys.stdout.write(dumps({"schema": "cashbook.company.check/1", "ok": ok, "branches": out, "left_out": left_out}) + "\n")
    elif Session.lang == "zh":
        from ..render.zh import reason_zh

        for x in left_out:
            print(f"{x['branch']}：未纳入：{reason_zh(x['reason'])}")
    else:
        for x in left_out:
            print(f"{x['branch']}: left out: {x['reason']}")
    raise typer.Exit(0 if ok else 1)


def _consolidated(company, name: str, args: list, one, combine):
    """``combine(company, reports, left_out, stale)`` of each readable branch's own report
    (``one(book)``). Kept between runs under what it was computed from (each branch's accepted
    commit, the branches left out, the arguments, today, the code): a repeat is a look-up."""
    from ..reports.company import age, report_from_json, report_to_json
    from ..store.book import Book
    from ..store.company import memo_get, memo_key, memo_put, ready

    c = _company(company)
    good, left_out = ready(c)
    stale = [{"branch": b.name, "reason": st.get("reason", ""), "last_good_pull": st.get("last_good"),
              "age": age(dt.datetime.fromisoformat(st["last_good"]), now()) if st.get("last_good") else ""}
             for b, _, st in good if st.get("status") == "unreachable"]
    key = memo_key(name, args, str(now().date()), c.name, [[b.name, b.prefix, st["commit"]] for b, _, st in good], left_out)
    kept = None if stale else memo_get(c.root, key)  # a stale branch's age moves with the clock
    if kept is not None:
        try:
            return report_from_json(kept)
        except (KeyError, TypeError, ValueError, ArithmeticError):
            pass  # a damaged entry: compute again
    report = combine(c, {b.name: one(Book(folder)) for b, folder, _ in good}, left_out, stale)
    if not stale:
        try:
            memo_put(c.root, key, report_to_json(report))
        except TypeError:
            pass
    return report


def _prefixes(c) -> dict:
    return {b.name: b.prefix for b in c.branches}


COMPANY_OPTIONS = [option("company", CompanyOpt, None), option("fmt", FormatOpt, Format.table), option("lang", LangOpt, Lang.en)]


def consolidated(name: str):
    """Register ``fn(**own)`` as `company report NAME`: ``fn`` reads its own options and returns
    the arguments that key the result, the report of one branch book (``one(book)``) and how
    the branches' reports combine (``combine(company, reports, left_out, stale)``); the
    command adds --company, -f/--format and --lang, consolidates (`_consolidated`) and shows."""

    def register(fn):
        def command(**given):
            company, fmt, lang = given.pop("company"), given.pop("fmt"), given.pop("lang")
            begin(fmt)
            args, one, combine = fn(**given)
            Output(fmt, lang).show(_consolidated(company, name, args, one, combine))

        company_report_app.command(name)(as_command(command, fn, command_signature(fn, COMPANY_OPTIONS)))
        return command

    return register


@consolidated("balances")
def balances(date: AsOfOpt = None):
    """Every account's balance, a column per branch (accounts renamed by each branch's prefix)."""
    from ..reports.company import company_balances
    from .report import balances_of

    day = parse_date(date)
    return [str(day)], lambda b: balances_of(b, day), \
        lambda c, reports, left, stale: company_balances(day, reports, _prefixes(c), left, stale)


@consolidated("month")
def month(month_: Annotated[str, typer.Argument(metavar="YYYY-MM", help="The month.")]):
    """The month report of every branch side by side: accounts, categories, registers, each branch's status."""
    from ..core.close import month_bounds
    from ..reports.company import company_month
    from .report import month_of

    try:
        month_bounds(month_)
    except ValueError as exc:
        fail("bad-option", str(exc))
    return [month_], lambda b: month_of(b, month_), \
        lambda c, reports, left, stale: company_month(month_, reports, _prefixes(c), left, stale)


@consolidated("day")
def day(date: Annotated[Optional[str], typer.Argument(help="YYYY-MM-DD (default: today).", show_default=False)] = None):
    """Every branch's daily cash close for one day, side by side."""
    from ..reports.company import company_day
    from .report import day_of

    d = parse_date(date, "DATE")
    return [str(d)], lambda b: day_of(b, d), lambda c, reports, left, stale: company_day(d, reports, left, stale)


@consolidated("advances")
def advances(date: AsOfOpt = None):
    """Staff advances open and overdue in every branch."""
    from ..reports.company import company_advances
    from .report import advances_of

    d = parse_date(date)
    return [str(d)], lambda b: advances_of(b, d), lambda c, reports, left, stale: company_advances(d, reports, left, stale)


@consolidated("deposits")
def deposits(date: AsOfOpt = None):
    """Merchant deposits held in every branch, by type."""
    from ..reports.company import company_deposits
    from .report import deposits_of

    d = parse_date(date)
    return [str(d)], lambda b: deposits_of(b, d), lambda c, reports, left, stale: company_deposits(d, reports, left, stale)


@consolidated("cheques")
def cheques(start: FromOpt = None, end: ToOpt = None):
    """Every branch's cheque register: issued, outstanding, cleared, voided."""
    from ..reports.company import company_cheques
    from .report import cheques_of

    first = parse_date(start, "--from") if start else None
    last = parse_date(end, "--to") if end else None
    return [str(first), str(last)], lambda b: cheques_of(b, first, last), \
        lambda c, reports, left, stale: company_cheques(reports, left, stale)


def register(app: typer.Typer) -> None:
    app.add_typer(company_app, name="company")
