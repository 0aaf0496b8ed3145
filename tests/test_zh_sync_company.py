"""Full Chinese (issue 17, 2), the rest of the commands: `sync setup`, `sync`, `company init / pull
/ check / report` (also from head office's cache) and the notes under `bank import`, run in zh,
print no English word outside codes, ids, names and paths (the same test as test_zh_everything)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from test_bank_imports import MT940_MULTI, mt940, set_account, wechat_csv
from test_company import git_identity
from test_zh_everything import english_words

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed (.ci/apt-packages lists it)")

GM = ("--approved-by", "gm:王总")


@pytest.fixture(autouse=True)
def zh_env(tmp_path, monkeypatch):
    for k, v in {**git_identity(tmp_path), "CASHBOOK_LANG": "zh"}.items():
        monkeypatch.setenv(k, v)


def said(r) -> str:
    return r.out + "\n" + r.err


def chinese(r, book: Path, codes=(0,), data: tuple[str, ...] = ()) -> str:
    """The output of ``r``, held to no English word; ``data``: text from the files read (a bank's memo) is theirs."""
    text = said(r)
    assert r.code in codes, text
    assert "Traceback" not in text
    names = text
    for d in data:
        names = names.replace(d, " ")
    names = re.sub(r"\b(?:file|ssh|https?)://[^\s，；：（）`]+|\bgit\b", " ", names)  # a URL, and git, are names
    assert english_words(names, book) == [], text
    return text


def store(cli, tmp_path: Path, name: str) -> tuple[Path, str]:
    remote = tmp_path / "remotes" / f"{name}.git"
    remote.parent.mkdir(exist_ok=True)
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    book = tmp_path / name
    assert cli("init", str(book)).code == 0
    assert cli("opening", "cash", "1500", "--date", "2026-11-01", book=book).code == 0
    assert cli("opening", "bank", "50000", "--date", "2026-11-01", book=book).code == 0
    return book, remote.as_uri()


def test_sync_speaks_chinese(cli, tmp_path):
    book, url = store(cli, tmp_path, "store1")
    text = chinese(cli("sync", "setup", url, book=book), book)
    assert url in text and "门店账簿" in text
    assert cli("count", "2026-11-01", "100x15", book=book).code == 0
    chinese(cli("close", "day", "2026-11-01", book=book), book, (0, 1))
    chinese(cli("sync", book=book), book)  # pushes
    chinese(cli("sync", book=book), book)  # the remote is up to date
    assert cli("receive", "100", "--from", "张三", "--category", "rent", "--date", "2026-11-02", book=book).code == 0
    chinese(cli("sync", "-m", "收款", book=book), book)  # commits and pushes
    second = tmp_path / "second"
    chinese(cli("sync", "setup", url, book=second), book)  # clones
    chinese(cli("sync", book=second), book)  # takes nothing new
    # both machines write the same open day: a conflict, said in Chinese
    for where, amount in ((second, "10"), (book, "20")):
        assert cli("receive", amount, "--from", "张三", "--category", "rent", "--date", "2026-11-03", book=where).code == 0
    chinese(cli("sync", book=second), book)
    assert "每一天只在一台机器上登记" in chinese(cli("sync", book=book), book, (2,))  # the sentence, not just the code's name
    # the policy asks for signed commits: the unsigned sealed day is named in Chinese
    with open(second / "policies.toml", "a", encoding="utf-8") as f:
        f.write("\n[sync]\nrequire_signed = true\n")
    text = chinese(cli("check", book=second), second, (1,))
    assert "unsigned-seal" in text and "没有签名" in text
    # refusals: no git in the book, no remote, a sealed day edited
    plain, _ = store(cli, tmp_path, "plain")
    chinese(cli("sync", book=plain), plain, (2,))
    chinese(cli("sync", "setup", "", book=plain), plain, (2,))
    sealed = book / "journals" / "2026" / "2026-11-01.toml"
    sealed.write_text(sealed.read_text("utf-8").replace("1500", "1600"), "utf-8")
    chinese(cli("sync", book=book), book, (2,))


def test_company_speaks_chinese(cli, tmp_path):
    books, urls = {}, {}
    for name in ("store1", "store2"):
        book, url = store(cli, tmp_path, name)
        assert cli("sync", "setup", url, book=book).code == 0
        assert cli("count", "2026-11-01", "100x15", book=book).code == 0
        assert cli("close", "day", "2026-11-01", book=book).code in (0, 1)
        assert cli("advance", "600", "--to", "张三", "--purpose", "出差", "--due", "2026-11-10", "--approved-by", "dept-head:赵主任",
                   *GM, "--date", "2026-11-02", book=book).code == 0
        assert cli("sync", book=book).code == 0
        books[name], urls[name] = book, url
    empty = tmp_path / "remotes" / "store3.git"  # a branch that never pushed: left out, its reason in the notes
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(empty)], check=True)
    urls["store3"] = empty.as_uri()
    hq = tmp_path / "hq"
    book = books["store1"]
    chinese(cli("company", "init", str(hq), "--name", "总部", *[a for n in urls for a in ("--branch", f"{n}={urls[n]}")]), book)
    assert "已存在" in chinese(cli("company", "init", str(hq), "--branch", "x=file:///nowhere"), book, (2,))
    assert "门店名" in chinese(cli("company", "init", str(tmp_path / "hq2"), "--branch", "store 1=file:///x"), book, (2,))
    assert "NAME=URL" in chinese(cli("company", "init", str(tmp_path / "hq2"), "--branch", "x"), book, (2,))
    assert "没有 company.toml" in chinese(cli("company", "pull", "--company", str(tmp_path)), book, (2,))
    chinese(cli("company", "pull", "--company", str(hq)), book, (1,))
    chinese(cli("company", "check", "--company", str(hq)), book, (1,))
    for args in (("balances",), ("month", "2026-11"), ("day", "2026-11-01"), ("advances",), ("deposits",), ("cheques",)):
        first = chinese(cli("company", "report", *args, "--company", str(hq)), book, (0, 1))
        again = chinese(cli("company", "report", *args, "--company", str(hq)), book, (0, 1))  # from the cache
        assert again == first and "store3" in again
    # a branch whose remote is gone: named, left out, its last good pull's age said
    shutil.rmtree(tmp_path / "remotes" / "store2.git")
    chinese(cli("company", "pull", "--company", str(hq)), book, (1,))
    chinese(cli("company", "check", "--company", str(hq)), book, (0, 1))
    chinese(cli("company", "report", "balances", "--company", str(hq)), book, (0, 1))


def test_bank_import_notes_speak_chinese(cli, book, tmp_path):
    path = tmp_path / "wechat.csv"
    path.write_bytes(wechat_csv())
    first = chinese(cli("bank", "import", str(path), "--account", "bank", book=book), book)
    again = chinese(cli("bank", "import", str(path), "--account", "bank", book=book), book)
    assert "服务费" in first and "8" in again
    # a file of several accounts, one taken: the account checked, the others left out (warnings on stderr)
    multi = tmp_path / "multi.sta"
    multi.write_bytes(mt940(MT940_MULTI))
    set_account(book, "JP00123456789", "JPY")
    text = chinese(cli("bank", "import", str(multi), "--account", "bank", "--statement-account", "JP00123456789", book=book), book,
                   data=("payment C1", "payment C2"))  # the bank's memo, as the file has it
    assert "已核对" in text and "未导入（其他账户或币种）" in text
