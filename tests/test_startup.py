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
