"""What the command line prints, made safe to print."""

from __future__ import annotations


def one_line(message: str) -> str:
    """``message`` as one printable line: what a person typed (a name with a line break or a
    NUL in it) can never split the line or hide part of it."""
    return "".join(ch if ch.isprintable() else " " for ch in message)


def fit(text: str, width: int) -> str:
    """``text`` in a column ``width`` characters wide: cut with an ellipsis when longer, so a
    cut name is seen to be cut ("Wide World Importers (d…")."""
    return text if len(text) <= width else text[: width - 1] + "…"
