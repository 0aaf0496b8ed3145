"""Head office: three store books synced to bare remotes, pulled, witnessed and consolidated.

The walk-through of the README's "Several stores and head office" section, on one machine:
each store is a branch book with a local bare repository as its remote.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import run_cli

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed (.ci/apt-packages lists it)")

GM = ("--approved-by", "gm:王总")
STORES = ("store1", "store2", "store3")


def git_identity(tmp_path) -> dict[str, str]:
    """A git author and committer of its own, and no user or system git configuration."""
    empty = tmp_path / "gitconfig"
    empty.write_text("")
    return {"GIT_AUTHOR_NAME": "cashier", "GIT_AUTHOR_EMAIL": "cashier@example.com", "GIT_COMMITTER_NAME": "cashier",
            "GIT_COMMITTER_EMAIL": "cashier@example.com", "GIT_CONFIG_GLOBAL": str(empty), "GIT_CONFIG_NOSYSTEM": "1"}


@pytest.fixture(autouse=True)
def git_env(tmp_path, monkeypatch):
    for k, v in {**git_identity(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "user-cache")}.items():
        monkeypatch.setenv(k, v)


def git(cwd: Path, *args: str) -> str:
    p = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p.stdout


def ok(r):
    assert r.code == 0, r.out + r.err
    return r


def close(cli, book: Path, date: str, count: str = "100x15") -> None:
    ok(cli("count", date, count, book=book))
    ok(cli("close", "day", date, book=book))


@pytest.fixture
def stores(cli, tmp_path):
    """Three stores, each a branch book pushed to its own bare remote, with different business."""
    books, urls = {}, {}
    for name in STORES:
        remote = tmp_path / "remotes" / f"{name}.git"
        remote.parent.mkdir(exist_ok=True)
        git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
        book = tmp_path / name
        ok(cli("init", str(book)))
        ok(cli("opening", "cash", "1500", "--date", "2026-11-01", book=book))
        ok(cli("opening", "bank", "50000", "--date", "2026-11-01", book=book))
        ok(cli("sync", "setup", remote.as_uri(), book=book))
        close(cli, book, "2026-11-01")
        books[name], urls[name] = book, remote.as_uri()
    d = ("--date", "2026-11-02")
    s1, s2, s3 = books["store1"], books["store2"], books["store3"]
    ok(cli("receive", "1200", "--from", "ACME", "--category", "rent", "--doc", "SJ0001", *d, book=s1))
    ok(cli("bank-deposit", "1200", "--account", "bank", *d, book=s1))
    ok(cli("pay", "3500", "--to", "家具城", "--category", "office", "--account", "bank", "--method", "cheque", "--cheque", "10203001",
           "--invoice", "F9", "--invoice-party", "家具城", *GM, *d, book=s1))
    close(cli, s1, "2026-11-02")
    ok(cli("hold-deposit", "2000", "--from", "美家 Furniture", "--type", "site", "--doc", "R001", "--account", "bank", *d, book=s2))
    close(cli, s2, "2026-11-02")
    ok(cli("advance", "600", "--to", "张三", "--purpose", "出差 上海", "--due", "2026-11-10", "--approved-by", "dept-head:赵主任", *GM,
           *d, book=s3))
    close(cli, s3, "2026-11-02", "100x9")
    for book in books.values():
        ok(cli("sync", book=book))
    return books, urls


@pytest.fixture
def hq(cli, stores, tmp_path):
    books, urls = stores
    hq = tmp_path / "hq"
    ok(cli("company", "init", str(hq), "--name", "宜家居 Furniture Mall", *[a for n in STORES for a in ("--branch", f"{n}={urls[n]}")]))
    r = ok(cli("company", "pull", "--company", str(hq), "--format", "json"))
    assert [b["status"] for b in r.json["branches"]] == ["ok"] * 3
    return hq


def own(cli, book: Path, *args: str) -> dict:
    return json.loads(cli("report", *args, "--format", "json", book=book).out)


def company(cli, hq: Path, *args: str):
    return cli("company", "report", *args, "--company", str(hq), "--format", "json")


def test_init_writes_company_toml_and_never_overwrites(cli, hq):
    text = (hq / "company.toml").read_text()
    assert 'name = "宜家居 Furniture Mall"' in text and text.count("[[branches]]") == 3
    again = cli("company", "init", str(hq), "--branch", "x=file:///nowhere")
    assert again.code == 2 and "company-exists" in again.err
    bad = cli("company", "init", str(hq / "other"), "--branch", "store 1=file:///x")
    assert bad.code == 2 and "branch name" in bad.err and not (hq / "other" / "company.toml").exists()


def test_the_witness_keeps_every_sealed_day_seen(hq):
    for name in STORES:
        lines = [l for l in (hq / "witness" / f"{name}.log").read_text().splitlines() if not l.startswith("#")]
        assert [l.split()[0] for l in lines] == ["2026-11-01", "2026-11-02"]


def test_consolidated_figures_are_the_sums_of_the_branch_books_own_reports(cli, stores, hq):
    books, _ = stores
    # balances
    r = company(cli, hq, "balances", "--date", "2026-11-02")
    assert r.code == 0, r.err
    data = r.json
    assert data["branches"] == list(STORES) and data["left_out"] == []
    mine = {n: own(cli, books[n], "balances", "--date", "2026-11-02") for n in STORES}
    for row in data["accounts"]:
        per = {n: Decimal(next(a["balance"] for a in mine[n]["accounts"] if a["account"] == row["account"])) for n in STORES}
        assert {n: Decimal(v) for n, v in row["branches"].items()} == per
        assert Decimal(row["total"]) == sum(per.values())
    assert Decimal(data["total"]) == sum(Decimal(mine[n]["total"]) for n in STORES)
    # month
    m = company(cli, hq, "month", "2026-11").json
    mine = {n: own(cli, books[n], "month", "2026-11") for n in STORES}
    for row in m["accounts"]:
        expect = sum(Decimal(next(a[row["measure"]] for a in mine[n]["accounts"] if a["account"] == row["account"])) for n in STORES)
        assert Decimal(row["total"]) == expect
    cats = {row["category"]: Decimal(row["total"]) for row in m["categories"]}
    expect: dict[str, Decimal] = {}
    for n in STORES:
        for c in mine[n]["categories"]:
            expect[c["category"]] = expect.get(c["category"], Decimal(0)) + Decimal(c["amount"])
    assert cats == expect and cats["office"] == Decimal("3500.00") and cats["rent"] == Decimal("1200.00")
    # the daily close
    d = company(cli, hq, "day", "2026-11-02").json
    mine = {n: own(cli, books[n], "day", "2026-11-02") for n in STORES}
    for row in d["items"]:
        assert Decimal(row["total"]) == sum(Decimal(mine[n][row["item"]]) for n in STORES)
    assert d["sealed"] == {n: True for n in STORES}
    # registers
    a = company(cli, hq, "advances", "--date", "2026-11-20").json
    assert Decimal(a["outstanding"]) == sum(Decimal(own(cli, books[n], "advances", "--date", "2026-11-20")["outstanding"]) for n in STORES)
    assert Decimal(a["outstanding"]) == Decimal("600.00") and a["advances"][0]["branch"] == "store3"
    dep = company(cli, hq, "deposits", "--date", "2026-11-20").json
    assert Decimal(dep["total"]) == sum(Decimal(own(cli, books[n], "deposits", "--date", "2026-11-20")["total"]) for n in STORES)
    assert Decimal(dep["total"]) == Decimal("2000.00")
    c = company(cli, hq, "cheques").json
    assert c["issued"] == sum(own(cli, books[n], "cheques")["issued"] for n in STORES) == 1
    assert Decimal(c["outstanding_total"]) == Decimal("3500.00")


def test_every_format_has_a_column_per_branch(cli, hq):
    r = cli("company", "report", "balances", "--date", "2026-11-02", "--company", str(hq), "--format", "csv")
    assert r.code == 0
    assert r.out.splitlines()[0] == "\ufeffaccount,name,type,branch:store1,branch:store2,branch:store3,total"  # BOM: for Excel
    assert "cash,库存现金,cash,1500.00,1500.00,900.00,3900.00" in r.out
    table = cli("company", "report", "month", "2026-11", "--company", str(hq), "--lang", "zh")
    # 1: the branches keep a bank account and no statement of it (statement-missing, a control failure)
    assert table.code == 1 and "store2" in table.out and "合计" in table.out


def test_a_prefix_keeps_a_branch_s_accounts_apart(cli, stores, tmp_path):
    _, urls = stores
    hq = tmp_path / "hq2"
    ok(cli("company", "init", str(hq), "--branch", f"store1={urls['store1']}", "--branch", f"store2={urls['store2']}",
           "--prefix", "store2=s2-"))
    ok(cli("company", "pull", "--company", str(hq)))
    rows = {r["account"]: r for r in company(cli, hq, "balances", "--date", "2026-11-02").json["accounts"]}
    assert set(rows) == {"cash", "bank", "s2-cash", "s2-bank"}
    assert rows["s2-bank"]["branches"] == {"store2": "52000.00"}


def _rewrite_sealed_day(cli, book: Path, date: str, old: str, new: str, count: str) -> None:
    """What someone with write access can do so that `check` still says ok: drop the day's
    close and its seal-log line, edit an entry, and close the day again."""
    path = book / "journals" / date[:4] / f"{date}.toml"
    text = path.read_text()
    cut = text.rindex("\n[[entry]]", 0, text.index('kind = "day-close"'))
    text = text[:cut + 1]
    cut = text.rindex("\n[[entry]]", 0, text.index('kind = "cash-count"'))
    path.write_text(text[:cut + 1].replace(old, new))
    log = book / "journals" / "seals.log"
    log.write_text("".join(l for l in log.read_text().splitlines(True) if not l.startswith(date)))
    close(cli, book, date, count)
    assert cli("check", book=book).code == 0  # the chain on its own cannot tell


def test_a_rewritten_sealed_day_is_caught_at_the_next_pull(cli, stores, hq):
    books, _ = stores
    s2 = books["store2"]
    _rewrite_sealed_day(cli, s2, "2026-11-02", 'amount = "2000.00"', 'amount = "1500.00"', "100x15")
    assert git(s2, "status", "--porcelain") == ""  # the new close committed the rewrite
    refused = cli("sync", book=s2)
    assert refused.code == 2 and "this machine's book changes sealed day 2026-11-02" in refused.err
    git(s2, "push", "-q", "origin", "main")  # so with plain git
    r = cli("company", "pull", "--company", str(hq), "--format", "json")
    assert r.code == 1
    status = {b["branch"]: b for b in r.json["branches"]}
    assert status["store1"]["status"] == "ok" and status["store3"]["status"] == "ok"
    assert status["store2"]["status"] == "failed"
    assert any(p["code"] == "witness-mismatch" and p["day"] == "2026-11-02" for p in status["store2"]["problems"])
    bal = company(cli, hq, "balances", "--date", "2026-11-02")
    assert bal.code == 1
    assert bal.json["branches"] == ["store1", "store3"]
    assert bal.json["left_out"][0]["branch"] == "store2" and "2026-11-02" in bal.json["left_out"][0]["reason"]
    # the head office copy stayed at what was witnessed
    held = (hq / "branches" / "store2" / "journals" / "2026" / "2026-11-02.toml").read_text()
    assert 'amount = "2000.00"' in held
    again = cli("company", "pull", "--company", str(hq))  # and it stays refused
    assert again.code == 1 and "store2: failed" in again.out


def test_a_deleted_seal_log_line_is_caught(cli, stores, hq):
    books, _ = stores
    s1 = books["store1"]
    (s1 / "journals" / "2026" / "2026-11-02.toml").unlink()
    log = s1 / "journals" / "seals.log"
    log.write_text("".join(l for l in log.read_text().splitlines(True) if not l.startswith("2026-11-02")))
    assert cli("check", book=s1).code == 0  # only warnings (a receipt-number gap) on the branch's own
    git(s1, "commit", "-qam", "the last day was a mistake")
    git(s1, "push", "-q", "origin", "main")
    r = cli("company", "pull", "--company", str(hq), "--format", "json")
    store1 = next(b for b in r.json["branches"] if b["branch"] == "store1")
    assert r.code == 1 and store1["status"] == "failed"
    messages = " ".join(p["message"] for p in store1["problems"])
    assert "seal-log line of 2026-11-02 was deleted" in messages and "sealed day 2026-11-02 was deleted" in messages


def test_new_days_are_witnessed_and_an_unreachable_branch_shows_its_age(cli, stores, hq, tmp_path):
    books, _ = stores
    close(cli, books["store1"], "2026-11-03")
    ok(cli("sync", book=books["store1"]))
    remote = tmp_path / "remotes" / "store3.git"
    remote.rename(remote.with_name("away.git"))
    r = run_cli("company", "pull", "--company", str(hq), "--format", "json", env={"CASHBOOK_NOW": "2026-11-21T13:30:00+08:00"})
    assert r.code == 1
    st = {b["branch"]: b for b in r.json["branches"]}
    assert st["store1"]["new_sealed_days"] == ["2026-11-03"]
    assert st["store3"]["status"] == "unreachable" and st["store3"]["last_good_pull"] == "2026-11-20T10:00:00+08:00"
    assert st["store3"]["age_of_last_good_pull"] == "1 day(s) 3 h"
    bal = company(cli, hq, "balances", "--date", "2026-11-02")
    assert bal.code == 0 and bal.json["branches"] == list(STORES)  # its last good figures, flagged
    assert bal.json["stale"][0]["branch"] == "store3"
    remote.with_name("away.git").rename(remote)
    ok(cli("company", "pull", "--company", str(hq)))
    assert company(cli, hq, "balances").json["stale"] == []


def test_a_pull_cut_short_leaves_the_company_readable_and_the_next_completes(cli, stores, hq, monkeypatch):
    monkeypatch.setenv("CASHBOOK_NO_CACHE", "1")  # read the branch copies themselves, not a kept report
    books, urls = stores
    s1 = books["store1"]
    ok(cli("receive", "300", "--from", "B", "--category", "rent", "--date", "2026-11-03", book=s1))
    ok(cli("sync", book=s1))
    before = company(cli, hq, "balances", "--date", "2026-11-03").json
    copy = hq / "branches" / "store1"
    git(copy, "fetch", "-q", urls["store1"], "main")
    git(copy, "checkout", "-q", "-f", "--detach", "FETCH_HEAD")  # killed after checkout, before verification
    (copy / ".git" / "index.lock").write_text("")  # and with git's lock left behind
    after = company(cli, hq, "balances", "--date", "2026-11-03")
    assert after.code == 0 and after.json["accounts"] == before["accounts"]  # still the accepted figures
    # killed in the middle of the checkout: HEAD not moved yet, some files already new
    state = json.loads((hq / "pulls.json").read_text())
    state["store1"]["pulling"] = "0" * 40
    (hq / "pulls.json").write_text(json.dumps(state))
    (copy / "journals/2026/2026-11-03.toml").write_text((s1 / "journals/2026/2026-11-03.toml").read_text())
    after = company(cli, hq, "balances", "--date", "2026-11-03")
    assert after.code == 0 and after.json["accounts"] == before["accounts"]
    assert "pulling" not in json.loads((hq / "pulls.json").read_text())["store1"]
    ok(cli("company", "pull", "--company", str(hq)))
    cash = next(r for r in company(cli, hq, "balances", "--date", "2026-11-03").json["accounts"] if r["account"] == "cash")
    assert cash["branches"]["store1"] == "1800.00"


def test_company_check_runs_check_on_every_branch(cli, hq):
    r = cli("company", "check", "--company", str(hq), "--format", "json")
    assert r.code == 0 and [b["branch"] for b in r.json["branches"]] == list(STORES) and all(b["ok"] for b in r.json["branches"])


def test_a_bad_company_file_is_a_clear_error(cli, tmp_path):
    hq = tmp_path / "bad"
    hq.mkdir()
    (hq / "company.toml").write_text('name = "x"\n[[branches]]\nname = "s1"\n')
    r = cli("company", "pull", "--company", str(hq))
    assert r.code == 2 and "has no url" in r.err
    (hq / "company.toml").write_text("name = \n")
    r = run_cli("company", "report", "balances", "--company", str(hq))
    assert r.code == 2 and "company.toml" in r.err and "Traceback" not in r.err
    r = run_cli("company", "check", "--company", str(tmp_path / "nowhere"))
    assert r.code == 2 and "not-a-company" in r.err


def test_the_readme_walk_through_runs(tmp_path):
    """The README's three stores and head office, run as written (in a temporary folder)."""
    from conftest import NOW, ROOT

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Several stores and head office"):]
    block = section[section.index("```sh\n") + 6:section.index("```\n", section.index("```sh\n") + 6)]
    assert "cashbook company report balances" in block and "cashbook company pull" in block
    script = "set -e\ncashbook() { \"$PY\" -m cashbook \"$@\"; }\n" + block.replace("/tmp/chain", str(tmp_path / "chain"))
    import os
    import sys

    env = {**os.environ, "PY": sys.executable, "CASHBOOK_NOW": NOW, "COLUMNS": "200"}
    p = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    assert "store1: ok" in p.stdout and "store3: ok" in p.stdout and "Traceback" not in p.stderr
    assert "4,800.00" in p.stdout  # the balances total of the three stores


