"""The import report (every line read: imported, already present or skipped, and why) and
the list of an account's recorded imports."""

from __future__ import annotations

from .model import Bi, Column, Report, Table

LINE_COLUMNS = [Column("line", "Line", "行", "int"), Column("date", "Date", "日期", "date"),
                Column("amount", "Amount", "金额"), Column("status", "Status", "结果"),
                Column("reason", "Reason", "原因"), Column("uid", "Line id", "流水标识"), Column("ref", "Ref", "流水号"),
                Column("memo", "Memo", "摘要")]
IMPORT_COLUMNS = [Column("id", "Import", "导入"), Column("time", "When", "时间"), Column("file", "File", "文件"),
                  Column("sha256", "sha256", "sha256"), Column("from", "From", "自", "date"), Column("to", "To", "至", "date"),
                  Column("lines_read", "Read", "读取", "int"), Column("imported", "Imported", "导入", "int"),
                  Column("already_present", "Present", "已有", "int"), Column("skipped", "Skipped", "跳过", "int"),
                  Column("gaps", "Gaps accepted", "接受的差额")]


def import_report(info: dict, rows: list[dict]) -> Report:
    """``info``: the JSON form; ``rows``: each line read (line, date, amount, status, reason, uid, ref, memo)."""
    from ..core.zh_text import import_zh

    shown = [{**r, "amount": str(r["amount"]), "reason": Bi(r["reason"], import_zh(r["reason"])) if r.get("reason") else r.get("reason")}
             for r in rows]
    table = Table(LINE_COLUMNS, shown,
                  f"Statement lines read from {info['file']}", f"{info['file']} 读取的对账单行")
    notes = [
        Bi(f"imported {info['added']} new line(s) of {info['lines']} into {info['account']} "
           f"({info['already_imported']} already imported), {info['from']} to {info['to']}",
           f"已导入 {info['added']} 行新流水（共 {info['lines']} 行）到 {info['account']}"
           f"（{info['already_imported']} 行此前已导入），{info['from']} 至 {info['to']}"),
        Bi(f"read {info['lines_read']} line(s): {info['added']} imported, {info['already_imported']} already present, "
           f"{info['skipped']} skipped" + (f"; import id {info['import_id']}" if info["import_id"] else ""),
           f"读取 {info['lines_read']} 行：导入 {info['added']} 行，已有 {info['already_imported']} 行，跳过 {info['skipped']} 行"
           + (f"；导入编号 {info['import_id']}" if info["import_id"] else "")),
    ]
    notes += [Bi(f"  skipped line {s['line']}: {s['reason']}: {s['amount']} {s['memo']}".rstrip(),
                 f"  跳过第 {s['line']} 行：{import_zh(s['reason'])}：{s['amount']} {s['memo']}".rstrip()) for s in info["skipped_lines"]]
    notes += [Bi(f"note: {c}", f"注意：{import_zh(c)}") if c.startswith("account number not checked") else Bi(f"checked: {c}", f"已核对：{import_zh(c)}")
              for c in info["checks"]]
    return Report(info, [table], notes)


def imports_report(account: str, rows: list[dict]) -> Report:
    shown = [{**r, "sha256": r["sha256"][:12], "gaps": len(r["gaps"]) or ""} for r in rows]
    notes = [] if rows else [Bi(f"no recorded imports for {account}", f"{account} 没有已记录的导入")]
    return Report({"account": account, "imports": rows}, [Table(IMPORT_COLUMNS, shown, f"Imports into {account}",
                                                                f"{account} 的对账单导入")] if rows else [], notes)
