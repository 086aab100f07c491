"""`--graph DIR`: an execution as a Graphviz picture.

Events are grouped per thread (one cluster each), initial writes apart. Edges: po (the
immediate successor in program order), rf, co and fr (both without the edges implied by
co's transitivity), and, for a candidate the model rejects, the edges of a cycle that
forbids it, each named after the part of the model that orders it. `NAME.dot` shows the
execution `--explain` explains; `NAME-rejected.dot` a rejected candidate reaching the
condition, when the condition never holds. `.svg` files are made when `dot` is installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from pylitmus.model import evaluate as V
from pylitmus.report.explain import event_text, goal_text, instruction_text, line_of, shown_value
from pylitmus.witness import Execution, Witness

STYLES = {"po": 'color="black"', "rf": 'color="red", fontcolor="red"',
          "co": 'color="blue", fontcolor="blue"',
          "fr": 'color="darkorange", fontcolor="darkorange"'}
CYCLE_STYLE = 'color="purple", fontcolor="purple", penwidth=2.5, style="bold"'
SVG_TIMEOUT = 60


def immediate(rows: list[int]) -> list[tuple[int, int]]:
    """The pairs of a transitive relation with nothing between them."""
    pairs = []
    for a, row in enumerate(rows):
        for b in V.bits(row):
            if not any(rows[c] >> b & 1 for c in V.bits(row) if c != b):
                pairs.append((a, b))
    return pairs


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def edges(execution: Execution) -> dict[tuple[int, int, str], str]:
    """(source, target, label) -> Graphviz attributes."""
    found: dict[tuple[int, int, str], str] = {}
    po = execution.relation("po")
    co = execution.co
    fr = execution.relation("fr")
    for a, b in immediate(po):
        found[(a, b, "po")] = STYLES["po"] + ", weight=10"
    for w, row in enumerate(execution.rf):
        for r in V.bits(row):
            found[(w, r, "rf")] = STYLES["rf"] + ", constraint=false"
    for a, b in immediate(co):
        found[(a, b, "co")] = STYLES["co"] + ", constraint=false"
    for r, row in enumerate(fr):
        for w in V.bits(row):  # to the first write after the one read only
            if not any(co[x] >> w & 1 for x in V.bits(row) if x != w):
                found[(r, w, "fr")] = STYLES["fr"] + ", constraint=false"
    cycle = execution.cycle() or []
    for k, a in enumerate(cycle):
        b = cycle[(k + 1) % len(cycle)]
        label = execution.ob_part(a, b)
        found[(a, b, label)] = CYCLE_STYLE + ", constraint=false"
    return found


def node_label(execution: Execution, event: int) -> str:
    ev = execution.frame.events[event]
    if execution.thread(event) < 0:
        return f"init {ev.loc} = {shown_value(execution, ev.loc, ev.value)}"
    return (f"{event_text(execution, event)}\n{instruction_text(execution, event)}"
            f" (line {line_of(execution, event)})")


def dot_text(execution: Execution, title: str) -> str:
    """The Graphviz text of one execution."""
    found = edges(execution)
    used = {a for a, _, _ in found} | {b for _, b, _ in found}
    lines = [f"digraph {quote(title)} {{",
             f"  label={quote(title)}; labelloc=t; fontname=\"Helvetica\";",
             '  node [shape=box, style=rounded, fontname="Helvetica"];',
             '  edge [fontname="Helvetica", fontsize=10];']
    for e in range(execution.n):
        if execution.thread(e) < 0 and e in used:
            lines.append(f"  e{e} [label={quote(node_label(execution, e))}, style=dashed];")
    for t in range(len(execution.frame.runs)):
        lines.append(f"  subgraph cluster_P{t} {{")
        lines.append(f"    label=\"{execution.thread_name(t)}\";")
        for e in range(execution.n):
            if execution.thread(e) == t:
                lines.append(f"    e{e} [label={quote(node_label(execution, e))}];")
        lines.append("  }")
    for (a, b, label), style in found.items():
        lines.append(f"  e{a} -> e{b} [label={quote(label)}, {style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.+-]", "_", name) or "test"


def write_graphs(witness: Witness, directory: str | Path) -> list[Path]:
    """Write the witness's graphs into `directory` (made if missing); the files written."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    base = safe_name(witness.name)
    pictures = []
    if witness.execution is not None:
        state = "allowed" if witness.execution.consistent else "rejected by the model"
        pictures.append((folder / f"{base}.dot", witness.execution,
                         f"{witness.name}: {goal_text(witness)} ({state})"))
    if witness.rejected is not None and witness.rejected is not witness.execution:
        pictures.append((folder / f"{base}-rejected.dot", witness.rejected,
                         f"{witness.name}: the condition, rejected by the model"))
    written = []
    dot = shutil.which("dot")
    for path, execution, title in pictures:
        path.write_text(dot_text(execution, title), encoding="utf-8")
        written.append(path)
        if dot is not None:
            svg = path.with_suffix(".svg")
            done = subprocess.run([dot, "-Tsvg", "-o", str(svg), str(path)],
                                  capture_output=True, timeout=SVG_TIMEOUT, check=False)
            if done.returncode == 0:
                written.append(svg)
    return written
