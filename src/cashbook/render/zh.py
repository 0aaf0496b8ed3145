"""Chinese output (--lang zh): a catalog keyed by problem code, and the words of the printers.

Raise sites stay as they are: a problem is translated where it is printed, from its code and
its ``data`` (the figures, limits, accounts a rule put there), or, for problems that carry
only their message, from the English message's own shape (the pattern under the code). A
message no pattern knows still reads in Chinese: the code's name in Chinese and the facts of
the message (figures, dates, ids, options, quoted values) without its English words. JSON
keeps the English message and every key and code: scripts read the same in both languages.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ..core.lang import Current  # noqa: F401  (the language printers not handed one use)
from ..core.zh_text import age_zh, facts as _facts, import_zh, reason_zh  # noqa: F401  (the printers' too)


# the name of each problem code, in the cashier's words
TITLES = {
    "adjustment-mismatch": "长短款调整与盘点不符", "advance-no-department": "借款人没有所属部门",
    "advance-overdue": "借款逾期未还", "already-voided": "已冲销", "approver-twice": "一人重复签批",
    "bad-amount": "金额有误", "bad-company": "总部设置有误", "bad-count": "盘点有误", "bad-encoding": "文件编码有误",
    "bad-field": "字段有误", "bad-file-name": "文件名有误", "bad-option": "选项有误", "bad-policy": "制度文件有误",
    "bad-signature": "签名无效", "bad-statement": "对账单无法读取", "bad-statement-store": "对账单存档有误",
    "balance-negative": "余额不足", "book-damaged": "账簿损坏", "book-exists": "账簿已存在", "book-locked": "账簿正被占用",
    "branch-failed": "门店账簿拉取失败", "cache-busy": "缓存忙", "cash-over-limit": "超过库存现金限额",
    "cash-payment-limit": "超过现金支付限额", "cheque-book-overlap": "支票号段重叠", "cheque-not-issued": "支票未登记",
    "cheque-number-used": "支票号已用", "cheque-over-limit": "超过支票限额", "cheque-overdraft": "空头支票",
    "cheque-payee-mismatch": "支票收款人与发票或合同不符", "company-exists": "总部目录已存在",
    "compensation-unsettled": "赔偿款未结清", "count-difference": "盘点有长短款", "day-sealed": "该日已封账",
    "days-open": "有未封账的日期", "deposit-amount": "押金金额不符", "deposit-refund-invalid": "押金退还无效",
    "duplicate-id": "编号重复", "earlier-days-open": "之前的日期未封账", "future-date": "日期在今天之后",
    "git-failed": "git 执行失败", "git-missing": "未安装 git", "import-in-use": "导入的对账单已被使用",
    "iou-in-count": "盘点中含白条", "leftover-temp": "残留临时文件", "match-mismatch": "勾对不符",
    "missing-field": "缺少字段", "needs-approval": "缺少审批", "needs-invoice": "需要发票", "no-book": "找不到账簿",
    "no-cash-category": "该科目不得支付现金", "no-count": "没有现金盘点", "not-a-book": "不是账簿",
    "not-a-company": "不是总部目录", "not-a-terminal": "不是终端", "not-reconciled": "未调节相符",
    "not-synced": "尚未同步", "opening-exists": "期初余额已存在", "outside-book": "写入位置在账簿之外",
    "pdf-unavailable": "无法生成 PDF", "period-not-over": "期间尚未结束", "policy-retroactive": "制度变更追溯生效",
    "policy-version-edited": "留存的制度版本被改动", "policy-version-invalid": "留存的制度版本无效",
    "receipt-book-overlap": "收据号段重叠", "receipt-not-issued": "收据未领用", "receipt-number-far": "收据号偏离",
    "receipt-number-gap": "收据号不连续", "receipt-number-used": "收据号已用", "remote-unreachable": "远程仓库无法连接",
    "seal-broken": "封账被破坏", "seal-figures": "封账数字不符", "sitting-payment": "坐支现金",
    "statement-account-mismatch": "对账单账号不符", "statement-currency-mismatch": "对账单币种不符",
    "statement-gap": "对账单不连续", "statement-missing": "缺少对账单", "statement-several-accounts": "对账单含多个账户",
    "statement-several-currencies": "对账单含多种币种", "sync-conflict": "同步冲突", "sync-refused": "拒绝同步",
    "toml-syntax": "TOML 语法错误", "transfer-cash": "现金与银行之间的转账", "undeposited-takings": "当日收入未送存",
    "unknown-account": "未知账户", "unknown-advance": "未知借款", "unknown-category": "未知科目",
    "unknown-entry": "未知记录", "unknown-import": "未知导入", "unknown-kind": "未知记录类型", "unknown-line": "未知对账单行",
    "unreadable": "文件无法读取", "unsettled-advance": "借款未结清", "unsigned-seal": "封账未签名",
    "void-has-dependants": "冲销会留下依附记录", "witness-mismatch": "与总部见证不符", "words-mismatch": "大小写金额不符",
    "write-failed": "写入失败", "wrong-account": "账户类型不符", "wrong-category": "科目类型不符", "wrong-day": "日期与文件不符",
    "bad-input": "输入有误",
}

KINDS = {
    "opening": "期初余额", "receipt": "收款", "collection": "代收", "payment": "付款", "bank-deposit": "送存",
    "withdrawal": "提现", "transfer": "转账", "advance": "借款", "settlement": "报销/还款", "recovery": "赔偿收回",
    "receipt-book": "收据领用", "receipt-book-return": "收据交回", "receipt-spoiled": "收据作废", "handover": "收款交接",
    "sign": "补签", "cheque-book": "支票登记", "cheque-spoiled": "支票作废", "deposit-hold": "押金收取",
    "deposit-refund": "押金退还", "bank-entry": "银行收付", "cash-count": "现金盘点", "adjustment": "长短款调整",
    "day-close": "日结封账", "void": "冲销",
}

# codes shown in a type, kind or status column
VALUES = {**KINDS, "income": "收入", "expense": "支出", "liability": "负债", "cash": "现金", "bank": "银行",
          "issued": "已领用", "returned": "已交回", "open": "未结", "settled": "已结清", "receivable": "逾期应收",
          "voided": "已作废", "cleared": "已兑付", "outstanding": "未兑付", "spoiled": "作废", "withhold": "应扣回",
          "used": "已用", "unused": "未用", "matched": "已勾对", "unmatched": "未勾对", "skipped": "已跳过",
          "imported": "已导入", "already present": "已有", "duplicate": "重复", "in": "收入", "out": "支出", "credit": "收入", "debit": "支出",
          "block": "阻止", "warn": "提醒", "overage": "长款", "shortage": "短款", "ok": "正常"}

SEVERITY = {"block": "阻止", "warn": "提醒", "warning": "提醒", "error": "错误"}


def _m(value) -> str:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{d:,.2f}"


def kind(name: str) -> str:
    return KINDS.get(name, name)


def role_names(policy_roles: dict | None, roles) -> str:
    return "、".join(str(r) for r in roles)


# -- problems with their own Chinese sentence, from the code and data (else the message's shape) --

def _g(d: dict, key: str, default="") -> str:
    v = d.get(key, default)
    return str(v) if v is not None else ""


def _needs_approval(d: dict, msg: str) -> str | None:
    if d.get("missing"):
        roles = list(d["missing"])
        return (f"{_amount_of(msg)}需要 {'、'.join(roles)} 审批；请加上 "
                + " ".join(f"--approved-by {r}:NAME" for r in roles))
    m = re.match(r"(?P<name>.+?) is a deputy of (?P<role>[\w-]+): .*only (?P<who>.+?) signs it later", msg)
    if m:
        return f"{m['name']} 是 {m['role']} 的代理人：代理人可先审批付款，但只有 {m['who']} 能补签或批准越权"
    m = re.match(r"(?P<name>.+?) is not (?P<role>[\w-]+) in policies.toml \(\[people\.[\w-]+\]: (?P<who>[^;)]*)", msg)
    if m:
        return f"{m['name']} 不是 policies.toml 中的 {m['role']}（[people.{m['role']}]：{m['who']}）"
    return None


def _amount_of(msg: str) -> str:
    m = re.match(r"an? ([\w-]+) of ([\d,]+\.\d\d)", msg)
    return f"{kind(m[1])} {m[2]} " if m else ""


def _cash_payment_limit(d, msg):
    return (f"现金支出 {_m(d['figure'])} 超过单笔现金支付限额 {_m(d['limit'])}（rules.cash-payment-limit.limit）；"
            "请改用支票或银行转账" + _override(msg))


def _override(msg: str) -> str:
    m = re.search(r"--override ((?:[\w-]+:NAME(?: or )?)+)", msg)
    if not m:
        return ""
    return "；或由 " + "、".join(r.split(":")[0] for r in m[1].split(" or ")) + " 批准越权：--override ROLE:NAME"


def _cash_over_limit(d, msg):
    m = re.search(r"cash on hand in (\S+) will be", msg)
    excess = Decimal(str(d["figure"])) - Decimal(str(d["limit"]))
    return (f"{m[1] if m else ''} 库存现金将为 {_m(d['figure'])}，超过限额 {_m(d['limit'])}（rules.cash-over-limit.limit）；"
            f"请当日将超出的 {_m(excess)} 送存银行")


def _needs_invoice(d, msg):
    return (f"{_m(d['figure'])} 超过结算起点 {_m(d['limit'])}（rules.needs-invoice.threshold），需要正式发票；"
            "请加上 --invoice NUMBER" + _override(msg))


def _balance_negative(d, msg):
    return (f"{d['account']} 在 {d['date']} 的余额不足：支出后余额为 {_m(d['figure'])}，低于下限 {_m(d['limit'])}，"
            f"差 {_m(d['short'])}；请先登记收入，或减少支出")


def _sitting(d, msg):
    return (f"现金支出 {_m(d['figure'])} 将由当日现金收入支付（坐支）：当日备用金和提现只剩 {_m(d['limit'])} 可用于支付；"
            "请先从银行提取现金" + _override(msg))


def _day_sealed(d, msg):
    m = re.match(r"(\S+) is closed", msg)
    return (f"{m[1] if m else ''} 已封账（{_g(d, 'sealed_through')} 及以前的日期都已封账）；请在未封账的日期登记，"
            "或登记一笔注明原记录的更正")


def _advance_overdue(d, msg):
    m = re.match(r"(?P<p>.+?) has advance (?P<id>\S+) of (?P<a>[\d,.]+) outstanding, due (?P<due>[\d-]+), (?P<n>\d+) days overdue "
                 r"\(more than (?P<days>\d+)", msg)
    if m:
        return (f"{m['p']} 有借款 {m['id']} 未还 {m['a']}，应于 {m['due']} 归还，已逾期 {m['n']} 天（超过 {m['days']} 天，"
                f"rules.advance-overdue.days）；请先报销或还款（`cashbook settle {m['id']}`）再借款" + _override(msg))
    return None


def _words_mismatch(d, msg):
    m = re.search(r"'(?P<w>[^']*)' does not agree with the figure (?P<f>[\d,.]+) \((?P<r>[^)]*)\)", msg)
    if m:
        return f"大写金额「{m['w']}」与小写 {m['f']}（{m['r']}）不一致；大小写必须一致，请重写"
    return None


def _receipt_used(d, msg):
    m = re.match(r"receipt number (\S+) was already used by (\S+?);", msg)
    return f"收据号 {m[1]} 已被 {m[2]} 使用；收据号不得重复，作废的收据也要保留其号码" if m else None


_WHO = {"the remote": "远程仓库", "this machine": "本机", "this machine's book": "本机账簿",
        "this machine's book (since its last commit)": "本机账簿（自上次提交以来）",
        "the remote (its history was rewritten since the last sync)": "远程仓库（自上次同步后历史被改写）"}


def _sync_refused(d, msg):
    m = re.match(r"(?P<who>.+?) (?P<verb>deletes sealed day|changes sealed day|drops the seal-log line of|changes the seal of|"
                 r"reorders the seal log at) (?P<day>[\d-]+)(?: \((?P<path>[^)]+)\))?(?: in the seal log)?(?P<rest>.*)", msg, flags=re.S)
    if m:
        what = {"deletes sealed day": "删除了已封账的", "changes sealed day": "改动了已封账的",
                "drops the seal-log line of": "删去了封账记录中", "changes the seal of": "改动了封账记录中",
                "reorders the seal log at": "打乱了封账记录的顺序，在"}[m["verb"]]
        tail = {"deletes sealed day": "", "changes sealed day": "", "drops the seal-log line of": " 那一行",
                "changes the seal of": " 的封账", "reorders the seal log at": " 处"}[m["verb"]]
        path = f"（{m['path']}）" if m["path"] else ""
        how = re.search(r"`git checkout [^`]+`", m["rest"] or "")
        fix = f"；已封账的日期不可改动：用 {how[0]} 恢复该文件" if how else ""
        if "record a correction" in (m["rest"] or ""):
            fix += "，在未封账的日期登记更正"
        return f"{_WHO.get(m['who'], m['who'])}{what} {m['day']}{tail}{path}{fix}"
    m = re.match(r"(?P<url>\S+) holds another book", msg)
    if m:
        return f"{m['url']} 是另一本账簿（与本账簿没有共同历史）；请检查地址；未合并也未推送任何内容"
    m = re.match(r"(?P<url>\S+) no longer has the book's (?P<b>\S+) branch.*?(?P<cmd>`[^`]+`)", msg, flags=re.S)
    if m:
        return (f"{m['url']} 上已没有本账簿的 `{m['b']}` 分支（上次同步后被删除，所有已封账日期随之消失）；未推送任何内容。"
                f"若账簿已迁到新的空仓库，请在账簿中运行 {m['cmd']} 后再同步")
    return None


def _not_synced(d, msg):
    m = re.match(r"(?P<root>\S+) (?P<what>is not a branch book|has no remote)", msg)
    if m:
        why = "不是门店账簿（不是 git 仓库）" if m["what"].startswith("is not") else "没有远程仓库"
        return f"{m['root']} {why}；请先运行 `cashbook sync setup URL`"
    return None


def _remote_unreachable(d, msg):
    m = re.match(r"cannot (?P<verb>clone|fetch from|push to) (?P<url>\S+?): (?P<err>.*?)(?:; (?P<rest>what was|your days|run).*)?$", msg, flags=re.S)
    if m:
        verb = {"clone": "无法克隆", "fetch from": "无法从其取回", "push to": "无法推送到"}[m["verb"]]
        rest = {"what was": "；已记录的内容已在本机提交；远程仓库恢复后再运行 `cashbook sync`",
                "your days": "；各日已在本机提交，远程仓库没有改了一半的内容；请再运行 `cashbook sync`",
                "run": "；请再运行 `cashbook sync`"}.get(m["rest"] or "", "")
        said = " / ".join(line.strip() for line in m["err"].splitlines() if line.strip())
        return f"{verb} {m['url']}：`{said}`{rest}"
    m = re.match(r"(?P<url>\S+) kept moving while syncing \((?P<n>\d+) tries\)", msg)
    if m:
        return f"同步时 {m['url']} 一直在变化（试了 {m['n']} 次）；请稍后再运行 `cashbook sync`"
    return None


_SIGNATURE_WHY = {"a bad signature": "签名无效", "an expired signature": "签名已过期", "a signature by an expired key": "签名密钥已过期",
                  "a signature by a revoked key": "签名密钥已吊销"}


def _unsigned_seal(d, msg):
    if msg.startswith("the policy asks for signed commits"):
        return "制度要求签名提交（[sync] require_signed），但账簿不是 git 仓库；请先 `cashbook sync setup URL`"
    m = re.match(r"sealed day (?P<day>[\d-]+) is not committed", msg)
    if m:
        return f"已封账的 {m['day']} 尚未提交（因而没有签名）；请运行 `cashbook sync`"
    m = re.match(r"sealed day (?P<day>[\d-]+) was committed unsigned \((?P<sha>\w+)\)", msg)
    if m:
        return (f"已封账的 {m['day']} 的提交 {m['sha']} 没有签名；制度要求签名提交：请配置 git 签名"
                "（commit.gpgsign、user.signingkey；用 SSH 密钥时还需 gpg.ssh.allowedSignersFile 才能验证签名）")
    return None


def _bad_signature(d, msg):
    m = re.match(r"sealed day (?P<day>[\d-]+): commit (?P<sha>\w+) has (?P<why>.*)", msg, flags=re.S)
    if m:
        why = m["why"]
        if why.startswith("a signature by a key this book does not trust"):
            text = "签名密钥不受本账簿信任（不在 gpg.ssh.allowedSignersFile 中，或 GPG 密钥信任度未知）"
        elif why.startswith("a signature that cannot be checked"):
            text = "签名无法验证（密钥未知：见 gpg.ssh.allowedSignersFile 或 GPG 密钥环）"
        else:
            st = re.fullmatch(r"signature status (\S+)", why)
            text = _SIGNATURE_WHY.get(why, f"签名状态为 {st[1]}" if st else _facts(why))
        return f"已封账的 {m['day']}：提交 {m['sha']} 的{text}"
    m = re.match(r"cannot read the book's git history to check signatures: (?P<e>.*)", msg, flags=re.S)
    if m:
        return f"无法读取账簿的 git 历史来核对签名：{_facts(m['e'])}"
    return None


def _sync_conflict(d, msg):
    m = re.match(r"both machines sealed days since they last agreed \(here: (?P<a>[^;]*); remote: (?P<b>[^)]*)\)", msg)
    if m:
        return (f"自上次一致以来两台机器都封了账（本机：{m['a'].replace('none', '无')}；远程：{m['b'].replace('none', '无')}）；"
                "一本账只有一条封账链：保留一台机器的结账，把另一台的记录在未封账的日期重新登记")
    m = re.match(r"(?:day (?P<day>[\d-]+)|(?P<path>\S+)) was written on this machine and at the remote since they last agreed \((?P<p>[^)]+)\)", msg)
    if m:
        return f"{m['day'] or m['path']} 自上次一致以来在本机和远程都有写入（{m['p']}）；每一天只在一台机器上登记"
    m = re.match(r"(?P<who>the remote|this machine) wrote day (?P<day>[\d-]+) \((?P<p>[^)]+)\) but (?P<other>the remote|this machine) "
                 r"has sealed (?:it|a later day \((?P<last>[\d-]+)\))", msg)
    if m:
        sealed = f"更晚的 {m['last']}" if m["last"] else "该日"
        return f"{_WHO[m['who']]}写了 {m['day']}（{m['p']}），但{_WHO[m['other']]}已封账{sealed}；这些日期无法合并"
    m = re.match(r"the remote's days do not merge with this machine's: (?P<e>.*?); nothing was merged or pushed", msg, flags=re.S)
    if m:
        return f"远程仓库的日期与本机的无法合并：{_facts(m['e'])}；未合并也未推送任何内容"
    return None


CATALOG = {
    "unsigned-seal": _unsigned_seal,
    "bad-signature": _bad_signature,
    "sync-conflict": _sync_conflict,
    "sync-refused": _sync_refused,
    "not-synced": _not_synced,
    "remote-unreachable": _remote_unreachable,
    "needs-approval": _needs_approval,
    "cash-payment-limit": lambda d, msg: _cash_payment_limit(d, msg) if "figure" in d else None,
    "cash-over-limit": lambda d, msg: _cash_over_limit(d, msg) if "figure" in d else None,
    "needs-invoice": lambda d, msg: _needs_invoice(d, msg) if "figure" in d else None,
    "balance-negative": lambda d, msg: _balance_negative(d, msg) if "short" in d else None,
    "sitting-payment": lambda d, msg: _sitting(d, msg) if "figure" in d else None,
    "day-sealed": _day_sealed,
    "advance-overdue": _advance_overdue,
    "words-mismatch": _words_mismatch,
    "receipt-number-used": _receipt_used,
}

# problems that carry only a message: its shape in English → the Chinese sentence
PATTERNS: list[tuple[str, str, str]] = [
    ("bad-amount", r"(?P<opt>\S+): '(?P<v>.*)' is not an amount.*", r"\g<opt>：'\g<v>' 不是金额；请写数字，如 1250 或 1,250.50（至多两位小数，不带符号）"),
    ("bad-amount", r"(?P<opt>\S+): (?P<rest>.*)", r"\g<opt>：金额有误（\g<rest>）"),
    ("bad-option", r"(?P<opt>--?[\w-]+|\$?[A-Z_]+) '(?P<v>.*)' is not a date; write YYYY-MM-DD, e\.g\. (?P<e>\S+)",
     r"\g<opt> '\g<v>' 不是日期；请写 YYYY-MM-DD，如 \g<e>"),
    ("bad-option", r"(?P<opt>--?[\w-]+) '(?P<v>.*)' is not a time; write HH:MM, e\.g\. (?P<e>\S+)", r"\g<opt> '\g<v>' 不是时间；请写 HH:MM，如 \g<e>"),
    ("bad-option", r"(?P<opt>\S+) '(?P<v>.*)' is not a month; write YYYY-MM(?:, e\.g\. (?P<e>\S+))?.*",
     r"\g<opt> '\g<v>' 不是月份；请写 YYYY-MM，如 2026-10"),
    ("bad-option", r"(?P<opt>\S+) '(?P<v>.*)' is outside the years (?P<a>\d+) to (?P<b>\d+).*", r"\g<opt> '\g<v>' 超出账簿可记的年份（\g<a> 至 \g<b>）"),
    ("future-date", r"--date (?P<d>\S+) is after today \((?P<t>\S+) on the book's clock, (?P<z>.*)\); record entries on the day they happen",
     r"--date \g<d> 在今天（账簿时钟 \g<t>，\g<z>）之后；请在业务发生当日登记"),
    ("future-date", r"(?P<rest>.*)", r"\g<rest>"),
    ("unknown-account", r"'?(?P<a>[^' ]+)'? is not an? (?:bank )?account (?:of this book|in policies\.toml)?.*?(?:accounts?: (?P<l>.*))?$",
     r"\g<a> 不是本账簿的账户（policies.toml 中的账户：\g<l>）"),
    ("unknown-entry", r"no entry (?:with id )?'?(?P<i>[^' ;]+)'?.*", r"没有编号为 \g<i> 的记录；编号形如 20261102-003，可用 cashbook report journal 查看"),
    ("unknown-advance", r"no advance (?:with id )?'?(?P<i>[^' ;]+)'?.*", r"没有编号为 \g<i> 的借款；见 cashbook report advances"),
    ("period-not-over", r"(?P<p>\S+) is not over.*?\(today is (?P<t>[^ )]+).*", r"\g<p> 尚未结束（账簿时钟今天是 \g<t>）；月末之后才能结账，report month 可查看截至目前的数字"),
    ("not-a-terminal", r".*", "`cashbook close day --guided` 需要在终端上逐项询问；没有终端时请用非交互方式：先 `cashbook count DATE 100xN …`，再 `cashbook close day DATE`"),
    ("no-count", r"(?P<a>\S+): no cash count for (?P<d>\S+);.*", r"\g<a>：\g<d> 没有现金盘点；请先盘点：cashbook count \g<d> 100xN 50xN …"),
    ("bad-option", r"URL: give the remote's address.*", "URL：请给出远程仓库的地址，如 `file:///srv/books/store1.git` 或 `git@server:store1.git`"),
    ("not-a-company", r"(?P<r>\S+) has no (?P<f>\S+); create one with (?P<cmd>`[^`]+`)", r"\g<r> 中没有 \g<f>；请用 \g<cmd> 创建"),
    ("company-exists", r"(?P<f>\S+) exists; .*", r"\g<f> 已存在；请直接编辑它来增加门店（`cashbook company init` 从不覆盖）"),
    ("bad-company", r"(?P<w>.+?): branch name (?P<n>'[^']*'): letters, digits, - and _ .*",
     r"\g<w>：门店名 \g<n> 只能由字母、数字、- 和 _ 组成（它也是门店文件夹的名字），如 store1"),
    ("bad-company", r"(?P<w>.+?): branch (?P<n>'[^']*') has no url; .*",
     r"\g<w>：门店 \g<n> 没有 url；请给出它的 git 远程仓库，如 `file:///srv/books/store1.git`"),
    ("bad-company", r"(?P<w>.+?): branch (?P<n>'[^']*') is listed twice", r"\g<w>：门店 \g<n> 列了两次"),
    ("bad-company", r"(?P<w>.+?): branches is a list of \[\[branches\]\] tables", r"\g<w>：branches 应为 [[branches]] 表的列表"),
    ("bad-company", r"(?P<w>.+?): branches\[(?P<i>\d+)\] is not a table", r"\g<w>：branches[\g<i>] 不是表"),
    ("bad-company", r"(?P<w>.+?): branches\[(?P<i>\d+)\]: unknown key\(s\) (?P<k>[^;]+); .*",
     r"\g<w>：branches[\g<i>]：未知的键 \g<k>；门店只有 name、url 和可选的 prefix"),
    ("bad-company", r"(?P<p>\S+) lists no branches; .*", r"\g<p> 没有列出门店；请加上 [[branches]] 表（name、url），或用 `cashbook company init DIR --branch NAME=URL`"),
    ("bad-option", r"--branch (?P<v>'[^']*'): write NAME=URL, .*", r"--branch \g<v>：请写 NAME=URL，如 store1=file:///srv/books/store1.git"),
    ("bad-option", r"--branch (?P<v>'[^']*') given twice", r"--branch \g<v> 给了两次"),
    ("bad-option", r"--prefix (?P<v>'[^']*'): write NAME=PREFIX, .*", r"--prefix \g<v>：请写 NAME=PREFIX，如 store1=s1-"),
    ("bad-option", r"--prefix for (?P<n>.+): no --branch of that name", r"--prefix 指定的 \g<n> 没有同名的 --branch"),
    ("bad-count", r".*whole number of notes or coins.*", "张数必须是整数，例如 100x12"),
    ("bad-policy", r"(?P<where>.*?)lang: Input should be 'en' or 'zh'.*", r"\g<where>lang：只能是 'en' 或 'zh'"),
]


def message_zh(code: str, message: str, data: dict | None = None) -> str:
    data = data or {}
    fn = CATALOG.get(code)
    if fn is not None:
        try:
            text = fn(data, message)
        except (KeyError, TypeError, ValueError, InvalidOperation):
            text = None
        if text:
            return text
    for c, pattern, template in PATTERNS:
        if c == code:
            m = re.fullmatch(pattern, message, flags=re.S)
            if m:
                text = m.expand(template).replace("（policies.toml 中的账户：）", "")
                return text.replace(" from policies.toml", "，取自 policies.toml").replace("this machine's zone", "本机时区")
    facts = _facts(message)
    return f"{TITLES.get(code, code)}" + (f"：{facts}" if facts else "")


def problem_line(p, lang: str, with_severity: bool = False) -> str:
    """``file:line: code: message`` of a `Problem` (or its JSON dict), in ``lang``."""
    d = p if isinstance(p, dict) else p.as_json()
    where = ""
    if d.get("file"):
        where = f"{d['file']}:{d['line']}: " if d.get("line") else f"{d['file']}: "
    msg = d.get("message", "")
    if lang == "zh":
        msg = message_zh(d["code"], msg, d)
    head = f"{SEVERITY.get(d.get('severity', ''), d.get('severity', '')) if lang == 'zh' else d.get('severity')}: " if with_severity else ""
    return f"{head}{where}{d['code']}: {msg}"


# -- the fixed words of the printers --

WORDS = {
    "error: ": "错误：", "warning: ": "提醒：", "nothing was written": "未写入任何内容", "aborted": "已取消",
    "interrupted; nothing half-written (appends are atomic)": "已中断；没有写入一半的内容（追加是原子操作）",
}


def word(text: str, lang: str) -> str:
    return WORDS.get(text, text) if lang == "zh" else text


# click's own usage errors
USAGE = [
    (r"No such option: (?P<o>\S+?)(?: Did you mean (?P<s>\S+?)\?)?(?: \(Possible options: (?P<p>.*)\))?",
     lambda m: f"没有选项 {m['o']}" + (f"；是否想用 {m['s']}？" if m["s"] else "") + (f"（可用：{m['p']}）" if m["p"] else "")),
    (r"Missing option '(?P<o>[^']+)'\.?(?P<rest>.*)", lambda m: f"缺少选项 {m['o']}"),
    (r"Missing argument '(?P<a>[^']+)'\.?(?P<rest>.*)", lambda m: f"缺少参数 {m['a']}"),
    (r"Missing parameter: (?P<a>\S+)", lambda m: f"缺少参数 {m['a']}"),
    (r"Invalid value for (?P<o>.+?): (?P<v>'.*?') is not one of (?P<c>.*)\.", lambda m: f"{m['o']} 的值 {m['v']} 无效；可选：{m['c']}"),
    (r"Invalid value for (?P<o>.+?): (?P<rest>.*)", lambda m: f"{m['o']} 的值无效：{_facts(m['rest'])}"),
    (r"No such command '(?P<c>[^']+)'\.?", lambda m: f"没有命令 '{m['c']}'"),
    (r"Got unexpected extra arguments? \((?P<a>.*)\)", lambda m: f"多余的参数：{m['a']}"),
    (r"Option '(?P<o>[^']+)' requires an argument\.?", lambda m: f"选项 {m['o']} 需要一个值"),
    (r"Option '(?P<o>[^']+)' requires (?P<n>\d+) arguments\.?", lambda m: f"选项 {m['o']} 需要 {m['n']} 个值"),
    (r"Option '(?P<o>[^']+)' does not take a value\.?", lambda m: f"选项 {m['o']} 不带值"),
]


def usage_zh(message: str) -> str:
    for pattern, make in USAGE:
        m = re.fullmatch(pattern, message.strip(), flags=re.S)
        if m:
            return make(m)
    return f"用法有误：{_facts(message)}"

