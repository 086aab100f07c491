"""The `pylitmus` command line."""

from __future__ import annotations

import gc
import os
import sys
import time

import click

from pylitmus.collector import collect_less
from pylitmus.limits import MAX_EXECUTIONS, MAX_STEPS

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
              help="Jumps a thread run may make back to one loop head (herd7's -unroll).")
@click.option("--engine", type=click.Choice(ENGINES), default="auto", show_default=True,
              help="Explorer engine: auto (C when built), c, or python (the reference).")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="auto",
              show_default=True, help="Output: rich on a terminal, herd text otherwise.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Tests checked at once, in worker processes. Output order is unchanged.")
@click.option("--shard", callback=lambda ctx, param, value: parse_shard(value),
              metavar="K/N", help="Check only the K-th of N consecutive parts of the tests "
                                  "(nearly equal in number); the outputs of parts 1 to N, "
                                  "one after the other, are the output of the whole run.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Time limit per test; a test over it is reported as timed out.")
@click.option("--max-executions", type=click.IntRange(min=1), default=MAX_EXECUTIONS,
              show_default=True, metavar="N",
              help="Limit per test on thread runs, their combinations and consistent "
                   "executions; a test over it is an error.")
@click.option("--max-steps", type=click.IntRange(min=1), default=MAX_STEPS, show_default=True,
              metavar="N", help="Instructions one thread run may execute (conditional loops "
                                "on values no read changes are not bounded by --unroll).")
@click.option("--speedcheck", is_flag=True,
              help="Count only the executions that can decide the condition, as herd7's "
                   "-speedcheck true does (so the figures are herd7's under that option).")
@click.option("--hexa", is_flag=True,
              help="Print numbers (of states and the condition) in hexadecimal, as herd7's "
                   "-hexa does.")
@click.option("--no-color", is_flag=True, help="Plain text, no colours (as does NO_COLOR).")
@click.option("--expect", "kinds_path", type=click.Path(exists=True, dir_okay=False),
              help="Expected kinds, herd7's -kinds format: lines `NAME Allowed|Forbidden|"
                   "Required`. Exit status 1 when a verdict contradicts one.")
@click.option("--explain", is_flag=True,
              help="After each test, an interleaving of the condition's witness (or of the "
                   "--state): how that outcome can happen, or why the model forbids it.")
@click.option("--state", "state_text", metavar="STATE",
              help="With --explain or --graph: the final state to explain, as in a condition "
                   "('0:X0=1 /\\ x=2') or as the report prints it ('0:X0=1; x=2;').")
@click.option("--model", "model_path", type=click.Path(dir_okay=False), metavar="FILE.cat",
              help="Check under this cat model (herd7's -cat) instead of the built-in Arm "
                   "model.")
@click.option("--libdir", type=click.Path(file_okay=False), metavar="DIR",
              help="Where the model's includes are found after its own folder (herd7's "
                   "-set-libdir).")
@click.option("--graph", "graph_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Write each test's explained execution as DIR/NAME.dot (and .svg when "
                   "Graphviz's dot is installed).")
def check(paths: tuple[str, ...], variant: str, unroll: int, engine: str, output_format: str,
          jobs: int, shard: tuple[int, int] | None, timeout: float | None,
          max_executions: int, max_steps: int, speedcheck: bool, hexa: bool, no_color: bool,
          kinds_path: str | None, explain: bool, state_text: str | None,
          graph_dir: str | None, model_path: str | None, libdir: str | None) -> None:
    """Check litmus tests: PATH is a .litmus file, a directory (every .litmus below it),
    a herd index file (@name: one path per line) or - for standard input.

    Exit status: 0 when all went well, 1 when a verdict is not the expected one, 2 when a
    test could not be checked (unreadable, malformed, timed out).
    """
    gc.disable()  # the imports make objects that last: no garbage to look for
    from pylitmus.checker import Options
    from pylitmus.limits import Limits
    from pylitmus.report.inputs import collect_jobs, part

    collect_less()
    kinds = read_kinds(kinds_path)
    options = Options(variant=parse_variant(variant), unroll=unroll, engine=engine,
                      limits=Limits(max_executions, max_steps), speedcheck=speedcheck,
                      model=model_path, libdir=libdir)
    if model_path is not None:
        load_model_or_exit(options)
    color = not no_color and not os.environ.get("NO_COLOR")
    if explain and output_format == "json":
        raise click.UsageError("--explain prints text: use it with --format herd or rich")
    if state_text is not None and not (explain or graph_dir):
        raise click.UsageError("--state goes with --explain or --graph")
    reporter = make_reporter(output_format, color, hexa)
    witnesses = None
    if explain or graph_dir:
        witnesses = WitnessShow(options, read_state(state_text), explain, graph_dir, reporter,
                                hexa)
    tests = collect_jobs(paths)
    if shard is not None:
        tests = part(tests, *shard)
    tally = run_batch(tests, options, reporter, kinds, jobs, timeout, witnesses)
    failed = witnesses is not None and witnesses.failed
    sys.exit(max(tally.exit_status, 2 if failed else 0))


