"""`python -m pylitmus`: the command line."""

from pylitmus.cli import main

main(prog_name="pylitmus")
