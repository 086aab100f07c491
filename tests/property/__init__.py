"""Property-based tests: few examples in CI, more with `make fuzz`."""

import os


def examples(ci: int) -> int:
    """`ci` examples, or PYLITMUS_FUZZ_EXAMPLES when set (`make fuzz`)."""
    return int(os.environ.get("PYLITMUS_FUZZ_EXAMPLES", ci))
