"""Branch books over git: `sync setup`, `close day` commits, `sync` refuses rewritten sealed days.

Remotes are local bare repositories (file:// URLs); git's identity comes from the
environment and the repositories' own config, never the user's global config.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NOW, run_cli

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed (.ci/apt-packages lists it)")

IDENTITY = {"GIT_AUTHOR_NAME": "收银员 Li", "GIT_AUTHOR_EMAIL": "li@store1.example", "GIT_COMMITTER_NAME": "收银员 Li",
            "GIT_COMMITTER_EMAIL": "li@store1.example"}


@pytest.fixture(autouse=True)
def git_env(tmp_path, monkeypatch):
    """Git sees no global or system config of the machine running the tests."""
    empty = tmp_path / "gitconfig"
    empty.write_text("")
    for k, v in {**IDENTITY, "GIT_CONFIG_GLOBAL": str(empty), "GIT_CONFIG_NOSYSTEM": "1", "XDG_CACHE_HOME": str(tmp_path / "user-cache")}.items():
        monkeypatch.setenv(k, v)


def git(cwd: Path, *args: str) -> str:
    p = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p.stdout


def bare(tmp_path: Path, name: str = "store1") -> tuple[Path, str]:
    path = tmp_path / "remotes" / f"{name}.git"
    path.parent.mkdir(exist_ok=True)
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(path))
    return path, path.as_uri()


def day(cli, book: Path, date: str, receipt: str | None = None) -> None:
    """A day with a receipt banked the same day, counted and sealed (cash stays 1,500.00)."""
    d = ["--date", date]
    if receipt:
        assert cli("receive", receipt, "--from", "ACME", "--category", "rent", *d, book=book).code == 0
        assert cli("bank-deposit", receipt, "--account", "bank", *d, book=book).code == 0
    assert cli("count", date, "100x15", book=book).code == 0
    r = cli("close", "day", date, book=book)
    assert r.code == 0, r.out + r.err


def record(cli, book: Path, date: str, amount: str = "100") -> None:
    assert cli("receive", amount, "--from", "ACME", "--category", "rent", "--date", date, book=book).code == 0


def head(repo: Path, ref: str = "HEAD") -> str:
    return git(repo, "rev-parse", ref).strip()


@pytest.fixture
def synced(cli, book, tmp_path):
    """The `book` fixture as a branch book with 11-01 sealed and pushed to a bare remote."""
    remote, url = bare(tmp_path)
    r = cli("sync", "setup", url, book=book)
    assert r.code == 0, r.err
    day(cli, book, "2026-11-01")
    r = cli("sync", book=book)
    assert r.code == 0, r.err
    return book, remote, url


def other_clone(tmp_path: Path, url: str, name: str = "other") -> Path:
    """Someone else's clone of the remote (an attacker, or a second machine using plain git)."""
    dest = tmp_path / name
    git(tmp_path, "clone", "-q", "-b", "main", url, str(dest))
    return dest


def test_setup_makes_a_repository_that_ignores_the_lock_and_cache(cli, book, tmp_path):
    remote, url = bare(tmp_path)
    r = cli("sync", "setup", url, "--format", "json", book=book)
    assert r.code == 0 and r.json["created"] is True
    ignored = (book / ".gitignore").read_text().splitlines()
    assert ".cashbook/" in ignored and ".cashbook.lock" in ignored
    assert git(book, "remote", "get-url", "origin").strip() == url
    assert git(book, "status", "--porcelain") == ""  # everything of the book is committed
    tracked = git(book, "ls-files").split()
    assert "policies.toml" in tracked and "journals/2026/2026-11-01.toml" in tracked
    assert not any(".cashbook" in t for t in tracked)
    again = cli("sync", "setup", url, book=book)  # idempotent: no second remote, no empty commit
    assert again.code == 0 and git(book, "rev-list", "--count", "HEAD").strip() == "1"


def test_close_day_commits_the_day_with_its_figures_and_seal(cli, synced):
    book, remote, _ = synced
    day(cli, book, "2026-11-02", receipt="1200")
    message = git(book, "log", "-1", "--format=%B")
    seal = [line.split()[1] for line in (book / "journals" / "seals.log").read_text().splitlines() if line.startswith("2026-11-02")][0]
    assert message.startswith("close 2026-11-02: 3 entries, cash 1500.00, seal " + seal[:16])
    assert f"Cashbook-Seal: {seal}" in message
    files = git(book, "show", "--name-only", "--format=", "HEAD").split()
    assert files == ["journals/2026/2026-11-02.toml", "journals/seals.log"]
    assert git(book, "log", "-1", "--format=%an <%ae>").strip() == "收银员 Li <li@store1.example>"
    assert git(book, "status", "--porcelain") == ""
    r = cli("sync", "--format", "json", book=book)
    assert r.code == 0 and r.json["pushed"] == 1
    assert head(remote, "main") == head(book)


