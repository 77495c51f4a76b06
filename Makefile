# Set-up and checks. Needs only python3, pip, make and git: uv is installed if missing.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")

.PHONY: uv sync demo test lint format test-slow data

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || \
		python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv

# --inexact: keeps what `uv sync --extra bench` added (pesq, ViSQOL...), so that a bench run
# after `make test` still measures PESQ; a clean clone installs exactly the lock's core set
sync: uv
	$(UV) sync --frozen --inexact

demo: sync
	$(UV) run --frozen aecodec demo

lint: sync
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

format: sync
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

test: lint
	$(UV) run --frozen pytest -m "not slow" -q

test-slow: sync
	$(UV) run --frozen pytest -m slow -q

# Training photographs and music from Debian packages, into ~/.cache/aecodec/photos and
# ~/.cache/aecodec/music (see aecodec/training/fetch_photos.py and fetch_music.py for sources
# and licenses; AECODEC_CACHE moves the cache). Not needed by the tests.
data: sync
	$(UV) run --frozen python -m aecodec.training.fetch_photos
	$(UV) run --frozen python -m aecodec.training.fetch_music