def load_model_or_exit(options) -> None:
    """Compile the --model once before any test, so that a mistake in it is one line."""
    from pylitmus.checker import model_for
    from pylitmus.errors import LitmusError

    try:
        model_for(options, options.variant)
    except LitmusError as error:
        click.echo(str(error), err=True)
        sys.exit(2)


def parse_variant(text: str) -> frozenset[str]:
    from pylitmus.variants import VariantError, parse_variants

    try:
        return parse_variants(text)
    except VariantError as error:
        raise click.BadParameter(error.message, param_hint="--variant") from None


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """`--shard K/N` as (K, N), 1 <= K <= N."""
    if text is None:
        return None
    index, slash, count = text.partition("/")
    if not (slash and index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise click.BadParameter(f"expected K/N with 1 <= K <= N, such as 1/4, not {text!r}",
                                 param_hint="--shard")
    return int(index), int(count)


def read_kinds(path: str | None) -> dict[str, str]:
    if path is None:
        return {}
    from pylitmus.report.expect import parse_kinds

    try:
        with open(path, encoding="utf-8") as handle:
            return parse_kinds(handle.read(), path)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise click.BadParameter(str(error), param_hint="--expect") from None


def read_state(text: str | None):
    if text is None:
        return None
    from pylitmus.errors import LitmusError
    from pylitmus.witness import parse_state

    try:
        return parse_state(text)
    except LitmusError as error:
        raise click.BadParameter(str(error), param_hint="--state") from None


class WitnessShow:
    """`--explain` and `--graph` for each test checked: its witness, found again."""

    def __init__(self, options, state, explain: bool, graph_dir: str | None, reporter,
                 hexa: bool = False):
        self.options = options
        self.hexa = hexa
        self.state = state
        self.explain = explain
        self.graph_dir = graph_dir
        self.console = getattr(reporter, "console", None)  # the Rich reporter's
        self.failed = False

    def __call__(self, job, outcome) -> None:
        from pylitmus.errors import LitmusError
        from pylitmus.frontend import parse_file, parse_text
        from pylitmus.witness import find_witness

        result = outcome.result
        first = result.states[0].values if result.states else None
        try:
            test = parse_file(job.file) if job.text is None else parse_text(job.text, job.file)
            witness = find_witness(test, self.options, self.state, first)
        except LitmusError as error:
            click.echo(f"{outcome.file}: cannot explain: {error}", err=True)
            self.failed = True
            return
        if self.explain:
            from pylitmus.report.explain import explain

            text = explain(witness, self.hexa)
            if self.console is not None:
                from rich.text import Text
                self.console.print(Text(text.rstrip("\n")), soft_wrap=True)
            else:
                click.echo(text)
        if self.graph_dir:
            from pylitmus.report.graph import write_graphs
            write_graphs(witness, self.graph_dir)


def make_reporter(output_format: str, color: bool, hexa: bool = False):
    """The reporter for `--format`; `auto` is rich on a terminal, herd text otherwise;
    `hexa` prints numbers in hexadecimal."""
    if output_format == "auto":
        output_format = "rich" if sys.stdout.isatty() else "herd"
    if output_format == "json":
        from pylitmus.report.json import JsonReporter
        return JsonReporter(hexa=hexa)
    if output_format == "rich":
        from pylitmus.report.rich import RichReporter, make_console
        return RichReporter(make_console(color=color), make_console(stderr=True, color=color),
                            hexa=hexa)
    from pylitmus.report.herd import HerdReporter
    return HerdReporter(hexa=hexa)


def run_batch(jobs, options, reporter, kinds: dict[str, str], workers: int,
              timeout: float | None, witnesses=None):
    """Check every job, reporting each outcome in order (then `witnesses(job, outcome)`,
    when given, for each checked test); the batch's `Tally`."""
    from pylitmus.report.expect import expectation_for
    from pylitmus.report.runner import Tally, run_jobs

    tally = Tally()
    start = time.perf_counter()
    reporter.start(len(jobs))
    for job, outcome in zip(jobs, run_jobs(jobs, options, workers, timeout)):
        if outcome.result is not None:
            outcome.expectation = expectation_for(outcome.result, kinds)
        reporter.show(outcome)
        if witnesses is not None and outcome.result is not None:
            witnesses(job, outcome)
        tally.add(outcome)
    tally.seconds = time.perf_counter() - start
    reporter.finish(tally)
    return tally
