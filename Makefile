# Everyday commands. `make run` serves the portal on the embedded default;
# `make test` runs the whole suite (CI calls it through .ci/run).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev browser node lint check format messages bench clean

$(VENV)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_reference_data
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py signing_key_create --if-missing
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Debian's Chromium for the browser tests (Playwright never downloads one).
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	  else \
	    echo "chromium is missing: sudo apt-get install chromium (browser tests skip locally, fail in CI)"; \
	  fi; \
	fi

# axe-core for the accessibility checks of the browser tests, from the npm
# registry at the version package-lock.json pins.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	  else echo "npm is missing: sudo apt-get install npm"; exit 1; fi; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

node: node_modules/.installed

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Static gates: lint, migrations in step with the models, deployment settings,
# bandit (no high-severity finding) and the dependency audit.
check: lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py signing_key_create --folder var/check-signing --if-missing
	DEBUG=false SECRET_KEY=check-deploy-dummy-key-0123456789-abcdefghijklmnopqrstuvwxyz \
	  ALLOWED_HOSTS=vssid.example.vn \
	  DOCUMENT_SIGNING_KEY=var/check-signing/document-signing-key.pem \
	  DOCUMENT_SIGNING_CERT=var/check-signing/document-signing-cert.pem \
	  PAYMENT_PROVIDER=vnpay PAYMENT_TMN_CODE=2QXUI4J4 \
	  PAYMENT_GATEWAY_URL=https://sandbox.vnpayment.vn/paymentv2/vpcpay.html \
	  PAYMENT_HASH_SECRET=check-deploy-dummy-hash-secret-0123456789 \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/bandit -q -r vssid_portal accounts declarations insurance lookup notifications support \
	  -x '*/migrations/*' --severity-level high
	$(BIN)/python scripts/audit_dependencies.py

test: install-dev browser node check
	$(BIN)/python -m pytest

messages: install-dev
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=staticfiles --ignore=bench
	$(BIN)/python manage.py compilemessages --ignore=.venv

bench: install-dev
	@command -v wrk >/dev/null 2>&1 || apt-get install -y -qq wrk >/dev/null
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) staticfiles artifacts db.sqlite3 test_db.sqlite3 var/check-signing