def test_a_branch_that_is_no_book_or_has_pushed_nothing_fails_alone(cli, stores, hq, tmp_path):
    other = tmp_path / "notabook"
    other.mkdir()
    git(other, "init", "-q", "-b", "main")
    (other / "README").write_text("not a book\n")
    git(other, "add", "-A")
    git(other, "commit", "-qm", "x")
    empty = tmp_path / "remotes" / "empty.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(empty))
    with open(hq / "company.toml", "a", encoding="utf-8") as f:
        f.write(f'\n[[branches]]\nname = "odd"\nurl = "{other.as_uri()}"\n\n[[branches]]\nname = "new"\nurl = "{empty.as_uri()}"\n')
    r = cli("company", "pull", "--company", str(hq), "--format", "json")
    assert r.code == 1
    st = {b["branch"]: b for b in r.json["branches"]}
    assert [st[n]["status"] for n in STORES] == ["ok"] * 3
    assert st["odd"]["status"] == "failed" and "policies.toml" in st["odd"]["reason"]
    assert st["new"]["status"] == "failed" and "nothing pushed" in st["new"]["reason"]
    bal = company(cli, hq, "balances")
    assert bal.code == 1 and bal.json["branches"] == list(STORES)
    assert {x["branch"] for x in bal.json["left_out"]} == {"odd", "new"}


