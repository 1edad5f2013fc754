"""Orchestration only: read → validate → households → classify → checks → write.

Every stage lives in its own module; this one wires them together, times them and keeps the
guarantee that every input row ends up either in a household or in the issue table.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import memory
from .ingest import resubmit
from .ingest.discover import InputFile, find_inputs, fingerprint, sniff
from .ingest.members import build_members
from .ingest.read import RawTable, read_file
from .ingest.side_tables import side_frame
from .issues import ERROR, IssueLog
from .registry import CARDS, SOURCE_FILE, TABLE_KINDS
from .result import RunResult

SIDE_KINDS = ("posts", "villages", "contacts", "inspectors", "ledger")
KIND_NAMES = {kind: name for kind, (_, name) in TABLE_KINDS.items()}

Progress = Callable[[str, int, int], None]  # (file name, done, total)


@dataclass
class Validated:
    root: Path
    members: pd.DataFrame
    headers: dict
    log: IssueLog
    files: list[InputFile]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    raw_tables: list[RawTable] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def _today() -> dt.date:
    return dt.date.today()


def read_inputs(input_path: Path, log: IssueLog, progress: Progress | None = None, prefer=()
                ) -> tuple[Path, list[InputFile], list[RawTable]]:
    """Every file under ``input_path`` read into raw tables; unreadable files become issues.

    Copies and resubmissions (ingest/resubmit.py) are set aside here, before anything is merged:
    a byte-identical copy is not parsed, a file repeating another file's households is parsed
    and dropped; ``prefer`` names files to use first.

    With two or more workers (``background``), the files are parsed by worker processes, one job
    per file, and gathered in file order: the tables and issues are the same as read here.
    """
    from . import background

    root, files = find_inputs(Path(input_path))
    tables: list[RawTable] = []
    for f in files:
        if f.status == "已跳过":
            log.add(f.code, f.reason, file=f.rel)
            with contextlib.suppress(OSError):  # recorded in the manifest too; a locked file is fine
                fingerprint(f)
    preferred = resubmit.preferred_files(files, prefer, log)
    todo = resubmit.skip_identical([f for f in files if f.status != "已跳过"], preferred)
    logs: dict[str, IssueLog] = {}  # each file's own read issues (dropped if the file is set aside)
    with background.Pool(workers=1 if len(todo) < 2 else None) as pool:
        # largest first so the workers finish together; gathered in file order
        order = sorted(range(len(todo)), key=lambda i: -todo[i].size)
        jobs = {i: pool.submit(read_one, todo[i]) for i in order}
        for n, f in enumerate(todo, 1):
            if progress:
                progress(f.rel, n, len(todo))
            try:
                done, found, file_log, parsed = jobs[n - 1].result()
            except background.WorkerCrashed:  # the parser died on this file, alone: the batch goes on
                done, found, file_log, parsed = crashed(f), [], IssueLog(), False
                file_log.add(f.code, f.reason, file=f.rel)
            if done is not f:  # a worker's copy: take over what it found out about the file
                f.__dict__.update(done.__dict__)
            if parsed:
                logs[f.rel] = file_log
            else:
                log.extend(file_log)
            tables.extend(found)
    tables = resubmit.set_aside_resubmissions(files, tables, logs, preferred, log)
    memory.release_freed()  # the workers' results, unpickled
    return root, files, tables


def crashed(f: InputFile) -> InputFile:
    """``f`` marked 失败: reading it killed the worker process (twice, the second time alone)."""
    f.status, f.code = "失败", "F005"
    f.reason = (f"文件“{f.rel}”读取时处理进程意外退出（文件可能已损坏，或电脑内存不足），已跳过，其余文件照常处理；"
                "请用 Excel/WPS 打开检查并重新另存为 .xlsx 后提交")
    return f


def read_one(f: InputFile) -> tuple[InputFile, list[RawTable], IssueLog, bool]:
    """Read one input file (in a worker or here): the file's record, its tables, its issues and
    whether it was parsed (its issues are then the file's own, dropped if the file is set aside;
    otherwise they belong to the batch)."""
    log = IssueLog()
    try:
        data = fingerprint(f)
    except OSError:
        f.status, f.code = "失败", "F005"
        f.reason = f"文件“{f.rel}”无法打开（可能正被其他程序占用或没有读取权限）；请关闭该文件后重新运行"
        log.add(f.code, f.reason, file=f.rel)
        return f, [], log, False
    sniff(f, data)
    if f.status == "失败":
        log.add(f.code, f.reason, file=f.rel)
        return f, [], log, False
    try:
        found = read_file(f, data, log)
    except Exception as exc:  # noqa: BLE001 - one unreadable file must not stop the batch
        f.status, f.code = "失败", "F005"
        f.reason = (f"文件“{f.rel}”读取时出错（{type(exc).__name__}），已跳过，其余文件照常处理；"
                    "请用 Excel/WPS 打开检查并重新另存为 .xlsx 后提交")
        log.add(f.code, f.reason, file=f.rel)
        return f, [], log, True
    if f.status not in ("失败", "已跳过"):  # a .txt without a table is skipped, not failed
        f.status = "已处理"
    return f, found, log, True


def validate_inputs(input_path: Path | str, *, as_of: dt.date | None = None, card_names=CARDS,
                    progress: Progress | None = None, prefer=(), rules=None,
                    after_read: Callable[[], None] | None = None) -> Validated:
    """Read and validate (no classification): what `validate` needs. ``prefer``: files to use
    first when several files hold the same households (``--prefer``). ``rules`` (default: the
    packaged rules file) decide which columns are read: an unknown value elsewhere is a 提示."""
    # pandera is imported where validation runs: the spawned workers never load it
    from .ingest.validate import validate_members
    from .rules.facts import read_columns
    from .rules.ruleset import load_rules

    as_of = as_of or _today()
    read_keys = read_columns(rules or load_rules())
    log = IssueLog()
    t0 = time.perf_counter()
    root, files, raw_tables = read_inputs(Path(input_path), log, progress, prefer)
    if after_read is not None:
        after_read()
    t1 = time.perf_counter()
    members, headers = build_members(raw_tables, as_of, card_names, log, read_keys)
    validate_members(members, log, headers)
    tables = {kind: side_frame(raw_tables, kind, log) for kind in SIDE_KINDS}
    memory.release_freed()  # the raw tables, released once typed: ~500 MB at a million members
    t2 = time.perf_counter()
    return Validated(root=root, members=members, headers=headers, log=log, files=files,
                     tables={k: v for k, v in tables.items() if len(v)}, raw_tables=raw_tables,
                     timings={"read": t1 - t0, "validate": t2 - t1})


def files_frame(v: Validated, issues: pd.DataFrame) -> pd.DataFrame:
    """文件清单: one row per input file with what became of it."""
    rows_read: dict[str, int] = {}
    kinds: dict[str, list[str]] = {}
    for t in v.raw_tables:
        rows_read[t.file] = rows_read.get(t.file, 0) + t.data_rows
        kinds.setdefault(t.file, [])
        if KIND_NAMES[t.kind] not in kinds[t.file]:
            kinds[t.file].append(KIND_NAMES[t.kind])
    m = v.members
    town = (m.groupby(SOURCE_FILE)["township"].agg(lambda s: s.mode().iat[0] if len(s.mode()) else "")
            if len(m) else pd.Series(dtype=str))
    hh = m.groupby(SOURCE_FILE)["hh_key"].nunique() if len(m) else pd.Series(dtype=int)
    errors = issues[issues["级别"] == ERROR].groupby("文件").size() if len(issues) else pd.Series(dtype=int)
    records = []
    for f in v.files:
        records.append({
            "文件": f.rel, "乡镇": str(town.get(f.rel, "") or resubmit.township_label(f)),
            "类型": "、".join(kinds.get(f.rel, [])),
            "状态": f.status, "原因": f.reason, "读入行数": int(rows_read.get(f.rel, f.rows_set_aside)),
            "户数": int(hh.get(f.rel, 0)), "错误数": int(errors.get(f.rel, 0)),
            "sha256": f.sha256, "大小": int(f.size), "重复于": f.duplicate_of,
        })
    return pd.DataFrame(records, columns=["文件", "乡镇", "类型", "状态", "原因", "读入行数", "户数", "错误数",
                                          "sha256", "大小", "重复于"])


def classify_inputs(input_path: Path | str, *, rules_path: Path | str | None = None,
                    as_of: dt.date | None = None, rules=None, progress: Progress | None = None,
                    prefer=(), after_read: Callable[[], None] | None = None) -> RunResult:
    """Read, validate, build households and classify. Nothing is written. ``after_read``: called
    once the files are read (``process`` recycles its workers there)."""
    from .ingest.validate import blocking_reasons, validate_households
    from .rules.cards import classification_issues, classify
    from .rules.facts import build_households
    from .rules.ruleset import load_rules

    as_of = as_of or _today()
    rules = rules or load_rules(rules_path)
    v = validate_inputs(input_path, as_of=as_of, card_names=tuple(rules.card_names), progress=progress,
                        prefer=prefer, rules=rules, after_read=after_read)
    t0 = time.perf_counter()
    households = build_households(v.members, rules, as_of)
    validate_households(households, v.log)
    t1 = time.perf_counter()
    issues = v.log.frame()
    blocked = blocking_reasons(issues)
    households["blocking_issues"] = households["hh_key"].map(blocked).astype(object).fillna("").astype(str)
    households = classify(households, rules, as_of)
    issues = pd.concat([issues, classification_issues(households)], ignore_index=True)
    t2 = time.perf_counter()
    timings = dict(v.timings)
    timings["validate"] += t1 - t0
    timings["classify"] = t2 - t1
    return RunResult(members=v.members, households=households, issues=issues, files=files_frame(v, issues),
                     rules=rules, as_of=as_of, input_root=v.root, tables=v.tables, timings=timings)


def process(input_path: Path | str, out_dir: Path | str, *, rules_path: Path | str | None = None,
            as_of: dt.date | None = None, seed: int | None = None, force_disagree: bool = False,
            inspectors: Path | str | None = None, team_size: int | None = None,
            db_path: Path | str | None = None, use_db: bool = True, mask_id: bool = False, phone: str = "",
            side_files: dict[str, Path | str] | None = None, progress: Progress | None = None,
            command: str = "", prefer=(), county: str | None = None) -> RunResult:
    """The county's main job: classify everything, run the checks whose data is present, write OUT.

    ``county``: the county's name in manifest.json and the Parquet files (default: the input
    folder's name)."""
    from . import background
    from .checks import contacts, history, measures, quotas, spotcheck
    from .checks.measures.config import load_config
    from .ingest.side_tables import use_side_table
    from .write import write_outputs
    from .write.atomic import remove_leftovers
    from .write.township import write_townships

    started, began = time.perf_counter(), time.time()
    out = Path(out_dir)
    previous = previous_outputs(out)
    result = classify_inputs(input_path, rules_path=rules_path, as_of=as_of, progress=progress, prefer=prefer,
                             after_read=background.recycle_workers)  # the writing starts from fresh workers
    result.command = command
    if county:
        result.outputs["county"] = county
    for kind, path in (side_files or {}).items():
        if path:  # the file named wins over one found in the folder (F023 says so)
            result.add_issues(use_side_table(result.tables, kind, Path(path))[0])

    if inspectors is None and "inspectors" in result.tables:  # a 抽查人员名单 dropped in the folder
        inspectors = result.tables["inspectors"].rename(
            columns={"name": "姓名", "unit": "单位", "township": "所在乡镇"})[["姓名", "单位", "所在乡镇"]]
    # the notices (they need the cards only; sent once the spot-check options and the [measures]
    # section are known to be valid, so a usage error writes nothing), the township books and the
    # 一户一策 books (the largest writes) go to worker processes (spawned, FOURCARD_WORKERS of
    # them) while this one runs the checks and writes the rest; the files are the same for any N
    pool = background.Pool()
    try:
        t0 = time.perf_counter()
        spotcheck.run(result, seed=seed, force_disagree=force_disagree, inspectors=inspectors,
                      team_size=team_size)
        load_config(result.rules)  # a bad [measures] section stops the run here, before anything is written
        notices = submit_notices(pool, result, out, mask_id=mask_id, phone=phone)
        spot = submit_spotcheck(pool, result, out)  # the sample is final: written while the checks run
        quotas.run(result)
        contacts.run(result)
        history.run(result, db_path=db_path if use_db else False)
        measures.run(result)  # the ledger: dropped in the folder or side_files["ledger"] (--ledger)
        memory.release_freed()
        t1 = time.perf_counter()
        result.timings["checks"] = t1 - t0

        townships = write_townships(result, out, pool=pool)
        written: list[Path] = []
        for module in (quotas, contacts, history):
            written += module.write(result, out)
        plans = measures.submit_writes(result, out, pool)
        result.timings["write_checks"] = time.perf_counter() - t1
        written = write_outputs(result, out, extra_paths=written, townships=townships, pool=pool,
                                extra_jobs=[plans, spot, notices])
    except BaseException:
        pool.close(cancel=True)  # no worker goes on writing behind the caller's back
        remove_leftovers(out, began)
        raise
    pool.close()
    remove_leftovers(out, began)  # a worker killed while writing leaves its temporary file
    result.outputs["written"] = written
    result.outputs["removed"] = remove_stale(out, previous, written)
    result.timings["total"] = time.perf_counter() - started
    return result


