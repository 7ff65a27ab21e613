# 放心消费创建评价系统 — set-up and checks. `make run` starts the app; `make test` runs every check.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
PORT ?= 8501

.PHONY: run serve-multi test lint types pytest bench demo fuzz clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

## Start the dashboard on the embedded SQLite database (loads the demo campaign when it is empty).
run: $(STAMP)
	$(BIN)/python -m scoring migrate
	$(BIN)/python -m scoring demo --if-empty
	$(BIN)/streamlit run app.py --server.port $(PORT)

## Several app processes behind nginx on FANGXIN_DB_URL (PostgreSQL): migrate, demo if empty, then
## PROCESSES (default 2) Streamlit processes on 8601… and nginx on 127.0.0.1:8080; Ctrl-C stops all (docs/DEPLOY.md).
serve-multi: $(STAMP)
	$(BIN)/python -m deploy.serve_multi --processes $(or $(PROCESSES),2) --port $(or $(NGINX_PORT),8080)

## Every check: lint, formatting, mypy --strict on scoring/, and the test suite.
test: lint types pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy --strict scoring

pytest: $(STAMP)
	$(BIN)/python -m pytest

## Speed benchmarks (figures go to the README; not part of `make test`).
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

## Fuzz the reader and validator for about 60 s (atheris); crashes land in tests/fuzz/regressions/.
fuzz: $(STAMP)
	$(BIN)/python tests/fuzz/fuzz_reader.py -max_total_time=$(or $(FUZZ_SECONDS),60) -rss_limit_mb=2048 \
		-artifact_prefix=tests/fuzz/regressions/ -print_final_stats=1

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
