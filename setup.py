"""Build the C core of the explorer; everything else is in pyproject.toml.

The core's op code table, `_opcodes.h`, is written first from pylitmus/model/opcodes.py."""

import runpy
from pathlib import Path

from setuptools import Extension, setup

HERE = Path(__file__).parent
opcodes = runpy.run_path(str(HERE / "pylitmus" / "model" / "opcodes.py"))
header = HERE / "pylitmus" / "explorer" / "_opcodes.h"
if not header.is_file() or header.read_text() != opcodes["c_header"]():
    header.write_text(opcodes["c_header"]())

setup(ext_modules=[Extension("pylitmus.explorer._core", ["pylitmus/explorer/_core.c"],
                             depends=["pylitmus/explorer/_opcodes.h"],
                             extra_compile_args=["-O2", "-std=c11", "-Wall", "-Wextra",
                                                 "-Wno-missing-field-initializers",
                                                 "-Wno-unused-parameter"])])
