"""Outputs always agree with the workbook, through the real command line: a step that cannot make
a meaningful output refuses and leaves the old files; a step that writes replaces its whole set
(stale PDFs and units no longer present removed); every output carries the roster's check code."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from weiwen.fileio import Resolver
from openpyxl import load_workbook

from outputs_helpers import small_campaign, write_return
from weiwen.names import AUDIT_FILE, BANK_FILE, OUTPUT_DIR, SIGNOFF_DIR, SUMMARY_FILE
from weiwen.outputs.state import MANIFEST


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _outputs(root: Path) -> dict[str, str]:
    out = root / OUTPUT_DIR
    return {p.relative_to(out).as_posix(): _digest(p) for p in out.rglob("*")
            if p.is_file() and p.name != MANIFEST}


@pytest.mark.slow
def test_after_check_the_output_steps_refuse_and_keep_the_files(tmp_path, cli):
    campaign = small_campaign(tmp_path / "活动")
    cli("run", campaign.root, "--quiet")
    before = _outputs(campaign.root)
    assert {SUMMARY_FILE, BANK_FILE, AUDIT_FILE} <= set(before)
    cli("check", campaign.root, "--quiet")                  # clears every amount
    for command, what in (("summary", "汇总表"), ("audit", "抽查名单"), ("signoff", "签字确认表")):
        result = cli(command, campaign.root, ok=False)
        assert result.exit_code == 2, result.output
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and "先计算金额" in lines[0] and what in lines[0], result.output
    assert _outputs(campaign.root) == before                 # nothing rewritten or removed


def test_an_empty_roster_names_the_merge(tmp_path, cli):
    campaign = small_campaign(tmp_path / "活动")
    for path in campaign.inbox.glob("*.xlsx"):
        path.unlink()
    result = cli("summary", campaign.root, ok=False)
    assert result.exit_code == 2 and "先合并回收表" in result.output
    assert not (campaign.output / SUMMARY_FILE).exists()
    data = cli.json("run", campaign.root)                   # run says it once, writes no output
    assert any("先合并回收表" in n for n in data["notes"])
    assert not list((campaign.output).rglob("*.xlsx"))


@pytest.mark.slow
def test_a_later_run_replaces_the_whole_set_of_signature_sheets(tmp_path, cli):
    campaign = small_campaign(tmp_path / "活动")
    cli("run", campaign.root, "--quiet")
    folder = campaign.output / SIGNOFF_DIR
    assert (folder / "红旗村.xlsx").exists()
    stale_pdf = folder / "东风社区.pdf"                      # as left by an earlier signoff --pdf
    stale_pdf.write_bytes(b"%PDF-1.4 old")
    (campaign.inbox / "红旗村.xlsx").unlink()                # the unit's return was withdrawn
    cli("run", campaign.root, "--quiet")
    names = sorted(p.name for p in folder.iterdir())
    assert "红旗村.xlsx" not in names and "东风社区.pdf" not in names
    assert "东风社区.xlsx" in names and "幸福里社区.xlsx" in names


@pytest.mark.slow
def test_every_output_carries_the_roster_check_code(tmp_path, cli):
    campaign = small_campaign(tmp_path / "活动")
    cli("run", campaign.root, "--quiet")
    manifest = json.loads((campaign.output / MANIFEST).read_text(encoding="utf-8"))
    code = manifest["summary"]["code"]
    assert manifest["signoff"]["code"] == manifest["audit"]["code"] == code and len(code) == 8
    assert "汇总表.xlsx" in manifest["summary"]["files"]
    # 退回修改 is listed too (made by the merge, before amounts: its own code and time)
    assert manifest["feedback"]["files"] == sorted(
        f"退回修改/{p.name}" for p in (campaign.output / "退回修改").glob("*.xlsx"))
    assert "退回修改/东风社区.xlsx" in manifest["feedback"]["files"]
    summary = load_workbook(campaign.output / SUMMARY_FILE)["汇总"]
    assert code in summary["A2"].value and code in summary.oddFooter.left.text
    sheet = load_workbook(campaign.output / SIGNOFF_DIR / "东风社区.xlsx").active
    assert code in sheet.oddFooter.left.text
    assert any(code in str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    # a changed roster prints a different code: old and new printouts can be told apart
    (campaign.inbox / "红旗村.xlsx").unlink()
    cli("run", campaign.root, "--quiet")
    again = json.loads((campaign.output / MANIFEST).read_text(encoding="utf-8"))
    assert again["summary"]["code"] != code


@pytest.mark.slow
def test_a_card_household_without_a_card_number_is_marked_on_its_sheet(tmp_path, cli):
    campaign = small_campaign(tmp_path / "活动")
    cli("run", campaign.root, "--quiet")
    # 低保 is paid by card through 社会事务科 (标准.责任部门): its sheet lists 红旗村's households too
    ws = load_workbook(campaign.output / SIGNOFF_DIR / "社会事务科.xlsx").active
    marked = [r for r in ws.iter_rows(values_only=True) if r[-1] == "缺银行卡号，请补"]
    assert marked and all(r[3] == "低保" for r in marked)


@pytest.mark.slow
def test_feedback_files_carry_the_code_the_manifest_notes_for_them(tmp_path, cli):
    campaign = small_campaign(tmp_path / "活动")
    cli("merge", campaign.root, "--quiet")
    folder = campaign.output / "退回修改"

    def printed() -> tuple[dict, dict[str, str]]:
        """输出清单.json's entry for 退回修改, and the code each of its files prints."""
        entry = json.loads((campaign.output / MANIFEST).read_text(encoding="utf-8"))["feedback"]
        codes = {}
        for name in entry["files"]:
            ws = load_workbook(campaign.output / name).active
            footer = ws.oddFooter.left.text or ""
            lines = [c for row in ws.iter_rows(max_row=3, values_only=True) for c in row
                     if isinstance(c, str) and "名册校验码" in c]
            assert footer.startswith("名册校验码 ") and len(lines) == 1, name
            assert lines[0].split("名册校验码 ")[1][:8] == footer.split()[1], name
            codes[name] = footer.split()[1]
        return entry, codes

    entry, codes = printed()
    first = entry["code"]
    assert len(codes) >= 2 and set(codes.values()) == {first} == set(entry["made_from"].values())
    kept = (folder / "东风社区.xlsx").stat().st_ino
    # 幸福里社区 sends a list with a wrong ID: 名册 changes; only its file is new, with the new
    # code; 东风社区's rows are as they were, so its file stays (not sent again as "new")
    write_return(campaign, "幸福里社区", 14, 2000, bad_id=True)
    cli("merge", campaign.root, "--quiet")
    entry, codes = printed()
    assert entry["code"] != first and entry["made_from"] == codes
    assert codes["退回修改/幸福里社区.xlsx"] == entry["code"]
    assert codes["退回修改/东风社区.xlsx"] == first
    assert (folder / "东风社区.xlsx").stat().st_ino == kept