NOTICE_COLUMNS = ("township", "village", "group", "head_name", "size", "card", "head_id")


def submit_notices(pool, result: RunResult, out: Path, *, mask_id: bool, phone: str):
    """The public notices (one small book per village) as a pool job. A worker gets the columns
    the notices show and the rules' text (rules hold compiled expressions, which do not pickle);
    rules without their text (built in code) are used here, in this process."""
    from . import background
    from .documents import notice

    text = getattr(result.rules, "text", None)
    if not pool.parallel or not isinstance(text, str):  # runs here when its result is asked for
        return background.inline().submit(notice.write, result, out, mask_id=mask_id, phone=phone)
    hh = result.households
    frame = hh[[c for c in NOTICE_COLUMNS if c in hh.columns]]
    rules = (text, getattr(result.rules, "path", None), getattr(result.rules, "sha256", None))
    return pool.submit(notice_job, frame, rules, result.as_of, out, mask_id, phone)


def submit_spotcheck(pool, result: RunResult, out: Path):
    """县级抽查名单.xlsx + spotcheck.csv as a pool job: the worker gets the sample's frames only."""
    from . import background
    from .checks import spotcheck

    data = (result.outputs or {}).get(spotcheck.NAME)
    if not pool.parallel or data is None:  # runs here when its result is asked for
        return background.inline().submit(spotcheck.write, result, out)
    return pool.submit(spotcheck_job, data, out)


