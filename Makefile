# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PORT ?= 5000

.PHONY: setup run test test-shifted translations translations-update check-courses bench bench-http bench-load bench-slow clean

$(BIN)/activate: requirements.txt
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(BIN)/activate

translations: $(BIN)/activate
	$(BIN)/pybabel compile --use-fuzzy -d app/translations -f 2>/dev/null

# After changing user-facing strings: refresh the English catalogue, then fill in the empty msgstr.
translations-update: $(BIN)/activate
	$(BIN)/pybabel extract -F babel.cfg -k _l -o instance/messages.pot . >/dev/null
	$(BIN)/pybabel update -i instance/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete

setup: $(BIN)/activate translations
	$(FLASK) db upgrade
	-$(FLASK) courses sync  # a broken course is reported; the others still load
	$(FLASK) demo

# the links printed for invites and mails start with the address the demo is served on
run: setup
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/flask --app wsgi run --host 127.0.0.1 --port $(PORT)

test: $(BIN)/activate translations
	@echo "== SQLite =="
	env -u TEST_DATABASE_URL $(BIN)/pytest -q
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$TEST_DATABASE_URL) =="; \
		$(BIN)/pytest -q -m "not browser"; \
	else \
		echo "TEST_DATABASE_URL not set: PostgreSQL run skipped"; \
	fi

# The SQLite suite again on a machine far west of Vietnam, started just after midnight in Vietnam on
# 31/12 (UTC): the machine, UTC and Vietnam are on different days and, in Vietnam, a different year.
test-shifted: $(BIN)/activate translations
	@echo "== SQLite, TZ=Pacific/Pago_Pago, clock at 01/01 00:00:30 in Vietnam =="
	env -u TEST_DATABASE_URL TZ=Pacific/Pago_Pago TEST_CLOCK=$$(date -u +%Y)-12-31T17:00:30Z $(BIN)/pytest -q

check-courses: $(BIN)/activate
	$(FLASK) courses check

# Every bench/*_bench.py; the HTTP bench alone: `make bench-http` (about 15 min, ARGS=--quick: 2 min)
bench: $(BIN)/activate
	@command -v wrk >/dev/null || apt-get install -y wrk
	$(BIN)/python bench/run.py

bench-http: $(BIN)/activate
	@command -v wrk >/dev/null || apt-get install -y wrk
	$(BIN)/python bench/http_bench.py $(ARGS)

# Load and faults (about 10 min; `make bench-load ARGS=--quick` for 15 s runs): bench/README.md
bench-load: $(BIN)/activate
	$(BIN)/python bench/load_bench.py $(ARGS)

# Slow clients directly against gunicorn and through nginx with docs/deploy/nginx.conf
bench-slow: $(BIN)/activate
	@command -v nginx >/dev/null || apt-get install -y nginx
	$(BIN)/python bench/slow_clients_bench.py $(ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
