# graphbench — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
STORE ?= file:./workspace
PORT ?= 8501

.PHONY: install run sample test test-fast neo4j neo4j-stop browser oidc bench lint clean canvas

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

sample: install
	$(VENV)/bin/graphbench --store $(STORE) load sample_data --rejects workspace-rejects

run: sample
	GRAPHBENCH_STORE=$(STORE) GRAPHBENCH_REJECTS=workspace-rejects $(VENV)/bin/graphbench --store $(STORE) app --port $(PORT)

# Installs what the tests need, starts a local Neo4j, runs every test, stops Neo4j (even on failure).
test: install browser oidc neo4j
	@status=0; GRAPHBENCH_REQUIRE_NEO4J=1 GRAPHBENCH_REQUIRE_BROWSER=1 $(PY) -m pytest -q -p no:cacheprovider || status=$$?; \
	$(MAKE) --no-print-directory neo4j-stop; exit $$status

test-fast: install
	$(PY) -m pytest -q -m "not neo4j and not browser"

neo4j: install
	$(PY) scripts/neo4j_local.py start

neo4j-stop:
	@$(PYTHON) scripts/neo4j_local.py stop

# Debian packages the tests use: chromium (browser tests) and poppler-utils (pdftoppm, for the PDF
# report test). Installed through apt when running as root; otherwise say what is missing.
browser:
	@missing=""; command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -z "$$missing" ]; then echo "system packages: chromium and poppler-utils present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "system packages: installing$$missing with apt-get"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	  || { echo "system packages: apt-get could not install$$missing"; exit 1; }; \
	else echo "system packages: missing$$missing and this is not root: install them with apt-get"; exit 1; fi

# The OpenID Connect provider of the sign-in browser test (mock-oauth2-server, from Maven Central into .oidc/);
# fetched when missing, one sentence and a failure when Java or Maven is missing.
oidc:
	@$(PYTHON) scripts/oidc_fetch.py

bench: install neo4j
	@status=0; $(PY) benchmarks/run_all.py || status=$$?; $(MAKE) --no-print-directory neo4j-stop; exit $$status

# The graph canvas's JavaScript bundle (graphbench/viz/canvas/bundle/, committed): npm ci + esbuild. Only
# needed after editing frontend/canvas/; tests/test_canvas_bundle.py says when the bundle is stale.
canvas:
	cd frontend/canvas && npm ci --no-audit --no-fund && npm run build

lint: install
	$(VENV)/bin/ruff check graphbench loaders tests benchmarks app.py

clean:
	rm -rf workspace workspace-rejects rejects .pytest_cache
