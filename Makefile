# Two commands do all the set-up on a fresh machine with Python 3.11 and make:
#   make sync   install into .venv and run the main job on ./aiccbridge.toml
#   make test   install into .venv (with test tools) and run the tests

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PLUGINS := plugins/schoox plugins/totara plugins/scormcloud plugins/litmos
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: install sync test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml $(addsuffix /pyproject.toml,$(PLUGINS))
	$(BIN)/python -m pip install --quiet -e . $(addprefix -e ,$(PLUGINS))
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

sync: $(STAMP)
	$(BIN)/aiccbridge --config aiccbridge.toml sync --vendor schoox

test: $(TEST_STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/bench_sync.py

lint: $(TEST_STAMP)
	$(BIN)/python -m pip install --quiet ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) outbox .aiccbridge packages
