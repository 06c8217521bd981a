# Co-production companion. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.10 (Rasa 3.6 needs it): pyenv's shim reads .python-version; else a
# python3.10 on PATH; else pyenv's install folder.
PYTHON ?= $(shell command -v python3.10 2>/dev/null || ls -d $$HOME/.pyenv/versions/3.10*/bin/python3.10 2>/dev/null | tail -n 1)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPACY := var/spacy/en_copro/COPRO_BUILD
SAFETY := var/safety/BUILT_FROM
SAFETY_INPUTS := bot/safety/data/risk.jsonl bot/safety/classifier.py bot/safety/text.py bot/safety/rules/_text_speak.yml
MODEL := models/current.tar.gz
TRAINING := domain.yml config.yml $(shell find nlu_data -name '*.yml' 2>/dev/null) bot/nlp/components.py bot/nlp/trained.py bot/nlp/phrases.py

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
# Python keeps its compiled modules, and pytest its rewritten test modules,
# from one run to the next (Python's default). Where the environment turns that
# off, every test process compiles them all again: about 7 s a process.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help install browser run test test-fast train validate lint clean cross-validate bench-safeguarding bench-export run-production bench-latency bench-model-load

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.10 is needed: see README.md"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip wheel
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# `copro nlp build` makes both the spaCy pipeline and the risk classifier
# (each only when what it is made from changed).
$(SPACY): $(STAMP) bot/nlp/build.py
	$(BIN)/copro nlp build

$(SAFETY): $(STAMP) $(SAFETY_INPUTS)
	$(BIN)/copro nlp build

install: $(STAMP) $(SPACY) $(SAFETY) ## Create .venv, install, build the spaCy pipeline and the risk classifier

validate: install ## Check the training data
	$(BIN)/rasa data validate -d domain.yml --data nlu_data --fail-on-warnings

$(MODEL): $(STAMP) $(SPACY) $(TRAINING) | $(SAFETY)
	@mkdir -p models && touch models/.training-started
	$(BIN)/rasa data validate -d domain.yml --data nlu_data --fail-on-warnings
	$(BIN)/rasa train -d domain.yml --data nlu_data --config config.yml --out models --fixed-model-name current
	@# Dated when training started: Rasa keeps the old file when nothing it reads
	@# changed, and a file edited during training must still count as newer.
	touch -r models/.training-started $(MODEL)

train: $(MODEL) ## Train the model (only when the data changed)

run: install $(MODEL) ## Start everything: chat on http://localhost:8080
	$(BIN)/copro run

EMOJI_FONT := /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf

browser: ## Install Debian's Chromium (and emoji for the screenshots) for the browser tests
	command -v chromium >/dev/null && test -e $(EMOJI_FONT) || (apt-get update && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-color-emoji)

# The production profile on this machine's PostgreSQL and Redis (docs/deploy.md).
PG_URL ?= postgresql://postgres@127.0.0.1:5432
run-production: install $(MODEL) ## Start the production profile: PostgreSQL, Redis, 2 Rasa servers
	COPRO_DATABASE_URL=$${COPRO_DATABASE_URL:-$(PG_URL)/copro} \
	COPRO_TRACKER_URL=$${COPRO_TRACKER_URL:-$(PG_URL)/copro_tracker} \
	COPRO_REDIS_URL=$${COPRO_REDIS_URL:-redis://127.0.0.1:6379/1} \
	$(BIN)/copro run --profile production --rasa-servers $${RASA_SERVERS:-2}

# On two workers: each slow module that starts its own servers is one group
# (`xdist_group`), so the groups are shared out and each stack starts once.
test: lint browser $(MODEL) ## Run the whole test suite (lint, unit, Rasa stories, end to end)
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist loadgroup

test-fast: lint ## Lint and the tests that need no model, browser or server (about 2 minutes)
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "not e2e and not services and not model" -n 2 --dist loadgroup

lint: install ## ruff (checks and formatting), and the layer contracts (import-linter)
	$(BIN)/ruff check bot actions tests bench
	$(BIN)/ruff format --check bot actions tests bench
	$(BIN)/lint-imports

bench-safeguarding: install ## Safety check recall and false alarms into docs/safeguarding.md
	$(BIN)/python bench/safeguarding.py

bench-export: install ## Export speed on SQLite and PostgreSQL into docs/benchmarks.md
	$(BIN)/python bench/export.py

bench-latency: install browser $(MODEL) ## Latency, throughput, memory, training time into docs/benchmarks.md
	$(BIN)/python bench/latency.py

bench-model-load: install $(MODEL) ## Model loading time, Rasa's way and restored, into docs/benchmarks.md
	$(BIN)/python bench/model_load.py

cross-validate: install ## 5-fold NLU cross-validation into docs/nlu-report.md
	$(BIN)/python -m bot.nlp.report

clean: ## Remove the venv, models and local data
	rm -rf $(VENV) models var results