def test_a_kept_consolidated_report_is_byte_identical_to_a_fresh_one(cli, stores, hq, monkeypatch, tmp_path):
    calls = [("balances", "--date", "2026-11-02"), ("month", "2026-11"), ("day", "2026-11-02"), ("advances",), ("deposits",),
             ("cheques", "--from", "2026-11-01")]
    for args in calls:
        for fmt in ("json", "csv", "table"):
            monkeypatch.setenv("CASHBOOK_NO_CACHE", "1")
            fresh = cli("company", "report", *args, "--company", str(hq), "--format", fmt, "--lang", "zh")
            monkeypatch.delenv("CASHBOOK_NO_CACHE")
            first = cli("company", "report", *args, "--company", str(hq), "--format", fmt, "--lang", "zh")
            kept = cli("company", "report", *args, "--company", str(hq), "--format", fmt, "--lang", "zh")
            assert fresh.code == first.code == kept.code and fresh.out == first.out == kept.out, (args, fmt)
    assert list((tmp_path / "user-cache" / "cashbook" / "company").rglob("*.json"))  # it was kept, outside the company folder
    s1 = stores[0]["store1"]
    assert company(cli, hq, "balances", "--date", "2026-11-03").json["accounts"][0]["branches"]["store1"] == "1500.00"
    ok(cli("receive", "300", "--from", "B", "--category", "rent", "--date", "2026-11-03", book=s1))
    ok(cli("sync", book=s1))
    ok(cli("company", "pull", "--company", str(hq)))  # a new accepted commit: the kept report is not used
    cash = next(r for r in company(cli, hq, "balances", "--date", "2026-11-03").json["accounts"] if r["account"] == "cash")
    assert cash["branches"]["store1"] == "1800.00"


