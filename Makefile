# anthropic-local: the two commands a user needs are `make run` and `make test`; both install what
# is missing first (scripts/install-deps), so a fresh Debian 12 machine needs nothing else.
SHELL := /bin/bash
BUILD := build
ASAN_BUILD := build/asan
JOBS ?= $(shell nproc)
CTEST_JOBS ?= $(JOBS)
MODEL ?=
DEFAULT_MODEL := $(BUILD)/models/default-qwen3-q8_0.gguf
ARGS ?=
BENCH_ARGS ?=

.PHONY: all deps build build-asan run test test-all bench format clean

all: build

deps:
	@scripts/install-deps

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DAL_UNIT_TESTS=OFF

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DAL_SANITIZE=ON

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# The sanitizer build holds only what the unit tests need.
build-asan: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target unit_tests

# Serves MODEL (or --model in ARGS); with neither, a small test model written at build time.
run: build
	@if [[ -n "$(MODEL)" ]]; then \
	  exec $(BUILD)/anthropic-local serve --model "$(MODEL)" $(ARGS); \
	else \
	  scripts/default-model $(DEFAULT_MODEL) && \
	  exec $(BUILD)/anthropic-local serve --model $(DEFAULT_MODEL) $(ARGS); \
	fi

# Unit tests under AddressSanitizer + UBSan, then the differential and end-to-end suites against
# the optimised binary. Suites labelled `slow` run only in test-all.
test: build build-asan
	ctest --test-dir $(ASAN_BUILD) -L unit -j $(CTEST_JOBS) --output-on-failure
	ctest --test-dir $(BUILD) -LE 'unit|slow' -j $(CTEST_JOBS) --output-on-failure

test-all: build build-asan
	ctest --test-dir $(ASAN_BUILD) -L unit -j $(CTEST_JOBS) --output-on-failure
	ctest --test-dir $(BUILD) -LE unit -j $(CTEST_JOBS) --output-on-failure

bench: build
	cmake --build $(BUILD) -j $(JOBS) --target bench_kernels
	scripts/bench $(BENCH_ARGS)

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