@pytest.mark.parametrize("seed", range(6))
def test_the_check_code_is_pandas_hash_of_the_roster_to_the_bit(seed):
    """row_hashes takes a faster way than pd.util.hash_pandas_object; the code printed on every
    output is the same either way, on messy rosters (blanks, numbers, dates, full-width text,
    columns of few values and of nearly all distinct ones)."""
    import datetime as dt
    import random

    import numpy as np
    import pandas as pd

    from weiwen.outputs.state import row_hashes
    rng = random.Random(seed)
    n = rng.choice([0, 1, 5, 300, 5000])
    pools = [
        [f"3301061950{i:08d}" for i in range(n)],                          # nearly all distinct
        ["东湖社区", "西湖社区", "青山村"],                                    # a few
        ["", None, float("nan"), "张三", "ＡＢＣ１２３", " 空格 ", 3, 3.0, True,
         dt.date(2027, 1, 20), 1e20, "nan", "None"],                         # messy
    ]
    frame = pd.DataFrame({f"c{j}": [rng.choice(pools[j % 3]) if j % 3 else pools[0][i]
                                    for i in range(n)] for j in range(rng.randint(0, 7))})
    for f in (frame, frame.astype(str), frame.astype(object)):
        want = pd.util.hash_pandas_object(f, index=False).to_numpy()
        assert np.array_equal(row_hashes(f), want)


def test_files_are_resolved_as_pathlib_resolves_them(tmp_path):
    """The outputs' manifest keys files by where they really are: through a linked folder, a
    linked file, '..' and a file not there yet, as Path.resolve() says."""
    real = tmp_path / "real"
    (real / "退回修改").mkdir(parents=True)
    (real / "退回修改" / "东湖社区.xlsx").write_bytes(b"x")
    (tmp_path / "via").symlink_to(real, target_is_directory=True)
    (real / "link.xlsx").symlink_to(real / "退回修改" / "东湖社区.xlsx")
    resolve = Resolver()
    paths = [tmp_path / "via" / "退回修改" / "东湖社区.xlsx", real / "退回修改" / "西湖社区.xlsx",
             tmp_path / "via" / "link.xlsx", real / "退回修改" / ".." / "link.xlsx",
             real / "退回修改" / "..", Path("relative.xlsx")]
    for path in [*paths, *paths]:                                # the second time, from memory
        assert resolve(path) == str(path.resolve())
