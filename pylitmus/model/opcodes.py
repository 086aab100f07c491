"""The op codes of compiled models, defined once: `program.py` compiles a model to them,
`evaluate.py` and the C core run them. At build time `setup.py` writes the C core's
table, `pylitmus/explorer/_opcodes.h`, from this file (run it to print that table), so
the two sides cannot drift. This file imports nothing: the build runs it alone."""

INPUT = 0  # a base set or relation, named by the op
EMPTY = 1
UNION = 2
INTER = 3
DIFF = 4
SEQ = 5
INVERSE = 6
PLUS = 7
OPT = 8
IDENTITY = 9
CROSS = 10
COMPLEMENT = 11
DOMAIN = 12
RANGE = 13
COPY = 14  # the value of another slot

# The kinds of a check or a flag, numbered by their place here.
CHECK_KINDS = ("acyclic", "irreflexive", "empty", "nonempty")

_NUMBERS = {name: value for name, value in globals().items()
            if name.isupper() and isinstance(value, int)}
OPCODES = tuple(sorted(_NUMBERS, key=_NUMBERS.__getitem__))  # the op codes' names, by number
assert sorted(_NUMBERS.values()) == list(range(len(OPCODES))), "the numbers are 0, 1, ..."
OP_NAMES = tuple(name.lower() for name in OPCODES)


def c_header() -> str:
    """The C core's tables: an enum of OP_<NAME> and their names, by number; an enum of
    CHECK_<KIND> and their names."""
    codes = ",\n".join(f"    OP_{name} = {number}" for number, name in enumerate(OPCODES))
    names = ", ".join(f'"{name}"' for name in OP_NAMES)
    kinds = ",\n".join(f"    CHECK_{kind.upper()} = {number}"
                       for number, kind in enumerate(CHECK_KINDS))
    kind_names = ", ".join(f'"{kind}"' for kind in CHECK_KINDS)
    return (f"/* Written by setup.py from pylitmus/model/opcodes.py: do not edit. */\n"
            f"enum {{\n{codes},\n    N_OPCODES\n}};\n"
            f"static const char *const OPCODE_NAMES[N_OPCODES] = {{{names}}};\n"
            f"enum {{\n{kinds},\n    N_CHECK_KINDS\n}};\n"
            f"static const char *const CHECK_KIND_NAMES[N_CHECK_KINDS] = {{{kind_names}}};\n")


if __name__ == "__main__":
    print(c_header(), end="")
