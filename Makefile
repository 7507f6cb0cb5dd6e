# mlops-course — every target installs what it needs first (uv, then the locked env).
# `make` alone lists the targets.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# uv: the one on PATH, else a private copy installed with pip into .tools/ (no binary download).
UV_VERSION ?= 0.13.9
UV ?= $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
# The system Python 3.11: uv must never download an interpreter.
export UV_PYTHON ?= 3.11
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

# make check runs the notebooks in fast mode (fewer rows, fewer trees); FAST=0 for full size.
FAST ?= 1
JOBS ?= 2
HOST ?= 127.0.0.1
PORT ?= 8000
LAB_PORT ?= 8888
REPORTS := build/reports
# What `make check` runs, in order (the CI workflow and its tests read this line).
CHECK_STEPS := lint test notebooks nbval
STAMP := .venv/.synced-stamp

.PHONY: help install lab check lint format test notebooks nbval exercises model serve mlflow \
	pipeline bench docker-build docker-run compose-up monitoring-up compose-down clean

help: ## Lister les cibles
	@echo "mlops-course — cours MLOps exécutable"
	@echo
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/python -m pip install --quiet "uv==$(UV_VERSION)"

$(STAMP): pyproject.toml uv.lock | $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	$(UV) sync --locked
	@touch $@

install: $(STAMP) ## Installer l'environnement verrouillé (.venv) avec uv

lab: $(STAMP) ## Ouvrir JupyterLab (vos copies d'exercices sont dans mon-travail/)
	$(RUN) mlops-course workspace
	$(RUN) jupyter lab --ServerApp.root_dir=. --port=$(LAB_PORT) \
		$(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

check: $(STAMP) ## Tout vérifier : lint, tests, notebooks, sorties nbval, exercices synchronisés
	@rm -rf $(REPORTS) && mkdir -p $(REPORTS)
	@start=$$(date +%s); status=0; \
	for step in $(CHECK_STEPS); do \
		if $(MAKE) $$step PYTEST_ARGS="--junitxml=$(REPORTS)/$$step.xml"; then \
			touch $(REPORTS)/$$step.ok; \
		else \
			status=1; echo "make check: step '$$step' failed" >&2; break; \
		fi; \
	done; \
	$(RUN) mlops-course report --dir $(REPORTS) --seconds $$(( $$(date +%s) - start )) || status=1; \
	exit $$status

lint: $(STAMP) ## ruff sur le code et les notebooks ; notebooks sans sorties ; exercises/ à jour
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) nbstripout --verify notebooks/*.ipynb solutions/*.ipynb exercises/*.ipynb
	$(RUN) mlops-course format-notebooks --check
	$(RUN) mlops-course exercises --check

format: $(STAMP) ## Formater le code (ruff) et les notebooks (sans sorties, ids stables)
	$(RUN) ruff check --fix .
	$(RUN) ruff format .
	$(RUN) mlops-course format-notebooks

test: $(STAMP) ## Tests unitaires et d'intégration (pytest, avertissements = erreurs)
	$(RUN) pytest tests --ignore=tests/notebooks -n $(JOBS) -q $(PYTEST_ARGS)

notebooks: $(STAMP) ## Exécuter tous les notebooks avec papermill (copies dans build/executed)
	MLOPS_COURSE_FAST=$(FAST) $(RUN) pytest tests/notebooks -n $(JOBS) -q --durations=0 $(PYTEST_ARGS)

nbval: $(STAMP) ## Rejouer les notebooks de cours avec nbval et comparer les sorties taguées
	$(RUN) mlops-course nbval-prepare
	MLOPS_COURSE_FAST=$(FAST) $(RUN) pytest --nbval-lax build/nbval -n $(JOBS) --dist loadscope -q \
		$(PYTEST_ARGS)

exercises: $(STAMP) ## Régénérer exercises/ depuis solutions/
	$(RUN) mlops-course exercises

model: $(STAMP) ## Entraîner le pipeline : model/pipeline_v1.{joblib,onnx} + manifeste
	$(RUN) mlops-course model

serve: $(STAMP) ## Lancer l'API de prédiction (HOST=127.0.0.1 PORT=8000 par défaut)
	$(RUN) uvicorn mlops_course.api:app --host $(HOST) --port $(PORT)

MLFLOW_HOME = $(or $(MLOPS_COURSE_HOME),$(CURDIR))
mlflow: $(STAMP) ## Interface MLflow sur le store local (http://127.0.0.1:5000)
	@mkdir -p "$(MLFLOW_HOME)/mlruns/artifacts"
	@echo "MLflow UI: http://127.0.0.1:5000 (Ctrl+C to stop)"
	MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false $(RUN) mlflow server \
		--backend-store-uri "sqlite:///$(MLFLOW_HOME)/mlruns/mlflow.db" \
		--default-artifact-root "$(MLFLOW_HOME)/mlruns/artifacts" \
		--host 127.0.0.1 --port 5000 --workers 1

bench: $(STAMP) ## Benchmarks côte à côte (ONNX, API, drift, démarrage MLflow) : ratios, pas de seuils chronométrés
	$(RUN) python bench/bench_onnx.py
	$(RUN) python bench/bench_drift.py
	$(RUN) python bench/bench_api.py
	$(RUN) python bench/bench_mlflow_server.py

pipeline: $(STAMP) ## Capstone : entraîner, valider, promouvoir, servir, drift, réentraîner, rollback
	$(RUN) mlops-course pipeline

# Docker (chapitre 05) : il faut un moteur Docker. IMAGE est le tag de l'image de l'API.
IMAGE ?= mlops-course-api:0.1.0
COMPOSE := docker compose -f docker/docker-compose.yml

model/pipeline_v1.onnx: | $(STAMP)
	$(RUN) mlops-course model

docker-build: model/pipeline_v1.onnx ## Construire l'image de l'API (docker/Dockerfile), tag $(IMAGE)
	docker build -f docker/Dockerfile -t $(IMAGE) \
		--build-arg VCS_REF=$$(git rev-parse --short HEAD 2>/dev/null || echo unknown) .

docker-run: ## Lancer l'image de l'API sur http://127.0.0.1:$(PORT) (Ctrl+C pour arrêter)
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
