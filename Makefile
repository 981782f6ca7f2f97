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

.PHONY: setup build run test bench eval clean

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

# Accuracy on the shared data (embeddings cached under out/eval, so a re-run is quick), then the
# README's Accuracy section rewritten from the reports. VISAGE_DATA tells visage where the data is.
eval: build
	VISAGE_DATA=$(DATA) .build/release/visage eval verification --protocol cfp-ff --output $(OUT)/eval/cfp-ff
	VISAGE_DATA=$(DATA) .build/release/visage eval verification --protocol cfp-fp --output $(OUT)/eval/cfp-fp
	.build/release/visage eval verification --pairs-csv $(DATA)/pairs-deepface/pairs.csv --images $(DATA)/pairs-deepface/images --output $(OUT)/eval/pairs-deepface
	.build/release/visage eval age-gender --utkface $(DATA)/utkface --output $(OUT)/eval/age-gender
	.build/release/visage eval detection --voc $(DATA)/mask-boxes --output $(OUT)/eval/detection
	.build/release/visage eval expression --fer $(DATA)/fer2013/publictest --output $(OUT)/eval/expression
	.build/release/visage eval readme --reports $(OUT)/eval --readme README.md --plots docs/eval

clean:
	rm -rf .build $(OUT)
