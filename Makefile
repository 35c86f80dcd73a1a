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
# Vietnamese letters); libharfbuzz-subset0 makes font subsetting 7.5x faster.
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-croscore \
                fonts-liberation2 fonts-dejavu-core libicu-dev pkg-config g++ poppler-utils

.PHONY: dossier test validate rate schema system-deps venv clean help bench year watch
.DEFAULT_GOAL := help

help:
	@echo "make dossier UNIT=<đơn vị> [PERIOD=Q1|Q2|Q3]  – dựng toàn bộ tài liệu của một đơn vị"
	@echo "make validate UNIT=<đơn vị>                   – chỉ kiểm tra dữ liệu"
	@echo "make rate UNIT=<đơn vị>                       – in kết quả xếp loại"
	@echo "make test                                     – chạy toàn bộ kiểm thử"
	@echo "make watch [INBOX=inbox]                      – theo dõi thư mục thả tệp, tự dựng tài liệu"

# Stamp files make the set-up run once, and again only when pyproject.toml changes.
$(VENV)/.system-deps:
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

$(VENV)/.python-deps: pyproject.toml $(VENV)/.system-deps
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Cài thư viện Python / installing Python packages into $(VENV) …"
	@$(PY) -m pip install -q --upgrade pip >/dev/null
	@$(PY) -m pip install -q -e '.[test,speedups]' || { echo "LỖI: không cài được thư viện Python (xem thông báo ở trên)"; exit 1; }
	@touch $@

# Compiled WeasyPrint (pipeline/compat/speedups.py): ~20 % faster PDFs, same bytes. Optional – without
# a C compiler or the Python headers it says why and the pipeline runs on the pure-Python modules.
# Built again when its module list changes.
$(VENV)/.speedups: $(VENV)/.python-deps pipeline/compat/speedups.py
	@echo "Biên dịch WeasyPrint / compiling WeasyPrint's layout modules (once, ~2–3 min) …"
	@$(PY) -m pipeline.compat.speedups build 2>/dev/null | tail -n 1 || true
	@touch $@

venv: $(VENV)/.python-deps $(VENV)/.speedups
system-deps: $(VENV)/.system-deps

dossier: venv
	$(PY) -m pipeline dossier $(UNIT) $(if $(PERIOD),--period $(PERIOD))

watch: venv
	$(PY) -m pipeline watch $(INBOX) $(if $(PERIOD),--period $(PERIOD))

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
