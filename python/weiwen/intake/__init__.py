"""Intake: returned files in inbox/ → one roster with provenance.

readers.py reads files into raw tables (the I/O edge); headers.py maps header variants to the
canonical columns; normalize.py cleans values; merge.py turns raw tables into the roster.
"""
