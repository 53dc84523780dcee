"""`python -m weiwen.printcheck` as the clerk runs it before printing: a wrong folder or nothing
to check is never “全部通过”, and its help and usage errors are Chinese."""
from __future__ import annotations

import subprocess
import sys

import pytest

from weiwen.campaign import init

ENGLISH = ("usage", "error:", "argument", "positional", "optional", "show this help")


def _printcheck(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "weiwen.printcheck", *map(str, args)],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def _one_chinese_line(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 2 and done.stdout == "", (done.stdout, done.stderr)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("错误："), done.stderr
    assert not any(word in lines[0].lower() for word in ENGLISH), lines[0]
    return lines[0]


def test_a_misspelt_folder_is_not_a_pass(tmp_path):
    init(tmp_path / "2027春节慰问")
    line = _one_chinese_line(_printcheck(tmp_path / "2027春节慰向"))
    assert "找不到活动文件夹" in line and "2027春节慰问" in line
    line = _one_chinese_line(_printcheck(tmp_path))
    assert "不是慰问活动文件夹" in line


def test_a_campaign_without_outputs_says_nothing_was_checked(tmp_path):
    root = init(tmp_path / "2027春节慰问").root
    line = _one_chinese_line(_printcheck(root))
    assert "还没有输出文件" in line and "weiwen run" in line and "通过" not in line
    (root / "output" / "汇总表.xlsx").write_bytes(b"never rendered: --only selects nothing")
    line = _one_chinese_line(_printcheck(root, "--only", "汇总表x"))
    assert "汇总表x" in line and "--only" in line


@pytest.mark.parametrize("args, words", [
    ([], "缺少活动文件夹"),
    (["{root}", "extra"], "多了“extra”"),
    (["{root}", "--png"], "选项 --png 后面要写上它的值"),
])
def test_usage_errors_are_one_chinese_line(tmp_path, args, words):
    root = init(tmp_path / "c").root
    line = _one_chinese_line(_printcheck(*(str(root) if a == "{root}" else a for a in args)))
    assert words in line


def test_help_is_chinese():
    done = _printcheck("--help")
    assert done.returncode == 0
    assert done.stdout.startswith("用法：") and "活动文件夹" in done.stdout and "例：" in done.stdout
    assert not any(word in done.stdout.lower() for word in ENGLISH), done.stdout
