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
