"""households.csv and members.csv written in chunks are the same bytes as written whole."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from write_fixtures import make_result  # noqa: E402

from fourcard_excel.write import csvs  # noqa: E402


def test_chunked_csvs_equal_whole_csvs(tmp_path):
    result = make_result(120)
    members = result.members.sample(frac=1.0, random_state=3)  # any input order
    households = result.households.sample(frac=1.0, random_state=4)
    cases = [("households", households, csvs.households_csv_part, csvs.HOUSEHOLD_SORT,
              csvs.households_csv(households)),
             ("members", members, csvs.members_csv_part, csvs.MEMBER_SORT, csvs.members_csv(members))]
    for name, frame, convert, keys, whole in cases:
        csvs.write_csv(whole, tmp_path / f"{name}_whole.csv")
        csvs.write_csv_chunked(frame, tmp_path / f"{name}.csv", convert, keys, chunk_rows=17)
        data = (tmp_path / f"{name}.csv").read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1  # one BOM
        assert data.count(b"\n") == len(frame) + 1  # one header
        assert data == (tmp_path / f"{name}_whole.csv").read_bytes()


def test_chunks_converted_by_spawned_workers_give_the_same_bytes(tmp_path, monkeypatch):
    from fourcard_excel import background

    result = make_result(90)
    monkeypatch.setenv(background.ENV_WORKERS, "2")
    with background.Pool() as pool:
        assert pool.parallel
        csvs.write_csv_chunked(result.members, tmp_path / "m.csv", csvs.members_csv_part, csvs.MEMBER_SORT,
                               chunk_rows=23, pool=pool)
    csvs.write_csv(csvs.members_csv(result.members), tmp_path / "whole.csv")
    assert (tmp_path / "m.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()


def test_fast_csv_text_is_pandas_to_csv_text():
    """csvs.frame_csv writes the text pandas' to_csv would, for every kind of field it handles
    itself, and leaves the rest (one column, other dtypes, mixed objects) to pandas."""
    import numpy as np
    import pandas as pd

    from write_fixtures import INJECTIONS

    texts = ["城关镇", "", "a,b", 'say "hi"', "two\nlines", "cr\rhere", "nul\x00x", " lead", "\ttab",
             *INJECTIONS, "'=1+1", "逗号，全角"]
    n = len(texts)
    frame = pd.DataFrame({
        "文本": texts,
        "字符串": pd.array(texts[::-1], dtype="str"),
        "带空": pd.array([None if i % 3 == 0 else t for i, t in enumerate(texts)], dtype="object"),
        "金额": [1.005, -0.001, 0.0, np.nan, 1e15, -2.5, np.inf, 3.14159, *range(n - 8)],
        "负零": [-0.0, 0.0, 1.25, np.nan, *[0.5] * (n - 4)],
        "人数": pd.array([None, -3, 0, 12345678901, *range(n - 4)], dtype="Int64"),
        "序号": np.arange(n, dtype=np.int64),
        "是否": ["是", "否", ""] * (n // 3) + ["是"] * (n % 3),
    })

    def pandas_text(f, header=True):
        return f.to_csv(None, index=False, header=header, lineterminator="\n", float_format="%.2f")

    assert csvs.frame_csv(frame) == pandas_text(frame)
    assert csvs.frame_csv(frame, header=False) == pandas_text(frame, header=False)
    assert csvs.frame_csv(frame.iloc[:0]) == pandas_text(frame.iloc[:0])
    header_quoted = frame.rename(columns={"文本": "文,本"})
    assert csvs.frame_csv(header_quoted) == pandas_text(header_quoted)
    # left to pandas: one column (a lone empty field is quoted), other dtypes, non-text objects
    for other in (frame[["带空"]], frame.assign(日期=pd.Timestamp("2024-03-18")),
                  frame.assign(混合=[1, "a"] * (n // 2) + [2.5] * (n % 2)), frame.astype({"金额": "float32"})):
        assert csvs.frame_csv(other) == pandas_text(other)
