# mlops-course — every target installs what it needs first (uv, then the locked env).
# `make` alone lists the targets.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# uv: the one on PATH, else a private copy installed with pip into .tools/ (no binary download).
UV_VERSION ?= 0.13.9
UV ?= $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
# uv never downloads an interpreter: it uses one of the machine's (see `install`).
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON_PREFERENCE := only-system
export UV_LINK_MODE ?= copy
# Ship compiled bytecode in .venv: with PYTHONDONTWRITEBYTECODE set (common in CI), every
# kernel would otherwise recompile mlflow, pandas, sklearn... on each start (≈ 4 s each).
export UV_COMPILE_BYTECODE := 1
# Offline by design: MLflow must not try to reach its telemetry endpoint.
export MLFLOW_DISABLE_TELEMETRY ?= true
# One ruff cache, under build/: the end project's template has its own ruff settings, and
# ruff would otherwise keep a cache inside the package (mlops_course/project_template/).
export RUFF_CACHE_DIR ?= $(CURDIR)/build/.ruff_cache
RUN := $(UV) run --locked --no-sync
# lab, check, site... live in the `mlops-course` command (pure Python, any OS): the targets
# below call it, so `make check` and `uv run mlops-course check` are one and the same.
COURSE := $(RUN) mlops-course

# make check runs the notebooks in fast mode (fewer rows, fewer trees); FAST=0 for full size.
FAST ?= 1
JOBS ?= 2
HOST ?= 127.0.0.1
PORT ?= 8000
LAB_PORT ?= 8888
# What `make check` runs, in order: the steps of `mlops-course check` (tests/test_course_
# commands.py keeps the two equal; the CI workflow and its review read this line).
CHECK_STEPS := lint test notebooks nbval
# The interpreter .venv was built with; when the chosen one differs, .venv is rebuilt.
PYTHON_MARK := .venv/.mlops-course-python
BOOTSTRAP := $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)

.PHONY: help install lab check lint format test notebooks nbval site test-browser binder \
	exercises progress model serve mlflow pipeline bench docker-build docker-run compose-up \
	monitoring-up compose-down clean

help: ## Lister les cibles
	@echo "mlops-course — cours MLOps exécutable"
	@echo
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

.tools/bin/uv:
	@echo "Installation de uv $(UV_VERSION) dans .tools/ (avec pip)…"
	@log=$$(mktemp); \
	if ! { python3 -m venv .tools && .tools/bin/python -m pip install --quiet \
		--disable-pip-version-check "uv==$(UV_VERSION)"; } > "$$log" 2>&1; then \
		cat "$$log" >&2; rm -f "$$log"; exit 1; \
	fi; rm -f "$$log"

# Which Python: $$UV_PYTHON if you set it; else 3.11 when the machine has it; else the first
# Python >= 3.11 that uv finds on PATH. uv's install output is shown only if it fails.
install: | $(BOOTSTRAP) ## Installer l'environnement verrouillé (.venv) avec uv
	@python=$$($(UV) python find --system "$${UV_PYTHON:-3.11}" 2>/dev/null \
		|| { [ -z "$${UV_PYTHON:-}" ] && $(UV) python find --system '>=3.11' 2>/dev/null; }) \
	|| { echo "Aucun Python $${UV_PYTHON:-">= 3.11"} trouvé (uv ne télécharge pas \
	d'interpréteur) : installez Python 3.11, 3.12 ou 3.13, ou désignez-en un avec \
	UV_PYTHON=/chemin/vers/python." >&2; exit 1; }; \
	wanted=$$("$$python" -c 'import sys; print(sys.executable, sys.version.split()[0])'); \
	"$$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	|| { echo "$$python est Python $${wanted##* } : le cours demande Python >= 3.11." >&2; \
		exit 1; }; \
	if [ "$$(cat $(PYTHON_MARK) 2>/dev/null)" != "$$wanted" ] \
		|| ! grep -qx "version_info = $${wanted##* }" .venv/pyvenv.cfg 2>/dev/null \
		|| [ uv.lock -nt $(PYTHON_MARK) ] || [ pyproject.toml -nt $(PYTHON_MARK) ]; then \
		echo "Installation de l'environnement (uv.lock) dans .venv/ avec Python $${wanted##* }…"; \
		log=$$(mktemp); \
		if ! UV_PYTHON="$$python" $(UV) sync --locked > "$$log" 2>&1; then \
			cat "$$log" >&2; rm -f "$$log"; exit 1; \
		fi; \
		rm -f "$$log"; echo "$$wanted" > $(PYTHON_MARK); \
	fi

lab: install ## Ouvrir JupyterLab en français (vos copies d'exercices sont dans mon-travail/)
	@$(COURSE) lab --port $(LAB_PORT) $(LAB_ARGS)

check: install ## Tout vérifier : lint, tests, notebooks, sorties nbval, exercices synchronisés
	@$(COURSE) check --jobs $(JOBS) $(if $(filter 0,$(FAST)),--full)

lint: install ## ruff, notebooks sans sorties, exercises/ et binder/ à jour
	@$(COURSE) check lint

