# Set-up and everyday commands. `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: install index run test test-unit eval bench clean

install: $(STAMP)

# torch first, pinned to the CPU build (an unpinned torch pulls a multi-GB CUDA build).
$(STAMP): pyproject.toml
	command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

index: $(STAMP)
	$(BIN)/assistant ingest

run: index
	$(BIN)/python app.py

test-unit: $(STAMP)
	$(BIN)/python -m pytest -m "not e2e" -q

test: index
	$(BIN)/python -m pytest -q

eval: index
	$(BIN)/assistant eval ../shared/qa/dev.jsonl --out eval-out

clean:
	rm -rf .assistant eval-out test-output
