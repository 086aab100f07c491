"""`pylitmus check`: inputs, options, formats and exit statuses."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pylitmus.errors import LitmusError
from pylitmus.report.herdtext import state_text
from tests.cli.conftest import BAD_TEXT, EXAMPLES, example


def blocks(text: str) -> list[str]:
    """herd text without the Time lines, which vary from run to run."""
    return [line for line in text.splitlines() if not line.startswith("Time ")]


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


# ---- inputs ------------------------------------------------------------------------------

def test_one_file_in_herd_format(run) -> None:
    result = run("--format", "herd", example("MP"))
    assert result.exit_code == 0, result.output
    assert blocks(result.stdout)[:2] == ["Test MP Allowed", "States 4"]
    assert "Observation MP Sometimes 1 3" in result.stdout
    assert result.stderr == ""


def test_auto_format_off_a_terminal_is_herd(run) -> None:
    assert run(example("SB")).stdout.startswith("Test SB Allowed\n")


def test_directory_batch_goes_past_a_bad_file(run, tmp_path: Path) -> None:
    (tmp_path / "a-bad.litmus").write_text(BAD_TEXT)
    shutil.copy(example("MP"), tmp_path / "b.litmus")
    result = run("--format", "herd", str(tmp_path))
    assert result.exit_code == 2
    assert "Test MP Allowed" in result.stdout
    first, *_ = result.stderr.splitlines()
    assert first.startswith(f"{tmp_path / 'a-bad.litmus'}:5:19: unexpected ')'")
    assert "Traceback" not in result.output


def test_syntax_error_is_one_message_with_a_caret(run, bad_file: Path) -> None:
    result = run(str(bad_file))
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(f"{bad_file}:5:19: unexpected ')' in the final condition")
    assert lines[1:] == ["exists (0:X0=1 /\\ )", " " * 18 + "^"]
    assert "Traceback" not in result.output


def test_missing_path(run) -> None:
    result = run("--format", "herd", "no/such.litmus", example("CoRR"))
    assert result.exit_code == 2
    assert result.stderr == "no/such.litmus: cannot read the file: No such file or directory\n"
    assert "Test CoRR Allowed" in result.stdout


def test_standard_input(run) -> None:
    text = Path(example("MP")).read_text()
    result = run("--format", "json", "-", input=text)
    (record,) = json_lines(result.stdout)
    assert (record["file"], record["test"], record["observation"]) == ("<stdin>", "MP",
                                                                      "Sometimes")


def test_index_file(run, tmp_path: Path) -> None:
    index = tmp_path / "@tests"
    index.write_text(f"# two tests\n{example('LB')}\n\n{example('LB+data')}\n")
    result = run("--format", "json", str(index))
    assert [(r["test"], r["observation"]) for r in json_lines(result.stdout)] == [
        ("LB", "Sometimes"), ("LB+data", "Never")]


def test_internal_error_is_one_line(run, monkeypatch) -> None:
    from pylitmus.report import runner

    def broken(test, options):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(runner, "check_test", broken)
    result = run(example("MP"))
    assert result.exit_code == 2
    assert result.stderr == (f"{example('MP')}: internal error: ZeroDivisionError: "
                             "division by zero\n")


# ---- options -----------------------------------------------------------------------------

def test_jobs_do_not_change_the_output(run) -> None:
    alone = run("--format", "herd", str(EXAMPLES))
    shared = run("--format", "herd", "--jobs", "2", str(EXAMPLES))
    assert alone.exit_code == shared.exit_code == 0
    assert blocks(shared.stdout) == blocks(alone.stdout)
    assert blocks(alone.stdout).count("Witnesses") == len(list(EXAMPLES.glob("*.litmus")))


def test_shards_one_after_the_other_are_the_whole_run(run) -> None:
    def without_time(text: str) -> list[dict]:
        return [{**record, "time": None} for record in json_lines(text)]

    whole = run("--format", "json", str(EXAMPLES))
    parts = [run("--format", "json", "--shard", f"{k}/3", str(EXAMPLES)) for k in (1, 2, 3)]
    assert [part.exit_code for part in parts] == [whole.exit_code] * 3
    assert all(part.stdout for part in parts)
    assert sum((without_time(part.stdout) for part in parts), []) == without_time(whole.stdout)


def test_timeout(run) -> None:
    result = run("--format", "json", "--timeout", "0.0001", example("MP"), example("SB"))
    assert result.exit_code == 2
    assert [r["status"] for r in json_lines(result.stdout)] == ["timeout", "timeout"]
    assert result.stderr.splitlines()[0] == (
        f"{example('MP')}: timed out: over the limit --timeout=0.0001 "
        "(raise it with --timeout N)")
    assert run("--timeout", "60", example("MP")).exit_code == 0


SPIN = """AArch64 spin
{ 0:X1=x; 1:X1=x; }
 P0          | P1          ;
 L0:         | MOV W0,#1   ;
 LDR W0,[X1] | STR W0,[X1] ;
 CBZ W0,L0   |             ;