format: install ## Formater le code (ruff) et les notebooks (sans sorties, ids stables)
	$(RUN) ruff check --fix .
	$(RUN) ruff format .
	$(RUN) mlops-course format-notebooks

test: install ## Tests unitaires et d'intégration (pytest, avertissements = erreurs)
	@$(COURSE) check test --jobs $(JOBS) $(if $(PYTEST_ARGS),-- $(PYTEST_ARGS))

notebooks: install ## Exécuter tous les notebooks avec papermill (copies dans build/executed)
	@$(COURSE) check notebooks --jobs $(JOBS) $(if $(filter 0,$(FAST)),--full) \
		$(if $(PYTEST_ARGS),-- $(PYTEST_ARGS))

nbval: install ## Rejouer les notebooks de cours avec nbval et comparer les sorties taguées
	@$(COURSE) check nbval --jobs $(JOBS) $(if $(filter 0,$(FAST)),--full)

site: install ## Le cours en site web statique (build/site/html), notebooks avec leurs sorties
	@$(COURSE) site --jobs $(JOBS)

test-browser: install ## Tests dans un vrai navigateur (Chromium du système) : le site, les retours dans JupyterLab
	$(RUN) pytest tests/browser -q $(PYTEST_ARGS)

binder: install ## Régénérer binder/requirements.txt depuis uv.lock
	$(RUN) mlops-course binder

exercises: install ## Questionnaires de solutions/ (depuis mlops_course/quiz), puis exercises/
	$(RUN) mlops-course quiz
	$(RUN) mlops-course exercises

progress: install ## Votre progression : exécute vos notebooks de mon-travail/, affiche la checklist
	$(RUN) mlops-course progress $(PROGRESS_ARGS)

model: install ## Entraîner le modèle servi (champion du §2.3) : model/pipeline_v1.{joblib,onnx} + manifeste
	$(RUN) mlops-course model

serve: install ## Lancer l'API de prédiction (HOST=127.0.0.1 PORT=8000 par défaut)
	$(RUN) uvicorn mlops_course.api:app --host $(HOST) --port $(PORT)

MLFLOW_HOME = $(or $(MLOPS_COURSE_HOME),$(CURDIR))
mlflow: install ## Interface MLflow sur le store local (http://127.0.0.1:5000)
	@mkdir -p "$(MLFLOW_HOME)/mlruns/artifacts"
	@echo "Interface MLflow : http://127.0.0.1:5000 (Ctrl+C pour arrêter)"
	MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false $(RUN) mlflow server \
		--backend-store-uri "sqlite:///$(MLFLOW_HOME)/mlruns/mlflow.db" \
		--default-artifact-root "$(MLFLOW_HOME)/mlruns/artifacts" \
		--host 127.0.0.1 --port 5000 --workers 1

bench: install ## Benchmarks côte à côte (ONNX, API, drift, démarrage MLflow) : ratios, pas de seuils chronométrés
	$(RUN) python bench/bench_onnx.py
	$(RUN) python bench/bench_drift.py
	$(RUN) python bench/bench_api.py
	$(RUN) python bench/bench_mlflow_server.py

pipeline: install ## Capstone : entraîner, valider, promouvoir, servir, drift, réentraîner, rollback
	$(RUN) mlops-course pipeline

# Docker (chapitre 05) : il faut un moteur Docker. IMAGE est le tag de l'image de l'API.
IMAGE ?= mlops-course-api:0.1.0
COMPOSE := docker compose -f docker/docker-compose.yml

model/pipeline_v1.onnx: | install
	$(RUN) mlops-course model

docker-build: model/pipeline_v1.onnx ## Construire l'image de l'API (docker/Dockerfile), tag mlops-course-api:0.1.0 (IMAGE=… pour un autre)
	docker build -f docker/Dockerfile -t $(IMAGE) \
		--build-arg VCS_REF=$$(git rev-parse --short HEAD 2>/dev/null || echo unknown) .

docker-run: ## Lancer l'image de l'API sur http://127.0.0.1:8000 (PORT=… pour un autre ; Ctrl+C pour arrêter)
	docker run --rm -p 127.0.0.1:$(PORT):8000 --name mlops-course-api $(IMAGE)

compose-up: model/pipeline_v1.onnx ## Démarrer l'API et MLflow (Docker Compose) jusqu'à « healthy »
	$(COMPOSE) up --build --detach --wait --wait-timeout 180
	@echo "API : http://127.0.0.1:8000/docs   MLflow : http://127.0.0.1:5000"

monitoring-up: model/pipeline_v1.onnx ## Compose avec Prometheus et Grafana (profil monitoring)
	$(COMPOSE) --profile monitoring up --build --detach --wait --wait-timeout 240
	@echo "API : http://127.0.0.1:8000/docs   Prometheus : http://127.0.0.1:9090   Grafana : http://127.0.0.1:3000"

compose-down: ## Arrêter les services Compose, profil monitoring compris (les volumes restent)
	$(COMPOSE) --profile monitoring down

clean: ## Supprimer build/ et les caches (garde .venv, model/, mlruns/, mon-travail/)
	rm -rf build .ruff_cache
	find . -name __pycache__ -type d -not -path './.venv/*' -prune -exec rm -rf {} +
