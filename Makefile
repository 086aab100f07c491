# pylitmus: every target makes its own virtual environment first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: run test lint conformance bench fuzz sanitize clean

$(STAMP): pyproject.toml setup.py pylitmus/explorer/_core.c pylitmus/model/opcodes.py
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

## lint: ruff, mypy over pylitmus/ and the import-layer contracts (zero errors)
$(DEV_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,dev]'
	touch $(DEV_STAMP)

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check pylitmus tests bench setup.py
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

## conformance: a table per corpus suite, the whole corpus: agree / disagree / refused / crash, with time
conformance: $(STAMP)
	$(PY) -m tests.conformance.report

## bench: figures against herd7's recorded times (not a pass/fail test)
bench: $(STAMP)
	$(PY) -m compileall -q pylitmus  # bytecode of the current sources: start-up is measured
	$(PY) bench/run.py

## fuzz: the property-based tests with many more examples (FUZZ_EXAMPLES each)
FUZZ_EXAMPLES ?= 2000
fuzz: $(STAMP)
	PYLITMUS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -q tests/property

## sanitize: the engine differential with the C core under ASan and UBSan (zero reports)
SAN_CORE := build/sanitize/_core.so
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
sanitize: $(STAMP)
	mkdir -p build/sanitize
	$(PY) pylitmus/model/opcodes.py > pylitmus/explorer/_opcodes.h
	gcc -shared -fPIC -O1 -g -std=c11 $(SAN_FLAGS) \
	    -I$$($(PY) -c "import sysconfig; print(sysconfig.get_paths()['include'])") \
	    pylitmus/explorer/_core.c -o $(SAN_CORE)
	LD_PRELOAD="$$(gcc -print-file-name=libasan.so) $$(gcc -print-file-name=libubsan.so)" \
	    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    $(PY) -m tests.sanitize $(SAN_CORE) > build/sanitize/report.txt 2>&1; \
	    status=$$?; tail -3 build/sanitize/report.txt; exit $$status
	@! grep -E "ERROR: AddressSanitizer|runtime error:" build/sanitize/report.txt
	@echo "sanitize: zero AddressSanitizer/UndefinedBehaviorSanitizer reports"

clean:
	rm -rf $(VENV) build *.egg-info
