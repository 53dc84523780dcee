"""A normal install: the wheel carries the workbook, templates and Excel sources, and works alone.

Builds the wheel, installs it (not editable) into a fresh virtual environment outside the
repository, and runs the installed `weiwen` there: init, then the whole demo.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from weiwen import shipped

REPO = Path(__file__).resolve().parents[1]
PACKAGE_DATA = ["weiwen/_shipped/workbook/Weiwen.xlsm", "weiwen/_shipped/templates/回收模板.xlsx",
                "weiwen/_shipped/templates/签字确认表.xlsx", "weiwen/excel_src/Weiwen.bas",
                "weiwen/excel_src/customUI.xml", "weiwen/excel_src/customUI_rules.xsd",
                "weiwen/excel_src/image_mso.txt", "weiwen/wps/addin/ribbon.xml",
                "weiwen/wps/addin/index.html", "weiwen/wps/addin/main.js"]


def _run(args, cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}   # no source tree
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def test_shipped_files_resolve_in_the_source_tree():
    assert shipped.path("workbook/Weiwen.xlsm") == REPO / "workbook" / "Weiwen.xlsm"
    assert shipped.path("templates/回收模板.xlsx").is_file()


@pytest.mark.slow
def test_wheel_installs_and_runs_the_demo_elsewhere(tmp_path):
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, REPO], tmp_path)
    wheel = next(dist.glob("weiwen-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert [n for n in PACKAGE_DATA if n not in names] == []
    assert zipfile.ZipFile(wheel).read(PACKAGE_DATA[0]) == (REPO / "workbook" / "Weiwen.xlsm").read_bytes()

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    _run([python, "-m", "pip", "install", "-q", wheel], tmp_path)
    where = _run([python, "-c", "import weiwen; print(weiwen.__file__)"], tmp_path).stdout
    assert Path(where.strip()).is_relative_to(env_dir)

    work = tmp_path / "别处"
    work.mkdir()
    weiwen = env_dir / "bin" / "weiwen"
    _run([weiwen, "init", "2027春节慰问"], work)
    assert (work / "2027春节慰问" / "Weiwen.xlsm").read_bytes() == \
        (REPO / "workbook" / "Weiwen.xlsm").read_bytes()
    done = _run([weiwen, "demo", "演示", "--json"], work)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["households_paid"] > 1000 and report["rows_read"] == report["roster_rows"]
    assert (work / "演示" / "output" / "汇总表.xlsx").is_file()
    assert list((work / "演示" / "output" / "签字确认表").glob("*.xlsx"))
