"""The front end: herd-format litmus text to the syntax tree of `ast.py`."""

from pylitmus.frontend.parser import parse_file, parse_text

__all__ = ["parse_file", "parse_text"]
