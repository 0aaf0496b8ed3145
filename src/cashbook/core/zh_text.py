"""Chinese wording of plain English text that reports and printers both need (pure functions):
the facts of a message without its English words, a head-office branch's reason and a pull's
age, and the lines of a bank import (skipped-line reasons, account checks, warnings)."""

from __future__ import annotations

import re


def facts(message: str) -> str:
    """The facts of a message without its English words: figures, dates, ids, options, quoted text, Chinese."""
    token = re.compile(r"`[^`]*`|'[^']*'|\"[^\"]*\"|--?[a-z][\w-]*|[\w./:-]*\d[\w./:,-]*|[A-Z][A-Z0-9_:-]+|"
                       r"[a-z]+(?:[-.][a-z]+)+|[^\x00-\x7f][^\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]*")
    found = [t for t in token.findall(message) if t.strip() and t not in ("e.g", "i.e")]
    return "，".join(dict.fromkeys(found))


_facts = facts


# -- head office: a branch's reason (kept in English in pulls.json) and a pull's age --

_REASONS = [
    (r"cannot fetch (?P<u>\S+?): (?P<e>.*)", lambda m: f"无法取回 {m['u']}：`{m['e'].strip()}`"),
    (r"(?P<u>\S+) has no (?P<b>\S+) branch yet \(nothing pushed\)", lambda m: f"{m['u']} 还没有 `{m['b']}` 分支（尚未推送任何内容）"),
    (r"never pulled: run `cashbook company pull`", lambda m: "从未拉取：请运行 `cashbook company pull`"),
    (r"its copy cannot be read: (?P<e>.*)", lambda m: f"总部保存的副本无法读取：{_facts(m['e'])}"),
    (r"git could not read the branch: (?P<e>.*)", lambda m: f"git 无法读取该门店账簿：{_facts(m['e'])}"),
    (r"(?P<b>[\w-]+): sealed day (?P<d>[\d-]+) was deleted \((?P<p>[^)]+)\)", lambda m: f"{m['b']}：已封账的 {m['d']} 被删除（{m['p']}）"),
    (r"(?P<b>[\w-]+): sealed day (?P<d>[\d-]+) changed since head office saw it \((?P<p>[^:]+): sha256 (?P<h>\w+), witnessed (?P<w>\w+)\)",
     lambda m: f"{m['b']}：已封账的 {m['d']} 在总部见证后被改动（{m['p']}：sha256 {m['h']}，见证时为 {m['w']}）"),
    (r"(?P<b>[\w-]+): the seal-log line of (?P<d>[\d-]+) was deleted", lambda m: f"{m['b']}：封账记录中 {m['d']} 那一行被删除"),
    (r"(?P<b>[\w-]+): the seal of (?P<d>[\d-]+) differs from the one witnessed", lambda m: f"{m['b']}：{m['d']} 的封账与见证时不同"),
    (r"(?P<b>[\w-]+): the seal log was reordered at (?P<d>[\d-]+)", lambda m: f"{m['b']}：封账记录在 {m['d']} 处被打乱顺序"),
    (r"\(\+(?P<n>\d+) more\)", lambda m: f"（另有 {m['n']} 项）"),
]


def reason_zh(text: str) -> str:
    """A branch's reason for being left out (or failing a pull), in Chinese: each of its
    ``; ``-joined parts by its shape, else the facts of the part under the words 原因."""
    parts = []
    for part in re.split(r"; (?=[\w(])", text.strip()):
        for pattern, make in _REASONS:
            m = re.fullmatch(pattern, part.strip(), flags=re.S)
            if m:
                parts.append(make(m))
                break
        else:
            m = re.fullmatch(r"(?P<head>.*?) (?P<more>\(\+\d+ more\))", part.strip(), flags=re.S)
            if m:
                parts.append(reason_zh(m["head"]) + reason_zh(m["more"]))
            else:
                said = _facts(part)
                parts.append(f"原因：{said}" if said else "原因不明")
    return "；".join(parts)


