# Hồ sơ kiểm điểm – the two commands a user needs:
#   make dossier UNIT=xa-lung-phinh     build one unit's documents
#   make test                           run the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UNIT ?= xa-lung-phinh
PERIOD ?=
YEAR ?=
# Debian packages the PDF writer and the tests need. Not fonts-liberation (1.x lacks 92
# Vietnamese letters); libharfbuzz-subset0 makes font subsetting 7.5x faster; poppler-utils
# (pdftoppm) draws the web page's PDF previews; chromium is the browser the web page's tests
# drive (Playwright uses it as it is: no browser is downloaded); LibreOffice Writer lays out every
# DOCX in the tests as an office without Word would, to find split signatures and stranded headings.
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-croscore \
                fonts-liberation2 fonts-dejavu-core libicu-dev pkg-config g++ poppler-utils chromium \
                libreoffice-writer-nogui

.PHONY: dossier test validate rate schema system-deps venv clean help bench year watch serve lock
.DEFAULT_GOAL := help

help:
	@echo "make dossier UNIT=<đơn vị> [PERIOD=Q1|Q2|Q3]  – dựng toàn bộ tài liệu của một đơn vị"
	@echo "make validate UNIT=<đơn vị>                   – chỉ kiểm tra dữ liệu"
	@echo "make rate UNIT=<đơn vị>                       – in kết quả xếp loại"
	@echo "make test                                     – chạy toàn bộ kiểm thử"
	@echo "make watch [INBOX=inbox]                      – theo dõi thư mục thả tệp, tự dựng tài liệu"
	@echo "make serve [PORT=8080] [HOST=127.0.0.1]       – mở trang web của văn phòng trên máy này"

# Stamp files make the set-up run once, and again only when the lock file changes.
$(VENV)/.system-deps: Makefile
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Cài gói hệ thống / installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null \
	      || { echo "LỖI: không cài được$$missing. Hãy chạy: sudo apt-get install$$missing"; exit 1; }; \
	  else \
	    echo "LỖI: thiếu gói hệ thống / missing system packages:$$missing"; \
	    echo "Hãy chạy / please run:  sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi
	@mkdir -p $(VENV) && touch $@

# Every Python package at the version and with the hashes of requirements.lock (the whole tree,
# tested together), then the pipeline itself without resolving anything again.
$(VENV)/.python-deps: requirements.lock pyproject.toml $(VENV)/.system-deps
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Cài thư viện Python / installing Python packages into $(VENV) …"
	@$(PY) -m pip install -q --require-hashes --no-deps -r requirements.lock \
	  || { echo "LỖI: không cài được thư viện Python (xem thông báo ở trên)"; exit 1; }
	@$(PY) -m pip install -q --no-deps --no-build-isolation -e . >/dev/null \
	  || { echo "LỖI: không cài được công cụ (pip install -e .)"; exit 1; }
	@touch $@

# Refresh requirements.lock after changing the pins in pyproject.toml: resolves the newest
# versions pyproject.toml allows and records every package's hashes (needs the network).
# Then: make test, and commit both files.
lock:
	@rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv && .lock-venv/bin/pip install -q pip-tools==7.7.0
	@.lock-venv/bin/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --extra test --extra speedups \
	  --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	@rm -rf .lock-venv
	@echo "✓ requirements.lock"

# Compiled WeasyPrint (pipeline/compat/speedups.py): faster PDFs, same bytes. Optional – without a
# C compiler or the Python headers it says why and the pipeline runs on the pure-Python modules;
# a failed build shows the compiler's last lines and is tried again at the next make. Built
# again when its module list or the locked library versions change.
$(VENV)/.speedups: $(VENV)/.python-deps pipeline/compat/speedups.py
	@echo "Biên dịch WeasyPrint / compiling WeasyPrint's layout modules (once, ~2–3 min) …"
	@if $(PY) -m pipeline.compat build; then touch $@; fi

venv: $(VENV)/.python-deps $(VENV)/.speedups
system-deps: $(VENV)/.system-deps

dossier: venv
	$(PY) -m pipeline dossier $(UNIT) $(if $(PERIOD),--period $(PERIOD))

watch: venv
	$(PY) -m pipeline watch $(INBOX) $(if $(PERIOD),--period $(PERIOD))

# The office's web page (pipeline/serve/): the same intake, queue and publishing as the drop folder.
serve: venv
	$(PY) -m pipeline serve $(if $(PORT),--port $(PORT)) $(if $(HOST),--host $(HOST)) \
	  $(if $(INBOX),--inbox $(INBOX)) $(if $(PERIOD),--period $(PERIOD))

validate: venv
	$(PY) -m pipeline validate $(UNIT)

rate: venv
	$(PY) -m pipeline rate $(UNIT)

schema: venv
	$(PY) -m pipeline schema

test: venv
	$(PY) -m pytest

year: venv
	$(PY) -m pipeline year $(or $(YEAR),2025) $(if $(JOBS),--jobs $(JOBS)) $(if $(SHARD),--shard $(SHARD))

bench: venv
	$(PY) bench/run.py

clean:
	rm -rf output
