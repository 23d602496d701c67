# Two commands on a fresh clone:  `make run` (set up, train if needed, serve)  and  `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
MODEL := models/kp-broker-faq.tar.gz
SPACY_PIPELINE := build/spacy_kp_en

export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
# Python's bytecode caches (__pycache__/, ignored by git) written, whatever the shell says: with
# PYTHONDONTWRITEBYTECODE set, as in this machine's shells, every run compiled the project's modules and
# pytest rewrote every test module's asserts again, ~6 s of each `make unit` (40 s against 34 s).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install web-deps browser scale-deps train run test scale-test bench lock check-knowledge review clean
.PHONY: unit lint lint-py
.DELETE_ON_ERROR:

install: $(VENV)/.installed
$(VENV)/.installed: requirements.in requirements.lock
	@test -x $(BIN)/python || $$(scripts/find-python310.sh) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==24.0
	$(BIN)/python -m pip install --quiet -r requirements.in -c requirements.lock
	@touch $@

# The widget's browser dependency (socket.io client), exactly as package-lock.json pins it.
web-deps: node_modules/.package-lock.json
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# Chromium for the browser tests: Debian's package, since browser downloads are impossible here.
browser:
	@command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

# The scale-out services (tests/scale start their own): Debian's packages, installed when missing.
scale-deps:
	@command -v redis-server >/dev/null && command -v nginx >/dev/null && ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 \
	  || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql redis-server nginx)

# The project's own spaCy pipeline, rebuilt whenever the knowledge file's place or team names change.
$(SPACY_PIPELINE)/.built: $(wildcard knowledge/*.yml spacy_pipeline/*.py broker_faq/*.py broker_faq/*/*.py) | install
	$(BIN)/python -m spacy_pipeline.build $(SPACY_PIPELINE)
	@touch $@

