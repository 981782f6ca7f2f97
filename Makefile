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
# LFW's images folder (<name>/<name>_0001.jpg), extracted from umass-vis-lfw/umass-vis-lfw.github.io
# (docs/evaluation.md); `make eval` measures LFW only when it is there.
LFW ?= /tmp/lfw/images_deepfunneled

.PHONY: setup test-deps build run test bench bench-process eval clean serve load hostile schemathesis

setup:
	scripts/setup

build: setup
	swift build -c release --product visage
	@echo "binary: .build/release/visage"

run: build
	@mkdir -p $(OUT)
	.build/release/visage analyze --annotate $(OUT) $(SAMPLE)

# Chromium from Debian for the web page's browser test (it skips, saying so, when Chromium is absent).
test-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium) \
	      || echo "could not install chromium: the browser test will skip"; \
	  else echo "chromium is not installed (apt-get install chromium): the browser test will skip"; fi; }

# schemathesis runs before the test suite so that swift test's summary is the last line.
# scripts/test-postgres installs and starts PostgreSQL on loopback (as root) and prints its URL,
# against which the gallery suite runs a second time; a URL already set is used as it is.
test: setup test-deps
	swift build --build-tests
	bench/serve-schemathesis
	url="$${VISAGE_TEST_POSTGRES_URL:-$$(scripts/test-postgres)}" && \
	  VISAGE_TEST_POSTGRES_URL="$$url" swift test --skip-build --parallel --num-workers 2

# The reference runs one image at a time on BENCH_THREADS threads (every core); Visage runs with
# its defaults, two images in flight with the cores divided among them (VISAGE_BENCH_FLAGS to
# change that, e.g. --threads 2 or --concurrency 1).
bench: build
	bench/setup-reference
	@mkdir -p $(OUT)
	$(VISAGE_HOME)/bench-venv/bin/python bench/reference.py --json --threads $(BENCH_THREADS) $(BENCH_DIR) | tail -n 1 > $(OUT)/reference.json
	.build/release/visage bench $(VISAGE_BENCH_FLAGS) --reference $(OUT)/reference.json $(BENCH_DIR)

# Whole process as a user runs it: `visage analyze --json --attributes …` against bench/reference.py
# on the same files and work (200 held-out UTKFace crops, the pairs-deepface photos), process start
# and model loading included, in alternating rounds (bench/whole-process). The binary is copied
# first so that a rebuild during the rounds cannot change it.
bench-process: build
	bench/setup-reference
	@mkdir -p $(OUT)
	cp .build/release/visage $(OUT)/visage-bench
	bench/whole-process --visage $(OUT)/visage-bench --data $(DATA) --json $(OUT)/whole-process.json

# Accuracy on the shared data (embeddings cached under out/eval, so a re-run is quick), then the
# README's Accuracy section rewritten from the reports. VISAGE_DATA tells visage where the data is.
eval: build
	VISAGE_DATA=$(DATA) .build/release/visage eval verification --protocol cfp-ff --output $(OUT)/eval/cfp-ff
	VISAGE_DATA=$(DATA) .build/release/visage eval verification --protocol cfp-fp --output $(OUT)/eval/cfp-fp
	if [ -d "$(LFW)" ]; then .build/release/visage eval verification --protocol lfw $(LFW) --pairs $(DATA)/protocols/lfw_pairs.txt --output $(OUT)/eval/lfw; fi
	.build/release/visage eval verification --pairs-csv $(DATA)/pairs-deepface/pairs.csv --images $(DATA)/pairs-deepface/images --output $(OUT)/eval/pairs-deepface
	.build/release/visage eval age-gender --utkface $(DATA)/utkface --output $(OUT)/eval/age-gender
	.build/release/visage eval demographics --utkface $(DATA)/utkface --output $(OUT)/eval/demographics
	@mkdir -p $(OUT)/utkface-heads
	for a in gender age race; do .build/release/visage train-head --utkface $(DATA)/utkface --attribute $$a \
	  --out $(OUT)/utkface-heads/utkface-$$a.json --embeddings-cache $(OUT)/utkface-heads/embeddings.tsv || exit 1; done
	.build/release/visage eval age-gender --utkface $(DATA)/utkface --part held-out --output $(OUT)/eval/age-gender-held-out \
	  --head-gender $(OUT)/utkface-heads/utkface-gender.json --head-age $(OUT)/utkface-heads/utkface-age.json --head-race $(OUT)/utkface-heads/utkface-race.json
	.build/release/visage eval detection --voc $(DATA)/mask-boxes --output $(OUT)/eval/detection
	.build/release/visage eval expression --fer $(DATA)/fer2013/publictest --output $(OUT)/eval/expression
	.build/release/visage eval head --folders $(DATA)/masks --output $(OUT)/eval/head-masks
	.build/release/visage eval attributes --celeba $(DATA)/celeba-attributes --output $(OUT)/eval/attributes
	.build/release/visage eval readme --reports $(OUT)/eval --readme README.md --plots docs/eval

# The service under load: 200 connections on /v1/analyze for 30 s (wrk from Debian).
load: build
	bench/serve-load

# Hostile clients on loopback: 1,000 slow uploads, 20,000 idle connections, 100 large bodies
# written before reading; fails when memory passes 2 GB or /v1/health misses 1 s (bench/hostile.py).
hostile: build
	BIN=.build/release/visage bench/hostile.py

# schemathesis against the service's /openapi.json on loopback: no 500s, responses match the document.
schemathesis:
	swift build --product visage
	bench/serve-schemathesis

clean:
	rm -rf .build $(OUT)
