# Visage: `make run` sets up, builds and analyses the bundled group photo; `make test` sets up and tests.
SHELL := /bin/bash
VISAGE_HOME ?= $(HOME)/.cache/visage
export VISAGE_HOME
DATA ?= $(abspath ../shared/data)
OUT ?= out
SAMPLE := $(VISAGE_HOME)/samples/t1.jpg
# A folder of real photos for `make bench`: the deepface pairs when the shared data is there.
BENCH_DIR ?= $(if $(wildcard $(DATA)/pairs-deepface/images),$(DATA)/pairs-deepface/images,$(VISAGE_HOME)/samples)
BENCH_THREADS ?= 2

.PHONY: setup build run test bench clean

setup:
	scripts/setup

build: setup
	swift build -c release --product visage
	@echo "binary: .build/release/visage"

run: build
	@mkdir -p $(OUT)
	.build/release/visage analyze --annotate $(OUT) $(SAMPLE)

test: setup
	swift build --build-tests
	swift test --skip-build --parallel --num-workers 2

bench: build
	bench/setup-reference
	@mkdir -p $(OUT)
	$(VISAGE_HOME)/bench-venv/bin/python bench/reference.py --json --threads $(BENCH_THREADS) $(BENCH_DIR) | tail -n 1 > $(OUT)/reference.json
	.build/release/visage bench --threads $(BENCH_THREADS) --reference $(OUT)/reference.json $(BENCH_DIR)

clean:
	rm -rf .build $(OUT)