# Retrain only when training data, domain or config changed since the last model.
$(MODEL): config.yml domain.yml $(wildcard data/*.yml data/*/*.yml nlu_components/*.py) $(SPACY_PIPELINE)/.built
	$(BIN)/rasa train --fixed-model-name kp-broker-faq --out models
	@touch $@
train: $(MODEL)

check-knowledge: install
	$(BIN)/python -m ops.check_knowledge

# The review report over the tracker store: make review [FROM=2026-11-01] [TO=2026-11-30]
review: install
	$(BIN)/python -m ops.review $(if $(FROM),--from $(FROM)) $(if $(TO),--to $(TO))

# The misses leads labelled in the console, masked, as NLU examples in data/nlu/reviewed.yml (REVIEWED_NLU),
# for a maintainer to read and commit; `make train` then trains on them (ops/export_reviewed.py).
.PHONY: export-reviewed
export-reviewed: install
	$(BIN)/python -m ops.export_reviewed

run: train web-deps
	scripts/serve.sh

# Named agent accounts for the console (ops/agents.py, web/accounts.py): make agent-add NAME [ROLE] (or NAME=...
# ROLE=...; ROLE is agent, the default, or lead) [DISPLAY_NAME="Dana Reyes"] (what brokers see; else NAME),
# make agent-display NAME DISPLAY_NAME="..." (none: NAME again),
# make agent-reset NAME, make agent-remove NAME, make agent-list. A password is shown once, on a terminal only.
# DISPLAY_NAME reaches the command through the environment ("$$DISPLAY_NAME"), so no quote in it is make's.
AGENT_COMMANDS := agent-add agent-display agent-reset agent-remove
.PHONY: agent-list $(AGENT_COMMANDS)
ifneq ($(filter $(AGENT_COMMANDS),$(firstword $(MAKECMDGOALS))),)
AGENT := $(or $(NAME),$(word 2,$(MAKECMDGOALS)))
AGENT_ROLE := $(or $(ROLE),$(word 3,$(MAKECMDGOALS)))
ifneq ($(word 2,$(MAKECMDGOALS)),)
$(eval $(word 2,$(MAKECMDGOALS)):;@:)  # `make agent-add alice`: the name is not a target
endif
ifneq ($(word 3,$(MAKECMDGOALS)),)
$(eval $(word 3,$(MAKECMDGOALS)):;@:)  # `make agent-add alice lead`: nor is the role
endif
endif
$(AGENT_COMMANDS): install
	@$(BIN)/python -m ops.agents $(@:agent-%=%) $(AGENT) $(if $(filter agent-add,$@),$(AGENT_ROLE)) \
		$(if $(filter agent-add agent-display,$@),--display-name "$$DISPLAY_NAME")
agent-list: install
	@$(BIN)/python -m ops.agents list

test: check-knowledge train web-deps browser
	scripts/test.sh

# The fast loop: the plain-Python, knowledge and action tests (tests/unit), no training, apt or npm step:
# 17-30 s of wall time on this 2-core machine, by the host's speed (1,100 tests; 40-46 s in one process
# before; the first run of a fresh clone, compiling everything once, 18-35 s; docs/testing.md), in two
# worker processes (pytest-xdist: one
# per core, at most four, each importing Rasa and TensorFlow once, ~7.6 s without jax, tests/conftest.py; a
# worker that is done takes tests from the other) with the bytecode caches kept (above).
# The Hypothesis properties run a tenth of their examples (the `unit` profile, tests/properties.py; `make
# test` runs them all, in one process), and the ten slowest tests are named so it stays fast. Its temporary
# files (the tests' SQLite stores, accounts and key files: ~2,000 fdatasync calls) go to /dev/shm, a tmpfs,
# unless TMPDIR says otherwise: ~1 s on this machine's disk. The behaviour suite is `make behaviour`; the
# slow tiers are pytest markers (pytest.ini): `pytest -m "not live and not browser"`.
unit: install
	TMPDIR=$${TMPDIR:-$(if $(wildcard /dev/shm),/dev/shm,/tmp)} \
	  $(BIN)/python -m pytest tests/unit -q --hypothesis-profile=unit --durations=10 \
	    --numprocesses=auto --maxprocesses=4 --dist=worksteal

# Behaviour by capability (CheckList's MFT, INV, DIR) on the trained model, in process (< 2 min): a table of
# right / asked back / miss / WRONG per capability, failing cases in test-output/behaviour.json.
.PHONY: behaviour
behaviour: train
	$(BIN)/python -m pytest tests/behaviour -q -p no:cacheprovider

# Lint, format and types (configuration in pyproject.toml), every check run even when one fails: mypy on
# every package of the project's own code; lint-js is the JavaScript's.
MYPY_PACKAGES := broker_faq actions web ops channels rasa_server tokens stores nlu_components spacy_pipeline
lint: lint-py lint-js
lint-py: install
	@status=0; \
	echo "ruff check"; $(BIN)/ruff check --output-format concise . || status=1; \
	echo "ruff format --check"; $(BIN)/ruff format --check --output-format concise . || status=1; \
	echo "mypy $(MYPY_PACKAGES)"; $(BIN)/mypy $(MYPY_PACKAGES) || status=1; \
	exit $$status

# eslint over the widget's and the console's scripts (web/static; rules in eslint.config.mjs), the eslint
# package-lock.json pins (installed by web-deps; `npx --no` never downloads another).
.PHONY: lint-js
lint-js: web-deps
	npx --no -- eslint web/static

# This project against stock Rasa: training, held-out NLU, latency, throughput, memory, growth
# (benchmarks/bench.py; docs/performance.md). `make bench QUICK=1` is a short run (< 3 min).
bench: install $(SPACY_PIPELINE)/.built
	QUICK=$(QUICK) $(BIN)/python benchmarks/bench.py
# The Insights tab over 100,000 stored conversations on SQLite and PostgreSQL (docs/performance.md): in a network
# namespace of its own, since its throwaway PostgreSQL listens on a fixed port. CONVERSATIONS=... DAYS=... to vary.
.PHONY: bench-insights
bench-insights: install scale-deps
	unshare -n bash -c 'ip link set lo up && $(BIN)/python -m benchmarks.insights_scale \
	  $(if $(CONVERSATIONS),--conversations $(CONVERSATIONS)) $(if $(DAYS),--days $(DAYS))'
# How many labelled misses it takes to move a held-out figure (issue 22): simulated lead labels
# (benchmarks/simulated_labels.yml) split once into a pool and a held-out part; the NLU retrained with
# 0, 5, 10, 20, 40 and all pool labels through ops/export_reviewed (benchmarks/label_curve.py; ~45 s each).
.PHONY: bench-labels
bench-labels: install $(SPACY_PIPELINE)/.built
	PYTHONPATH=. $(BIN)/python benchmarks/label_curve.py
# The production profile on this machine: PostgreSQL, Redis, nginx and two Rasa servers (tests/scale).
scale-test: train scale-deps
	scripts/test.sh tests/scale

lock: install
	$(BIN)/python -m pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf build models results var .rasa node_modules test-output
