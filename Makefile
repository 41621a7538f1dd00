# The two commands a newcomer needs: `make demo` (install and serve with a trained demo) and `make test`.
VENV ?= .venv
PORT ?= 5000

.PHONY: demo install test lint

demo: install
	$(VENV)/bin/customner serve --demo --port $(PORT)

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet torch==2.13.0
	$(VENV)/bin/pip install --quiet -e ".[dev]"
	touch $@

test: install
	bash scripts/test.sh

lint: install
	$(VENV)/bin/ruff check customner tests benchmarks scripts
	$(VENV)/bin/mypy
