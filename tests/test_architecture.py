"""The package's shape, enforced: the import contracts of .importlinter (layers one way down, pure
stages, no cycles), one registry of operations shared by every adapter, typed problem codes."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from weiwen import excel
from weiwen import problems as P
from weiwen.names import Severity
from weiwen.pipeline import OPERATIONS

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept(tmp_path, capsys):
    import logging
    from importlinter.cli import lint_imports
    # import-linter configures logging with dictConfig, which disables every logger that exists
    # already (weiwen.web among them): later tests in this process would log nothing
    loggers = [v for v in logging.Logger.manager.loggerDict.values()
               if isinstance(v, logging.Logger) and not v.disabled]
    try:
        status = lint_imports(config_filename=str(ROOT / ".importlinter"), no_cache=True,
                              no_logo=True)
    finally:
        for logger in loggers:
            logger.disabled = False
    out = capsys.readouterr().out
    assert status == 0, out
    assert "3 kept, 0 broken" in out


#: imports deferred on purpose, for start-up time: Faker (the demo) and the workbook builder are
#: only needed by their own commands
DEFERRED = {"from .demo import make_demo", "from .demo_bureau import make_bureau_demo",
            "from .workbook import DEFAULT_OUTPUT, build"}


def test_no_function_level_imports_of_our_own_modules_in_the_core():
    """Imports inside functions only dodged cycles; the contracts make them unnecessary."""
    core = ["pipeline", "books", "checks", "visits", "excel.py", "cli.py", "amounts.py",
            "workbook_io.py", "sheet_splice.py", "settings.py", "problems.py"]
    found = []
    for name in core:
        path = ROOT / "python" / "weiwen" / name
        for f in ([path] if path.is_file() else sorted(path.rglob("*.py"))):
            for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), start=1):
                if re.match(r"^\s+from \.+[\w.]*\s+import", line) and line.strip() not in DEFERRED:
                    found.append(f"{f.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not found, "\n".join(found)


def test_every_button_is_an_operation_and_every_command_too():
    assert set(excel.BUTTONS) <= set(OPERATIONS)
    assert all(OPERATIONS[tag].label == label for tag, label in excel.BUTTONS.items())
    from weiwen.cli import app
    commands = {c.name or c.callback.__name__ for c in app.registered_commands}
    assert {tag for tag, op in OPERATIONS.items() if op.cli} <= commands


def test_a_problem_code_is_registered_once_and_knows_its_stage():
    code = P.register("checks.test_only_code", "测试", Severity.WARNING, "checks", "{name}")
    try:
        assert isinstance(code, str) and code == "checks.test_only_code"
        assert (code.stage, code.kind, code.severity) == ("checks", "测试", Severity.WARNING)
        with pytest.raises(ValueError, match="registered twice"):
            P.register("checks.test_only_code", "别的", Severity.ERROR, "checks", "")
        with pytest.raises(ValueError):
            P.register("nostage", "无", Severity.ERROR, "checks", "")
        problem = P.make(code, name="张三")
        assert problem.code is code and problem.stage == "checks" and problem.message == "张三"
        assert P.to_frame([problem])["代码"].tolist() == ["checks.test_only_code"]
    finally:
        P._REGISTRY.pop("checks.test_only_code", None)


def test_registered_codes_are_well_formed():
    for name, code in P.all_codes().items():
        assert name == code and code.stage in P.STAGES and code.stage == P.stage_of(name)


def _tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_finds_nothing():
    """pyproject [tool.ruff]: pyflakes, pycodestyle, bugbear, pyupgrade over the package, the
    tests and the benchmarks."""
    done = _tool("ruff", "check", "--no-cache", "python", "tests", "benchmarks")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_mypy_finds_nothing():
    """pyproject [tool.mypy]: strict on the core packages, the rest as configured there."""
    done = _tool("mypy", "--cache-dir", str(ROOT / ".mypy_cache"))
    assert done.returncode == 0, done.stdout + done.stderr
