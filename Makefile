# Halle — the project's commands. `make` alone lists them.
#
# uv runs everything. When it is not on PATH (or is a shim that does not work), it is
# bootstrapped once into .uv-bootstrap/ with the machine's python3 and pip.

.DEFAULT_GOAL := help
SHELL := /bin/sh

# A working uv on PATH, else the bootstrapped one (built by the rule below).
UV_ON_PATH := $(shell uv --version >/dev/null 2>&1 && command -v uv)
ifneq ($(UV_ON_PATH),)
UV := $(UV_ON_PATH)
UV_DEP :=
else
UV := .uv-bootstrap/bin/uv
UV_DEP := $(UV)
endif

RUN := $(UV) run --frozen
PYTEST_ARGS ?=
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run test lint format typecheck check-deploy messages stop clean distclean

help: ## list the targets
	@echo "Halle — make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "} {printf "  %-13s %s\n", $$1, $$2}'
	@echo "Variables: PYTEST_ARGS='-k foo -x' (test), HOST / PORT (run)."

.uv-bootstrap/bin/uv:
	@echo "uv not found: installing it into .uv-bootstrap/"
	python3 -m venv .uv-bootstrap
	.uv-bootstrap/bin/pip install --quiet --disable-pip-version-check uv

install: $(UV_DEP) ## install the locked dependencies into .venv (dev group included)
	$(UV) sync --frozen

run: install ## migrate, load demo data, run web + worker + beat on embedded PostgreSQL/Redis
	$(RUN) python -m config.devstack run --host $(HOST) --port $(PORT)

test: install ## run the tests (PostgreSQL/Redis on 127.0.0.1 if up, else embedded)
	$(RUN) python -m config.devstack test $(PYTEST_ARGS)

lint: install ## ruff check + ruff format --check
	$(RUN) ruff check .
	$(RUN) ruff format --check .

format: install ## sort imports and format the code with ruff
	$(RUN) ruff check --select I --fix .
	$(RUN) ruff format .

typecheck: install ## mypy over the project
	$(RUN) mypy .

# A throwaway 50+ character key: the check only needs settings to load like production's.
check-deploy: install ## manage.py check --deploy with the production settings
	SECRET_KEY="$$($(RUN) python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	DJANGO_SETTINGS_MODULE=config.settings.production \
	ALLOWED_HOSTS=example.org \
	DATABASE_URL=postgres://halle@db.invalid:5432/halle \
	REDIS_URL=redis://redis.invalid:6379/0 \
	$(RUN) python manage.py check --deploy --fail-level WARNING

messages: install ## refresh the French catalogue (locale/fr) and compile it
	$(RUN) python manage.py makemessages -l fr --ignore=.venv --ignore=var --ignore=tests \
		--ignore=node_modules --no-obsolete --add-location file
	$(RUN) python manage.py compilemessages -l fr --ignore=.venv

stop: ## stop the embedded PostgreSQL/Redis under var/ (left by `devstack env` or a crash)
	@if [ -x .venv/bin/python ]; then .venv/bin/python -m config.devstack stop; fi

clean: stop ## remove var/ (embedded data, media) and caches; keeps .venv
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
	find . -path ./.venv -prune -o -path ./.uv-bootstrap -prune -o \
		-type d -name __pycache__ -exec rm -rf {} +

distclean: clean ## clean, and remove .venv and .uv-bootstrap too
	rm -rf .venv .uv-bootstrap
