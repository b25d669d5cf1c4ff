# The two commands: `make run` (the whole service locally) and `make test` (the full suite).
# Each sets itself up on a fresh machine: virtualenv, install, and the services it needs.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast test-promises lint bench faults clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# The CPU build first: a looser torch requirement would pull a multi-GB CUDA build.
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev,image]'
	touch $(STAMP)

# The dev tools (sandbox/) are not installed with the package: the checkout goes on the path.
run: $(STAMP)
	PYTHONPATH=$(CURDIR) $(BIN)/content-factory dev

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest

# The inner loop: everything but the tests that start Celery workers or the fault suite.
test-fast: $(STAMP)
	$(BIN)/pytest -m "not slow"

# The end-to-end proof of each promise (README, "What proves each promise").
PROMISE_TESTS := \
	tests/workers/test_crash_recovery.py::test_job_of_a_killed_worker_is_posted_once_by_the_next_one \
	tests/workers/test_pipeline.py::test_a_job_committed_while_the_broker_is_down_is_sent_by_the_sweeper \
	tests/workers/test_pipeline.py::test_duplicate_delivery_calls_the_model_once_and_posts_once \
	tests/approvals/test_end_to_end.py::test_double_click_posts_once \
	tests/foundation/test_row_level_security.py \
	tests/quota/test_concurrency.py::test_competing_processes_never_spend_past_the_budget \
	tests/quota/test_redis_lost.py::test_no_organization_spends_past_its_budget_across_a_flush \
	tests/workers/test_pipeline.py::test_text_job_is_posted_and_the_model_sees_only_masked_text \
	tests/slack/test_commands.py::test_text_command_commits_a_queued_job_and_answers_with_its_id \
	tests/telemetry/test_one_trace.py::test_no_content_or_secret_in_any_span_or_log_line \
	tests/faults/test_fault_suite_short.py

test-promises: $(STAMP)
	$(BIN)/pytest $(PROMISE_TESTS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Every bench in bench/ (not its modules: _*.py, verdict.py; the fault suite is `make faults`), each
# to the end; then which missed a target (exit 1) or could not run (exit 2). Non-zero if any did.
BENCHES := $(filter-out bench/_% bench/verdict.py bench/fault_suite.py,$(wildcard bench/*.py))

bench: $(STAMP)
	@failed=""; \
	for script in $(BENCHES); do \
		echo "== $$script"; \
		$(BIN)/python $$script; status=$$?; \
		if [ $$status -eq 1 ]; then failed="$$failed $$script(MISSED)"; \
		elif [ $$status -ne 0 ]; then failed="$$failed $$script(could-not-run)"; fi; \
	done; \
	if [ -n "$$failed" ]; then echo "bench: not met:$$failed"; exit 1; fi; \
	echo "bench: every target met"

faults: $(STAMP)
	$(BIN)/python bench/fault_suite.py

clean:
	rm -rf .services .pytest_cache .ruff_cache
