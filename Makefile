# The two commands: `make run` (the whole service locally) and `make test` (the full suite).
# Each sets itself up on a fresh machine: virtualenv, install, and the services it needs.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast test-promises lint lock bench faults clean chromium screenshot

# Installs are what requirements.lock pins, hash-checked (`make lock` writes it from pyproject.toml).
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# The CPU build first: a looser torch requirement would pull a multi-GB CUDA build.
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $(STAMP)

# The dev tools (sandbox/) are not installed with the package: the checkout goes on the path.
run: $(STAMP)
	PYTHONPATH=$(CURDIR) $(BIN)/content-factory dev

# The slow lane as two shares beside the rest (its tests mostly wait on their worker processes), and
# the fault suite (its own PostgreSQL and Redis) once the first of those ends; each has its own Redis
# indexes, services and database, a process group that ends with it, and a wall limit.
# tests/lanes.py says how; non-zero if any part failed.
test: $(STAMP) chromium
	$(BIN)/ruff check .
	$(BIN)/python -m tests.lanes

# The inner loop: the guard, the command parser, the views and the handlers dispatched in-process
# through bolt (against PostgreSQL and Redis). No worker or server processes, no model training.
FAST_TESTS := tests/guard tests/slack tests/approvals tests/schedules/test_commands.py tests/workflows

# The local Slack page's tests drive Debian's Chromium (Playwright never downloads a browser here).
# Its emoji font draws the emoji the page shows (a machine without one shows empty boxes).
CHROMIUM ?= /usr/bin/chromium
EMOJI_FONT ?= /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

chromium:
	@test -x $(CHROMIUM) -a -f $(EMOJI_FONT) || { \
		echo "installing Debian's chromium and its emoji font for the browser tests"; \
		$(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium fonts-noto-color-emoji; \
	}
	@test -x $(CHROMIUM) || { echo "no $(CHROMIUM): install Debian's chromium package"; exit 1; }

screenshot: $(STAMP) chromium
	LOCAL_SLACK_SCREENSHOT=docs/screenshot.png $(BIN)/pytest -q \
		tests/sandbox_web/test_page.py::test_an_editors_command_is_rendered_with_bold_text_and_the_image
	@echo "wrote docs/screenshot.png"

# Two pytest processes, each with half of the test files (tests/lanes.py deals them out) and a Redis
# index of its own (TEST_REDIS_DB and TEST_SPARE_REDIS_DB when set); tests/fast_lane.py keeps torch
# out of each (the checkout is on the path for it); no test there asks for Faker, whose plugin
# would import it in each. Where PYTHONDONTWRITEBYTECODE is set, the shares keep compiled modules
# under .services/pycache instead of compiling them again on every run.
test-fast: $(STAMP)
	PYTHONPATH=$(CURDIR) $(BIN)/python -m tests.lanes fast -p tests.fast_lane -p no:faker -m "not slow and not training" $(FAST_TESTS)

# The end-to-end proof of each promise (README, "What proves each promise").
PROMISE_TESTS := \
	tests/workers/test_crash_recovery.py::test_job_of_a_killed_worker_is_posted_once_by_the_next_one \
	tests/workers/test_pipeline.py::test_a_job_committed_while_the_broker_is_down_is_sent_by_the_sweeper \
	tests/workers/test_pipeline.py::test_duplicate_delivery_calls_the_model_once_and_posts_once \
	tests/approvals/test_end_to_end.py::test_double_click_posts_once \
	tests/workflows/test_end_to_end.py::test_a_step_posts_once_and_completes_once_with_the_text_and_the_job_id \
	tests/workflows/test_end_to_end.py::test_a_completion_the_worker_could_not_send_is_sent_once_after_the_worker_dies \
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
	$(BIN)/mypy

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

# The locks leave out torch (installed first, its CPU build) and the CUDA libraries PyPI's torch
# wheel would pull. Without LOCK_ARGS the pins in the lock files stay and only what is new is added;
# LOCK_ARGS=--upgrade moves everything to the newest releases pyproject.toml allows,
# LOCK_ARGS="--upgrade-package NAME" one package.
LOCK_EXCLUDE := torch triton cuda-bindings cuda-pathfinder cuda-toolkit nvidia-cublas nvidia-cuda-cccl \
	nvidia-cuda-cupti nvidia-cuda-nvrtc nvidia-cuda-runtime nvidia-cudnn-cu13 nvidia-cufft nvidia-cufile \
	nvidia-cusolver nvidia-cusparse nvidia-cusparselt-cu13 nvidia-nccl-cu13 nvidia-nvjitlink \
	nvidia-nvshmem-cu13 nvidia-nvtx
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --strip-extras \
	--no-emit-index-url --no-emit-find-links $(foreach name,$(LOCK_EXCLUDE),--unsafe-package $(name)) $(LOCK_ARGS)

lock: $(STAMP)
	$(PIP_COMPILE) --extra dev --extra image --output-file requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra image --output-file requirements-image.lock pyproject.toml
	! grep -qiE '^(torch|triton|nvidia-|cuda-)' requirements.lock requirements-image.lock

faults: $(STAMP)
	$(BIN)/python bench/fault_suite.py

clean:
	rm -rf .services .pytest_cache .ruff_cache .mypy_cache