def test_the_policy_names_the_author(cli, synced):
    book, _, _ = synced
    policy = book / "policies.toml"  # a change of the rules after a sealed day says from when (effective)
    policy.write_text('effective = "2026-11-02"\n' + policy.read_text(encoding="utf-8")
                      + '\n[sync]\nauthor = "王出纳 <wang@store1.example>"\n', encoding="utf-8")
    record(cli, book, "2026-11-02")
    assert cli("sync", book=book).code == 0
    assert git(book, "log", "-1", "--format=%an <%ae>").strip() == "王出纳 <wang@store1.example>"


def test_close_day_in_a_plain_book_touches_no_git(cli, book):
    day(cli, book, "2026-11-01")
    assert not (book / ".git").exists()
    r = cli("sync", book=book)
    assert r.code == 2 and "not-synced" in r.err and "sync setup" in r.err


def test_a_sealed_day_changed_at_the_remote_is_refused(cli, synced, tmp_path):
    book, remote, url = synced
    evil = other_clone(tmp_path, url)
    f = evil / "journals/2026/2026-11-01.toml"
    f.write_text(f.read_text().replace("1500.00", "1400.00"))
    git(evil, "commit", "-qam", "a quiet edit")
    git(evil, "push", "-q", "origin", "main")
    before, tip = head(book), head(remote, "main")
    r = cli("sync", book=book)
    assert r.code == 2
    assert "sync-refused" in r.err and "changes sealed day 2026-11-01" in r.err
    assert head(book) == before and head(remote, "main") == tip  # nothing merged, nothing pushed over it
    assert "1400.00" not in (book / "journals/2026/2026-11-01.toml").read_text()
    again = cli("sync", book=book)  # refused every time, not only the first
    assert again.code == 2 and "2026-11-01" in again.err


def test_a_dropped_seal_log_line_at_the_remote_is_refused(cli, synced, tmp_path):
    book, _, url = synced
    day(cli, book, "2026-11-02")
    assert cli("sync", book=book).code == 0
    evil = other_clone(tmp_path, url)
    log = evil / "journals/seals.log"
    log.write_text("".join(line for line in log.read_text().splitlines(True) if not line.startswith("2026-11-02")))
    (evil / "journals/2026/2026-11-02.toml").unlink()
    git(evil, "commit", "-qam", "the last day never happened")
    git(evil, "push", "-q", "origin", "main")
    r = cli("sync", "--format", "json", book=book)
    assert r.code == 2
    messages = [p["message"] for p in r.json["problems"]]
    assert any("deletes sealed day 2026-11-02" in m for m in messages)
    assert any("drops the seal-log line of 2026-11-02" in m for m in messages)


def test_a_reordered_seal_log_at_the_remote_is_refused(cli, synced, tmp_path):
    book, _, url = synced
    day(cli, book, "2026-11-02")
    assert cli("sync", book=book).code == 0
    evil = other_clone(tmp_path, url)
    log = evil / "journals/seals.log"
    lines = log.read_text().splitlines(True)
    log.write_text(lines[0] + lines[2] + lines[1])
    git(evil, "commit", "-qam", "swap")
    git(evil, "push", "-q", "origin", "main")
    r = cli("sync", book=book)
    assert r.code == 2 and "reorders the seal log at 2026-11-01" in r.err


def test_a_force_pushed_history_that_loses_a_sealed_day_is_refused(cli, synced, tmp_path):
    book, remote, url = synced
    evil = other_clone(tmp_path, url)
    first = git(evil, "rev-list", "--max-parents=0", "HEAD").strip()
    git(evil, "reset", "-q", "--hard", first)  # back to before the close
    record(cli, evil, "2026-11-02")  # and a new history on top
    git(evil, "add", "-A")
    git(evil, "commit", "-qm", "another story")
    git(evil, "push", "-q", "--force", "origin", "main")
    r = cli("sync", book=book)
    assert r.code == 2 and "history was rewritten" in r.err and "2026-11-01" in r.err
    assert head(remote, "main") == head(evil)  # we never force our history back either


