"""The event annotation registry: what the model reads, what it does not, and nothing else."""

from __future__ import annotations

import itertools

import pytest

from pylitmus.frontend import parse_text
from pylitmus.model.program import ModelError, compile_model, load_model
from pylitmus.semantics import annotations as A
from pylitmus.semantics import events as E
from pylitmus.semantics.dispatch import _Decoding
from pylitmus.semantics.prepare import prepare

VARIANT_FLAGS = ("ifetch", "DIC", "IDC", "vmsa", "exs", "ets2", "ets3")


def model_inputs() -> set[str]:
    """The thread-stage names the model uses, under any variant flags."""
    used: set[str] = set()
    for k in range(len(VARIANT_FLAGS) + 1):
        for flags in itertools.combinations(VARIANT_FLAGS, k):
            model = load_model(frozenset(flags))
            used |= set(model.thread.names) | set(model.imports)
    return used


def test_the_model_uses_every_annotation_it_reads() -> None:
    assert set(A.READ) - model_inputs() == set()


@pytest.mark.parametrize("name", sorted(A.NOT_READ))
def test_the_model_cannot_name_an_annotation_it_does_not_read(name: str) -> None:
    with pytest.raises(ModelError, match="unknown name"):
        compile_model(f"stage thread\nlet x = {name}\n")


def test_an_event_with_an_annotation_out_of_the_registry_is_refused() -> None:
    test = parse_text("AArch64 T\n{}\n P0 ;\n NOP ;\nexists (0:X0=0)\n")
    ctx = _Decoding(test, test.threads[0])
    ctx.event(E.FENCE, sets={"ISB"})
    with pytest.raises(A.UnknownAnnotation, match="DMB.XY"):
        ctx.event(E.FENCE, sets={"DMB.XY", "dmb.full"})


def test_the_annotations_the_model_does_not_read_are_emitted() -> None:
    test = parse_text("AArch64 T\n{ 0:X1=x; }\n P0 ;\n MOV X2,#1 ;\n CAS X0,X2,[X1] ;\n"
                      " DC CIVAC,X1 ;\n DC CVAC,X1 ;\n DC IVAC,X1 ;\n DMB SY ;\n DMB LD ;\n"
                      " DMB ST ;\n DSB SY ;\n DSB LD ;\n DSB ST ;\n DSB NSH ;\n DSB ISH ;\n"
                      " DSB OSH ;\nexists (0:X0=0)\n")
    emitted = {name for run in prepare(test).runs[0] for ev in run.events for name in ev.sets}
    # Under virtual memory: a load and a store that fault, a Tagged Normal descriptor.
    faults = parse_text("AArch64 F\n{ [PTE(x)]=(oa:PA(x), valid:0); [PTE(y)]=(oa:PA(y), db:0);"
                        " [PTE(z)]=(oa:PA(z), attrs:(TaggedNormal));"
                        " 0:X1=x; 1:X1=y; 2:X1=z; }\n"
                        " P0 | P1 | P2 | P3 | P4 ;\n"
                        " LDR W0,[X1] | STR W0,[X1] | LDR W0,[X1] | SVC #0 | UDF #0 ;\n"
                        "exists (0:X0=0)\n")
    # A store through a clean descriptor whose dirty bit hardware sets.
    dirtying = parse_text("AArch64 D\nTTHM=HD\n{ [PTE(x)]=(oa:PA(x), db:0, dbm:1); 0:X1=x; }\n"
                          " P0 ;\n STR W0,[X1] ;\nexists (0:X0=0)\n")
    # A fetch through a page-table entry that is invalid.
    fetching = parse_text("AArch64 I\n{ TTD(P0:L0)=(oa:PA(P0:L0), valid:0); }\n"
                          " P0 ;\n L0: NOP ;\nexists (0:X0=0)\n")
    for vmsa_test, variants in ((faults, {"vmsa"}), (dirtying, {"vmsa"}),
                                (fetching, {"vmsa", "ifetch"})):
        emitted |= {name for runs in prepare(vmsa_test, requested=frozenset(variants)).runs
                    for run in runs for ev in run.events for name in ev.sets}
    assert set(A.NOT_READ) <= emitted <= A.ANNOTATIONS
