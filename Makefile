# Thin wrapper: every target installs missing Debian packages first (as root, via apt-get).
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: all deps configure build demo test clean

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

clean:
	rm -rf $(BUILD_DIR)

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
