"""The html renderer: a report as a printable A4 page; a report with a `Sheet` is laid out
as that form (现金盘点表, 现金日报, 余额调节表, 日记账, 月度报告), any other as its tables.

Every value is escaped; the page carries its own CSS (print layout, a CJK font stack that
the Debian packages fonts-noto-cjk or fonts-wqy-zenhei provide) and no outside resources.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html import escape

from ..core.money import fmt_grouped
from ..reports.model import Report

FONTS = '"Noto Serif CJK SC", "Noto Sans CJK SC", "Source Han Serif SC", "WenQuanYi Zen Hei", "SimSun", serif'

CSS = """
@page { size: A4 %(orient)s; margin: 14mm 12mm 16mm 12mm;
        @bottom-center { content: "第 " counter(page) " 页 / 共 " counter(pages) " 页"; font-size: 8pt; } }
body { font-family: %(fonts)s; font-size: 10pt; color: #000; }
h1 { text-align: center; font-size: 18pt; letter-spacing: 0.3em; margin: 0 0 2mm 0; }
h1 small { display: block; font-size: 9pt; letter-spacing: 0; font-weight: normal; }
.meta { display: flex; justify-content: space-between; margin: 2mm 0; font-size: 9.5pt; }
table { width: 100%%; border-collapse: collapse; margin: 2mm 0; }
th, td { border: 0.6pt solid #000; padding: 1.2mm 1.6mm; vertical-align: top; }
th { background: #eee; font-weight: bold; text-align: center; }
td.n, th.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.c { text-align: center; white-space: nowrap; }
tr.carry td { font-weight: bold; background: #f6f6f6; }
tr.total td { font-weight: bold; }
.words { margin: 2mm 0; }
.words b { letter-spacing: 0.05em; }
.note { font-size: 8.5pt; margin: 1mm 0; }
.sign { display: flex; justify-content: space-between; margin-top: 8mm; }
.sign span { flex: 1; white-space: nowrap; }
.sign i { display: inline-block; border-bottom: 0.6pt solid #000; width: 24mm; }
tr { page-break-inside: avoid; }
table.journal { table-layout: fixed; font-size: 8pt; }
table.journal td, table.journal th { padding: 0.6mm 1mm; }
table.side td:first-child { width: 72%%; }
.page { page-break-after: always; }
.page:last-child { page-break-after: auto; }
.verdict { font-weight: bold; margin: 2mm 0; }
.bad { color: #b00; }
svg text { font-family: %(fonts)s; }
"""


def _m(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return escape(fmt_grouped(value))
    return escape(str(value))


def _t(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return escape(str(value))


def _label(zh: str, en: str, lang: str) -> str:
    return escape(zh) if lang == "zh" else f"{escape(zh)} <small>{escape(en)}</small>"


def _page(title: str, body: str, landscape: bool = False) -> str:
    css = CSS % {"fonts": FONTS, "orient": "landscape" if landscape else "portrait"}
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{css}</style></head><body>\n{body}\n</body></html>\n")


def _head(sheet, lang: str, extra: str = "") -> str:
    sub = "" if lang == "zh" else f"<small>{escape(sheet.title_en)}</small>"
    left = f"单位名称{'' if lang == 'zh' else ' Company'}: {escape(sheet.company)}"
    right = f"{'期间' if lang == 'zh' else '期间 Period'}: {escape(sheet.period)}"
    mid = f"{'账户' if lang == 'zh' else '账户 Account'}: {escape(sheet.subject)}" if sheet.subject else ""
    return (f"<h1>{escape(sheet.title_zh)}{sub}</h1>"
            f'<div class="meta"><span>{left}</span><span>{mid}</span><span>{right}</span></div>{extra}')


def _signatures(sheet, lang: str) -> str:
    cells = "".join(f"<span>{_label(zh, en, lang)}: <i></i></span>" for zh, en in sheet.signatures)
    return f'<div class="sign">{cells}</div>'


def _words(label: str, amount, text: str) -> str:
    return f'<p class="words">{label}（大写）: <b>人民币 {escape(text)}</b> &nbsp; ¥{_m(amount)}</p>'


def _count(s, lang: str) -> str:
    b = s.body
    rows = "".join(f'<tr><td class="n">{_m(r["denomination"])}</td><td class="n">{r["pieces"]}</td>'
                   f'<td class="n">{_m(r["amount"])}</td></tr>' for r in b["rows"])
    diff = b["difference"]
    verdict = ("未盘点 not counted" if diff is None else "账实相符" if diff == 0 else
               (f"长款 {_m(b['overage'])}" if diff > 0 else f"短款 {_m(b['shortage'])}"))
    table = (f"<table><tr><th>{_label('面额', 'Denomination', lang)}</th><th>{_label('张（枚）数', 'Pieces', lang)}</th>"
             f"<th>{_label('金额', 'Amount', lang)}</th></tr>{rows}"
             f'<tr class="total"><td>{_label("实存合计", "Counted total", lang)}</td><td></td><td class="n">{_m(b["counted"])}</td></tr></table>'
             f"<table><tr><th>{_label('账存金额', 'Book balance', lang)}</th><th>{_label('实存金额', 'Counted', lang)}</th>"
             f"<th>{_label('长款', 'Overage', lang)}</th><th>{_label('短款', 'Shortage', lang)}</th><th>{_label('结论', 'Result', lang)}</th></tr>"
             f'<tr><td class="n">{_m(b["book_balance"])}</td><td class="n">{_m(b["counted"])}</td>'
             f'<td class="n">{_m(b["overage"])}</td><td class="n">{_m(b["shortage"])}</td><td class="c">{verdict}</td></tr></table>')
    when = f'<p class="note">盘点时间{"" if lang == "zh" else " Counted at"}: {_t(b["time"])}</p>'
    return (_head(s, lang) + table + _words("实存金额", b["counted"], b["counted_words"])
            + _words("账存金额", b["book_balance"], b["book_words"]) + when + _signatures(s, lang))


def _day(s, lang: str) -> str:
    b = s.body
    items = [("opening", "期初余额", "Opening"), ("receipts", "本日收入", "Receipts"), ("payments", "本日支出", "Payments"),
             ("closing", "期末余额（账存）", "Closing per book"), ("counted", "实存（盘点）", "Counted"), ("difference", "长款(+)/短款(−)", "Difference"),
             ("takings", "本日营业收入现金", "Cash takings"), ("banked", "本日送存银行", "Banked"),
             ("undeposited", "未送存", "Not yet banked"), ("over_limit", "超库存限额", "Over the limit")]
    head = "".join(f"<th>{_label('项目', 'Item', lang)}</th>" if i == 0 else "" for i in range(1))
    head += "".join(f"<th>{escape(a['account'])}</th>" for a in b["accounts"])
    rows = "".join(f"<tr><td>{_label(zh, en, lang)}</td>" + "".join(f'<td class="n">{_m(a[key])}</td>' for a in b["accounts"]) + "</tr>"
                   for key, zh, en in items)
    exc = "".join(f"<tr><td class='c'>{_t(p['severity'])}</td><td class='c'>{_t(p['code'])}</td><td>{_t(p['message'])}</td></tr>"
                  for p in b["exceptions"])
    exceptions = (f"<table><tr><th>{_label('级别', 'Severity', lang)}</th><th>{_label('代码', 'Code', lang)}</th>"
                  f"<th>{_label('异常事项', 'Exception', lang)}</th></tr>{exc}</table>" if exc
                  else f"<p class='note'>{_label('异常事项：无', 'no exceptions', lang)}</p>")
    status = (("已封账 " if lang == "zh" else "已封账 sealed ") + escape(b["seal"])) if b["sealed"] else ("未封账" if lang == "zh" else "未封账 open")
    extra = f'<p class="note">{"状态" if lang == "zh" else "状态 Status"}: {status} · {"笔数" if lang == "zh" else "笔数 Entries"}: {b["entries"]} · {"库存限额" if lang == "zh" else "库存限额 Limit"}: {_m(b["limit"])}</p>'
    return (_head(s, lang) + f"<table><tr>{head}</tr>{rows}</table>" + _words("期末余额", b["accounts"][0]["closing"], b["closing_words"])
            + extra + exceptions + _signatures(s, lang))


def _items(items: list[dict], lang: str = "en") -> str:
    from . import in_lang

    return "".join(f'<tr class="item"><td>&nbsp;&nbsp;{_t(i["date"])} {_t(i.get("ref"))} {_t(in_lang(i.get("memo") or "", lang))}</td>'
                   f'<td class="n">{_m(i["amount"])}</td></tr>' for i in items)


def _reconciliation(s, lang: str) -> str:
    from ..reports.reconcile import source_zh

    b = s.body
    t = b["totals"]

    def side(rows: list[str]) -> str:
        return "".join(rows)

    left = [f'<tr class="total"><td>{_label("企业银行存款日记账余额", "Balance per books", lang)}</td><td class="n">{_m(b["book_balance"])}</td></tr>',
            f'<tr><td>{_label("加：银行已收、企业未收", "Add: bank credits not booked", lang)}</td><td class="n">{_m(t["bank_credits_not_booked"])}</td></tr>',
            _items(b["bank_credits_not_booked"], lang),
            f'<tr><td>{_label("减：银行已付、企业未付", "Less: bank debits not booked", lang)}</td><td class="n">{_m(t["bank_debits_not_booked"])}</td></tr>',
            _items(b["bank_debits_not_booked"], lang)]
    right = [f'<tr class="total"><td>{_label("银行对账单余额", "Balance per bank statement", lang)}</td><td class="n">{_m(b["statement_balance"])}</td></tr>',
             f'<tr><td>{_label("加：企业已收、银行未收", "Add: deposits in transit", lang)}</td><td class="n">{_m(t["deposits_in_transit"])}</td></tr>',
             _items(b["deposits_in_transit"], lang),
             f'<tr><td>{_label("减：企业已付、银行未付", "Less: outstanding payments", lang)}</td><td class="n">{_m(t["outstanding_payments"])}</td></tr>',
             _items(b["outstanding_payments"], lang)]
    grid = (f"<table><tr><th>{_label('项目', 'Item', lang)}</th><th class='n'>{_label('金额', 'Amount', lang)}</th>"
            f"<th>{_label('项目', 'Item', lang)}</th><th class='n'>{_label('金额', 'Amount', lang)}</th></tr>"
            f"<tr><td colspan='2' style='padding:0;border:none'><table class='side' style='margin:0'>{side(left)}</table></td>"
            f"<td colspan='2' style='padding:0;border:none'><table class='side' style='margin:0'>{side(right)}</table></td></tr>"
            f'<tr class="total"><td>{_label("调节后的存款余额", "Adjusted balance", lang)}</td><td class="n">{_m(b["adjusted_book"])}</td>'
            f'<td>{_label("调节后的存款余额", "Adjusted balance", lang)}</td><td class="n">{_m(b["adjusted_bank"])}</td></tr></table>')
    verdict = (f'<p class="verdict">{_label("调节后余额相符", "balanced: the adjusted balances agree", lang)}</p>' if b["balanced"] else
               f'<p class="verdict bad">{_label("调节后余额不符，差额", "NOT balanced, difference", lang)} {_m(b["difference"])}</p>')
    extra = (f'<p class="note">{"开户行" if lang == "zh" else "开户行 Bank"}: {_t(b["bank"])} · {"账号" if lang == "zh" else "账号 Number"}: {_t(b["number"])}'
             f' · {"截至" if lang == "zh" else "截至 As of"}: {_t(b["month_end"])}</p>')
    source = f'<p class="note">{"对账单余额来源" if lang == "zh" else "对账单余额来源 Statement balance"}: {_t(source_zh(b["source"]) if lang == "zh" else b["source"])}</p>'
    return (_head(s, lang, extra) + grid + verdict + _words("调节后的存款余额", b["adjusted_book"], b["adjusted_words"]) + source
            + _signatures(s, lang))


def _journal(s, lang: str) -> str:
    b = s.body
    cols = [("日期", "Date"), ("凭证号", "Entry"), ("单号", "Doc"), ("摘要", "Summary"), ("对方科目", "Counter account"),
            ("借方（收入）", "Debit"), ("贷方（支出）", "Credit"), ("余额", "Balance")]
    widths = (8, 10, 8, 26, 13, 8, 8, 9)  # with the cell padding, a full landscape line
    head = "".join(f'<th style="width:{w}%">{_label(zh, en, lang)}</th>' for (zh, en), w in zip(cols, widths))
    pages = []
    for n, page in enumerate(b["pages"], 1):
        rows = "".join(
            f'<tr{" class=carry" if r.get("carry") else ""}><td class="c">{_t(r.get("date"))}</td><td class="c">{_t(r.get("id"))}</td>'
            f'<td class="c">{_t(r.get("doc"))}</td><td>{_t(r.get("summary"))}</td><td>{_t(r.get("counterpart"))}</td>'
            f'<td class="n">{_m(r.get("receipt"))}</td><td class="n">{_m(r.get("payment"))}</td><td class="n">{_m(r.get("balance"))}</td></tr>'
            for r in page)
        last = n == len(b["pages"])
        tail = (_words("期末余额", b["closing"], b["closing_words"]) + _signatures(s, lang)) if last else ""
        pages.append(f'<section class="page">{_head(s, lang)}<table class="journal"><tr>{head}</tr>{rows}</table>{tail}</section>')
    return "".join(pages)


def cash_chart_svg(daily: list[dict], limit: Decimal, width: int = 680, height: int = 220, lang: str = "en") -> str:
    """Cash on hand at each day's end as bars, the limit as a dashed line (red bars over it)."""
    if not daily:
        return "<p class='note'>本月无现金余额数据</p>" if lang == "zh" else "<p class='note'>本月无现金余额数据 no cash movements</p>"
    top = max(max(d["balance"] for d in daily), limit) * Decimal("1.1") or Decimal(1)
    left, bottom, plot_h = 60, height - 30, height - 50
    step = (width - left - 10) / len(daily)
    def y(v: Decimal) -> float:  # not money: a chart coordinate in pixels
        return bottom - float(v / top) * plot_h  # not money
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">',
             f'<title>库存现金日余额与限额{"" if lang == "zh" else " cash on hand by day against the limit"}</title>',
             f'<line x1="{left}" y1="{bottom}" x2="{width - 10}" y2="{bottom}" stroke="#000" stroke-width="0.8"/>',
             f'<line x1="{left}" y1="{bottom}" x2="{left}" y2="{bottom - plot_h}" stroke="#000" stroke-width="0.8"/>']
    for i, d in enumerate(daily):
        bal = d["balance"]
        x = left + i * step + step * 0.15
        h = max(float(bal / top) * plot_h, 0)  # not money: a bar height in pixels
        color = "#c0392b" if bal > limit else "#4a6fa5"
        parts.append(f'<rect x="{x:.1f}" y="{bottom - h:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" fill="{color}"/>')
        label = d["date"].strftime("%d") if isinstance(d["date"], dt.date) else str(d["date"])[-2:]
        parts.append(f'<text x="{x + step * 0.35:.1f}" y="{bottom + 12}" font-size="8" text-anchor="middle">{escape(label)}</text>')
    ly = y(limit)
    parts.append(f'<line x1="{left}" y1="{ly:.1f}" x2="{width - 10}" y2="{ly:.1f}" stroke="#c0392b" stroke-dasharray="5,3" stroke-width="1"/>')
    parts.append(f'<text x="{width - 12}" y="{ly - 3:.1f}" font-size="9" text-anchor="end" fill="#c0392b">库存限额{"" if lang == "zh" else " limit"} {_m(limit)}</text>')
    parts.append(f'<text x="{left - 4}" y="{bottom - plot_h + 4}" font-size="8" text-anchor="end">{_m(top.quantize(Decimal(1)))}</text>')
    parts.append(f'<text x="{left - 4}" y="{bottom}" font-size="8" text-anchor="end">0</text>')
    parts.append("</svg>")
    return "".join(parts)


def _value(code: str, lang: str) -> str:
    """A code of the data (income, expense ...) in Chinese on a zh sheet."""
    from .zh import VALUES

    return VALUES.get(code, code) if lang == "zh" else code


def _month(s, lang: str) -> str:
    b = s.body
    acols = [("账户", "Account"), ("名称", "Name"), ("期初余额", "Opening"), ("本期收入", "Receipts"), ("本期支出", "Payments"), ("期末余额", "Closing")]
    arows = "".join(f'<tr><td>{_t(a["account"])}</td><td>{_t(a["name"])}</td>' +
                    "".join(f'<td class="n">{_m(a[k])}</td>' for k in ("opening", "receipts", "payments", "closing")) + "</tr>"
                    for a in b["accounts"])
    tot = b["totals"]
    arows += (f'<tr class="total"><td colspan="2">{_label("合计", "Total", lang)}</td>' +
              "".join(f'<td class="n">{_m(tot[k])}</td>' for k in ("opening", "receipts", "payments", "closing")) + "</tr>")
    accounts = "<table><tr>" + "".join(f"<th>{_label(zh, en, lang)}</th>" for zh, en in acols) + f"</tr>{arows}</table>"
    crows = "".join(f'<tr><td>{_t(c["category"])}</td><td>{_t(c["name"])}</td><td class="c">{_t(_value(c["type"], lang))}</td><td class="n">{_m(c["amount"])}</td></tr>'
                    for c in b["categories"])
    categories = (f"<h3>{_label('按科目汇总', 'Totals by category', lang)}</h3><table><tr><th>{_label('科目', 'Category', lang)}</th>"
                  f"<th>{_label('名称', 'Name', lang)}</th><th>{_label('类型', 'Type', lang)}</th><th>{_label('金额', 'Amount', lang)}</th></tr>{crows}</table>")
    adv, dep, chq = b["advances"], b["deposits"], b["cheques"]
    facts = [("内部账户间划转", "between own accounts", _m(tot["between_accounts"])),
             ("备用金未清", "advances outstanding", f'{adv["open"]} · {_m(adv["outstanding"])} · 逾期 {_m(adv["receivable"])}'),
             ("押金余额", "deposits held", _m(dep["total"])),
             ("支票", "cheques", f'{chq["issued"]} · 未兑付 {_m(chq["outstanding_total"])} · 作废 {_m(chq["voided_total"])}')]
    from ..reports.close import _status_zh

    facts += [(f"银行 {r['account']}", "bank", _t(_status_zh(r["status"]) if lang == "zh" else r["status"])) for r in b["reconciliation"]]
    frows = "".join(f"<tr><td>{_label(zh, en, lang)}</td><td>{v}</td></tr>" for zh, en, v in facts)
    exc = "".join(f"<li>{_t(p.get('severity'))} {_t(p.get('code'))}: {_t(p.get('message'))}</li>" for p in b["exceptions"])
    unsealed = (f"<p class='note bad'>未封账日 unsealed days: {', '.join(_t(d) for d in b['unsealed'])}</p>" if b["unsealed"] else "")
    chart = (f"<h3>{_label('库存现金日余额与限额', 'Cash on hand by day against the limit', lang)}</h3>"
             + cash_chart_svg(b["daily_cash"], b["limit"], lang=lang))
    return (_head(s, lang) + accounts + _words("期末余额合计", tot["closing"], b["closing_words"]) + chart + categories
            + f"<h3>{_label('其他事项', 'Registers and banks', lang)}</h3><table>{frows}</table>"
            + (f"<h3>{_label('异常事项', 'Exceptions', lang)}</h3><ul class='note'>{exc}</ul>" if exc else "")
            + unsealed + _signatures(s, lang))


LAYOUTS = {"count": _count, "day": _day, "reconciliation": _reconciliation, "journal": _journal, "month": _month}


def _tables(report: Report, lang: str) -> str:
    out = []
    for table in report.tables:
        title = table.title(lang)
        head = "".join(f'<th{" class=n" if c.kind in ("money", "int") else ""}>{escape(c.heading(lang))}</th>' for c in table.columns)
        rows = "".join("<tr>" + "".join(f'<td{" class=n" if c.kind in ("money", "int") else ""}>{_m(row.get(c.key))}</td>'
                                        for c in table.columns) + "</tr>" for row in table.rows)
        if table.totals:
            rows += '<tr class="total">' + "".join(f'<td{" class=n" if c.kind in ("money", "int") else ""}>{_m(table.totals.get(c.key))}</td>'
                                                   for c in table.columns) + "</tr>"
        out.append(f"<h2>{escape(title)}</h2><table><tr>{head}</tr>{rows}</table>")
    from . import in_lang

    out += [f'<p class="note">{escape(in_lang(n, lang))}</p>' for n in report.notes]
    return "".join(out)


def render_html(report: Report, lang: str = "en") -> str:
    """The whole page for ``report``."""
    sheets = report.sheets
    if not sheets:
        title = report.tables[0].title(lang) if report.tables else "cashbook"
        return _page(title, _tables(report, lang))
    body = "".join(f'<section class="page">{LAYOUTS[s.kind](s, lang)}</section>' for s in sheets)
    landscape = any(s.kind == "journal" for s in sheets)
    return _page(sheets[0].title(lang), body, landscape=landscape)
