"""Nothing lost: atomic writes, backups, a write interrupted half-way, the campaign lock, and the
workbook's Excel parts surviving every command."""
from __future__ import annotations

import builtins
import contextlib
import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.styles import Font, PatternFill

from weiwen import fileio, lock, workbook_io
from weiwen.campaign import Campaign
from weiwen.cli import app
from weiwen.errors import CampaignBusy, CampaignError
from weiwen.names import BACKUP_DIR, ROSTER_COLUMNS, Col, Sheet

sys.path.insert(0, str(Path(__file__).parent))
from corpus import small_demo  # noqa: E402

pytestmark = pytest.mark.reliability

TMP_PREFIX = ".~tmp-"


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.startswith(TMP_PREFIX)]


# --- atomic writes and backups ----------------------------------------------------------------

def _half_then_fail(write):
    """Wrap a writer: let it write the temp file, cut the file in half, then fail like a full disk."""
    def broken(tmp: Path) -> None:
        write(tmp)
        data = Path(tmp).read_bytes()
        Path(tmp).write_bytes(data[: len(data) // 2])
        raise OSError(28, "No space left on device")
    return broken


def test_atomic_write_interrupted_half_way_leaves_the_original(tmp_path):
    path = tmp_path / "book.xlsx"
    fileio.atomic_write_bytes(path, b"original")
    with pytest.raises(OSError):
        fileio.atomic_write(path, _half_then_fail(lambda tmp: tmp.write_bytes(b"new content" * 100)))
    assert path.read_bytes() == b"original"
    assert list(tmp_path.iterdir()) == [path]


@pytest.mark.slow
def test_workbook_write_interrupted_half_way_keeps_the_workbook(demo_campaign, cli, monkeypatch):
    """`weiwen run` dies while saving Weiwen.xlsm: one Chinese line, exit 2, the workbook as it
    was (byte for byte, readable), its backup taken, no temp file left behind."""
    book = demo_campaign.workbook
    before = book.read_bytes()
    roster_before = workbook_io.read_roster(book)
    real_atomic_write = fileio.atomic_write

    def failing_atomic_write(path, write):
        if Path(path) == book:
            return real_atomic_write(path, _half_then_fail(write))
        return real_atomic_write(path, write)

    monkeypatch.setattr(workbook_io, "atomic_write", failing_atomic_write)
    result = cli("run", demo_campaign.root, ok=False)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "工作簿" in result.output
    assert book.read_bytes() == before
    pd.testing.assert_frame_equal(workbook_io.read_roster(book), roster_before)
    load_workbook(book, keep_vba=True)                       # still opens
    assert leftovers(demo_campaign.root) == []
    assert any(b.read_bytes() == before for b in (demo_campaign.root / BACKUP_DIR).glob("*.xlsm"))
    assert not lock.lock_path(demo_campaign.root).exists()   # the lock went with the failure


def test_openpyxl_save_interrupted_half_way(campaign, monkeypatch):
    """The openpyxl path of write_frames (a sheet that does not exist yet) interrupted in wb.save."""
    from openpyxl.workbook.workbook import Workbook
    book = campaign.workbook
    before = book.read_bytes()
    real_save = Workbook.save

    def half_save(self, filename):
        real_save(self, filename)
        data = Path(filename).read_bytes()
        Path(filename).write_bytes(data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Workbook, "save", half_save)
    frame = pd.DataFrame({"甲": [1, 2]})
    # one Chinese line for every adapter (the page and WPS too, not only the command line)
    with pytest.raises(CampaignError, match="磁盘已满") as raised:
        workbook_io.write_frames(book, campaign.root, {"新表": frame})
    assert isinstance(raised.value.__cause__, OSError)
    assert book.read_bytes() == before
    assert leftovers(campaign.root) == []


def test_every_workbook_write_is_backed_up_and_ten_are_kept(campaign):
    book = campaign.workbook
    versions = []
    for i in range(12):
        versions.append(book.read_bytes())
        roster = pd.DataFrame([{Col.NAME: f"户{i}", Col.ID: "", Col.UNIT: "甲"}]).reindex(
            columns=list(ROSTER_COLUMNS))
        workbook_io.write_results(book, campaign.root, roster=roster)
    backups = sorted((campaign.root / BACKUP_DIR).glob("Weiwen-*.xlsm"))
    assert len(backups) == fileio.BACKUPS_KEPT == 10
    assert [b.read_bytes() for b in backups] == versions[-10:]    # the newest ten, in order
    assert leftovers(campaign.root) == []


@contextlib.contextmanager
def direct_writes(root: Path):
    """Record every file under `root` opened for writing under its final name (not a temp name
    of fileio.atomic_write, not the lock file)."""
    root = root.resolve()
    direct: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def note(file, writes: bool) -> None:
        if not writes or not isinstance(file, (str, os.PathLike)):
            return
        path = Path(file).resolve()
        if root not in path.parents:
            return
        rel = path.relative_to(root)
        if path.name.startswith(TMP_PREFIX) or path.name.startswith(lock.LOCK_FILE):
            return
        direct.append(rel.as_posix())

    def open_(file, mode="r", *args, **kwargs):
        note(file, any(c in mode for c in "wax+"))
        return real_open(file, mode, *args, **kwargs)

    def os_open(file, flags, *args, **kwargs):
        note(file, bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)))
        return real_os_open(file, flags, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(builtins, "open", open_)
        mp.setattr(io, "open", open_)
        mp.setattr(os, "open", os_open)
        yield direct


def test_the_direct_write_detector_detects(tmp_path):
    with direct_writes(tmp_path) as direct:
        (tmp_path / "output").mkdir()
        (tmp_path / "output" / "汇总表.xlsx").write_bytes(b"x")               # in place: caught
        fileio.atomic_write_bytes(tmp_path / "output" / "抽查名单.xlsx", b"x")  # atomic: fine
    assert direct == ["output/汇总表.xlsx"]


@pytest.mark.slow
def test_no_writer_bypasses_atomic_write(small_campaign, cli):
    """Every file `weiwen run` writes in the campaign folder is first written under a temp name
    (then os.replace'd), backups in .backup/ included; only the lock file is created in place. A writer of
    any engineer that opens output/汇总表.xlsx (or the workbook) for writing directly fails this."""
    with direct_writes(small_campaign.root) as direct:
        cli("run", small_campaign.root, "--password", "abcd1234")
    assert direct == [], f"written in place, not through fileio.atomic_write: {sorted(set(direct))}"
    assert leftovers(small_campaign.root) == []


# --- the workbook survives every command -------------------------------------------------------

CLERK_SHEET = "我的台账"


def clerk_edits(book: Path) -> None:
    """What a clerk does to the workbook by hand: an own sheet with a formula, a formula beside
    the settings, a format and a colour in 标准, a column width."""
    wb = load_workbook(book, keep_vba=True)
    own = wb.create_sheet(CLERK_SHEET)
    own.append(["日期", "事项", "金额"])
    own.append(["2027-01-10", "向财政所报预算", 1500000])
    own["C3"] = "=C2*2"
    own["C2"].number_format = "#,##0.00"
    params = wb[Sheet.PARAMS]
    params["E2"] = "=LEN(B2)"
    standards = wb[Sheet.STANDARDS]
    standards["D2"].number_format = "#,##0.00\"元\""
    standards["A2"].font = Font(bold=True, color="FFC00000")
    standards["A3"].fill = PatternFill("solid", fgColor="FFFFFF00")
    standards.column_dimensions["J"].width = 31
    wb.save(book)


def workbook_state(book: Path) -> dict:
    with zipfile.ZipFile(book) as z:
        names = set(z.namelist())
        state = {
            "vba": z.read("xl/vbaProject.bin") if "xl/vbaProject.bin" in names else None,
            "ribbon": z.read("customUI/customUI.xml") if "customUI/customUI.xml" in names else None,
            "rels": z.read("_rels/.rels").decode(),
        }
    wb = load_workbook(book, keep_vba=True)
    own = wb[CLERK_SHEET] if CLERK_SHEET in wb.sheetnames else None
    std = wb[Sheet.STANDARDS]
    state.update({
        "sheets": wb.sheetnames,
        "own": [[c.value for c in row] for row in own.iter_rows()] if own else None,
        "own_format": own["C2"].number_format if own else None,
        "param_formula": (wb[Sheet.PARAMS]["E2"].value, wb[Sheet.PARAMS]["E2"].data_type),
        "std_format": std["D2"].number_format,
        "std_font": (std["A2"].font.b, std["A2"].font.color.rgb if std["A2"].font.color else None),
        "std_fill": std["A3"].fill.fgColor.rgb,
        "std_width": std.column_dimensions["J"].width,
        "validations": {ws.title: sorted((str(dv.sqref), dv.type, dv.formula1)
                                         for dv in ws.data_validations.dataValidation)
                        for ws in wb},
    })
    return state


def assert_intact(book: Path, before: dict, after_command: str) -> None:
    after = workbook_state(book)
    assert after["vba"] is not None and after["vba"] == before["vba"], after_command
    assert after["ribbon"] is not None and after["ribbon"] == before["ribbon"], after_command
    assert 'Target="customUI/customUI.xml"' in after["rels"] \
        and "2006/relationships/ui/extensibility" in after["rels"], after_command
    for key in ("own", "own_format", "param_formula", "std_format", "std_font", "std_fill",
                "std_width", "validations"):
        assert after[key] == before[key], (after_command, key)
    assert set(before["sheets"]) <= set(after["sheets"]), after_command


def _campaign_commands() -> list[str]:
    """Every command that works on an existing campaign folder (as the commands land)."""
    import inspect
    out = []
    for command in app.registered_commands:
        name = command.name or command.callback.__name__.replace("_", "-")
        if name in ("init", "demo", "build-workbook", "templates", "serve"):
            continue   # serve runs until Ctrl+C; its buttons are these operations (test_web_*.py)
        if "directory" in inspect.signature(command.callback).parameters:
            out.append(name)
    return out


@pytest.fixture
def small_campaign(demo_source, tmp_path) -> Campaign:
    return Campaign.open(small_demo(demo_source, tmp_path / "demo"))


@pytest.mark.slow
def test_workbook_keeps_its_parts_after_every_command(small_campaign, cli):
    """After `weiwen run` first, then every other command on the campaign: the VBA project, the
    ribbon part and its relationship, the clerk's own sheet, formulas and formats in 参数/标准,
    and every data validation are still there."""
    book = small_campaign.workbook
    clerk_edits(book)
    before = workbook_state(book)
    assert before["param_formula"] == ("=LEN(B2)", "f") and before["validations"][Sheet.ROSTER]
    commands = _campaign_commands()
    assert {"merge", "amounts", "run"} <= set(commands)
    for command in ["run", *[c for c in commands if c != "run"]]:
        result = cli.runner.invoke(app, [command, str(small_campaign.root), "--quiet"])
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            (command, result.exception)
        # after `check` cleared the amounts an output command refuses (exit 2, one line)
        refused = result.exit_code == 2 and "先计算金额" in result.output
        assert result.exit_code == 0 or refused, (command, result.output)
        assert_intact(book, before, command)     # even a command that crashed left it whole
        if command == "run":
            assert len(workbook_io.read_roster(book)) > 300
    assert leftovers(small_campaign.root) == []
    assert not lock.lock_path(small_campaign.root).exists()


@pytest.mark.slow
def test_visits_before_every_unit_has_returned(small_campaign, cli):
    cli("run", small_campaign.root, "--quiet")
    result = cli.runner.invoke(app, ["visits", str(small_campaign.root), "--quiet"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0, result.output


# --- the campaign lock -------------------------------------------------------------------------

HOLDER = """
import sys, time
from weiwen.lock import campaign_lock
with campaign_lock(sys.argv[1], "weiwen run"):
    print("locked", flush=True)
    time.sleep(120)
"""


@pytest.fixture
def holder(campaign):
    """Another process holding the campaign's lock, as a long `weiwen run` would."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(campaign.root)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=10)


def test_second_command_while_one_runs_is_refused(campaign, cli, holder):
    before = campaign.workbook.read_bytes()
    for command in ("merge", "run", "amounts"):
        result = cli(command, campaign.root, ok=False)
        assert result.exit_code == 2, result.output
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and "另一个操作正在处理这个活动" in lines[0] and "请等它完成" in lines[0]
        assert "Traceback" not in result.output
    assert campaign.workbook.read_bytes() == before          # nothing written behind its back
    assert lock.read_lock(campaign.root)["pid"] == holder.pid  # and its lock is still its own


def test_stale_lock_of_a_killed_process_is_released(campaign, cli, holder):
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    assert lock.lock_path(campaign.root).exists()            # left behind by the killed process
    cli("merge", campaign.root)
    assert not lock.lock_path(campaign.root).exists()


def test_lock_staleness_rules(tmp_path, monkeypatch):
    import datetime as dt
    import json
    import socket
    path = lock.lock_path(tmp_path)
    now = dt.datetime.now()
    def write(**info):
        path.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                    "started": now.isoformat(), **info}), encoding="utf-8")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    cases = [
        (dict(pid=dead.pid), True),                                          # process gone
        (dict(), False),                                                     # alive, here
        (dict(host="另一台电脑", pid=1), False),                              # elsewhere, recent
        (dict(host="另一台电脑", started=(now - dt.timedelta(hours=3)).isoformat()), True),
        (dict(started=(now - dt.timedelta(hours=3)).isoformat()), True),     # too old
    ]
    for info, stale in cases:
        write(**info)
        assert lock.is_stale(lock.read_lock(tmp_path), path) is stale, info
    write(host="另一台电脑", pid=1, user="王丽", command="weiwen run")
    with pytest.raises(CampaignBusy) as busy:
        lock.acquire(tmp_path, "weiwen merge")
    assert "另一台电脑（王丽）" in str(busy.value) and str(path) in str(busy.value)
    path.write_text("{not json", encoding="utf-8")                   # a damaged, old lock
    old = time.time() - 60
    os.utime(path, (old, old))
    with lock.campaign_lock(tmp_path, "weiwen merge"):
        with lock.campaign_lock(tmp_path, "nested"):                 # the same process may nest
            assert lock.read_lock(tmp_path)["command"] == "weiwen merge"
        assert path.exists()
    assert not path.exists()


def test_lock_is_released_when_the_command_fails(campaign, cli):
    campaign.workbook.write_bytes(b"damaged")
    assert cli("run", campaign.root, ok=False).exit_code == 2
    assert not lock.lock_path(campaign.root).exists()
