# pylitmus: every target makes its own virtual environment first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test conformance bench clean

$(STAMP): pyproject.toml setup.py pylitmus/explorer/_core.c
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m compileall -q pylitmus
	touch $(STAMP)

## run: check every test in examples/ (the main job)
run: $(STAMP)
	$(VENV)/bin/pylitmus check examples/

## test: the test suite (conformance against ../shared when it is there)
test: $(STAMP)
	$(PY) -m pytest -q

## conformance: a table per corpus suite: agree / disagree / unsupported / error, with time
conformance: $(STAMP)
	$(PY) -m tests.conformance.report

## bench: figures against herd7's recorded times (not a pass/fail test)
bench: $(STAMP)
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info
