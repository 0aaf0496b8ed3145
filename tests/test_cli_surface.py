"""The command line as users and scripts see it stays put while its insides are rebuilt: every
command's and subcommand's options (names, types, defaults, metavars, help, order) and its
rendered ``--help``, compared with tests/cli_surface.json.

A deliberate change of an option or of help text is recorded by rewriting the snapshot:
    PYTHONPATH=$PWD/src python tests/test_cli_surface.py --write
and the diff of tests/cli_surface.json shows the change in review."""

from __future__ import annotations

import contextlib
import enum
import io
import json
import os
import sys
from pathlib import Path

SNAPSHOT = Path(__file__).with_name("cli_surface.json")
FIELDS = ("name", "opts", "secondary_opts", "required", "multiple", "nargs", "is_flag", "count", "metavar", "help", "hidden",
          "envvar", "show_default", "is_eager", "expose_value", "min", "max")


def _annotation(param) -> str:
    kind = param.type_descriptor.annotation
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return f"{kind.__name__}{[m.value for m in kind]}"
    return repr(kind)


def _param(param) -> dict:
    out = {k: getattr(param, k, None) for k in FIELDS}
    out["kind"] = type(param).__name__
    out["annotation"] = _annotation(param)
    out["default"] = repr(getattr(param.default, "value", param.default))
    out["callback"] = getattr(param.callback, "__name__", None)
    return out


def _walk(command, path: str, out: dict) -> None:
    subs = getattr(command, "commands", None)
    out[path] = {"help": command.help, "short_help": command.short_help, "hidden": command.hidden,
                 "no_args_is_help": command.no_args_is_help, "commands": list(subs) if subs is not None else None,
                 "params": [_param(p) for p in command.params]}
    for name, sub in (subs or {}).items():
        _walk(sub, f"{path} {name}", out)


def _help(args: list[str]) -> tuple[int, str]:
    """``cashbook ARGS --help`` through the real entry point, in-process, 200 columns wide."""
    from cashbook.cli import common
    from cashbook.cli.main import run

    common.Session.now = common.Session.book = None
    old = sys.argv
    sys.argv = ["cashbook", *args, "--help"]
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            run()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    finally:
        sys.argv = old
    return code, "\n".join(line.rstrip() for line in buf.getvalue().splitlines())  # rich pads each line to the width


def surface() -> dict:
    from typer.main import get_command

    from cashbook.cli.helptext import polish
    from cashbook.cli.main import app

    root = get_command(app)
    polish(root)
    commands: dict = {}
    _walk(root, "cashbook", commands)
    helps = {path: _help(path.split()[1:]) for path in commands}
    return {"commands": commands, "help": {p: {"exit": c, "text": t} for p, (c, t) in helps.items()}}


def _environment(monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("CASHBOOK_LANG", raising=False)
    monkeypatch.delenv("CASHBOOK_BOOK", raising=False)


def test_every_command_keeps_its_options(monkeypatch):
    _environment(monkeypatch)
    now = surface()["commands"]
    kept = json.loads(SNAPSHOT.read_text(encoding="utf-8"))["commands"]
    assert list(now) == list(kept), "the commands and their order"
    for path in kept:
        assert now[path] == kept[path], path


def test_every_help_page_reads_as_before(monkeypatch):
    _environment(monkeypatch)
    now = surface()["help"]
    kept = json.loads(SNAPSHOT.read_text(encoding="utf-8"))["help"]
    assert set(now) == set(kept)
    for path in kept:
        assert now[path]["exit"] == 0, path
        assert now[path] == kept[path], path


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    os.environ["COLUMNS"] = "200"
    os.environ.pop("CASHBOOK_LANG", None)
    os.environ.pop("CASHBOOK_BOOK", None)
    SNAPSHOT.write_text(json.dumps(surface(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
