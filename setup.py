"""Build the C core of the explorer; everything else is in pyproject.toml."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("pylitmus.explorer._core", ["pylitmus/explorer/_core.c"],
                             extra_compile_args=["-O2", "-std=c11", "-Wall", "-Wextra",
                                                 "-Wno-missing-field-initializers",
                                                 "-Wno-unused-parameter"])])
