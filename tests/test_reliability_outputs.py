"""What leaves the office: no formula injection from returned files, no full ID numbers in the
output files, and `--password` encrypting what is emailed."""
from __future__ import annotations

import csv
import io
import json
import re
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from stdnum.cn import ric
from typer.testing import CliRunner

from weiwen import protect, workbook_io
from weiwen.campaign import Campaign, init
from weiwen.cli import app
from weiwen.names import Col

sys.path.insert(0, str(Path(__file__).parent))
from corpus import HEADER, People, small_demo  # noqa: E402
from test_reliability_corpus import add_units  # noqa: E402
from libreoffice_vba import SYSTEM_PYTHON, missing as libreoffice_missing  # noqa: E402

pytestmark = pytest.mark.reliability

PAYLOADS = ('=HYPERLINK("http://x","y")', "+cmd|'/c calc'!A0", "@SUM(A1)", "-2+3")
#: what would show that a payload became live: in a formula, a link target, an external link
LIVE = re.compile(r"HYPERLINK|cmd\||calc|SUM\(A1\)|2\+3|http://x", re.I)


# --- helpers: read every output file as text ---------------------------------------------------

def _xlsx_bytes(path: Path, password: str | None) -> bytes:
    if password and protect.is_encrypted(path):
        return protect.decrypt_bytes(path, password)
    return path.read_bytes()


