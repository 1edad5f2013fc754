"""Options and helpers shared by the commands."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from ..issues import ERROR, INFO, WARNING


class DateType(click.ParamType):
    name = "日期"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        text = str(value).strip().replace("/", "-").replace(".", "-")
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.fail(f"“{value}”不是有效日期，请写成 2024-03-18 这样的格式", param, ctx)


DATE = DateType()


class CommandError(click.ClickException):
    """The command's own failure: a Chinese message and exit code 1."""

    def show(self, file=None) -> None:
        click.echo(f"错误：{self.format_message()}", err=True)


class UsageProblem(CommandError):
    """Bad arguments or a bad rules/inspectors file: exit code 2, no usage dump."""

    exit_code = 2


def classify_or_exit(input_path: Path, rules_path=None, as_of=None):
    """pipeline.classify_inputs, with a bad rules file turned into exit code 2."""
    from ..pipeline import classify_inputs
    from ..rules.ruleset import RulesError

    try:
        return classify_inputs(input_path, rules_path=rules_path, as_of=as_of)
    except RulesError as exc:
        raise UsageProblem(str(exc)) from exc

as_of_option = click.option("--as-of", "as_of", type=DATE, default=None, metavar="日期",
                            help="评定基准日（计算年龄用），如 2024-03-18；默认今天。")
rules_option = click.option("--rules", "rules_path", type=click.Path(exists=True, dir_okay=False),
                            default=None, metavar="规则文件",
                            help="分类规则文件（TOML），默认使用内置的四卡规则（templates/rules.toml）。")
quiet_option = click.option("-q", "--quiet", is_flag=True, help="不显示进度条。")
prefer_option = click.option(
    "--prefer", "prefer", multiple=True, metavar="文件",
    help="同一乡镇的同一批家庭有多个文件（副本、修改后重交）时，优先使用这个文件（可写多次）；"
         "默认使用修改日期最新、能完整读取的文件。")


def check_prefer(input_path: Path, prefer) -> None:
    """Every --prefer value must name a file of the input (else exit code 2 before any work)."""
    from ..ingest.resubmit import unknown_prefer

    unknown = unknown_prefer(input_path, prefer)
    if unknown:
        raise click.UsageError("--prefer 指定的" + "、".join(f"“{p}”" for p in unknown) +
                               "不是输入文件夹中的文件；请写输入文件夹中的文件名（可含子文件夹，如 白沙乡/花名册.xlsx）")


def duplicate_summary(files) -> list[str]:
    """One line on files set aside as copies or resubmissions (none when there are none)."""
    n = int((files["重复于"] != "").sum()) if "重复于" in files else 0
    if not n:
        return []
    return [f"重复提交：{n} 个文件与其他文件是同一批家庭（副本或修改前的旧版），已跳过，其中的家庭只按选用的文件计"
            "（见问题清单 F020、F021；改用其他文件请加 --prefer 文件名）"]


def use_side_file(result, kind: str, path: Path, label: str, found: str | None = None):
    """Read the side table at ``path`` (--posts, --villages, --ledger) into ``result.tables[kind]``, in
    place of one recognised in the input folder (saying so when there was one; ``found`` names
    it, default ``label``), as ``process`` does. Its issues join the result's and are returned."""
    from ..ingest.side_tables import use_side_table

    issues, replaced = use_side_table(result.tables, kind, path)
    if replaced:
        click.echo(f"提示：使用 {path.name} 作为{label}，输入文件夹中识别到的{found or label}不参与核查。")
    result.add_issues(issues)
    return issues


def check_out_dir(input_path: Path, out: Path) -> None:
    """Refuse an output folder inside the input (outputs would be read back as inputs)."""
    src = input_path.resolve()
    src_dir = src if src.is_dir() else src.parent
    dst = out.resolve()
    if src.is_dir() and (dst == src_dir or src_dir in dst.parents):
        raise click.UsageError("输出文件夹不能放在输入文件夹里面（否则下次会把结果当成花名册读入），"
                               "请用 -o 换一个位置")


def progress_printer(quiet: bool):
    """A progress callback over files when on a terminal (stderr), else None."""
    if quiet or not sys.stderr.isatty():
        return None

    def show(name: str, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / max(total, 1))
        sys.stderr.write(f"\r读取 [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name[:40]:<40}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def issue_summary(issues, top: int = 5) -> list[str]:
    """Chinese lines: counts per level and the most frequent problems."""
    counts = issues["级别"].value_counts()
    lines = [f"问题：错误 {int(counts.get(ERROR, 0))} 条，警告 {int(counts.get(WARNING, 0))} 条，"
             f"提示 {int(counts.get(INFO, 0))} 条"]
    serious = issues[issues["级别"] != INFO]
    if len(serious):
        from ..issues import CODES

        freq = serious["代码"].value_counts().head(top)
        lines.append("最常见的问题：")
        for code, n in freq.items():
            lines.append(f"  {code} {CODES.get(code, ('', ''))[1]}：{n} 条")
    return lines
