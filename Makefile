# The project's commands. Every target sets up what it needs first, idempotently:
#   make demo     set up, start Cassandra and Kafka, generate sample days and run the daily DAG on each;
#                 persons vs truth (DEMO_STREAM=1, or make demo-stream: one event through the real-time stream)
#   make test     set up and run the test suite (the test session starts Cassandra itself)
#   make airflow  the Airflow UI (airflow standalone) with the project's DAGs; Ctrl-C, SIGTERM or
#                 make down stops all of it
# Setup is a Python 3.11 venv in .venv (requirements-dev.txt: the runtime set and the test tools,
# pinned by constraints.txt), then `dmp setup`:
# Cassandra's and the Spark connector's jars from Maven Central, and Airflow's metadata database.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DMP := $(BIN)/dmp
INSTALLED := $(VENV)/.installed
PIP_VERSION := 26.3
DEMO_DATE ?= 2026-11-01
DEMO_DAYS ?= 3
DEMO_USERS ?= 300
DEMO_DAYS_LIST = $(shell $(PYTHON) -c "import datetime as d; s = d.date.fromisoformat('$(DEMO_DATE)'); print(' '.join(str(s + d.timedelta(days=n)) for n in range($(DEMO_DAYS))))")
BENCH_IDENTITY_EDGES ?= 10000000
PYTEST_ARGS ?=
BENCH_EVENTS ?= 1000000
BENCH_SEGMENT_PEOPLE ?= 2500000
BENCH_STREAM_SECONDS ?= 300
DEMO_STREAM ?= 0
BENCH_AUDIENCE_PEOPLE ?= 2500000
DEMO_KEYWORDS ?= tesla, renault, car

.PHONY: setup venv demo demo-stream test test-stream bench airflow up down status constraints clean

venv: $(INSTALLED)

# Reinstalled only when the pins or the package metadata change.
$(INSTALLED): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 (or run make PYTHON=/path/to/python3.11)"; exit 1; }
	@echo "== Python environment in $(VENV)"
	@start=$$(date +%s); \
	$(PYTHON) -m venv $(VENV) && \
	$(BIN)/pip install -q --disable-pip-version-check pip==$(PIP_VERSION) && \
	$(BIN)/pip install -q -r requirements-dev.txt -c constraints.txt && \
	$(BIN)/pip install -q --no-deps -e . && \
	echo "   installed in $$(( $$(date +%s) - start )) s"
	@touch $@

setup: venv
	@echo "== Jars, Airflow database"
	@$(DMP) setup

up: setup
	@$(DMP) services up

# Stops the local Airflow too when `make airflow` runs.
down:
	@$(DMP) services down

status:
	@$(DMP) services status

demo: up
	@$(DMP) schema migrate
	@$(DMP) generate --start $(DEMO_DATE) --days $(DEMO_DAYS) --users $(DEMO_USERS)
	@$(DMP) model train --corpus data/landing/corpus/pages.txt
	@for day in $(DEMO_DAYS_LIST); do $(DMP) run $$day || exit 1; done
	@$(DMP) runs show $(lastword $(DEMO_DAYS_LIST))
	@$(DMP) persons truth --users $(DEMO_USERS)
	@$(DMP) persons show "$$($(DMP) persons truth --users $(DEMO_USERS) --example | tail -1)"
	@$(DMP) segments list
	@last=$(lastword $(DEMO_DAYS_LIST)); member="$$(tail -q -n +2 data/exports/$$last/*/ids.csv 2>/dev/null | head -1)"; \
	  $(DMP) segments lookup --on $$last "$$member"; \
	  [ -z "$$member" ] || { $(DMP) privacy delete --user-id "$$member" && $(DMP) segments lookup --on $$last "$$member"; }
	@echo "segments report: var/segments/reports/$(lastword $(DEMO_DAYS_LIST))/index.html (Browse > Segment reports in the Airflow UI)"
	@$(DMP) audience estimate "$(DEMO_KEYWORDS)" --until $(lastword $(DEMO_DAYS_LIST)) --days $(DEMO_DAYS)
	@echo "Audience Builder: make airflow, sign in, then Browse > Audience Builder (or dmp serve for the page alone)"
	@if [ "$(DEMO_STREAM)" = "1" ]; then $(MAKE) --no-print-directory demo-stream; \
	 else echo "real time: make demo-stream (or make demo DEMO_STREAM=1) shows one event reaching a live segment"; fi

# The real-time path: one event produced, the user's segments a trigger later (starts and stops the stream).
demo-stream: up
	@$(DMP) schema migrate
	@$(DMP) stream demo

test: setup
	@$(BIN)/python -m pytest -m "not stream" $(PYTEST_ARGS)

# The real-time stream's end-to-end tests (Kafka broker, Spark streaming): not passing reliably yet.
test-stream: setup
	@$(BIN)/python -m pytest -m stream $(PYTEST_ARGS)

# Benchmarks (ratios against a baseline run side by side); results in bench/results/*.json.
# BENCH_EVENTS sets the pipeline's day size (make bench BENCH_EVENTS=10000000 for the 10M run);
# BENCH_SEGMENT_PEOPLE the ids of the segments benchmark; BENCH_IDENTITY_EDGES the identity graph's edges;
# BENCH_STREAM_SECONDS each rate of the stream's.
bench: setup
	@$(BIN)/python bench/tagging.py
	@$(BIN)/python bench/pipeline.py --events $(BENCH_EVENTS)
	@$(BIN)/python bench/segments.py --people $(BENCH_SEGMENT_PEOPLE)
	@$(BIN)/python bench/identity.py --edges $(BENCH_IDENTITY_EDGES)
	@$(BIN)/python bench/stream.py --seconds $(BENCH_STREAM_SECONDS) --ramp
	@$(BIN)/python bench/audience.py --load --build-people $(BENCH_AUDIENCE_PEOPLE)

airflow: up
	@$(DMP) schema migrate
	@$(DMP) airflow standalone

# Re-resolve the pins after editing requirements.txt or requirements-dev.txt (needs a clean venv to
# see the new set): one file covers both, so the image and the test venv get the same versions.
constraints:
	rm -rf /tmp/dmp-constraints-venv
	$(PYTHON) -m venv /tmp/dmp-constraints-venv
	/tmp/dmp-constraints-venv/bin/pip install -q pip==$(PIP_VERSION)
	/tmp/dmp-constraints-venv/bin/pip install -q -r requirements-dev.txt
	( echo "# Fully resolved pins for requirements-dev.txt (runtime and test set) on Python 3.11 (make constraints)."; \
	  /tmp/dmp-constraints-venv/bin/pip freeze --exclude-editable | sort -f ) > constraints.txt

clean:
	-@[ -x $(DMP) ] && $(DMP) services down
	rm -rf $(VENV) var data