def test_an_edit_of_a_sealed_day_here_is_never_committed(cli, synced):
    book, remote, _ = synced
    f = book / "journals/2026/2026-11-01.toml"
    f.write_text(f.read_text().replace("1500.00", "1600.00"))
    before = head(book)
    r = cli("sync", book=book)
    assert r.code == 2 and "changes sealed day 2026-11-01" in r.err and "git checkout HEAD --" in r.err
    assert head(book) == before and head(remote, "main") == before
    assert git(book, "diff", "--cached", "--name-only") == ""  # nothing left staged either


def test_two_machines_merge_disjoint_open_days(cli, synced, tmp_path):
    book, remote, url = synced
    second = tmp_path / "second"
    r = cli("sync", "setup", url, book=second)  # a second machine joins by cloning
    assert r.code == 0 and "cloned" in r.out
    record(cli, book, "2026-11-02", "100")
    record(cli, second, "2026-11-03", "50")
    assert cli("sync", book=book).code == 0
    r = cli("sync", "--format", "json", book=second)
    assert r.code == 0 and r.json["merged"] == "merge" and r.json["fetched"] == 1
    assert cli("sync", book=book).code == 0
    for b in (book, second):
        assert {p.name for p in (b / "journals/2026").iterdir()} >= {"2026-11-02.toml", "2026-11-03.toml"}
        assert head(b) == head(remote, "main")
    assert cli("check", book=book).code == 0


def test_the_same_day_written_on_two_machines_is_refused(cli, synced, tmp_path):
    book, remote, url = synced
    second = tmp_path / "second"
    assert cli("sync", "setup", url, book=second).code == 0
    record(cli, book, "2026-11-02", "100")
    record(cli, second, "2026-11-02", "70")
    assert cli("sync", book=book).code == 0
    tip = head(remote, "main")
    r = cli("sync", book=second)
    assert r.code == 2 and "sync-conflict" in r.err and "day 2026-11-02" in r.err
    assert head(remote, "main") == tip


def test_a_day_sealed_on_one_machine_does_not_merge_with_earlier_open_days_of_another(cli, synced, tmp_path):
    book, remote, url = synced
    second = tmp_path / "second"
    assert cli("sync", "setup", url, book=second).code == 0
    day(cli, book, "2026-11-03")  # 11-02 had nothing here; 11-03 sealed
    record(cli, second, "2026-11-02", "70")  # but the other machine wrote 11-02
    assert cli("sync", book=book).code == 0
    r = cli("sync", book=second)
    assert r.code == 2 and "2026-11-02" in r.err and "sealed" in r.err


def test_an_unreachable_remote_keeps_the_book_and_the_next_sync_completes(cli, synced, tmp_path):
    book, remote, _ = synced
    away = remote.with_name("moved.git")
    remote.rename(away)
    day(cli, book, "2026-11-02", receipt="300")
    r = cli("sync", book=book)
    assert r.code == 1 and "remote-unreachable" in r.err and "run `cashbook sync` again" in r.err
    assert git(book, "status", "--porcelain") == ""  # committed locally all the same
    assert cli("check", book=book).code == 0
    away.rename(remote)
    r = cli("sync", "--format", "json", book=book)
    assert r.code == 0 and r.json["pushed"] == 1
    assert head(remote, "main") == head(book)


def test_a_push_that_fails_midway_changes_nothing_and_is_retried(cli, synced):
    book, remote, _ = synced
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'no space left on device' >&2\nexit 1\n")
    hook.chmod(0o755)
    tip = head(remote, "main")
    day(cli, book, "2026-11-02")
    r = cli("sync", book=book)
    assert r.code == 1 and "cannot push" in r.err
    assert head(remote, "main") == tip and head(book, "refs/remotes/origin/main") == tip
    hook.unlink()
    assert cli("sync", book=book).code == 0
    assert head(remote, "main") == head(book)


def test_a_killed_merge_is_undone_before_the_next_sync(cli, synced, tmp_path):
    book, remote, url = synced
    evil = other_clone(tmp_path, url)
    record(cli, evil, "2026-11-05")
    git(evil, "add", "-A")
    git(evil, "commit", "-qm", "day 5 on the other machine")
    git(evil, "push", "-q", "origin", "main")
    record(cli, book, "2026-11-04")
    git(book, "add", "-A")
    git(book, "commit", "-qm", "day 4 here")
    git(book, "fetch", "-q", "origin")
    git(book, "merge", "--no-commit", "--no-ff", "origin/main")  # a sync killed in the middle of its merge
    assert (book / ".git" / "MERGE_HEAD").exists()
    r = cli("sync", book=book)
    assert r.code == 0, r.err
    assert head(remote, "main") == head(book)
    assert (book / "journals/2026/2026-11-05.toml").exists() and cli("check", book=book).code == 0


