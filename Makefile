# chuangkou — the few targets people need. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Interpreters: the engine needs CPython 3.10 (Rasa 3.6); the app takes the newest 3.11+.
find_py = $(shell for p in $(1); do $$p -c 'import sys; sys.exit(0 if sys.version_info[:2] $(2) else 1)' >/dev/null 2>&1 && { command -v $$p || echo $$p; } && break; done)
PYENV_ROOT ?= $(shell pyenv root 2>/dev/null || echo $$HOME/.pyenv)
PY_ENGINE ?= $(call find_py,python3.10 $(wildcard $(PYENV_ROOT)/versions/3.10*/bin/python3.10) /usr/bin/python3.10,== (3, 10))
PY_APP ?= $(call find_py,python3.13 python3.12 python3.11 python3,>= (3, 11))

APP := .venv-app/bin
ENGINE := .venv-engine/bin
CK := $(APP)/chuangkou
export RASA_TELEMETRY_ENABLED := false

# PROFILE=cluster: 2 engines sharing trackers (PostgreSQL) and locks (Redis), catalog and
# bookings on PostgreSQL (chuangkou.settings holds the defaults). The default embedded
# profile uses one engine and SQLite.
PROFILE ?= embedded
export CHUANGKOU_PROFILE := $(PROFILE)

ENGINE_PORT ?= 5005
ACTIONS_PORT ?= 5055
export CHUANGKOU_ENGINE_PORT := $(ENGINE_PORT)
export CHUANGKOU_ACTIONS_PORT := $(ACTIONS_PORT)

.PHONY: help run test bench lint chat venvs dev catalog model train lock-app lock-dev lock-engine clean browser

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

.venv-app/.stamp: requirements/app.lock pyproject.toml
	@test -n "$(PY_APP)" || { echo "need CPython 3.11+ for the app runtime"; exit 1; }
	$(PY_APP) -m venv .venv-app
	$(APP)/pip install -q --upgrade pip
	$(APP)/pip install -q --no-deps -r requirements/app.lock
	$(APP)/pip install -q --no-deps --no-build-isolation -e . 2>/dev/null || $(APP)/pip install -q --no-deps -e .
	touch $@

# Test, lint and benchmark tools, on top of the runtime (make run does without them).
.venv-app/.dev-stamp: .venv-app/.stamp requirements/dev.lock
	$(APP)/pip install -q --no-deps -r requirements/dev.lock
	touch $@

.venv-engine/.stamp: requirements/engine.lock
	@test -n "$(PY_ENGINE)" || { echo "need CPython 3.10 for the engine (Rasa 3.6): pyenv install 3.10"; exit 1; }
	$(PY_ENGINE) -m venv .venv-engine
	$(ENGINE)/pip install -q "pip<25"
	$(ENGINE)/pip install -q --no-deps -r requirements/engine.lock
	touch $@

venvs: .venv-app/.stamp .venv-engine/.stamp ## build both runtimes from their lock files

dev: venvs .venv-app/.dev-stamp

catalog: venvs ## validate and load the catalog; regenerate catalog-derived NLU artefacts
	$(CK) catalog load
	$(CK) nlu build

model: catalog ## train the model if config, domain, NLU data or artefacts changed
	$(CK) train

train: catalog ## train the model even if it is up to date
	$(CK) train --force

run: model ## build what is stale, start action server + engine, print where to chat
	$(CK) run

chat: ## chat in the terminal with the running assistant
	$(CK) chat

lint: dev ## ruff and mypy
	$(APP)/ruff check .
	$(APP)/ruff format --check chuangkou actions common bench bot tests
	$(APP)/mypy

# Browser tests drive Debian's Chromium (Playwright's own browser download is not possible
# here); CJK fonts so screenshots show Chinese.
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq chromium fonts-noto-cjk; }

test: dev model lint browser ## everything: lint, types, rasa data validate, NLU gate, stories, pytest
	$(APP)/pytest -q -ra

bench: dev model ## latency and training benchmarks; writes build/bench/report.md
	$(APP)/python -m bench

lock-app: ## re-resolve requirements/app.in into app.lock (needs network)
	rm -rf /tmp/ck-lock-app && $(PY_APP) -m venv /tmp/ck-lock-app
	/tmp/ck-lock-app/bin/pip install -q -r requirements/app.in
	/tmp/ck-lock-app/bin/pip freeze > requirements/app.lock

lock-dev: ## re-resolve requirements/dev.in into dev.lock over app.lock's pins (needs network)
	rm -rf /tmp/ck-lock-dev && $(PY_APP) -m venv /tmp/ck-lock-dev
	/tmp/ck-lock-dev/bin/pip install -q -r requirements/app.lock -r requirements/dev.in -c requirements/app.lock
	/tmp/ck-lock-dev/bin/pip freeze | grep -v -x -F -f requirements/app.lock > requirements/dev.lock

lock-engine: ## re-resolve requirements/engine.in into engine.lock (needs network)
	rm -rf /tmp/ck-lock-engine && $(PY_ENGINE) -m venv /tmp/ck-lock-engine
	/tmp/ck-lock-engine/bin/pip install -q -r requirements/engine.in
	/tmp/ck-lock-engine/bin/pip freeze --all | grep -v '^pip==' > requirements/engine.lock

clean: ## remove build artefacts (keeps the venvs)
	rm -rf build
