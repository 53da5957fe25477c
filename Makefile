# Two commands do all the set-up on a fresh machine:
#   make demo   creates .venv, installs pulse-tui, launches the demo
#   make test   installs the Debian packages the integration tests need when missing
#               (make test-deps: as root, or with sudo -E), creates .venv, installs
#               pulse-tui with test extras, runs the whole suite and prints skip reasons

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint screenshots bench test-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/pulse-tui --demo

# Not a prerequisite: a machine without apt (or without root or sudo) still runs the suite,
# and each integration test that cannot run says why (-rs); CI requires them all instead.
test: $(STAMP)
	@$(MAKE) --no-print-directory test-deps || \
		echo "!!! make test: could not install the integration tests' packages; those tests skip (reasons at the end) !!!" >&2
	$(BIN)/python -m pytest -q -rs

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks screenshots tools
	$(BIN)/ruff format --check src tests benchmarks screenshots tools
	$(BIN)/lint-imports
	$(BIN)/mypy

screenshots: $(STAMP)
	$(BIN)/python screenshots/generate.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Debian packages the integration tests need, installed only when missing (as root, or
# with sudo -E so a proxy set in the environment still applies).
test-deps:
	@missing=""; \
	command -v prometheus >/dev/null || missing="$$missing prometheus"; \
	command -v promtool >/dev/null || missing="$$missing prometheus"; \
	command -v prometheus-alertmanager >/dev/null || missing="$$missing prometheus-alertmanager"; \
	command -v victoria-metrics >/dev/null || missing="$$missing victoria-metrics"; \
	test -x /usr/sbin/sshd || missing="$$missing openssh-server"; \
	command -v ssh-keygen >/dev/null || missing="$$missing openssh-client"; \
	command -v setpriv >/dev/null || missing="$$missing util-linux"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; \
		elif command -v sudo >/dev/null; then SUDO="sudo -E"; \
		else echo "make test-deps: installing$$missing needs root or sudo" >&2; exit 1; fi; \
		command -v apt-get >/dev/null || { echo "make test-deps: no apt-get to install$$missing" >&2; exit 1; }; \
		echo "make test-deps: installing$$missing"; \
		$$SUDO apt-get update -qq && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends $$missing; \
	fi

clean:
	rm -rf $(VENV) .venv-ci build dist src/*.egg-info .pytest_cache .ruff_cache
