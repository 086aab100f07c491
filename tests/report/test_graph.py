"""`--graph DIR`: Graphviz files of witnesses, read back as text."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from click.testing import CliRunner

from pylitmus.cli import main
from tests.report.conftest import EXAMPLES

EDGE = re.compile(r'^\s*(e\d+) -> (e\d+) \[label="([^"]+)"(.*)\];$')
NODE = re.compile(r'^\s*(e\d+) \[label="((?:[^"\\]|\\.)*)"')


def graph(tmp_path: Path, *arguments: str) -> Path:
    folder = tmp_path / "graphs"
    result = CliRunner().invoke(main, ["check", "--format", "herd", "--graph", str(folder),
                                       *arguments])
    assert result.exit_code == 0, result.output
    return folder


def read(path: Path) -> tuple[dict[str, str], list[tuple[str, str, str, str]]]:
    """(node -> label, edges as (source label, target label, edge label, attributes))."""
    text = path.read_text()
    assert text.startswith("digraph ") and text.rstrip().endswith("}")
    assert text.count("{") == text.count("}")
    nodes = dict(NODE.match(line).groups() for line in text.splitlines() if NODE.match(line))
    edges = []
    for line in text.splitlines():
        match = EDGE.match(line)
        if match:
            a, b, label, rest = match.groups()
            edges.append((nodes[a].split("\\n")[0], nodes[b].split("\\n")[0], label, rest))
    return nodes, edges


def test_mp_witness_has_threads_po_rf_co_fr(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")  # no Graphviz: the .dot file only
    folder = graph(tmp_path, str(EXAMPLES / "MP.litmus"))
    assert sorted(p.name for p in folder.iterdir()) == ["MP.dot"]
    text = (folder / "MP.dot").read_text()
    assert 'subgraph cluster_P0' in text and 'subgraph cluster_P1' in text
    _, edges = read(folder / "MP.dot")
    kinds = {(a, b, label) for a, b, label, _ in edges}
    assert kinds == {("W x = 1", "W y = 1", "po"), ("R y = 1", "R x = 0", "po"),
                     ("W y = 1", "R y = 1", "rf"), ("init x = 0", "R x = 0", "rf"),
                     ("init x = 0", "W x = 1", "co"), ("init y = 0", "W y = 1", "co"),
                     ("R x = 0", "W x = 1", "fr")}
    assert not any("penwidth" in rest for *_, rest in edges)  # no cycle in an allowed one


def test_never_condition_graph_has_the_forbidding_cycle(tmp_path):
    folder = graph(tmp_path, str(EXAMPLES / "MP+dmb.sy.litmus"))
    assert {"MP+dmb.sy.dot", "MP+dmb.sy-rejected.dot"} <= {p.name for p in folder.iterdir()}
    _, edges = read(folder / "MP+dmb.sy-rejected.dot")
    cycle = {(a, b, label) for a, b, label, rest in edges if "penwidth" in rest}
    assert cycle == {("W x = 1", "W y = 1", "bob"), ("W y = 1", "R y = 1", "rf"),
                     ("R y = 1", "R x = 0", "bob"), ("R x = 0", "W x = 1", "fr")}


def test_ptdump_state_graph_shows_the_fetch(tmp_path):
    folder = graph(tmp_path, "--state", "0:X8=0 /\\ 1:X8=0", str(EXAMPLES / "ptdump.litmus"))
    nodes, edges = read(folder / "ptdump.dot")
    assert "fetch P1:L0 = B out1\\nB out1 (line 19)" in nodes.values()
    assert ("init P1:L0 = B out1", "fetch P1:L0 = B out1", "rf") in \
        {(a, b, label) for a, b, label, _ in edges}
    assert ("fetch P1:L0 = B out1", "W P1:L0 = NOP", "fr") in \
        {(a, b, label) for a, b, label, _ in edges}


def test_svg_when_dot_is_installed(tmp_path, monkeypatch):
    tools = tmp_path / "bin"
    tools.mkdir()
    fake = tools / "dot"  # writes its arguments where -o says
    fake.write_text('#!/bin/sh\nwhile [ "$1" != "-o" ]; do shift; done\necho "<svg/>" > "$2"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ.get('PATH', '')}")
    folder = graph(tmp_path, str(EXAMPLES / "MP.litmus"))
    assert (folder / "MP.svg").read_text() == "<svg/>\n"