def age_zh(text: str) -> str:
    """``2 day(s) 4 h`` / ``3 h 05 min`` (reports.company.age) in Chinese."""
    m = re.fullmatch(r"(\d+) day\(s\) (\d+) h", text.strip())
    if m:
        return f"{m[1]} 天 {m[2]} 小时"
    m = re.fullmatch(r"(\d+) h (\d+) min", text.strip())
    return f"{m[1]} 小时 {m[2]} 分钟" if m else text


# -- bank import: a skipped line's reason, the account checks and the warnings (the parsers' English) --

_IMPORT = [
    (r"neutral row \((?P<d>[^:]*): neither income nor expense of this account\)(?:; its 服务费 (?P<fee>[\d,.]+) is not imported either)?",
     lambda m: f"中性行（{m['d']}：既非本账户的收入也非支出）" + (f"；其服务费 {m['fee']} 也未导入" if m["fee"] else "")),
    (r"status (?P<s>.+?) \(no money moved\)", lambda m: f"状态为 {m['s']}（资金未发生变动）"),
    (r"status (?P<s>.+?) \(not booked\)", lambda m: f"状态为 {m['s']}（银行未记账）"),
    (r"line (?P<n>\d+): skipped neutral row \((?P<d>[^:]*): neither income nor expense\): (?P<w>.*)",
     lambda m: f"第 {m['n']} 行：跳过中性行（{m['d']}：既非收入也非支出）：{m['w']}"),
    (r"line (?P<n>\d+): skipped row with status (?P<s>.+?) \(no money moved\)", lambda m: f"第 {m['n']} 行：跳过状态为 {m['s']} 的行（资金未发生变动）"),
    (r"line (?P<n>\d+): skipped entry with status (?P<s>\S+) \(not booked\): (?P<a>\S+)", lambda m: f"第 {m['n']} 行：跳过状态为 {m['s']} 的记录（银行未记账）：{m['a']}"),
    (r"the file's account (?P<f>.+?) matches (?P<k>\S+)'s number (?P<n>.+)", lambda m: f"文件中的账号 {m['f']} 与 {m['k']} 的账号 {m['n']} 相符"),
    (r"account number not checked: the file names no account \(it is imported into (?P<k>\S+) as told\)",
     lambda m: f"未核对账号：文件中没有账号（按指定导入 {m['k']}）"),
    (r"account number not checked: policies\.toml gives no number for (?P<k>\S+)(?P<rest>.*)",
     lambda m: f"未核对账号：policies.toml 中没有 {m['k']} 的账号（accounts.{m['k']}.number）"),
    (r"account number not checked: (?P<n>'[^']*') shows no digit to compare with (?P<f>.+)",
     lambda m: f"未核对账号：{m['n']} 中没有可与 {m['f']} 比对的数字"),
    (r"gap accepted: (?P<g>.*)", lambda m: f"已接受差额：{_facts(m['g'])}"),
    (r"left out \(another account or currency\): (?P<a>.+?) (?P<c>\S+), (?P<n>\d+) line\(s\)",
     lambda m: f"未导入（其他账户或币种）：{m['a'].replace('(no account number)', '（无账号）')} {m['c']}，{m['n']} 行"),
    (r"line (?P<n>\d+): running balance (?P<b>\S+) does not follow from previous (?P<p>\S+)(?: \(line (?P<l>\d+); the file lists newest first\))? "
     r"\+ (?P<a>\S+) \(expected (?P<e>\S+)\)",
     lambda m: f"第 {m['n']} 行：余额 {m['b']} 不等于上一余额 {m['p']} 加 {m['a']}（应为 {m['e']}）"),
    (r"line (?P<n>\d+): negative (?P<c>.+?) (?P<v>\S+) read as a reversal \(红字冲正\)", lambda m: f"第 {m['n']} 行：{m['c']} 为负数 {m['v']}，按红字冲正读取"),
    (r"duplicate FITID\(s\) (?P<i>.*) in one statement", lambda m: f"同一对账单中 FITID 重复：{m['i']}"),
]


def import_zh(text: str) -> str:
    """A line of bank import's report (a skipped line's reason, a check, a warning) in Chinese:
    by its shape, else its facts under 提醒."""
    for pattern, make in _IMPORT:
        m = re.fullmatch(pattern, text.strip(), flags=re.S)
        if m:
            return make(m)
    said = _facts(text)
    return f"对账单提示：{said}" if said else "对账单提示"
