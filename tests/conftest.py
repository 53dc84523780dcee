"""Shared fixtures: fresh campaigns, the demo campaign (built once per session), the CLI runner."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from weiwen.campaign import Campaign, init
from weiwen.cli import app
from weiwen.demo import DemoPlan, make_demo

# The tests import the source tree (pyproject: pytest `pythonpath`), whatever copy of weiwen is
# installed; child processes (the `weiwen` console script, `python -c ...`) must do the same.
SOURCE = Path(__file__).resolve().parents[1] / "python"
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(SOURCE), os.environ.get("PYTHONPATH", "")) if p)
# the parsed-returns cache's per-user key (intake/cache.py): a temp file, not the tester's home;
# one per pytest-xdist worker, so no two processes race to create the same key file
_USER = os.getuid() if hasattr(os, "getuid") else 0
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
os.environ.setdefault("WEIWEN_CACHE_KEY",
                      str(Path(tempfile.gettempdir()) / f"weiwen-test-{_USER}-{_WORKER}.key"))


class Cli:
    """Runs the real `weiwen` command in-process and keeps what it printed."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool = True):
        result = self.runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    def json(self, *args: str) -> dict:
        result = self(*args, "--json")
        return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def cli() -> Cli:
    return Cli()


@pytest.fixture
def campaign(tmp_path: Path) -> Campaign:
    """A new, empty campaign from the shipped workbook."""
    return init(tmp_path / "活动")


@pytest.fixture(scope="session")
def demo_built(tmp_path_factory) -> tuple[Path, DemoPlan, dict]:
    """What `weiwen demo DIR` does, once per test process: the demo made (its plan: the planted
    mistakes) and then `weiwen run`; returns the folder, the plan and the run's JSON report."""
    root = tmp_path_factory.mktemp("demo") / "weiwen-demo"
    plan = make_demo(root)
    result = CliRunner().invoke(app, ["run", str(root), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return root, plan, json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def demo_source(demo_built) -> Path:
    """The demo campaign after `weiwen demo` (built once; copy it before changing it)."""
    return demo_built[0]


@pytest.fixture
def demo_campaign(demo_source: Path, tmp_path: Path) -> Campaign:
    """A private copy of the demo campaign, free to change."""
    target = tmp_path / "demo"
    # without the demo's parsed-returns cache: a test that patches the reading sees it used
    shutil.copytree(demo_source, target, ignore=shutil.ignore_patterns(".cache"))
    return Campaign.open(target)
