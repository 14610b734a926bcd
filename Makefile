# Two commands do everything on a fresh Debian/Ubuntu machine with the Swift toolchain:
#   make demo   installs missing system packages, builds, runs the end-to-end demo
#   make test   installs missing system packages, runs the whole test suite, then checks that
#               debug and release builds, with 1 and 8 threads, record the same bytes
.PHONY: demo test build release deps bench clean

deps:
	@scripts/install-deps.sh

build: deps
	swift build

release: deps
	swift build -c release

demo: build
	scripts/demo.sh

test:
	@scripts/install-deps.sh prometheus
	swift build --build-tests
	swift test --skip-build
	scripts/check-determinism.sh

bench: release
	benchmarks/run.sh

clean:
	rm -rf .build