exists (0:X0=1)
"""


@pytest.mark.parametrize("unroll", [0, 2])
def test_unroll_bounds_the_loop(run, unroll: int) -> None:
    result = run("--format", "herd", "--unroll", str(unroll), "-", input=SPIN)
    assert f"Loop Ok\nWitnesses\nPositive: {unroll + 1} Negative: 0" in result.stdout
    assert result.stderr.startswith(
        'Warning: File "<stdin>": unrolling limit exceeded at L0, legal outcomes may be missing.')


def test_variant(run) -> None:
    (record,) = json_lines(run("--format", "json", "--variant", "ifetch", example("MP")).stdout)
    assert record["variant"] == ["ifetch"]
    assert record["observation"] == "Sometimes"


@pytest.mark.parametrize("engine", ["python", "c"])
def test_engine(run, engine: str) -> None:
    (record,) = json_lines(run("--format", "json", "--engine", engine, example("SB")).stdout)
    assert record["engine"] == engine
    assert (record["positive"], record["negative"]) == (1, 3)


def test_expect_marks_contradicted_verdicts(run, tmp_path: Path) -> None:
    kinds = tmp_path / "kinds.txt"
    kinds.write_text("MP Forbidden\nSB+dmb.sy Forbidden\n")
    result = run("--format", "json", "--expect", str(kinds), example("MP"),
                 example("SB+dmb.sy"), example("LB"))
    assert result.exit_code == 1
    assert [r["expectation"] for r in json_lines(result.stdout)] == [
        {"expected": "Forbidden", "matches": False},
        {"expected": "Forbidden", "matches": True}, None]
    kinds.write_text("MP Allowed\n")
    assert run("--expect", str(kinds), example("MP")).exit_code == 0


def test_expect_with_a_malformed_kinds_file(run, tmp_path: Path) -> None:
    kinds = tmp_path / "kinds.txt"
    kinds.write_text("MP Perhaps\n")
    result = run("--expect", str(kinds), example("MP"))
    assert result.exit_code == 2
    assert f"{kinds}:1: expected `NAME Allowed|Forbidden|Required`" in result.stderr


def test_bad_option_values_are_usage_errors(run) -> None:
    for arguments in (["--engine", "fast"], ["--jobs", "0"], ["--timeout", "0"],
                      ["--format", "xml"], ["--shard", "0/2"], ["--shard", "3/2"],
                      ["--shard", "1"]):
        result = run(*arguments, example("MP"))
        assert result.exit_code == 2 and "Traceback" not in result.output


# ---- formats -----------------------------------------------------------------------------

def test_json_lines_batch(run) -> None:
    result = run("--format", "json", example("MP"), example("MP+dmb.sy"), "missing.litmus")
    records = json_lines(result.stdout)
    assert [r["status"] for r in records] == ["ok", "ok", "error"]
    assert [r.get("observation") for r in records] == ["Sometimes", "Never", None]
    assert records[2]["error"]["file"] == "missing.litmus"


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
def test_json_lines_read_by_jq(run) -> None:
    output = run("--format", "json", example("MP"), example("SB+dmb.sy")).stdout
    jq = subprocess.run(["jq", "-r", r'"\(.test) \(.observation)"'], input=output,
                        capture_output=True, text=True, check=True)
    assert jq.stdout.splitlines() == ["MP Sometimes", "SB+dmb.sy Never"]


def test_rich_format_off_a_terminal_is_plain(run) -> None:
    result = run("--format", "rich", example("MP"), example("SB"))
    assert "\x1b" not in result.output
    assert "Sometimes" in result.stdout and "Summary" in result.stdout


@pytest.mark.parametrize("switch", ["--no-color", "NO_COLOR"])
def test_no_color_on_a_terminal(run, monkeypatch, switch: str) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in run("--format", "rich", example("MP")).stdout
    if switch == "NO_COLOR":
        monkeypatch.setenv("NO_COLOR", "1")
        arguments = ["--format", "rich"]
    else:
        arguments = ["--format", "rich", "--no-color"]
    result = run(*arguments, example("MP"))
    assert "\x1b" not in result.stdout and "Sometimes" in result.stdout


# ---- entry points ------------------------------------------------------------------------

def test_python_dash_m(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pylitmus", "check", "--format", "herd",
                           example("CoRR"), str(tmp_path / "none.litmus")],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "Observation CoRR Never 0 3" in done.stdout
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_herd_format_imports_nothing_it_does_not_need() -> None:
    script = ("import sys\nfrom pylitmus.cli import main\n"
              f"try:\n    main(['check', '--format', 'herd', {example('MP')!r}])\n"
              "except SystemExit:\n    pass\n"
              "print([m for m in ('rich', 'json', 'multiprocessing', 'pylitmus.witness',"
              " 'hypothesis') if m in sys.modules], file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stderr == "[]\n"


def test_help_lists_the_options(run) -> None:
    text = run("--help").output
    for option in ("--variant", "--unroll", "--engine", "--format", "--jobs", "--shard",
                   "--timeout", "--no-color", "--expect"):
        assert option in text


SPEEDCHECK_CASES = [
    # condition of examples/MP.litmus, then herd7 -speedcheck true's states, Positive,
    # Negative, Observation (herdtools7 5feffe4)
    ("exists (1:X2=1 /\\ 1:X0=0)", ["1:X0=0; 1:X2=1;"], 1, 0, "Sometimes"),
    ("exists (1:X0=1:X0)", ["1:X0=0;", "1:X0=1;"], 4, 0, "Sometimes"),
    ("~exists (1:X2=1 /\\ 1:X0=0)", ["1:X0=0; 1:X2=1;"], 0, 1, "Sometimes"),
    ("forall (1:X2=0 \\/ 1:X0=1)", ["1:X0=0; 1:X2=1;"], 0, 1, "Sometimes"),
    ("forall (1:X0=1:X0)", [], 0, 0, "Always"),
    ("exists (1:X2=2)", [], 0, 0, "Never"),
]


@pytest.mark.parametrize("condition, states, positive, negative, observation",
                         SPEEDCHECK_CASES)
def test_speedcheck_counts_only_what_can_decide(condition, states, positive, negative,
                                                observation) -> None:
    """herd7's -speedcheck true goes on only with executions whose final state can decide
    the condition, one satisfying `exists`/`~exists`, one not satisfying `forall` (herd/
    mem.ml, worth_going); so its observation never says Always of the first two, nor Never
    of `forall` (herd/top_herd.ml, observation). It does not stop early."""
    from pylitmus.checker import Options, check_test
    from pylitmus.frontend import parse_text

    text = Path(example("MP")).read_text().rsplit("exists", 1)[0] + condition + "\n"
    result = check_test(parse_text(text, "MP.litmus"), Options(speedcheck=True))
    assert [state_text(state.values) for state in result.states] == states
    assert (result.positive, result.negative, result.observation) == \
        (positive, negative, observation)
    assert result.warnings == []


@pytest.mark.parametrize("final", ["exists (1:X0=1 /\\ 1:X0=0)",
                                   "filter (1:X0=1)\nexists (1:X0=0)"])
def test_speedcheck_refuses_two_values_wanted_of_one_location(final) -> None:
    """herd/mem.ml, wanted_final_value: under -speedcheck, the atoms of an `exists`
    conjunction and of the filter's want final values; herd7 5feffe4 refuses both tests:
    "Incompatible constraint on location 1:X0 (1 vs. 0)"."""
    from pylitmus.checker import Options, check_test
    from pylitmus.frontend import parse_text

    text = Path(example("MP")).read_text().rsplit("exists", 1)[0] + final + "\n"
    test = parse_text(text, "MP.litmus")
    with pytest.raises(LitmusError, match="incompatible constraint on location 1:X0"):
        check_test(test, Options(speedcheck=True))
    if final.startswith("exists"):
        assert check_test(test).observation == "Never"


def test_hexa_prints_numbers_in_hexadecimal(run) -> None:
    """herd7 -hexa prints the numbers of states and of the Condition line in hexadecimal."""
    result = run("--format", "herd", "--hexa", example("MP"))
    assert "1:X0=0x0; 1:X2=0x1;" in result.stdout
    assert "Condition exists (1:X2=0x1 /\\ 1:X0=0x0)" in result.stdout
