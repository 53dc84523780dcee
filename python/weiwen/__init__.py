"""Weiwen (走访慰问): a festival relief campaign from unit returns to signature sheets (DESIGN.md)."""
