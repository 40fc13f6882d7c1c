# The two commands a new user needs: `make demo` (the main job) and `make test` (every test).
# Each creates .venv and installs what it needs (scripts/bootstrap.sh).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STACK ?= dev
RUNTIME ?= python3.12
ARCH ?= x86_64
PYTEST_ARGS ?=

# mypy names modules from their folders (lambda/emotion_dynamics -> emotion_dynamics); the two
# __main__.py scripts are checked on their own (one module name each).
MYPY_SOURCES := lambda pulumi/emotion_dynamics_infra tools calibration benchmarks datasets tests

.PHONY: help setup venv demo events test lint format bench artifacts calibrate datasets lab \
	contract endpoints validate smoke clean screenshots

help:
	@echo "make demo       run the main job on sample speech with Pulumi.$(STACK).yaml's settings (espeak-ng, no AWS)"
	@echo "make events     run the handler on tests/events/*.json (espeak-ng, no AWS), compared with expected.json"
	@echo "make test       lint, type-check and run every test"
	@echo "make bench      benchmarks -> docs/benchmarks.md"
	@echo "make artifacts  build the Lambda zip and layer (RUNTIME=$(RUNTIME) ARCH=$(ARCH); EXPORT=DIR copies them)"
	@echo "make validate   check Pulumi.$(STACK).yaml as pulumi up would, one-line verdict (STACK=...)"
	@echo "make smoke      invoke the deployed stack's live alias with tests/events/ (STACK=...; AWS + Pulumi CLI)"
	@echo "make calibrate  calibrate Pulumi.$(STACK).yaml from AUDIO=<recordings> (or the labelled corpora)"
	@echo "make datasets   generate the calibration corpus (datasets/generated/)"
	@echo "make lab        start JupyterLab with the project's kernel (127.0.0.1)"
	@echo "make screenshots  the tuning notebook in JupyterLab -> docs/screenshots/ (chromium)"
	@echo "make contract   regenerate Pulumi.yaml's config schema and the README's tables"
	@echo "make endpoints  regenerate the Polly client's slice of botocore's endpoint table"

setup:
	@scripts/bootstrap.sh --system

# The Python environment (and the lint tools) without the Debian packages: what deploying needs.
venv:
	@scripts/bootstrap.sh

demo: setup
	$(PY) -m emotion_dynamics_dev demo --stack $(STACK) --out out/demo

# The sample events' expectations are those of the contract's defaults (tests/events/make_events.py).
events: setup
	$(PY) -m emotion_dynamics_dev events tests/events --defaults

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy $(MYPY_SOURCES)
	$(VENV)/bin/mypy pulumi/__main__.py
	$(VENV)/bin/mypy policy/__main__.py
	$(PY) -m emotion_dynamics_dev.workflow_lint

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: lint
	$(PY) -m pytest $(PYTEST_ARGS)

bench: setup
	$(PY) -m benchmarks.run --out docs/benchmarks.md

artifacts: venv
	$(PY) -m emotion_dynamics_build --runtime $(RUNTIME) --architecture $(ARCH) $(if $(EXPORT),--export $(EXPORT))

validate: venv
	@$(PY) -m emotion_dynamics_infra.validate Pulumi.$(STACK).yaml

smoke: venv
	$(PY) -m emotion_dynamics_dev.smoke --stack $(STACK)

datasets: setup
	$(PY) datasets/generate.py --out datasets/generated/small --size small --seed 0

# With AUDIO=<folder of the deployment's recordings>: volume thresholds and reference level from
# their level quantiles (and the acoustic rate scale when transcripts lie beside them). Without:
# the labelled path on the generated corpus + speech-dev, volume only (the rate bands stay).
calibrate: setup
ifeq ($(AUDIO),)
	$(MAKE) datasets
	$(PY) -m calibration calibrate --stack $(STACK) --only volume --write-back
else
	$(PY) -m calibration calibrate --stack $(STACK) --audio $(AUDIO) --write-back
endif

# As root JupyterLab refuses to start without --allow-root; it listens on 127.0.0.1 only.
lab: setup
	$(PY) -m ipykernel install --sys-prefix --name emotion-dynamics --display-name "Emotion Dynamics (.venv)"
	$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

# The notebook in JupyterLab under headless chromium, speech-dev as sample audio -> docs/screenshots/
screenshots: setup
	$(PY) -m emotion_dynamics_dev.screenshots --out docs/screenshots

contract: setup
	$(PY) -m emotion_dynamics_dev.contract_docs --write

endpoints: setup
	$(PY) -m emotion_dynamics_build.endpoints --write

clean:
	rm -rf build out .pytest_cache .mypy_cache .ruff_cache
