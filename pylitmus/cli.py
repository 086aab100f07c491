"""The `pylitmus` command line."""

from __future__ import annotations

import os
import sys
import time

import click

FORMATS = ("auto", "rich", "herd", "json")
ENGINES = ("auto", "c", "python")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pylitmus")
def main() -> None:
    """A herd7-style checker of AArch64 litmus tests under the Arm memory model."""


@main.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--variant", default="", metavar="LIST",
              help="Model variants, comma separated (herd7's -variant), e.g. ifetch.")
@click.option("--unroll", type=click.IntRange(min=0), default=2, show_default=True,
              help="How many times a backward branch may be taken (herd7's -unroll).")
@click.option("--engine", type=click.Choice(ENGINES), default="auto", show_default=True,
              help="Explorer engine: auto (C when built), c, or python (the reference).")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="auto",
              show_default=True, help="Output: rich on a terminal, herd text otherwise.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Tests checked at once, in worker processes. Output order is unchanged.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Time limit per test; a test over it is reported as timed out.")
@click.option("--no-color", is_flag=True, help="Plain text, no colours (as does NO_COLOR).")
@click.option("--expect", "kinds_path", type=click.Path(exists=True, dir_okay=False),
              help="Expected kinds, herd7's -kinds format: lines `NAME Allowed|Forbidden|"
                   "Required`. Exit status 1 when a verdict contradicts one.")
def check(paths: tuple[str, ...], variant: str, unroll: int, engine: str, output_format: str,
          jobs: int, timeout: float | None, no_color: bool, kinds_path: str | None) -> None:
    """Check litmus tests: PATH is a .litmus file, a directory (every .litmus below it),
    a herd index file (@name: one path per line) or - for standard input.

    Exit status: 0 when all went well, 1 when a verdict is not the expected one, 2 when a
    test could not be checked (unreadable, malformed, timed out).
    """
    from pylitmus.checker import Options
    from pylitmus.report.inputs import collect_jobs

    kinds = read_kinds(kinds_path)
    options = Options(variant=parse_variant(variant), unroll=unroll, engine=engine)
    color = not no_color and not os.environ.get("NO_COLOR")
    reporter = make_reporter(output_format, color)
    tally = run_batch(collect_jobs(paths), options, reporter, kinds, jobs, timeout)
    sys.exit(tally.exit_status)


def parse_variant(text: str) -> frozenset[str]:
    return frozenset(word.strip().lower() for word in text.split(",") if word.strip())


def read_kinds(path: str | None) -> dict[str, str]:
    if path is None:
        return {}
    from pylitmus.report.expect import parse_kinds

    try:
        with open(path, encoding="utf-8") as handle:
            return parse_kinds(handle.read(), path)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise click.BadParameter(str(error), param_hint="--expect") from None


def make_reporter(output_format: str, color: bool):
    """The reporter for `--format`; `auto` is rich on a terminal, herd text otherwise."""
    if output_format == "auto":
        output_format = "rich" if sys.stdout.isatty() else "herd"
    if output_format == "json":
        from pylitmus.report.json import JsonReporter
        return JsonReporter()
    if output_format == "rich":
        from pylitmus.report.rich import RichReporter, make_console
        return RichReporter(make_console(color=color), make_console(stderr=True, color=color))
    from pylitmus.report.herd import HerdReporter
    return HerdReporter()


def run_batch(jobs, options, reporter, kinds: dict[str, str], workers: int,
              timeout: float | None):
    """Check every job, reporting each outcome in order; the batch's `Tally`."""
    from pylitmus.report.expect import expectation_for
    from pylitmus.report.runner import Tally, run_jobs

    tally = Tally()
    start = time.perf_counter()
    reporter.start(len(jobs))
    for outcome in run_jobs(jobs, options, workers, timeout):
        if outcome.result is not None:
            outcome.expectation = expectation_for(outcome.result, kinds)
        reporter.show(outcome)
        tally.add(outcome)
    tally.seconds = time.perf_counter() - start
    reporter.finish(tally)
    return tally
