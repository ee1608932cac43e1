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
RUN_ARGS  ?= --data-dir ./eddy-data

# Benchmarks: which packages, and how long each benchmark runs.
BENCH_PKGS ?= ./storage/...
BENCHTIME  ?= 1s
BENCH      ?= .

# Fuzzing: every FuzzXxx in FUZZ_PKGS runs for FUZZTIME.
FUZZ_PKGS ?= ./...
FUZZTIME  ?= 30s

.PHONY: all build run test bench fuzz fmt vet clean help

all: build

## build: compile bin/eddy with the version and commit stamped in
build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/eddy

## run: build, then start the API server on 127.0.0.1:4567 with data in ./eddy-data
run: build
	RUN_ARGS='$(RUN_ARGS)' scripts/run.sh $(BIN)

## test: install missing test dependencies, vet, run every Go test with the race detector, then the interop suite (AWS CLI, boto3, JS SDK v3)
test:
	scripts/install-test-deps.sh
	$(GO) vet ./...
	CGO_ENABLED=1 $(GO) test -race -count=1 ./...
	interop/run.sh

## bench: run the benchmarks in BENCH_PKGS (BENCH, BENCHTIME select and size them)
bench:
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -benchtime $(BENCHTIME) $(BENCH_PKGS)

## fuzz: run each FuzzXxx in FUZZ_PKGS for FUZZTIME
fuzz:
	FUZZTIME='$(FUZZTIME)' scripts/fuzz.sh $(FUZZ_PKGS)

## fmt: gofmt every Go file in place
fmt:
	$(GO) fmt ./...

## vet: run go vet
vet:
	$(GO) vet ./...

## clean: remove build outputs (not ./eddy-data)
clean:
	rm -rf bin

## help: list the targets
help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)
