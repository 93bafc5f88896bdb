# pyovn: `make demo` runs the main job, `make test` the tests.  Each target
# does its own set-up: Debian packages, the virtualenv in .venv/, pip install.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: all deps venv test test-all demo bench clean lint

all: venv

deps:
	@scripts/install-deps

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $(STAMP)

venv: deps $(STAMP)

test: venv
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

test-all: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

demo: venv
	$(BIN)/pyovn demo

bench: venv
	$(BIN)/python bench/run.py --size small

clean:
	rm -rf $(VENV) build *.egg-info
