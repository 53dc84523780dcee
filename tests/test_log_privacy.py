"""The logs the clerk is asked to send to support carry no household's numbers, are readable by
their account only, and never stop a command: read back as the files on disk they are."""
from __future__ import annotations

import logging
import os
import stat

import pytest

from weiwen import cli_usage, logfile
from weiwen.intake import merge as merge_module
from weiwen.intake import pool
from weiwen.pipeline import ops_roster
from weiwen.web import server

pytestmark = pytest.mark.reliability

ID, PHONE, CARD = "11010119900307777X", "13812345678", "6222021234567890123"


def _numbers_said(exc_type: type[Exception] = ValueError) -> Exception:
    """What a library's exception says when it quotes cells (pandas / a reader)."""
    return exc_type(f"could not convert {ID!r} (联系电话 {PHONE}, 卡号 6222 0212 3456 7890 123,"
                    f" 身份证 １１０１０１１９９００３０７７７７X)")


def _clean(text: str) -> None:
    for number in (ID, PHONE, CARD, ID.lower(), "１１０１０１１９９００３０７７７７"):
        assert number not in text.replace(" ", "")
    assert "138****5678" in text and "110***********777X" in text


def test_scrub_masks_personal_numbers_and_leaves_times_lines_and_sizes():
    line = ('2026-12-03 09:05:23 File "/x/merge.py", line 1234, in parse: read 104857600 bytes'
            ' at 0x7f12345678901; 0571-88001234 / 138 1234 5678 / 330106195409222888')
    out = logfile.scrub(line)
    assert out.startswith('2026-12-03 09:05:23 File "/x/merge.py", line 1234, in parse: '
                          'read 104857600 bytes at 0x7f12345678901; ')
    assert out.endswith("057*****1234 / 138****5678 / 330***********2888")


def test_an_internal_error_quoting_cells_leaves_no_numbers_in_the_log(campaign, cli, monkeypatch,
                                                                      tmp_path):
    monkeypatch.setattr(cli_usage, "LOG_FILE", tmp_path / "weiwen-error.log")

    def broken(*args, **kwargs):
        raise _numbers_said(KeyError)

    monkeypatch.setattr(ops_roster, "read_inbox", broken)
    result = cli("merge", campaign.root, ok=False)
    assert result.exit_code == 1 and "技术支持" in result.output
    log = (tmp_path / "weiwen-error.log").read_text(encoding="utf-8")
    assert "KeyError" in log and "ops_roster.py" in log          # what support needs is there
    _clean(log)
    if os.name == "posix":
        assert stat.S_IMODE((tmp_path / "weiwen-error.log").stat().st_mode) == 0o600


@pytest.mark.slow
def test_the_reading_log_of_a_file_the_merge_cannot_process_is_scrubbed(demo_campaign, cli,
                                                                        monkeypatch, tmp_path):
    monkeypatch.setattr(pool, "LOG_FILE", tmp_path / "weiwen-read.log")
    real = merge_module.tables_of

    def odd(raw):
        if raw.relname.startswith("东湖"):
            raise _numbers_said()
        return real(raw)

    monkeypatch.setattr(merge_module, "tables_of", odd)
    cli("merge", demo_campaign.root)
    log = (tmp_path / "weiwen-read.log").read_text(encoding="utf-8")
    assert "东湖" in log and "ValueError: could not convert" in log
    _clean(log)


def test_a_log_another_account_holds_never_stops_a_merge(campaign, cli, monkeypatch, tmp_path):
    """On a shared temp folder the log's name may be taken (another account's file, here a
    folder in its place): the merge reads its files all the same, and the clerk is not told
    of a log that was never written."""
    taken = tmp_path / "taken"
    taken.mkdir()
    monkeypatch.setattr(pool, "LOG_FILE", taken)
    monkeypatch.setattr(cli_usage, "LOG_FILE", taken)
    (campaign.inbox / "东风社区.csv").write_text(
        "户主姓名,身份证号,类别,家庭人口,联系电话\n张三,330106195409222888,低保户,2,13724207189\n",
        encoding="utf-8")
    cli("merge", campaign.root, ok=False)                    # reads; the file's unit is unknown
    path = campaign.inbox / "东风社区.csv"
    read = pool.read_files([path], pool.Limits(workers=1, inline=0))     # in a reader process
    assert read[path].data is not None

    def broken(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(ops_roster, "read_inbox", broken)
    result = cli("merge", campaign.root, ok=False)
    assert result.exit_code == 1 and "无法写入" in result.output and str(taken) not in result.output


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="links are followed where O_NOFOLLOW is missing")
def test_a_link_planted_under_the_logs_name_is_not_followed(tmp_path):
    victim = tmp_path / "someone-elses.txt"
    victim.write_text("keep", encoding="utf-8")
    (tmp_path / "weiwen-error.log").symlink_to(victim)
    assert logfile.append(tmp_path / "weiwen-error.log", "x") is False
    assert victim.read_text(encoding="utf-8") == "keep"


def test_an_old_log_readable_by_all_is_made_private_when_next_written(tmp_path):
    old = tmp_path / "weiwen-excel.log"
    old.write_text("--- earlier\n", encoding="utf-8")
    old.chmod(0o644)
    assert logfile.append(old, f"--- now {PHONE}\n")
    assert old.read_text(encoding="utf-8") == "--- earlier\n--- now 138****5678\n"
    if os.name == "posix":
        assert stat.S_IMODE(old.stat().st_mode) == 0o600


def test_the_workbench_log_scrubs_its_lines_and_tracebacks(monkeypatch, tmp_path):
    monkeypatch.setattr(server, "LOG_FILE", tmp_path / "weiwen-web.log")
    logger = logging.getLogger("weiwen.web")
    before = list(logger.handlers)
    try:
        server.setup_logging()
        try:
            raise _numbers_said()
        except ValueError:
            logger.exception("step failed for %s", PHONE)
        for handler in logger.handlers:
            handler.flush()
    finally:
        for handler in logger.handlers[len(before):]:
            logger.removeHandler(handler)
            handler.close()
    log = (tmp_path / "weiwen-web.log").read_text(encoding="utf-8")
    assert "step failed for 138****5678" in log and "Traceback" in log
    _clean(log)
