"""The layering holds: core is pure (no I/O, no clock, nothing of ours above it); reports use only core."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "cashbook"
IO_MODULES = {"os", "io", "pathlib", "subprocess", "shutil", "tempfile", "fcntl", "sqlite3", "time", "typer", "rich", "socket"}
ALLOWED = {"core": {"core"}, "reports": {"core", "reports"}, "store": {"core", "store"}, "statements": {"statements", "core"},
           "render": {"core", "reports", "render"}}


def modules(layer: str):
    return sorted((PKG / layer).rglob("*.py"))


def imports(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, 0, node
        elif isinstance(node, ast.ImportFrom):
            yield node.module or "", node.level, node


def ours(path: Path, module: str, level: int) -> str | None:
    """The layer (first package under cashbook) an import points at, or None if not ours."""
    if level == 0:
        return module.split(".")[1] if module.startswith("cashbook.") else None
    base = path.relative_to(PKG).parts[:-1]
    parts = list(base[: len(base) - (level - 1)]) + (module.split(".") if module else [])
    return parts[0] if parts else None


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_imports_point_down_only(layer):
    for path in modules(layer):
        for module, level, _ in imports(path):
            target = ours(path, module, level)
            if target is not None:
                assert target in ALLOWED[layer], f"{path.relative_to(PKG)} imports {target}"


def test_core_does_no_io_and_reads_no_clock():
    for path in modules("core"):
        for module, level, _ in imports(path):
            if level == 0:
                assert module.split(".")[0] not in IO_MODULES, f"{path.name} imports {module}"
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                fn = node.func
                name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
                assert name not in {"now", "today", "utcnow", "open", "time"}, f"{path.name}:{node.lineno} calls {name}()"


def test_rules_are_pure_functions_of_entry_policy_state_today():
    from cashbook.core import rules

    assert rules.RULES, "rules registered"
    import inspect

    for fn in rules.RULES:
        assert list(inspect.signature(fn).parameters) == ["entry", "policy", "state", "today"], fn.__name__


def test_only_the_command_named_is_built(tmp_path):
    """`run` keeps only the command about to run (Typer builds every command on each start);
    options before the name, help and a mistyped name behave as with every command built."""
    from cashbook.cli.main import _command_named

    assert _command_named(["receive", "1"]) == "receive"
    assert _command_named(["--book", "x", "report", "month"]) == "report"
    assert _command_named(["--book=x", "check"]) == "check"
    assert _command_named(["--help"]) is None and _command_named([]) is None
    from conftest import run_cli

    typo = run_cli("recieve", "1", book=tmp_path)
    assert typo.code == 2 and "No such command" in typo.err and "Traceback" not in typo.err
    helped = run_cli("--help", book=tmp_path)
    assert helped.code == 0 and "receive" in helped.out and "report" in helped.out
    sub = run_cli("report", "--help")
    assert sub.code == 0 and "month" in sub.out