def test_a_company_without_branches_says_so(cli, tmp_path):
    ok(cli("company", "init", str(tmp_path / "hq0")))
    r = cli("company", "pull", "--company", str(tmp_path / "hq0"))
    assert r.code == 2 and "lists no branches" in r.err


def test_a_new_day_sealed_then_edited_fails_the_pull_though_never_witnessed(cli, stores, hq):
    """Days head office has not seen yet are verified at the pull that brings them: the
    changed part of the book (the new seals against the witnessed chain, the changed files)."""
    books, _ = stores
    s3 = books["store3"]
    ok(cli("receive", "100", "--from", "C", "--category", "rent", "--date", "2026-11-03", book=s3))
    ok(cli("bank-deposit", "100", "--account", "bank", "--date", "2026-11-03", book=s3))
    close(cli, s3, "2026-11-03", "100x9")
    f = s3 / "journals/2026/2026-11-03.toml"
    f.write_text(f.read_text().replace('amount = "100.00"', 'amount = "10.00"', 1))
    git(s3, "commit", "-qam", "after the seal")
    (s3 / "journals/2026/2026-11-04.toml").write_text("[[entry]\nbroken")
    git(s3, "add", "-A")
    git(s3, "commit", "-qm", "and a broken open day")
    git(s3, "push", "-q", "origin", "main")
    r = cli("company", "pull", "--company", str(hq), "--format", "json")
    store3 = next(b for b in r.json["branches"] if b["branch"] == "store3")
    assert r.code == 1 and store3["status"] == "failed"
    codes = {(p["code"], p.get("file")) for p in store3["problems"]}
    assert ("seal-broken", "journals/2026/2026-11-03.toml") in codes
    assert ("toml-syntax", "journals/2026/2026-11-04.toml") in codes
    assert [l.split()[0] for l in (hq / "witness" / "store3.log").read_text().splitlines()[1:]] == ["2026-11-01", "2026-11-02"]
