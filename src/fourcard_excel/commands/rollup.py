"""``fourcard-excel rollup``: the city's or province's roll-up of many counties' results."""

from __future__ import annotations

from pathlib import Path

import click

from .common import CommandError

MAX_PRINT_ROWS = 100


def _memory(ctx, param, value):
    from ..rollup.engine import size_text

    try:
        return size_text(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@click.command("rollup", short_help="市、省汇总各县结果，查找跨县重复人员")
@click.argument("dirs", nargs=-1, metavar="各县结果文件夹…", type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False), default="全市汇总", show_default=True,
              metavar="输出文件夹", help="汇总结果写到这个文件夹。")
@click.option("--name", default="全市", show_default=True, metavar="名称", help="汇总单位名称（如 某某市），用于表头。")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None, metavar="数据库",
              help="保留 DuckDB 数据库文件，供以后用 --sql 查询（表：households、members、issues 等）。")
@click.option("--sql", default=None, metavar="查询语句", help="执行一条 SQL 查询并以表格打印结果。")
@click.option("--memory-limit", default="4GB", show_default=True, metavar="大小", callback=_memory,
              help="DuckDB 可用内存上限，超出部分写临时文件（如 4GB、512MB）。")
@click.option("--threads", type=click.IntRange(1, 256), default=None, metavar="线程数",
              help="DuckDB 线程数，默认等于 CPU 核数。")
@click.option("--max-rows", type=click.IntRange(1), default=MAX_PRINT_ROWS, show_default=True, metavar="行数",
              help="--sql 最多打印多少行。")
def rollup_cmd(dirs, out_dir, name, db_path, sql, memory_limit, threads, max_rows) -> None:
    """市、省汇总：把各县 process 的结果合在一起，比较各县分卡情况，找出在两个县同时登记的人员。

    每个“各县结果文件夹”是某县 fourcard-excel process 的输出文件夹（含 manifest.json），或存放多个
    这种文件夹的上级文件夹（向下查找）。各县用 process --county 县名 区分（默认为输入文件夹名称）。
    数据用 DuckDB 直接读各县的 Parquet 文件（旧版结果没有 Parquet 时改读 CSV），写出：

    \b
      汇总.csv           县、乡镇、卡别、户数、人数
      跨县重复人员.csv   同一证件号码出现在两个及以上县，每次出现一行，按证件号码排序
      跨县重复户主.csv   同一户主在两个及以上县为户主
      全市汇总.xlsx      各县分卡户数和占比（附图表）、乡镇明细、问题统计、县级抽查覆盖率、
                         公益岗位达标、帮扶措施覆盖率（有台账的县）、跨县重复人员、数据说明（规则文件或基准日不同时给出警告）

    \b
    示例：
      fourcard-excel rollup 各县结果 -o 全市汇总 --name 某某市
      fourcard-excel rollup 云溪县结果 青山县结果 -o 全市汇总 --db 全市.duckdb
      fourcard-excel rollup --db 全市.duckdb --sql "SELECT county, COUNT(*) FROM members GROUP BY county"

    \b
    退出码：0 已完成；1 没有找到各县结果、数据库或 SQL 出错；2 用法错误。
    """
    from ..rollup import RollupError, query, run

    if not dirs:
        if not (db_path and sql):
            raise click.UsageError("请指定各县结果文件夹；或用 --db 数据库 --sql \"查询语句\" 查询已保存的汇总数据库")
        try:
            _print_frame(query(Path(db_path), sql, memory_limit=memory_limit, threads=threads,
                               limit=max_rows + 1), max_rows)
        except RollupError as exc:
            raise CommandError(str(exc)) from exc
        return
    out = Path(out_dir)
    for d in dirs:
        if out.resolve() == Path(d).resolve():
            raise click.UsageError("输出文件夹不能与各县结果文件夹相同，请用 -o 换一个位置")
    try:
        result = run([Path(d) for d in dirs], out, name=name, db_path=Path(db_path) if db_path else None,
                     memory_limit=memory_limit, threads=threads, sql=sql)
    except RollupError as exc:
        raise CommandError(str(exc)) from exc

    csv_runs = sum(r.source == "CSV" for r in result.runs)
    click.echo(f"县：{len(result.runs)} 个（读 Parquet {len(result.runs) - csv_runs} 个，读 CSV {csv_runs} 个）")
    click.echo(f"家庭：{int(result.summary['户数'].sum())} 户，{int(result.summary['人数'].sum())} 人；"
               f"成员行 {result.member_rows} 行")
    people, heads = result.dup_people, result.dup_heads
    click.echo(f"跨县重复人员：{people['证件号码'].nunique()} 人（{len(people)} 条记录）；"
               f"跨县重复户主：{heads['证件号码'].nunique()} 人（{len(heads)} 户）")
    for line in result.warnings:
        click.echo(f"警告：{line}")
    if db_path:
        click.echo(f"数据库：{Path(db_path).resolve()}（可用 --db {db_path} --sql \"…\" 查询）")
    click.echo(f"结果已写到：{out.resolve()}（用时 {result.timings.get('total', 0):.1f} 秒）")
    if result.sql_result is not None:
        _print_frame(result.sql_result, max_rows)


def _print_frame(frame, max_rows: int) -> None:
    if not len(frame.columns):
        click.echo("（查询没有返回列）")
        return
    shown = frame.head(max_rows)
    click.echo(shown.to_string(index=False) if len(shown) else "（查询结果为空）")
    if len(frame) > max_rows:  # only max_rows + 1 rows were fetched from a kept database
        click.echo(f"（超过 {max_rows} 行，只显示前 {max_rows} 行；可加 --max-rows，或在查询中用 GROUP BY、LIMIT）")
    else:
        click.echo(f"（共 {len(frame)} 行）")


COMMANDS = [rollup_cmd]
