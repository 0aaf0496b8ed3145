"""Help that reads like the manual: real metavars (AMOUNT, DATE, ROLE:NAME) instead of the
type placeholders Typer prints (``<str>``, ``<list[str]>``), and an example per command.

`polish` runs over the click command tree before a command runs; it changes help only."""

from __future__ import annotations

EXAMPLES = {
    "receive": "cashbook receive 1250.50 --from 张三家具 --category rent --doc SJ0157",
    "collect": "cashbook collect 300 --from 李四 --for 物业公司 --doc SJ0158",
    "pay": "cashbook pay 860 --to 顺丰速运 --category office --invoice 04512 --approved-by dept-head:刘明",
    "bank-deposit": "cashbook bank-deposit 5000 --account icbc --slip JK2026100102",
    "withdraw": "cashbook withdraw 3000 --account icbc --approved-by gm:王总 --cheque 30501025",
    "transfer": "cashbook transfer 20000 --from-account icbc --to-account cmb",
    "advance": "cashbook advance 2000 --to 王芳 --purpose 上海出差 --due 2026-11-10 --approved-by dept-head:刘明",
    "settle": "cashbook settle 20261101-003 --spent 1800 --category travel --invoice 88231 --returned 200",
    "hold-deposit": "cashbook hold-deposit --from 美达沙发城 --type decoration --doc SJ0160",
    "refund-deposit": "cashbook refund-deposit 20261003-004 --approved-by property-manager:赵强",
    "void": "cashbook void 20261015-007 --reason 金额录错",
    "opening": "cashbook opening cash 1500 --date 2026-09-01",
    "init": "cashbook init ~/books/2026",
    "check": "cashbook check -f json",
    "words": "cashbook words 1680.32",
    "count": "cashbook count 2026-10-15 100x3 50x2 20x3 1x4 0.5x1",
    "adjust": "cashbook adjust shortage 12.50 --approved-by finance-manager:陈静 --memo 找零错误",
    "export": "cashbook export --to beancount > book.beancount",
    "close day": "cashbook close day 2026-10-15   (or --guided to count note by note)",
    "close month": "cashbook close month 2026-10 --lang zh",
    "report journal": "cashbook report journal --account cash --from 2026-10-01 --to 2026-10-31 -f pdf -o 现金日记账.pdf",
    "report balances": "cashbook report balances --date 2026-10-31",
    "report advances": "cashbook report advances --all -f csv > advances.csv",
    "report deposits": "cashbook report deposits --date 2026-10-31",
    "report cheques": "cashbook report cheques --from 2026-10-01 --to 2026-10-31",
    "report receipts": "cashbook report receipts",
    "report exceptions": "cashbook report exceptions -f json",
    "report day": "cashbook report day 2026-10-15 -f pdf -o 现金日报.pdf",
    "report count": "cashbook report count 2026-10-15 -f pdf -o 现金盘点表.pdf",
    "report month": "cashbook report month 2026-10 -f csv --section categories",
    "bank import": "cashbook bank import icbc-2026-10.csv --account icbc   (- reads standard input)",
    "bank imports": "cashbook bank imports --account icbc",
    "bank unimport": "cashbook bank unimport IMPORT_ID",
    "bank reconcile": "cashbook bank reconcile --account icbc --month 2026-10 -f pdf -o 余额调节表.pdf",
    "bank match": "cashbook bank match --account icbc --entry 20261023-002 --line LINE_ID --by 陈静",
    "bank unmatch": "cashbook bank unmatch --account icbc --line LINE_ID --by 陈静",
    "bank book-charges": "cashbook bank book-charges --account icbc --month 2026-10",
}

_BY_NAME = {"book": "DIR", "file": "FILE", "output": "FILE", "output_dir": "DIR", "section": "NAME", "month": "YYYY-MM",
            "month_": "YYYY-MM", "account": "ACCOUNT", "items": "[DATE] DENOMxCOUNT", "estimate": "FARE LODGING ALLOWANCE DAYS"}


def metavar_for(param) -> str | None:
    """The word that stands for the value, from the help text's own format, else the name."""
    desc = getattr(param, "type_descriptor", None)
    if getattr(desc, "is_choice", False) or type(getattr(param, "type", None)).__name__ == "Choice":
        return None  # the choices themselves (table|json|csv) are the best placeholder
    if getattr(param, "is_flag", False):
        return ""
    text = (getattr(param, "help", None) or "") + " "
    name = param.name or ""
    if name in _BY_NAME:
        return _BY_NAME[name]
    for mark, meta in (("ROLE:NAME", "ROLE:NAME"), ("YYYY-MM-DD", "DATE"), ("YYYY-MM", "YYYY-MM"), ("HH:MM", "HH:MM")):
        if mark in text:
            return meta
    if "amount" in name or name in ("returned", "spent") or text.lower().startswith("amount"):
        return "AMOUNT"
    return name.upper().replace("_", "-") or None


def with_lang(command) -> None:
    """Every command takes --lang (flag > $CASHBOOK_LANG > policies.toml [book] lang > en)."""
    from .common import lang_option, resolve_lang

    params = getattr(command, "params", None)
    if params is None or getattr(command, "commands", None) is not None or getattr(command.callback, "listing_only", False):
        return  # a group, or a command the top-level help lists by name only (its options are not shown)
    own = [p for p in params if p.name == "lang"]
    if not own:
        own = [lang_option()]
        params.append(own[0])
    own[0].callback = resolve_lang


def polish(command, path: str = "") -> None:
    """Set metavars and append the example to every command under ``command``."""
    with_lang(command)
    for param in getattr(command, "params", []):
        if param.param_type_name == "argument":  # its metavar is its name; Typer would add the type beside it
            param.display_type_rich = lambda ctx: ""
            if getattr(param, "metavar", None) is None:
                param.metavar = metavar_for(param) or (param.name or "").upper()
            continue
        if getattr(param, "metavar", None) is not None:
            continue
        meta = "" if param.name == "help" else metavar_for(param)
        if meta is None:
            continue
        param.metavar = meta
    make_help = getattr(command, "get_help_option", None)
    if make_help is not None:
        def help_option(ctx, make_help=make_help):
            option = make_help(ctx)
            if option is not None:
                option.metavar = ""  # a flag takes no value: no <bool> beside it
            return option

        command.get_help_option = help_option
    example = EXAMPLES.get(path)
    if example and command.help and "Example:" not in command.help:
        command.help = f"{command.help}\n\nExample: {example}"
    for name, sub in (getattr(command, "commands", None) or {}).items():
        polish(sub, f"{path} {name}".strip())
