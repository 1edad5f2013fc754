"""manifest.json: what ran, on which inputs, with which rules, and how long each stage took."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from ..issues import ERROR, INFO, WARNING
from .atomic import write_text

MANIFEST = "manifest.json"


def _plain(value):
    """JSON-safe Python value (numpy/pandas scalars, NA, dates, paths)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if not np.isfinite(value) else round(float(value), 3)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, Path):
        return value.as_posix()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    return value


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def default_county(input_root) -> str:
    """The county a run stands for when ``--county`` is not given: the input folder's name
    (for a single input file, its folder's name)."""
    if not input_root:
        return ""
    root = Path(input_root)
    return (root if root.is_dir() or not root.suffix else root.parent).resolve().name


def county_of(result) -> str:
    """``process --county`` (kept in ``result.outputs["county"]``), else ``default_county``."""
    return str((result.outputs or {}).get("county") or default_county(result.input_root))


def build_manifest(result, outputs: list[Path], out_dir: Path) -> dict:
    hh, members, issues, files = result.households, result.members, result.issues, result.files
    rules = result.rules
    file_keys = {"文件": "file", "乡镇": "township", "状态": "status", "原因": "reason", "读入行数": "rows",
                 "户数": "households", "错误数": "errors", "sha256": "sha256", "大小": "size"}
    inputs = []
    for row in files.to_dict("records"):
        entry = {file_keys[k]: _plain(v) for k, v in row.items() if k in file_keys}
        if row.get("重复于"):  # a copy or resubmission set aside: the file used instead
            entry["duplicate_of"] = row["重复于"]
        inputs.append(entry)
    cards = hh["card"].astype("str").value_counts().to_dict() if "card" in hh else {}
    persons = (hh.groupby(hh["card"].astype("str"))["size"].sum().to_dict()
               if "card" in hh and "size" in hh else {})
    levels = issues["级别"].astype("str").value_counts().to_dict() if "级别" in issues else {}
    status = files["状态"].astype("str").value_counts().to_dict() if "状态" in files else {}
    rows_read = int(pd.to_numeric(files["读入行数"], errors="coerce").fillna(0).sum()) \
        if "读入行数" in files else None
    out_dir = Path(out_dir)
    return _plain({
        "program": "fourcard-excel",
        "version": __version__,
        "command": result.command,
        "county": county_of(result),
        "as_of": result.as_of,
        "seed": result.seed,
        "input_root": Path(result.input_root) if result.input_root else None,
        "rules": {"path": getattr(rules, "path", None), "sha256": getattr(rules, "sha256", None),
                  "cards": list(getattr(rules, "card_names", []))},
        "inputs": inputs,
        "counts": {
            "input_files": len(files),
            "files_by_status": status,
            "duplicates_set_aside": sum(1 for entry in inputs if entry.get("duplicate_of")),
            "rows_read": rows_read,
            "member_rows": len(members),
            "households": len(hh),
            "households_by_card": cards,
            "persons_by_card": persons,
            "issues": len(issues),
            "issues_by_level": {lvl: int(levels.get(lvl, 0)) for lvl in (ERROR, WARNING, INFO)},
        },
        "timings_seconds": dict(result.timings or {}),
        "outputs": [_output_entry(Path(p), out_dir) for p in outputs if Path(p).is_file()],
        # the roll-up's typed tables (write/parquet.py): table -> file name
        "parquet": {Path(p).stem: Path(p).name for p in outputs
                    if Path(p).suffix == ".parquet" and Path(p).is_file()},
    })


def _output_entry(path: Path, out_dir: Path) -> dict:
    full, root = path.resolve(), out_dir.resolve()
    name = full.relative_to(root).as_posix() if full.is_relative_to(root) else full.as_posix()
    entry = {"file": name, "size": full.stat().st_size}
    if full.suffix == ".csv":  # CSVs are deterministic: their hash proves a rerun identical
        entry["sha256"] = file_sha256(full)
    return entry


def write_manifest(result, outputs: list[Path], out_dir: Path) -> Path:
    data = build_manifest(result, outputs, out_dir)
    return write_text(Path(out_dir) / MANIFEST, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
