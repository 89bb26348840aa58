# Percept: two commands on a fresh Debian machine: `make demo` and `make test`.
SWIFT        ?= swift
# AVX2 + FMA code for the hot loops (portable to any x86-64-v3 CPU).
ARCH_FLAGS   ?= -Xcc -march=x86-64-v3
RELEASE      = $(SWIFT) build -c release $(ARCH_FLAGS)
BIN          = .build/release/percept
APT_PACKAGES = libfftw3-dev libsndfile1-dev libpng-dev libopenblas-dev libsoxr-dev zlib1g-dev pkg-config python3-numpy
DEMO_OUT    ?= out/demo

.PHONY: deps build release test demo parity clean bench

# Installs missing system packages when run as root; otherwise prints the exact command and stops.
deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	  else \
	    echo "Missing system packages. Install them with:"; \
	    echo "  sudo apt-get install -y $$missing"; \
	    exit 1; \
	  fi; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(RELEASE)

# The whole test suite (XCTest; Swift Testing disabled so the last summary line counts real tests).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing

# Parity of `percept extract` with librosa / OpenCV / scikit-image (needs ../shared/checks).
parity: release
	PERCEPT=$(BIN) ../shared/checks/extract-parity $(PARITY_ARGS)

# Percept against librosa, torchaudio, OpenCV, scikit-image, albumentations, audiomentations and
# PyTorch (docs/benchmarks.md); `make bench ONLY=hog` runs one workload. Creates .venv-bench/ on first use.
bench: deps
	ONLY="$(ONLY)" SWIFT="$(SWIFT)" ARCH_FLAGS="$(ARCH_FLAGS)" bash Benchmarks/run.sh

demo: release
	@echo "== percept info over Samples/"
	@find Samples -type f \( -name '*.wav' -o -name '*.png' -o -name '*.gz' -o -name '*.npy' \) | sort | xargs $(BIN) info
	@echo
	@echo "demo outputs are in $(DEMO_OUT)/"

clean:
	rm -rf .build out
