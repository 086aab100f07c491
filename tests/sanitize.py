"""`make sanitize`: the engine differential over the in-scope corpus with the C core built
under AddressSanitizer and UndefinedBehaviorSanitizer.

Run as `python -m tests.sanitize CORE.so [pytest arguments]`, libasan preloaded: the
sanitized core stands in for pylitmus.explorer._core, then pytest runs the differential.
"""

import importlib.util
import sys

import pytest


def main() -> int:
    spec = importlib.util.spec_from_file_location("pylitmus.explorer._core", sys.argv[1])
    core = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(core)
    sys.modules["pylitmus.explorer._core"] = core
    return pytest.main(["-q", "-s", "-p", "no:cacheprovider", "tests/explorer/test_engines.py",
                        "tests/property/test_random_programs.py", *sys.argv[2:]])


if __name__ == "__main__":
    sys.exit(main())
