#!/usr/bin/env python3
"""A do-nothing Typer app with two commands: the floor for `cashbook --help` and `cashbook receive`.

    python bench/typer_baseline.py --help
    python bench/typer_baseline.py noop 1 --from X

It is set up like cashbook's app (no completion, -h/--help, no rich tracebacks) so that the
difference measured is cashbook's own start-up work.
"""

from typing import Annotated

import typer

app = typer.Typer(
    name="baseline",
    help="A do-nothing Typer app with two commands (benchmark reference point).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.command("noop")
def noop(
    amount: Annotated[str, typer.Argument(help="Ignored.")] = "0",
    party: Annotated[str, typer.Option("--from", help="Ignored.")] = "",
) -> None:
    """Do nothing."""


@app.command("other")
def other() -> None:
    """Do nothing either."""


if __name__ == "__main__":
    app()
