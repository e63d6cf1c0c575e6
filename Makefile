# The course's commands. `make lab` opens the course, `make test` runs every test.
# Both create the virtual environment in .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TORCH_INDEX ?=
PIP_EXTRA := $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX),)

.PHONY: help venv lab lab-instructor test lint results book bench release check-bundle grade clean

help:
	@echo "make lab      create .venv if needed and open the course in JupyterLab"
	@echo "make lab-instructor  the same with nbgrader's tools (formgrader, Create Assignment)"
	@echo "make test     create .venv if needed and run every test (small budget)"
	@echo "make results  run every notebook at the full setting; writes results/RESULTS.md"
	@echo "make book     execute every notebook (full setting) and build the website in build/book/html"
	@echo "make bench    run the benchmarks in bench/"
	@echo "make release  the student bundle in release/ (NB=01 for one notebook)"
	@echo "make check-bundle  release into a temp folder, fresh venv from its requirements, run every notebook"
	@echo "make grade SUBMISSIONS=dir   autograde submissions (one folder per student)"

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt requirements-book.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed; run: make PYTHON=python3.11 ...")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade --quiet pip
	$(PY) -m pip install --quiet $(PIP_EXTRA) -r requirements.txt -r requirements-dev.txt -r requirements-book.txt
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name nn-course --display-name "Python 3 (nn-course)" >/dev/null
	touch $(STAMP)

# Root (containers, cloud VMs) needs --allow-root; LAB_ARGS passes more, e.g. --no-browser.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)
# Students get a plain JupyterLab: nbgrader's lab and server extensions (formgrader, the
# Create Assignment toolbar) are switched off by the config in tools/jupyter/student.
STUDENT_JUPYTER := JUPYTER_CONFIG_PATH="$(CURDIR)/tools/jupyter/student"
lab: $(STAMP)
	$(STUDENT_JUPYTER) $(VENV)/bin/jupyter lab --notebook-dir=notebooks $(ALLOW_ROOT) $(LAB_ARGS)

lab-instructor: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=. $(ALLOW_ROOT) $(LAB_ARGS)

test: $(STAMP)
	$(PY) tools/run_tests.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .

results: $(STAMP)
	$(PY) tools/run_results.py $(NB)

# BUDGET=small builds from small-budget runs (minutes instead of about an hour).
book: $(STAMP)
	$(PY) tools/book.py $(if $(filter small,$(BUDGET)),--small,)

bench: $(STAMP)
	@for f in $(filter-out bench/word2vec_gensim.py,$(wildcard bench/*.py)); do \
		echo "== $$f"; $(PY) $$f || exit 1; done
	@echo "(the gensim reference runs in its own environment: make bench-word2vec)"

release: $(STAMP)
	$(PY) -m tools.grading release $(if $(NB),--nb $(NB),)

# The bundle in a fresh venv (pip's configuration decides the package source; PIP_ARGS adds
# e.g. --extra-index-url https://download.pytorch.org/whl/cpu). Not in `make test`: it
# installs every package and runs every notebook.
check-bundle: $(STAMP)
	$(PY) -m tools.grading.check_bundle $(if $(NB),--nb $(NB),) $(if $(PIP_ARGS),--pip-args="$(PIP_ARGS)",)

grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=dir [NB=01] [TIMEOUT=60] [WALL=1800] [BUDGET=full]"; exit 2; }
	$(PY) -m tools.grading grade "$(SUBMISSIONS)" $(if $(NB),--nb $(NB),) $(if $(TIMEOUT),--timeout $(TIMEOUT),) $(if $(WALL),--wall $(WALL),) $(if $(BUDGET),--budget $(BUDGET),)

clean:
	rm -rf $(VENV) release nbgrader_course .pytest_cache

# The word2vec reference of notebook 17: gensim 4.3.3 needs NumPy < 2, so it gets its own venv.
GENSIM_VENV := .venv-gensim
GENSIM_PINS := gensim==4.3.3 numpy==1.26.4 scipy==1.13.1 smart_open==7.1.0 wrapt==1.17.2 \
	tqdm==4.70.1 pooch==1.9.0 requests==2.34.2
.PHONY: bench-word2vec
bench-word2vec:
	test -x $(GENSIM_VENV)/bin/python || $(PYTHON) -m venv $(GENSIM_VENV)
	$(GENSIM_VENV)/bin/python -m pip install --quiet --only-binary=:all: $(GENSIM_PINS)
	$(GENSIM_VENV)/bin/python bench/word2vec_gensim.py $(BENCH_ARGS)
