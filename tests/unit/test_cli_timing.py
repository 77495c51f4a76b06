"""bench/cli_timing.py: the command-line timer behind README's start-up table."""

import sys

import pytest

from aecodec.bench.cli_timing import _add_per_file, time_command, timing_table


def test_time_command_counts_the_child_cpu_time(tmp_path):
    busy = "s = 0\nfor i in range(3_000_000): s += i"
    idle = time_command([sys.executable, "-c", "pass"], 2, tmp_path)
    work = time_command([sys.executable, "-c", busy], 2, tmp_path)
    assert idle["runs"] == 2
    assert 0 < idle["cpu_s"] < work["cpu_s"]
    assert work["wall_s"] > 0


def test_time_command_reports_a_failing_command_in_one_line(tmp_path):
    argv = [sys.executable, "-c", "import sys; sys.exit('bad input')"]
    with pytest.raises(RuntimeError, match="failed \\(1\\): bad input"):
        time_command(argv, 1, tmp_path)


def test_batch_rows_get_the_cost_per_file_after_start_up():
    rows = [
        {"command": "aecodec compress a.png -o x.aec", "files": 1, "wall_s": 9.0, "cpu_s": 8.0},
        {"command": "aecodec compress 5 images -o DIR/", "files": 5, "wall_s": 13.0, "cpu_s": 12.0},
        {"command": "aecodec decompress x.aec -o x.png", "files": 1, "wall_s": 7.0, "cpu_s": 6.0},
        {"command": "aecodec decompress 5 files -o DIR2/", "files": 5, "wall_s": 9.0, "cpu_s": 8.0},
    ]
    _add_per_file(rows)
    assert rows[1]["cpu_per_file_s"] == pytest.approx(1.0)
    assert rows[3]["cpu_per_file_s"] == pytest.approx(0.5)
    assert "cpu_per_file_s" not in rows[0]
    table = timing_table({"rows": rows})
    assert "| `aecodec compress 5 images -o DIR/` | 13.00 | 12.00 | 1.00 |" in table
    assert len(table.strip().splitlines()) == 2 + len(rows)
