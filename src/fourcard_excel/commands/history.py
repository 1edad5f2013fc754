"""``fourcard-excel history`` and ``fourcard-excel export``: the county database of periods."""

from __future__ import annotations

from pathlib import Path

import click

from ..checks import history_db as db
from ..checks.history import HistoryError, export_period
from .common import CommandError

DB_HELP = f"县级数据库文件（默认：当前目录下的 {db.DEFAULT_DB_NAME}）"


def _open_existing(db_path: str | None):
    path = Path(db_path) if db_path else Path.cwd() / db.DEFAULT_DB_NAME
    if not path.exists():
        raise CommandError(
            f"数据库文件不存在：{path}\n先运行 fourcard-excel process 处理花名册，会自动建立数据库；"
            "或用 --db 指定数据库文件。")
    try:
        return path, db.open_db(path, create=False)
    except HistoryError as exc:
        raise CommandError(str(exc)) from exc


@click.command("history", short_help="列出数据库中已记录的期次")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None, help=DB_HELP)
def history(db_path: str | None) -> None:
    """列出县级动态管理数据库中已记录的期次（每次 process 运行记录一期，期次 = 评估日期）。

    \b
    示例：
      fourcard-excel history
      fourcard-excel history --db D:/扶贫办/fourcard.sqlite
    """
    path, conn = _open_existing(db_path)
    try:
        periods = db.list_periods(conn)
    finally:
        conn.close()
    click.echo(f"数据库：{path}")
    if periods.empty:
        click.echo("数据库中还没有记录任何期次。")
        return
    fixed = {"period", "as_of", "recorded_at", "rules_sha256", "rules_path", "n_households"}
    cards = [c for c in periods.columns if c not in fixed]
    header = ["期次", "记录时间", "户数", *cards, "规则文件SHA-256"]
    click.echo("\t".join(header))
    for row in periods.to_dict("records"):
        values = [row["period"], row["recorded_at"], str(row["n_households"]),
                  *[str(int(row[c])) if row[c] == row[c] else "0" for c in cards],
                  (row["rules_sha256"] or "")[:12]]
        click.echo("\t".join(values))
    click.echo(f"共 {len(periods)} 期。导出某一期：fourcard-excel export --period {periods['period'].iloc[-1]}")


@click.command("export", short_help="导出某一期数据，共享给行业部门")
@click.option("--period", "period", required=True, help="期次（评估日期，格式 YYYY-MM-DD）")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"], case_sensitive=False),
              default="csv", show_default=True, help="导出格式：csv（UTF-8 带 BOM，Excel 可直接打开）或 parquet")
@click.option("-o", "--output", "output", type=click.Path(), default=None,
              help="输出文件或文件夹（默认：当前目录下的 四卡数据_<期次>.<格式>）")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None, help=DB_HELP)
def export(period: str, fmt: str, output: str | None, db_path: str | None) -> None:
    """把数据库中某一期的全部家庭（事实、卡别、判定依据）导出为一个表，供行业部门共享使用。

    \b
    示例：
      fourcard-excel export --period 2024-06-30
      fourcard-excel export --period 2024-06-30 --format parquet -o 共享数据/
    """
    _, conn = _open_existing(db_path)
    try:
        out = export_period(conn, period, Path(output) if output else Path.cwd(), fmt.lower())
    except HistoryError as exc:
        raise CommandError(str(exc)) from exc
    finally:
        conn.close()
    click.echo(f"已导出期次 {db._iso(period)}：{out}")


COMMANDS = [history, export]
