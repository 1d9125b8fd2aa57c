# Two commands do everything: `make demo` and `make test`.
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed
APT   := fonts-liberation2 poppler-utils fontconfig libreoffice-writer-nogui libreoffice-calc-nogui

.PHONY: setup system-deps demo seeds test golden lab clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@dpkg -s $(APT) >/dev/null 2>&1 || $(MAKE) system-deps
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name kehoach --display-name "Python 3 (kehoach_nb)" >/dev/null
	touch $(STAMP)

# Debian packages: the Times-metric font with Vietnamese glyphs (Typst embeds it in the PDF),
# poppler for the PDF checks in the tests, LibreOffice Writer (headless) to check the Word files.
system-deps:
	@if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(APT) >/dev/null

demo: $(STAMP)
	$(VENV)/bin/kehoach run --dataset params/demo --rollup

seeds: $(STAMP)
	-$(VENV)/bin/kehoach run --dataset params/seeds

test: $(STAMP)
	$(VENV)/bin/pytest -q

# Update golden files after a deliberate change; review the diff with `git diff tests/`.
golden: $(STAMP)
	$(VENV)/bin/pytest -q tests/test_golden.py --snapshot-update

lab: $(STAMP)
	$(VENV)/bin/kehoach lab --dataset params/demo

clean:
	rm -rf $(VENV) outputs/*/ *.egg-info