def spotcheck_job(data: dict, out: Path) -> list[Path]:
    from types import SimpleNamespace

    from .checks import spotcheck

    return spotcheck.write(SimpleNamespace(outputs={spotcheck.NAME: data}), out)


def notice_job(households: pd.DataFrame, rules: tuple, as_of: dt.date, out: Path, mask_id: bool,
               phone: str) -> list[Path]:
    """Worker side of ``submit_notices``: the rules parsed again from their text."""
    from types import SimpleNamespace

    from .documents import notice
    from .rules.ruleset import parse_rules

    text, path, sha256 = rules
    parsed = parse_rules(text, path, sha256=sha256)
    return notice.write(SimpleNamespace(households=households, rules=parsed, as_of=as_of), out,
                        mask_id=mask_id, phone=phone)


def previous_outputs(out: Path) -> dict[Path, int]:
    """Files the last run wrote into ``out`` (from its manifest.json), with their sizes."""
    import json

    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        return {out / item["file"]: int(item["size"]) for item in manifest.get("outputs", [])
                if item.get("file") and ".." not in Path(item["file"]).parts}
    except (OSError, ValueError, TypeError, KeyError):
        return {}


def remove_stale(out: Path, previous: dict[Path, int], written: list[Path]) -> list[Path]:
    """After a rerun into the same folder, delete what the last run wrote and this one did not
    (e.g. the book of a township no longer in the input), so no stale result is mistaken for a
    current one. Only files still exactly as the last run left them (same size) are touched; a file
    a user has edited, and anything the program did not write, stays."""
    now = {Path(p).resolve() for p in written}
    removed = []
    for path, size in previous.items():
        if path.resolve() in now or not path.is_file():
            continue
        if path.stat().st_size == size:
            path.unlink()
            removed.append(path)
            parent = path.parent
            while parent != out and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
    return removed
