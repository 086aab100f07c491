"""pylitmus: a herd7-style checker of AArch64 litmus tests under the Arm memory model.

    >>> import pylitmus
    >>> result = pylitmus.check("examples/MP.litmus")
    >>> result.observation, result.positive, result.negative

`check` and `parse` take a path or the text of a test (text is anything with a newline).
Imports are lazy, so `import pylitmus` stays cheap.
"""

from __future__ import annotations

from os import PathLike

__all__ = ["check", "parse"]


def parse(path_or_text: str | PathLike):
    """The syntax tree (`pylitmus.frontend.ast.Test`) of a test file or test text."""
    from pylitmus.frontend import parse_file, parse_text

    if isinstance(path_or_text, str) and "\n" in path_or_text:
        return parse_text(path_or_text, "<text>")
    return parse_file(path_or_text)


def check(path_or_text: str | PathLike, *, variant=(), unroll: int = 2, engine: str = "auto",
          model: str | PathLike | None = None, libdir: str | PathLike | None = None):
    """Check a test file or test text; the `pylitmus.result.Result`.

    `variant` is a comma-separated string or an iterable of model variants (herd7's
    -variant), `unroll` herd7's -unroll, `engine` one of "auto", "c", "python";
    `model` a cat model file instead of the built-in Arm model, `libdir` where its
    includes are found after its own folder (herd7's -cat and -set-libdir).
    Problems with the test raise `pylitmus.errors.LitmusError`."""
    from pylitmus.checker import Options, check_test
    from pylitmus.variants import words

    if isinstance(variant, str):
        variant = words(variant)
    return check_test(parse(path_or_text), Options(
        frozenset(variant), unroll, engine, model=None if model is None else str(model),
        libdir=None if libdir is None else str(libdir)))
