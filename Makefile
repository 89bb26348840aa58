# Percept: two commands on a fresh Debian machine: `make demo` and `make test`.
SWIFT        ?= swift
# AVX2 + FMA code for the hot loops (portable to any x86-64-v3 CPU).
ARCH_FLAGS   ?= -Xcc -march=x86-64-v3
# The Swift runtime and Foundation linked into the binary: `percept` runs without the toolchain
# installed, and starts in ~10 ms instead of ~20 (docs/benchmarks.md). SWIFT_LINK= links them dynamically.
SWIFT_LINK   ?= --static-swift-stdlib
RELEASE      = $(SWIFT) build -c release $(ARCH_FLAGS) $(SWIFT_LINK)
BIN          = .build/release/percept
APT_PACKAGES = libfftw3-dev libsndfile1-dev libpng-dev libopenblas-dev libsoxr-dev zlib1g-dev libfreetype-dev fonts-dejavu-core pkg-config python3-numpy
# Optional: Open MPI for data-parallel training (`mpirun -np K percept run`, docs/scale-out.md).
# Installed with the rest when run as root; without it everything else builds and its tests skip.
MPI_PACKAGES = libopenmpi-dev openmpi-bin
DEMO_OUT    ?= out/demo
# `make install`: $(DESTDIR)$(PREFIX)/bin/percept (DESTDIR stages a package tree).
PREFIX      ?= /usr/local
BINDIR       = $(DESTDIR)$(PREFIX)/bin

.PHONY: deps build release install uninstall test demo parity clean bench docs check-venv check-tensorboard fuzz fuzz-build sanitize sanitize-asan sanitize-tsan

