# Eddy's build entry points. `make run` and `make test` are the two that matter;
# `make help` lists the rest.

MODULE    := github.com/eddy-streams/eddy
BIN       := bin/eddy
GO        ?= go

# Version and commit stamped into the binary (see internal/version). With no
# v* tag, VERSION stays empty and the binary reports its built-in default.
VERSION   ?= $(shell git describe --tags --match 'v*' --dirty 2>/dev/null)
COMMIT    ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null)
LDFLAGS   := -X $(MODULE)/internal/version.Commit=$(COMMIT)
ifneq ($(VERSION),)
LDFLAGS   += -X $(MODULE)/internal/version.Version=$(VERSION)
endif

# Arguments for `bin/eddy serve` in `make run`.
RUN_ARGS  ?= --data-dir ./eddy-data --s3-listen 127.0.0.1:4569

# Benchmarks: which packages, and how long each benchmark runs.
BENCH_PKGS ?= ./storage/...
BENCHTIME  ?= 1s
BENCH      ?= .

# Fuzzing: every FuzzXxx in FUZZ_PKGS runs for FUZZTIME.
FUZZ_PKGS ?= ./...
FUZZTIME  ?= 30s

# Every go test run has a time limit, so a hung test fails with a goroutine
# dump instead of holding CI: TEST_TIMEOUT per package test binary (the
# slowest package, cmd/eddy, which starts some eighty server processes,
# takes 250-270 s with -race on 2 idle cores and ran out of 5 minutes on 2
# cores loaded by other work), BENCH_TIMEOUT for `make bench`.
TEST_TIMEOUT  ?= 10m
BENCH_TIMEOUT ?= 30m

# `make dist`: static binaries for these GOOS/GOARCH pairs, in dist/.
DIST_PLATFORMS ?= linux/amd64 linux/arm64 darwin/arm64 windows/amd64

.PHONY: all build run test bench fuzz dist fmt vet clean help

all: build

## build: compile bin/eddy with the version and commit stamped in
build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/eddy

## run: build, then start the API server on 127.0.0.1:4567 with data in ./eddy-data
run: build
	RUN_ARGS='$(RUN_ARGS)' scripts/run.sh $(BIN)

## test: install missing test dependencies, vet, run every Go test with the race detector, then the interop suite (AWS CLI, boto3, JS SDK v3), then its Kinesis suites against two nodes on a NATS cluster
test:
	scripts/install-test-deps.sh
	$(GO) vet ./...
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) ./...
	interop/run.sh
	interop/run.sh --cluster

## bench: run the benchmarks in BENCH_PKGS (BENCH, BENCHTIME select and size them)
bench:
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -benchtime $(BENCHTIME) -timeout $(BENCH_TIMEOUT) $(BENCH_PKGS)

## fuzz: run each FuzzXxx in FUZZ_PKGS for FUZZTIME
fuzz:
	FUZZTIME='$(FUZZTIME)' scripts/fuzz.sh $(FUZZ_PKGS)

## dist: static binaries (CGO_ENABLED=0) for DIST_PLATFORMS in dist/, version-stamped, with dist/SHA256SUMS
dist:
	GO='$(GO)' LDFLAGS='$(LDFLAGS)' DIST_PLATFORMS='$(DIST_PLATFORMS)' scripts/dist.sh

## fmt: gofmt every Go file in place
fmt:
	$(GO) fmt ./...

## vet: run go vet
vet:
	$(GO) vet ./...

## clean: remove build outputs, bin/ and dist/ (not ./eddy-data)
clean:
	rm -rf bin dist

## help: list the targets
help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)