def file_texts(path: Path, password: str | None = None) -> dict[str, str]:
    """Part name → text for every readable part of an output file (xlsx: every xml part)."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        with zipfile.ZipFile(io.BytesIO(_xlsx_bytes(path, password))) as z:
            return {n: z.read(n).decode("utf-8", "replace") for n in z.namelist()
                    if n.endswith((".xml", ".rels", ".vml"))}
    if suffix == ".pdf":
        from pdfminer.high_level import extract_text
        return {"text": extract_text(str(path))}
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return {"text": data.decode(encoding)}
        except UnicodeDecodeError:
            pass
    return {"text": data.decode("latin-1")}


ID_LIKE = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")


def full_ids(text: str) -> set[str]:
    """18-character ID numbers in text that pass the checksum (so not bank cards or serials)."""
    return {m for m in ID_LIKE.findall(text) if ric.calc_check_digit(m.upper()) == m[17].upper()}


# --- injection ---------------------------------------------------------------------------------

def _injected_rows(people: People, unit: str) -> list[list]:
    rows = people.rows(unit, 6)
    for i, payload in enumerate(PAYLOADS):
        rows[i][1] = payload                 # 户主姓名
        rows[i][7] = payload                 # 地址
        rows[i][8] = payload                 # 备注
    rows[4][8] = '=HYPERLINK("http://x","y")'
    return rows


@pytest.fixture(scope="module")
def injected(tmp_path_factory) -> Campaign:
    """Two returns whose name/address/备注 cells hold formula-like text: one .xlsx where the cells
    are text cells (as a unit typing '=... gets), one .csv (where any cell is text)."""
    campaign = init(tmp_path_factory.mktemp("inject") / "活动")
    add_units(campaign, ["注入村", "逗号村"])
    people = People(31)
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in _injected_rows(people, "注入村"):
        ws.append(row)
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"        # text, not a formula, in the unit's file
    wb.save(campaign.inbox / "注入村名单.xlsx")
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    writer.writerows(_injected_rows(people, "逗号村"))
    (campaign.inbox / "逗号村名单.csv").write_bytes(buf.getvalue().encode("utf-8-sig"))
    result = CliRunner().invoke(app, ["run", str(campaign.root), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return campaign


def _all_outputs(campaign: Campaign) -> list[Path]:
    return sorted(p for p in campaign.output.rglob("*") if p.is_file())


@pytest.mark.slow
def test_payloads_reach_the_roster_as_text(injected):
    roster = workbook_io.read_roster(injected.workbook)
    for payload in PAYLOADS:
        assert (roster[Col.ADDRESS] == payload).sum() == 2, payload


@pytest.mark.parametrize("where", ["workbook", "outputs"])
@pytest.mark.slow
def test_no_payload_becomes_a_formula_link_or_external_link(injected, where):
    files = [injected.workbook] if where == "workbook" else \
        [p for p in _all_outputs(injected) if p.suffix.lower() in (".xlsx", ".xlsm")]
    if where == "outputs":
        assert files, "weiwen run wrote no .xlsx output"
    for path in files:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            assert not [n for n in names if "externalLink" in n], path
            for name in names:
                if not name.endswith((".xml", ".rels")):
                    continue
                xml = z.read(name).decode("utf-8", "replace")
                for formula in re.findall(r"<(?:\w+:)?f(?:\s[^>]*)?>(.*?)</(?:\w+:)?f>", xml, re.S):
                    assert not LIVE.search(formula), (path.name, name, formula)
                if name.endswith(".rels"):
                    assert "http://x" not in xml, (path.name, name)
        wb = load_workbook(path, keep_vba=path.suffix == ".xlsm")
        for ws in wb:
            assert not [h for h in ws._hyperlinks if "http://x" in (h.target or "")], \
                (path.name, ws.title)
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and LIVE.search(cell.value):
                        assert cell.data_type == "s", (path.name, ws.title, cell.coordinate)


def test_csv_outputs_defuse_formula_text(injected):
    """Any CSV an output writes (none today) must not start a cell with = + - @ from a return."""
    for path in _all_outputs(injected):
        if path.suffix.lower() not in (".csv", ".txt"):
            continue
        for row in csv.reader(io.StringIO(file_texts(path)["text"])):
            for value in row:
                assert value not in PAYLOADS, (path.name, value)


# --- privacy and --password --------------------------------------------------------------------

PASSWORD = "Wei-2027-chun"


@pytest.fixture(scope="module")
def protected(demo_source, tmp_path_factory) -> tuple[Campaign, dict]:
    """The demo campaign run with --password."""
    root = small_demo(demo_source, tmp_path_factory.mktemp("protected") / "demo")
    result = CliRunner().invoke(app, ["run", str(root), "--json", "--password", PASSWORD],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return Campaign.open(root), json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_password_writes_an_encrypted_copy_of_every_xlsx_output(protected):
    """Every .xlsx in output/ has an encrypted twin in output/加密发送/ that opens with the
    password and holds the same workbook; the originals (read back by the tool, printed) and
    Weiwen.xlsm stay plain."""
    campaign, data = protected
    sealed = campaign.output / protect.ENCRYPTED_DIR
    plain = [p for p in _all_outputs(campaign)
             if p.suffix.lower() == ".xlsx" and sealed not in p.parents]
    assert plain, "weiwen run wrote no .xlsx output"
    for path in plain:
        twin = sealed / path.relative_to(campaign.output)
        assert twin.is_file() and protect.is_encrypted(twin), twin
        assert protect.decrypt_bytes(twin, PASSWORD) == path.read_bytes(), twin
        assert not protect.is_encrypted(path)
    assert not protect.is_encrypted(campaign.workbook)
    assert any("加密发送" in n for n in data["notes"])
    assert not list(campaign.output.rglob(".~tmp-*"))


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.skipif(bool(libreoffice_missing()), reason=libreoffice_missing() or "ready")
def test_libreoffice_opens_the_encrypted_copy_with_the_password_and_only_with_it(protected):
    """Finance or a community may open 加密发送 in LibreOffice, not Excel: LibreOffice, given the
    password, reads the sheets and title of the plain file; given another, nothing."""
    import subprocess
    campaign, _ = protected
    twin = campaign.output / protect.ENCRYPTED_DIR / "汇总表.xlsx"
    done = subprocess.run([SYSTEM_PYTHON, str(Path(__file__).with_name("libreoffice_open.py")),
                           str(twin), PASSWORD, "not-the-password"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    opened = json.loads(done.stdout)
    plain = load_workbook(campaign.output / "汇总表.xlsx")
    assert opened[PASSWORD] == {"sheets": plain.sheetnames,
                                "A1": plain.worksheets[0]["A1"].value}
    assert opened["not-the-password"] is None


@pytest.mark.slow
def test_commands_after_a_password_run_still_work(protected, cli):
    """`weiwen audit` reads 抽查名单.xlsx back: the encrypted copy must not stand in its way."""
    campaign, _ = protected
    result = cli("audit", campaign.root, "--quiet", ok=False)
    assert result.exit_code == 0, result.output


@pytest.mark.slow
def test_no_full_id_number_in_any_output_file(protected):
    """DESIGN.md: the full 身份证号 stays in the workbook's 名册; output files (emailed, printed,
    handed to finance and the discipline office) never hold one in full."""
    campaign, _ = protected
    roster_ids = set(workbook_io.read_roster(campaign.workbook)[Col.ID].dropna().astype(str))
    roster_ids = {i for i in roster_ids if len(i) == 18}
    assert len(roster_ids) > 300
    files = _all_outputs(campaign)
    assert files
    leaks: dict[str, int] = {}
    for path in files:
        found: set[str] = set()
        for text in file_texts(path, PASSWORD).values():
            found |= full_ids(text) | {i for i in roster_ids if i in text}
        if found:
            leaks[path.relative_to(campaign.output).as_posix()] = len(found)
    assert leaks == {}, f"full ID numbers in output files: {leaks}"


def test_the_id_scanner_finds_ids_in_xlsx_csv_and_pdf(tmp_path):
    """The privacy scan would see an ID if one were there (xlsx shared strings, csv, pdf)."""
    an_id = People().id_number()
    wb = Workbook()
    wb.active.append(["户主", an_id])
    wb.save(tmp_path / "a.xlsx")
    (tmp_path / "b.csv").write_bytes(f"户主,{an_id}\n".encode("gbk"))
    for name in ("a.xlsx", "b.csv"):
        assert an_id in set().union(*map(full_ids, file_texts(tmp_path / name).values())), name
    masked = an_id[:6] + "********" + an_id[-4:]
    assert full_ids(masked) == set()
    assert full_ids("6222021234567890123") == set()      # a 19-digit bank card is not an ID


def test_password_option_rejects_a_short_password(campaign, cli):
    result = cli("run", campaign.root, "--password", "12", ok=False)
    assert result.exit_code == 2 and "密码至少" in result.output


def test_protect_files_is_atomic_and_idempotent(tmp_path):
    wb = Workbook()
    wb.active["A1"] = "汇总"
    wb.save(tmp_path / "汇总表.xlsx")
    (tmp_path / "签字表.pdf").write_bytes(b"%PDF-1.4\n")
    done = protect.protect_files([tmp_path / "汇总表.xlsx", tmp_path / "签字表.pdf"], PASSWORD)
    assert [p.name for p in done.encrypted] == ["汇总表.xlsx"]
    assert [p.name for p, _ in done.skipped] == ["签字表.pdf"]
    once = (tmp_path / "汇总表.xlsx").read_bytes()
    protect.encrypt_file(tmp_path / "汇总表.xlsx", PASSWORD)             # already encrypted
    assert (tmp_path / "汇总表.xlsx").read_bytes() == once
    assert sorted(p.name for p in tmp_path.iterdir()) == ["汇总表.xlsx", "签字表.pdf"]
    assert load_workbook(io.BytesIO(protect.decrypt_bytes(tmp_path / "汇总表.xlsx", PASSWORD))
                         ).active["A1"].value == "汇总"
