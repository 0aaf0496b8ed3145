"""The layering holds: core is pure (no I/O, no clock, nothing of ours above it); reports use only core; export
only core and reports; the cli is thin (no import loops, no posting arithmetic, no domain defaults)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "cashbook"
IO_MODULES = {"os", "io", "pathlib", "subprocess", "shutil", "tempfile", "fcntl", "sqlite3", "time", "typer", "rich", "socket"}
ALLOWED = {"core": {"core"}, "reports": {"core", "reports"}, "store": {"core", "store"}, "statements": {"statements", "core"},
           "render": {"core", "reports", "render"},
           # export turns entries into other ledgers' text; cli wires everything below it
           "export": {"export", "core", "reports"}, "cli": {"cli", "core", "reports", "store", "render", "statements", "export"}}


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


def test_nothing_below_the_cli_imports_it():
    for path in sorted(PKG.rglob("*.py")):
        layer = path.relative_to(PKG).parts[0]
        if layer in ("cli", "__main__.py"):
            continue
        for module, level, _ in imports(path):
            assert ours(path, module, level) != "cli", f"{path.relative_to(PKG)} imports the cli"


def cli_graph() -> dict[str, set[str]]:
    """Which cli module imports which (at the top or inside a function)."""
    graph: dict[str, set[str]] = {}
    for path in modules("cli"):
        name = path.stem
        graph[name] = set()
        for module, level, node in imports(path):
            if ours(path, module, level) != "cli":
                continue
            if level == 1 and module:  # from .report import show
                graph[name].add(module.split(".")[0])
            elif level == 1:  # from . import record as record_cmds
                graph[name].update(alias.name for alias in node.names)
            elif level == 0:
                graph[name].add(module.split(".")[2])
    return graph


def test_cli_modules_import_each_other_without_a_loop():
    graph = cli_graph()
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        assert name not in path, "import loop: " + " -> ".join(path[path.index(name):] + [name])
        if name in done:
            return
        for nxt in sorted(graph.get(name, ())):
            visit(nxt, path + [name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


def test_bank_and_report_commands_share_a_module_instead_of_each_other():
    graph = cli_graph()
    assert "report" not in graph["bank"] and "bank" not in graph["report"]


def test_the_cli_does_no_posting_arithmetic():
    """Balances come from core (`core.balances`), never from postings or entry amounts summed in
    a command: no ``.postings`` in cli/, and no loop over the book's entries that reads amounts."""
    for path in modules("cli"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                assert node.attr != "postings", f"{path.name}:{node.lineno} reads postings"
            if isinstance(node, (ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp, ast.For)):
                sources = [g.iter for g in node.generators] if hasattr(node, "generators") else [node.iter]
                over_entries = any(isinstance(s, ast.Attribute) and s.attr in ("order", "entries") for s in sources)
                reads_amount = any(isinstance(n, ast.Attribute) and n.attr == "amount" for n in ast.walk(node))
                assert not (over_entries and reads_amount), f"{path.name}:{node.lineno} sums the book's amounts"


def test_recording_commands_hold_no_domain_defaults():
    """What the user leaves out is filled in by core (`core.drafts.complete`): the record
    commands pass plain drafts, never a function of the book's state or policy."""
    from cashbook.cli import record

    source = (PKG / "cli" / "record.py").read_text()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            assert node.attr not in ("staff", "deposit_types", "advances", "deposits", "compensations", "outstanding"), \
                f"record.py:{node.lineno} reads {node.attr}"
    assert record.RECORDING, "recording commands are declared as data"
