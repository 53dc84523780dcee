"""What truly cannot go on: a campaign that cannot be used at all.

Everything else is a Problem (problems.py). These exceptions are turned into one Chinese line at
the edge: exit code 2 on the command line, a message box in Excel.
"""
from __future__ import annotations


class WeiwenError(Exception):
    """Base class; str(error) is the one-line Chinese message shown to the clerk."""


class CampaignError(WeiwenError):
    """The folder is not a usable campaign (no workbook, unreadable workbook, missing sheets)."""


class CampaignBusy(WeiwenError):
    """Another command is working on the same campaign right now."""


class NotReady(WeiwenError):
    """An output step cannot make a meaningful output from the roster as it is (empty, no amounts,
    nothing paid); the message names the step to run first. Existing outputs are left as they are."""
