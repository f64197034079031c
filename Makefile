# Thin wrapper: every target installs missing Debian packages first (as root, via apt-get).
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
# WERROR=ON turns every compiler warning into an error (CI builds everything that way).
WERROR ?= OFF
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo -DANCHOR_WERROR=$(WERROR)

.PHONY: all deps configure build demo test sanitize fuzz check-style clean mixin build-matrix

all: build

deps:
	@bash .ci/install-deps

configure: deps
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) -DANCHOR_BUILD_TESTS=ON

build: configure
	cmake --build $(BUILD_DIR) -j$(JOBS)

# Runs the exporter against its embedded, simulated Anchor API: http://localhost:9877/metrics
demo: configure
	cmake --build $(BUILD_DIR) -j$(JOBS) --target anchorbrowser_exporter
	./$(BUILD_DIR)/anchorbrowser_exporter --demo

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)

# The whole Catch2 suite built with AddressSanitizer and UndefinedBehaviorSanitizer (build-asan).
# clang by default: it builds twice as fast as g++ here and its UBSan checks more.
SANITIZE_CXX ?= clang++
sanitize:
	@bash .ci/install-deps .ci/deps.txt .ci/deps-clang.txt
	cmake -S . -B build-asan $(CMAKE_FLAGS) -DCMAKE_CXX_COMPILER=$(SANITIZE_CXX) \
	  -DANCHOR_BUILD_TESTS=ON -DANCHOR_SANITIZE=ON
	cmake --build build-asan -j$(JOBS)
	cd build-asan && UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j$(JOBS)

# Release, the Dockerfile's build type, under g++ (every target, tests and benchmarks included)
# and clang++ (the exporter: clang's Release warnings on tests add little to `make sanitize`'s
# clang++ build of everything), warnings as errors: the optimiser reports warnings
# (-Wmaybe-uninitialized) that RelWithDebInfo builds do not. With `make build` (RelWithDebInfo,
# g++) and `make sanitize` (RelWithDebInfo, clang++) CI thus builds both types under both
# compilers. Build only: the suite runs in `make test` and `make sanitize`.
# Each entry is TYPE:COMPILER[:TARGET] (no TARGET: all).
MATRIX ?= Release:g++ Release:clang++:anchorbrowser_exporter
build-matrix:
	@bash .ci/install-deps .ci/deps.txt .ci/deps-clang.txt bench/deps.txt
	@set -e; for m in $(MATRIX); do \
	  type=$$(echo $$m | cut -d: -f1); cxx=$$(echo $$m | cut -d: -f2); \
	  target=$$(echo $$m | cut -d: -f3); dir=build-$$type-$$cxx; \
	  echo "== $$type $$cxx $${target:-all} ($$dir)"; \
	  cmake -S . -B $$dir -DCMAKE_BUILD_TYPE=$$type -DCMAKE_CXX_COMPILER=$$cxx -DANCHOR_WERROR=ON \
	    -DANCHOR_BUILD_TESTS=ON -DANCHOR_BUILD_BENCH=ON >/dev/null; \
	  cmake --build $$dir -j$(JOBS) $${target:+--target $$target}; \
	done

# The libFuzzer targets (clang, build-fuzz), FUZZ_SECONDS each (default 60), two at a time.
fuzz:
	@bash .ci/install-deps .ci/deps.txt .ci/deps-clang.txt
	ANCHOR_WERROR=$(WERROR) bash fuzz/run.sh

# clang-format (no diff allowed) and clang-tidy (.clang-tidy's checks, zero findings).
check-style: configure
	@bash .ci/install-deps .ci/deps.txt .ci/deps-style.txt
	bash .ci/check-style $(BUILD_DIR)

# Regenerates the dashboard JSON and the rule files of dashboards/, and the PrometheusRule of
# deploy/kubernetes, from dashboards/mixin.
mixin: deps
	python3 dashboards/mixin/render.py dashboards
	python3 dashboards/mixin/render.py --prometheus-rule deploy/kubernetes/base/prometheusrule.yaml

clean:
	rm -rf $(BUILD_DIR) build-asan build-fuzz build-Release-* build-RelWithDebInfo-*

# --- Benchmarks (bench/README.md) ---
# `make bench` writes bench/results.md (a few minutes); `make bench-quick` is the CI smoke run.
.PHONY: bench bench-quick bench-build
bench-build: deps
	@bash .ci/install-deps bench/deps.txt
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) -DANCHOR_BUILD_TESTS=ON -DANCHOR_BUILD_BENCH=ON
	cmake --build $(BUILD_DIR) -j$(JOBS)

bench: bench-build
	bash bench/run.sh --build-dir $(BUILD_DIR)

bench-quick: bench-build
	bash bench/run.sh --quick --build-dir $(BUILD_DIR)
