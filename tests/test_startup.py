"""Start-up work (issue 14, 5): the top-level help lists the commands without building the
whole command tree, and says what the whole tree would."""

from __future__ import annotations

import copy

import pytest


def built_commands(monkeypatch) -> list[str]:
    """Names of the commands Typer builds with their options (the costly part of a start)."""
    import typer.main

    built: list[str] = []
    real = typer.main._get_params_name_from_function

    def spy(callback):
        params = real(callback)
        if callback is not None and params[0]:
            built.append(callback.__name__)
        return params

    monkeypatch.setattr(typer.main, "_get_params_name_from_function", spy)
    return built


@pytest.mark.parametrize("args", [("--help",), ("-h",), ()])
def test_the_top_level_help_builds_no_command(cli, monkeypatch, args):
    from cashbook.cli import main

    built = built_commands(monkeypatch)
    r = cli(*args)
    assert "Commands" in r.out and "receive" in r.out and "report" in r.out
    commands = {c.callback.__name__ for c in main.app.registered_commands}
    commands |= {c.callback.__name__ for g in main.app.registered_groups for c in g.typer_instance.registered_commands}
    assert "_main" in built and not set(built) & commands, built  # the app's own options (--book, --version), no command's


@pytest.mark.parametrize("args", [("--help",), ("-h",)])
def test_the_top_level_help_reads_no_policy_and_builds_no_lang_option(cli, monkeypatch, args):
    """The listing shows no command's options, so the commands it lists get no --lang (each one
    built a probe command), and it reads the same in both languages: the book's is not looked up."""
    from cashbook.cli import common

    calls: list[str] = []
    real_option, real_lang = common.lang_option, common.book_lang
    monkeypatch.setattr(common, "lang_option", lambda: calls.append("lang_option") or real_option())
    monkeypatch.setattr(common, "book_lang", lambda book=None: calls.append("book_lang") or real_lang(book))
    r = cli(*args)
    assert r.code == 0 and "receive" in r.out and calls == [], calls
    assert cli("receive", "--help").code == 0 and calls.count("lang_option") == 1 and "book_lang" in calls, calls


def test_the_top_level_help_is_the_whole_trees_help(cli, monkeypatch):
    from typer.main import get_command

    from cashbook.cli import main
    from cashbook.cli.helptext import polish

    light = cli("--help")
    monkeypatch.setattr(main, "_listing_only", lambda app: copy.copy(app))  # the whole tree, as before
    whole = cli("--help")
    assert light.out == whole.out and light.code == whole.code == 0
    command = get_command(main.app)
    polish(command)
    for name in command.commands:
        assert name in light.out


def test_a_command_still_builds_its_options(cli, monkeypatch):
    built = built_commands(monkeypatch)
    r = cli("words", "1680.32")
    assert r.code == 0 and "words" in built


def test_the_help_loads_no_entry_model_nor_printer():
    """Setting the language before parsing must not load the printers, the entry models
    and pydantic's validators for a help page (issue 14: `--help` ≤ 1.2× a bare Typer app)."""
    import subprocess
    import sys

    probe = ("import sys; sys.argv = ['cashbook', '--help']\n"
             "from cashbook.cli.main import run\n"
             "try:\n    run()\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in sys.modules if m.startswith('cashbook.')), file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert "receive" in r.stdout
    loaded = r.stderr
    for heavy in ("cashbook.core.entries", "cashbook.core.policy", "cashbook.render.zh", "cashbook.reports"):
        assert f"'{heavy}" not in loaded, loaded
