# The two commands a new user needs: `make demo` (the main job) and `make test` (every test).
# Each creates .venv and installs what it needs (scripts/bootstrap.sh).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STACK ?= dev
RUNTIME ?= python3.12
ARCH ?= x86_64
PYTEST_ARGS ?=

.PHONY: help setup demo test lint format bench artifacts calibrate datasets lab clean

help:
	@echo "make demo       run the main job on sample speech with Pulumi.$(STACK).yaml's settings (espeak-ng, no AWS)"
	@echo "make test       lint, type-check and run every test"
	@echo "make bench      benchmarks -> docs/benchmarks.md"
	@echo "make artifacts  build the Lambda zip and layer (RUNTIME=$(RUNTIME) ARCH=$(ARCH))"
	@echo "make calibrate  fit thresholds and write them into Pulumi.$(STACK).yaml (STACK=...)"
	@echo "make datasets   generate the calibration corpus (datasets/generated/)"
	@echo "make lab        start JupyterLab with the project's kernel"

setup:
	@scripts/bootstrap.sh --system

demo: setup
	$(PY) scripts/stack_env.py $(STACK) -- $(PY) -m emotion_dynamics demo --out out/demo

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy lambda pulumi policy calibration benchmarks scripts datasets tests

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: lint
	$(PY) -m pytest $(PYTEST_ARGS)

bench: setup
	$(PY) benchmarks/run.py --out docs/benchmarks.md

artifacts: setup
	$(PY) pulumi/artifacts.py --runtime $(RUNTIME) --architecture $(ARCH)

datasets: setup
	$(PY) datasets/generate.py --out datasets/generated/small --size small --seed 0

calibrate: datasets
	$(PY) -m calibration calibrate --stack $(STACK) --write-back

lab: setup
	$(PY) -m ipykernel install --sys-prefix --name emotion-dynamics --display-name "Emotion Dynamics (.venv)"
	$(VENV)/bin/jupyter lab notebooks/

clean:
	rm -rf build out .pytest_cache .mypy_cache .ruff_cache
