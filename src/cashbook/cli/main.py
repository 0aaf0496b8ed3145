"""The `cashbook` command: wiring of the command modules and the one error boundary."""

import copy
import os
import sys
from typing import Annotated

import typer

from . import book as book_cmds
from . import company as company_cmds
from . import close as close_cmds
from . import export as export_cmds
from . import record as record_cmds
from . import sync as sync_cmds
from .common import BookOpt, Session, book_given, set_lang
from .bank import bank_app
from .report import report_app

app = typer.Typer(
    name="cashbook",
    help="The cashier's and accountant's book: cash and bank journals in plain-text TOML, company cash rules enforced, "
    "daily close and bank reconciliation. Acts on --book DIR, else $CASHBOOK_BOOK, else the current directory.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("cashbook")
        except PackageNotFoundError:
            number = "unknown"
        print(f"cashbook {number}")
        raise typer.Exit(0)


@app.callback()
def _main(book: BookOpt = None,
          show_version: Annotated[bool, typer.Option("--version", help="Print the version and exit.", is_eager=True,
                                                     callback=_version)] = False) -> None:
    book_given(book)
    if book:
        Session.book = book


record_cmds.register(app)
book_cmds.register(app)
close_cmds.register(app)
export_cmds.register(app)
sync_cmds.register(app)
company_cmds.register(app)
app.add_typer(report_app, name="report")
app.add_typer(bank_app, name="bank")


def _print_problems(problems, exit_code: int) -> None:
    if Session.format == "json":
        from ..render import dumps

        sys.stdout.write(dumps({"schema": "cashbook.error/1", "ok": False, "exit_code": exit_code, "problems": [p.as_json() for p in problems]}) + "\n")
        return
    from ..render import shown
    from ..render.zh import problem_line, word

    for p in problems:
        print(f"{word('error: ', Session.lang)}{shown(problem_line(p, Session.lang))}", file=sys.stderr)


def _command_named(argv: list[str]) -> str | None:
    """The command an invocation names (``cashbook [--book DIR] NAME ...``), None for ``--help`` and the like."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--book":
            i += 2
        elif arg.startswith("--book="):
            i += 1
        else:
            return None if arg.startswith("-") else arg
    return None


def _app_for(name: str | None) -> typer.Typer:
    """The app with only the command about to run: Typer builds every registered command
    (and a converter for each of its options) on each start, a tenth of a second for two
    dozen commands here. A name that matches nothing keeps them all, for click's own message."""
    from typer.main import get_command_name

    if name is None:
        return _listing_only(app) if not any(k.startswith("_CASHBOOK_COMPLETE") for k in os.environ) else app
    commands = [c for c in app.registered_commands if (c.name or get_command_name(c.callback.__name__)) == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if not commands and not groups:
        return app
    only = copy.copy(app)
    only.registered_commands, only.registered_groups = commands, groups
    return only


def _nothing() -> None:
    """A stand-in command of the top-level help (never run: the help lists it, then exits)."""


_nothing.listing_only = True  # `helptext.with_lang` gives it no --lang: the listing shows no option


def _listing_only(whole: typer.Typer) -> typer.Typer:
    """The app as the top-level help shows it: each command by name and help only (no option
    converters built), each group without its commands. The same help, without building the
    five dozen commands of the tree; shell completion, which walks the tree, keeps it all."""
    import inspect

    from typer.main import get_command_name

    light = copy.copy(whole)
    light.registered_commands = []
    for c in whole.registered_commands:
        stub = copy.copy(c)
        stub.name = c.name or get_command_name(c.callback.__name__)
        stub.help = c.help if c.help is not None else inspect.getdoc(c.callback)
        stub.callback = _nothing
        light.registered_commands.append(stub)
    light.registered_groups = []
    for g in whole.registered_groups:
        empty = copy.copy(g.typer_instance)
        empty.registered_commands, empty.registered_groups = [], []
        info = copy.copy(g)
        info.typer_instance = empty
        light.registered_groups.append(info)
    return light


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush meets no closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # a captured stdout in tests has no descriptor
        pass


def _lang_asked(argv: list[str]) -> str:
    """The language before click has parsed anything (its own usage errors speak it too):
    --lang, else $CASHBOOK_LANG, else the book's `lang` in policies.toml, else en."""
    from .common import book_lang, lang_env

    if argv in (["--help"], ["-h"]):
        return "en"  # the top-level help reads the same in either language: no policies.toml read for it
    book = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = argv[i + 1] if i + 1 < len(argv) else None
        if arg.startswith("--lang="):
            value, arg = arg.partition("=")[2], "--lang"
        if arg.startswith("--book="):
            value, arg = arg.partition("=")[2], "--book"
        if arg == "--lang" and value in ("en", "zh"):
            return value
        if arg == "--book" and value:
            book = value
    return lang_env() or book_lang(book)


def _json_asked(argv: list[str]) -> bool:
    """The invocation asks for JSON output (-f json, --format json, --output-format json, -fjson,
    --format=json), read from the words themselves: click may refuse them before parsing."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = argv[i + 1] if i + 1 < len(argv) else None
        if arg.startswith(("--format=", "--output-format=")):
            value, arg = arg.partition("=")[2], "--format"
        elif arg.startswith("-f") and len(arg) > 2 and not arg.startswith("--"):
            value, arg = arg[2:], "-f"
        if arg in ("-f", "--format", "--output-format") and value == "json":
            return True
    return False


def word_of(text: str) -> str:
    from ..render.zh import word

    return word(text, Session.lang)


def _show_usage_zh(exc) -> None:
    """click's usage error in Chinese: the usage line, where to find help, and what was wrong."""
    from ..render.zh import usage_zh

    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        usage = ctx.get_usage().replace("Usage: ", "用法：").replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")
        print(usage, file=sys.stderr)
        help_name = (ctx.help_option_names or ["--help"])[0]
        print(f"运行 '{ctx.command_path} {help_name}' 查看帮助。\n", file=sys.stderr)
    print(f"错误：{usage_zh(exc.format_message())}", file=sys.stderr)


def run() -> None:
    """Entry point: run the app; turn every failure into a message and an exit code."""
    from ..core.problems import CashbookError

    Session.cache_off = False
    set_lang(_lang_asked(sys.argv[1:]))
    try:
        from typer.main import get_command

        from .helptext import polish

        def invoke() -> int:
            command = get_command(_app_for(_command_named(sys.argv[1:])))
            polish(command)
            return command(standalone_mode=False, prog_name="cashbook")

        try:
            code = invoke()
        except CashbookError as exc:
            if not any(p.code == "cache-busy" for p in exc.problems):
                raise
            # a cached value failed its check mid-command (nothing was written) and the cache was
            # dropped: the same command once more from the files alone, so a cache never decides
            Session.cache_off = True
            code = invoke()
        sys.stdout.flush()
    except CashbookError as exc:
        blocking = [p for p in exc.problems if p.severity == "block"] or exc.problems
        _print_problems(exc.problems if Session.format == "json" else blocking, exc.exit_code)
        if Session.format != "json":
            from ..render import shown
            from ..render.zh import problem_line, word

            for p in exc.problems:
                if p.severity != "block":
                    print(f"{word('warning: ', Session.lang)}{shown(problem_line(p, Session.lang))}", file=sys.stderr)
            print(word("nothing was written", Session.lang), file=sys.stderr) if exc.exit_code == 2 else None
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        print(word_of("aborted"), file=sys.stderr)
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors: missing or bad options
        if _json_asked(sys.argv[1:]) and hasattr(exc, "format_message"):  # -f json: the error object, as a refusal prints it
            from ..core.problems import Problem

            Session.format = "json"  # the message in English in both languages, as every JSON output
            _print_problems([Problem("bad-option", exc.format_message())], 2)
        elif Session.lang == "zh" and hasattr(exc, "format_message"):
            _show_usage_zh(exc)
        elif hasattr(exc, "show"):
            exc.show()
        else:
            print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print(word_of("interrupted; nothing half-written (appends are atomic)"), file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:  # the reader of a pipe (`| head`) has all it wanted: not an error
        _quiet_stdout()
        sys.exit(0)
    except Exception as exc:  # the last line of defence: no traceback reaches a user
        if os.environ.get("CASHBOOK_DEBUG"):
            raise
        if Session.lang == "zh":
            print(f"内部错误：{type(exc).__name__}: {exc}。未写入任何内容。请报告此问题（设置 CASHBOOK_DEBUG=1 运行可看详情）。",
                  file=sys.stderr)
            sys.exit(2)
        print(f"internal error: {type(exc).__name__}: {exc}. Nothing was written. "
              "Please report it (run with CASHBOOK_DEBUG=1 for details).", file=sys.stderr)
        sys.exit(2)
    finally:
        _command_over()
    sys.exit(code if isinstance(code, int) else 0)


def _command_over() -> None:
    """Let go of what the command held: its cache connections closed, and the objects a
    whole-book read set aside from the garbage collector given back to it (a process that
    runs commands one after another, as the tests do, would keep every command's)."""
    import gc

    cache = sys.modules.get("cashbook.store.cache")
    if cache is not None:
        cache.close_all()
    gc.unfreeze()