def test_two_machines_syncing_at_once_both_land(cli, synced, tmp_path):
    """Two processes sync one branch book's remote at the same instant: the push that loses
    the race fetches again, merges and pushes; neither day is lost, nothing is forced."""
    book, remote, url = synced
    second = tmp_path / "second"
    assert cli("sync", "setup", url, book=second).code == 0
    record(cli, book, "2026-11-02")
    record(cli, second, "2026-11-03")
    env = {**os.environ, "CASHBOOK_NOW": NOW, "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    procs = [subprocess.Popen([sys.executable, "-m", "cashbook", "sync", "--book", str(b)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for b in (book, second)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
    assert cli("sync", book=book).code == 0
    names = git(remote, "ls-tree", "-r", "--name-only", "main").split()
    assert "journals/2026/2026-11-02.toml" in names and "journals/2026/2026-11-03.toml" in names


def test_sync_runs_as_a_real_command(synced, tmp_path):
    book, remote, _ = synced
    r = run_cli("sync", "--format", "json", book=book)
    assert r.code == 0 and r.json["ok"] is True and "Traceback" not in r.err
    bad = run_cli("sync", "setup", "", book=tmp_path / "nothing")
    assert bad.code == 2 and "bad-option" in bad.err and "Traceback" not in bad.err


# -- signed commits -----------------------------------------------------------------------

def _signing(tmp_path: Path, book: Path, allowed: bool = True) -> None:
    """SSH signing in the book's own repository config (ssh-keygen makes a throwaway key)."""
    key = tmp_path / "signing_key"
    if not key.exists():
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "li", "-f", str(key)], check=True)
    signers = tmp_path / "allowed_signers"
    pub = (tmp_path / "signing_key.pub").read_text().split()
    signers.write_text(f"{IDENTITY['GIT_COMMITTER_EMAIL']} {pub[0]} {pub[1]}\n" if allowed else "")
    for k, v in {"gpg.format": "ssh", "user.signingkey": str(key), "commit.gpgsign": "true",
                 "gpg.ssh.allowedSignersFile": str(signers)}.items():
        git(book, "config", k, v)


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is needed to make a signing key")
def test_signed_sealed_days_pass_and_unsigned_or_unverifiable_ones_are_reported(cli, book, tmp_path):
    with open(book / "policies.toml", "a", encoding="utf-8") as f:
        f.write("\n[sync]\nrequire_signed = true\n")
    assert cli("check", book=book).code == 0  # nothing sealed yet: nothing to sign
    _, url = bare(tmp_path)
    assert cli("sync", "setup", url, book=book).code == 0
    _signing(tmp_path, book)
    day(cli, book, "2026-11-01")
    assert git(book, "log", "-1", "--format=%G?").strip() == "G"
    r = cli("check", "--format", "json", book=book)
    assert r.code == 0, r.out
    git(book, "config", "commit.gpgsign", "false")
    day(cli, book, "2026-11-02")
    r = cli("check", "--format", "json", book=book)
    assert r.code == 1
    found = {(p["code"], p.get("day")) for p in r.json["problems"]}
    assert ("unsigned-seal", "2026-11-02") in found and not any(d == "2026-11-01" for _, d in found)
    _signing(tmp_path, book, allowed=False)  # the key is no longer one the book trusts
    r = cli("check", "--format", "json", book=book)
    assert ("bad-signature", "2026-11-01") in {(p["code"], p.get("day")) for p in r.json["problems"]}


def test_signatures_are_not_asked_for_unless_the_policy_says_so(cli, synced):
    book, _, _ = synced
    assert git(book, "log", "-1", "--format=%G?").strip() == "N"
    assert cli("check", book=book).code == 0


def test_a_remote_whose_branch_was_deleted_is_not_quietly_refilled(cli, synced):
    book, remote, _ = synced
    git(remote, "update-ref", "-d", "refs/heads/main")
    r = cli("sync", book=book)
    assert r.code == 2 and "no longer has the book's main branch" in r.err
    assert git(remote, "for-each-ref").strip() == ""  # nothing pushed
    git(book, "update-ref", "-d", "refs/remotes/origin/main")  # what the message says to do for a new remote
    assert cli("sync", book=book).code == 0 and head(remote, "main") == head(book)