# Installs missing system packages when run as root; otherwise prints the exact command and stops
# (a missing optional MPI is a note, not a stop).
deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	optional=$$(for p in $(MPI_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ "$$(id -u)" = 0 ] && [ -n "$$missing$$optional" ]; then \
	  echo "Installing:" $$missing $$optional; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing $$optional >/dev/null || exit 1; \
	elif [ -n "$$missing" ]; then \
	  echo "Missing system packages. Install them with:"; \
	  echo "  sudo apt-get install -y" $$missing $$optional; \
	  exit 1; \
	elif [ -n "$$optional" ]; then \
	  echo "note: Open MPI is not installed, so mpirun -np K percept run cannot train data-parallel (sudo apt-get install -y" $$optional "then make release)"; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(RELEASE)
	@echo "percept: $(BIN)"

# The release binary, copied (the Swift runtime is linked in; the native libraries of `make deps` must be installed).
install: release
	install -d "$(BINDIR)"
	install -m 755 $(BIN) "$(BINDIR)/percept"
	@echo "percept: installed $(BINDIR)/percept"

uninstall:
	rm -f "$(BINDIR)/percept"

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
	ONLY="$(ONLY)" SWIFT="$(SWIFT)" ARCH_FLAGS="$(ARCH_FLAGS) $(SWIFT_LINK)" bash Benchmarks/run.sh

demo: release
	@rm -rf $(DEMO_OUT) && mkdir -p $(DEMO_OUT)
	@echo "== percept info: one file of each kind ($$(find Samples -type f | wc -l) files under Samples/)"
	@$(BIN) info Samples/spoken/3/en+f1_200_80.wav Samples/images/camera.png Samples/mnist/t10k-images-idx3-ubyte.gz
	@echo
	@echo "== audio: log-mel spectrogram (64 mels, dB) of a spoken 'three'"
	$(BIN) extract melspectrogram Samples/spoken/3/en+f1_200_80.wav -o $(DEMO_OUT)/three-logmel.npy --n-mels 64 --n-fft 512 --hop-length 160 --db --png $(DEMO_OUT)/three-logmel.png
	@$(BIN) info $(DEMO_OUT)/three-logmel.npy
	@echo "== audio: MFCCs with deltas of the same clip (each coefficient on its own colour scale)"
	$(BIN) extract mfcc Samples/spoken/3/en+f1_200_80.wav -o $(DEMO_OUT)/three-mfcc.npy --n-mfcc 13 --deltas 2 --n-fft 512 --hop-length 160 --png $(DEMO_OUT)/three-mfcc.png
	@echo "== audio: MFCCs of every spoken digit (directory mode, parallel)"
	$(BIN) extract mfcc Samples/spoken -o $(DEMO_OUT)/mfcc --n-mfcc 13
	@echo "== vision: the image, Sobel gx and its transpose gy; then the magnitude alone"
	$(BIN) extract sobel Samples/images/camera.png -o $(DEMO_OUT)/camera-sobel.npy --png $(DEMO_OUT)/camera-sobel.png
	$(BIN) extract sobel Samples/images/camera.png -o $(DEMO_OUT)/camera-sobel-magnitude.npy --mode magnitude --png $(DEMO_OUT)/camera-sobel-magnitude.png
	@echo "== vision: HoG (scikit-image semantics) with its glyph picture, on a photo and on an 8 × 8 digit"
	$(BIN) extract hog Samples/images/astronaut.png -o $(DEMO_OUT)/astronaut-hog.npy --pixels-per-cell 16 --cells-per-block 2 --png $(DEMO_OUT)/astronaut-hog.png
	$(BIN) extract hog Samples/digits/3/0003.png -o $(DEMO_OUT)/digit-hog.npy --pixels-per-cell 4 --cells-per-block 1 --png $(DEMO_OUT)/digit-hog.png
	@echo "== vision: 4-level Gaussian pyramid (cv2.pyrDown)"
	$(BIN) extract pyramid Samples/images/coffee.png -o $(DEMO_OUT)/coffee-pyramid.npz --levels 4 --png $(DEMO_OUT)/coffee-pyramid.png
	@echo "== augmentation: 6 seeded variants of a photo and a digit, with contact sheets"
	$(BIN) augment Samples/images/camera.png Samples/digits/3/0003.png -o $(DEMO_OUT)/augment-images --config Pipelines/augment/digits.yaml --copies 6 --seed 1
	@echo "== augmentation: 6 colour variants of a photo (flip, resized crop, colour jitter with hue)"
	$(BIN) augment Samples/images/coffee.png -o $(DEMO_OUT)/augment-photo --config Pipelines/augment/photos.yaml --copies 6 --seed 2
	@echo "== augmentation: 4 variants of a spoken digit (gain, noise, shift, stretch, pitch); the sheet shows spectrograms"
	$(BIN) augment Samples/spoken/3/en+f1_200_80.wav -o $(DEMO_OUT)/augment-speech --config Pipelines/augment/speech.yaml --copies 4 --seed 1
	@$(BIN) info $(DEMO_OUT)/*.npy $(DEMO_OUT)/*.npz
	@echo
	@echo "== train: Pipelines/quickstart.yaml, the same CNN on MNIST digits (pixels) and on spoken digits (log-mel)"
	$(BIN) run Pipelines/quickstart.yaml --out $(DEMO_OUT)/quickstart --force
	@echo "== predict: the spoken-digit model on two clips, with its own feature chain"
	$(BIN) predict $(DEMO_OUT)/quickstart/models/spoken_cnn/model.safetensors Samples/spoken/3/en+f1_200_80.wav Samples/spoken/7/en-us+m1_120_20.wav --top 3
	@echo "== scale-out: MFCCs of every spoken digit in 2 shards (as a job array runs them), then merge"
	$(BIN) extract mfcc Samples/spoken -o $(DEMO_OUT)/mfcc-sharded --n-mfcc 13 --shard 0/2
	$(BIN) extract mfcc Samples/spoken -o $(DEMO_OUT)/mfcc-sharded --n-mfcc 13 --shard 1/2
	$(BIN) merge $(DEMO_OUT)/mfcc-sharded
	@if command -v mpirun >/dev/null; then \
	  echo "== scale-out: the digits CNN trained data-parallel by 2 MPI processes (mpirun -np 2)"; \
	  echo "mpirun -np 2 $(BIN) run Pipelines/quickstart.yaml --only digits_cnn --out $(DEMO_OUT)/quickstart-mpi --force"; \
	  OMPI_MCA_btl_vader_single_copy_mechanism=none mpirun $$( [ "$$(id -u)" = 0 ] && echo --allow-run-as-root) --oversubscribe -np 2 $(BIN) run Pipelines/quickstart.yaml --only digits_cnn --out $(DEMO_OUT)/quickstart-mpi --force || exit 1; \
	else echo "== scale-out: mpirun not found (make deps installs Open MPI); data-parallel training skipped"; fi
	@echo
	@echo "Demo outputs (open the .png files; load the .npy/.npz with numpy.load) are in $(DEMO_OUT)/:"
	@ls $(DEMO_OUT)
	@echo
	@echo "Pictures to look at:"
	@{ ls -1 $(DEMO_OUT)/*.png; find $(DEMO_OUT) -mindepth 2 \( -name '*_sheet.png' -o -name 'sheet.png' \) | sort; } | sed 's/^/  /'
	@echo "The training report (curves, confusion matrices, filters beside Sobel, activations, mistakes):"
	@echo "  $(DEMO_OUT)/quickstart/report.html"
	@echo "TensorBoard (scalars, histograms, filters, test samples): tensorboard --logdir $(DEMO_OUT)/quickstart/tensorboard"

# libFuzzer over every reader (Fuzz/, a separate package; docs/reliability.md, "Fuzzing"):
# `make fuzz SECONDS=N` runs each target N seconds, stops with exit 1 at the first finding
# (the input is saved in Fuzz/artifacts/). FUZZ_TARGETS="npy png" picks targets.
SECONDS     ?= 60
FUZZ_BUILD   = $(SWIFT) build -c release --package-path Fuzz -Xswiftc -sanitize=fuzzer,address

fuzz-build: deps
	$(FUZZ_BUILD)

fuzz: fuzz-build
	FUZZ_TARGETS="$(FUZZ_TARGETS)" bash Fuzz/run.sh $(SECONDS)

# The test suite under AddressSanitizer (the whole suite; CI runs this) and ThreadSanitizer (the
# concurrent code: parallel loops and kernels, directory, augment and training runs, atomic writes,
# prefetching, event files), each in its own build folder so the normal .build stays as it is.
# LeakSanitizer is off: it cannot follow Swift's tagged pointers, so lazily built globals read as leaks.
TSAN_TESTS  ?= ParallelTests|AudioPartsTests|PartwiseFeatureTests|Conv2DKernelTests|DataParallelTests|BatchLoaderTests|AudioFileTests|SpectralPipelineTests|ShardCommandTests|DirectoryRunHygieneTests|TemporaryFilesTests|AtomicWriterTests|EventFileWriterTests|TensorBoardHistogramTests|BatchSourceTests|DatasetTests|ChainTests|StreamingExtractorTests|AudioReaderTests|PerceptVisionTests|ExtractCommandTests|AugmentCommandTests|RunCommandTests

sanitize: sanitize-asan sanitize-tsan

sanitize-asan: deps
	$(SWIFT) build --build-tests --scratch-path .build-asan --sanitize=address
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --skip-build --scratch-path .build-asan --sanitize=address --disable-swift-testing

sanitize-tsan: deps
	$(SWIFT) build --build-tests --scratch-path .build-tsan --sanitize=thread
	TSAN_OPTIONS=second_deadlock_stack=1 $(SWIFT) test --skip-build --scratch-path .build-tsan --sanitize=thread --disable-swift-testing --filter '$(TSAN_TESTS)'

# TensorBoard's own reader over a run's event files (Checks/check_tensorboard.py): runs
# Pipelines/quickstart.yaml into $(RUN_DIR) first when it has no tensorboard/ folder. The reader
# lives in .venv-check/ (`make check-venv` creates it; it needs python3-venv and PyPI).
RUN_DIR         ?= runs/quickstart
CHECK_VENV       = .venv-check
TENSORBOARD_PIN  = tensorboard==2.21.0

$(CHECK_VENV)/.installed:
	python3 -m venv $(CHECK_VENV)
	$(CHECK_VENV)/bin/pip install -q $(TENSORBOARD_PIN)
	touch $@

check-venv: $(CHECK_VENV)/.installed

check-tensorboard: release check-venv
	@if [ ! -d "$(RUN_DIR)/tensorboard" ]; then \
	  echo "== percept run Pipelines/quickstart.yaml --out $(RUN_DIR)"; \
	  $(BIN) run Pipelines/quickstart.yaml --out $(RUN_DIR) --force --quiet || exit 1; \
	fi
	$(CHECK_VENV)/bin/python Checks/check_tensorboard.py $(RUN_DIR)

# Regenerates docs/reference.md, Pipelines/schema.json and docs/pipelines.md's field tables from the
# parameter specs in the code (tests check they are current).
docs: build
	.build/debug/percept list --markdown > docs/reference.md
	.build/debug/percept schema > Pipelines/schema.json
	.build/debug/percept schema --markdown > .build/pipeline-fields.md
	awk '/<!-- fields-end -->/ {skip = 0} !skip {print} /<!-- fields-begin -->/ {system("cat .build/pipeline-fields.md"); skip = 1}' \
	  docs/pipelines.md > .build/pipelines.md && mv .build/pipelines.md docs/pipelines.md

clean:
	rm -rf .build out .build-asan .build-tsan Fuzz/.build
