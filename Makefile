# Two commands for everyone: `make lab` to learn, `make test` to check it all.
# Both create .venv on a fresh machine and install the package with its extras.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SITE_STAMP := $(VENV)/.site-stamp
CHROMIUM ?= /usr/bin/chromium

.PHONY: lab test test-fast test-pythons notebooks setup clean binder-link site

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)

# What the website needs (the [site] extra: Sphinx, myst-nb, the book theme, jieba).
$(SITE_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[site]'
	@touch $(SITE_STAMP)

# Writes (or updates) your own copy of the course in my-notebooks/ -- exercises to do,
# notebooks you changed kept -- and opens JupyterLab there. Chinese: ECHO_LESSON_LANG=zh make lab
lab: setup
	$(BIN)/python -m echo_lesson lab

# Every test and every notebook (nbval, strict). The browser tests need Debian's chromium;
# without it they are left out, and this says so loudly.
test: setup $(SITE_STAMP)
	@if [ -x $(CHROMIUM) ]; then \
		$(BIN)/python -m pytest --nbval tests notebooks; \
	else \
		echo "*** $(CHROMIUM) not found: the browser tests of the widgets are NOT run."; \
		echo "*** Install it (Debian/Ubuntu: sudo apt-get install chromium) to run them."; \
		$(BIN)/python -m pytest --nbval -m "not browser" tests notebooks; \
	fi

# Package tests only, no notebooks, no browser: the quick loop while coding.
test-fast: setup
	$(BIN)/python -m pytest -m "not browser and not site" tests

# The fast tests (servers, faults, CLI, protocol) on every Python from 3.10 to 3.13 found
# here (noxfile.py; a missing one is skipped and named). `nox -s tests-3.12`: just one.
test-pythons: setup
	$(BIN)/python -m nox

# Re-run every notebook in place so its stored outputs are what a learner gets now.
notebooks: setup
	$(BIN)/python tools/run_notebooks.py notebooks/*.ipynb notebooks/zh/*.ipynb

# The course as a website, both editions, from the notebooks as stored (nothing re-run):
# _build/html/index.html (English) and _build/html/zh/ (Chinese). website/build.py; the
# widget manager comes from the npm registry once (kept in _build/npm/), then offline.
site: $(SITE_STAMP)
	$(BIN)/python website/build.py _build/html

# The Binder launch badge for this clone's GitHub remote (for the README, once published).
binder-link:
	@$(PYTHON) tools/binder_link.py

clean:
	rm -rf $(VENV) test-artifacts .hypothesis _build
