# Two entry points (README): `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: demo test lint bench clean setup

# The stamp is also created by .ci/run after it installs the built wheel into its venv.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dask]'
	touch $@

setup: $(VENV)/.installed

# Exit code 1 means "done, findings to look at" (data-sample has some on purpose).
demo: $(VENV)/.installed
	$(BIN)/jingzhun run data-sample --out $(OUT); rc=$$?; [ $$rc -le 1 ] || exit $$rc
	$(BIN)/jingzhun verify $(OUT)

test: $(VENV)/.installed
	$(BIN)/pytest -q

# The linters, the formatter check and the type checker (.ci/run runs the same three).
lint: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/ruff check jingzhun tests benchmarks
	$(BIN)/ruff format --check jingzhun tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(OUT) dist build .pytest_cache
