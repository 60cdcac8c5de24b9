# The commands CI runs, in CI's order: `make ci`. Tools are pinned and run
# with `go run`, so nothing needs installing beyond Go itself.
GO             ?= go
STATICCHECK    ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
BENCHSTAT      ?= golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
FUZZTIME       ?= 15s
BENCHCOUNT     ?= 6

.PHONY: ci generate check-generate lint test fuzz bench

ci: check-generate lint test fuzz

## generate: regenerate gen/ from spec/monime.yaml.
generate:
	$(GO) generate ./...

## check-generate: regenerate and fail if anything differs from what is committed.
check-generate: generate
	@git diff --exit-code -- gen spec || { echo "gen/ is stale: run 'make generate' and commit the result with the spec change" >&2; exit 1; }
	@test -z "$$(git status --porcelain -- gen)" || { git status --porcelain -- gen; echo "untracked generated files: run 'make generate' and commit them" >&2; exit 1; }

## lint: gofmt, go vet and staticcheck.
lint:
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; test -z "$$out" || { echo "gofmt needed on:" >&2; echo "$$out" >&2; exit 1; }
	$(GO) vet ./...
	@# staticcheck needs Go 1.26: with auto, an older go fetches that toolchain
	GOTOOLCHAIN=auto $(GO) run $(STATICCHECK) ./...

## test: the README's test command.
test:
	$(GO) test -race ./...

## fuzz: a bounded smoke run of every fuzz target (FUZZTIME each).
fuzz:
	@./.ci/fuzz.sh $(FUZZTIME)

## bench: the benchmarks of BENCHMARKS.md: the facade against a raw net/http
## client (paired ratios, then each side on its own), and the fake with
## validation on and off, compared with benchstat.
bench:
	$(GO) test -run '^$$' -bench '^BenchmarkRatio$$' -count $(BENCHCOUNT) ./monime/ | tee bench-ratio.out
	$(GO) test -run '^$$' -bench '^Benchmark(Get|Create|List)' -benchmem -count $(BENCHCOUNT) ./monime/ | tee bench-monime.out
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCHCOUNT) ./api/ | tee bench-api.out
	$(GO) run $(BENCHSTAT) bench-ratio.out
	$(GO) run $(BENCHSTAT) -col /impl bench-monime.out
	$(GO) run $(BENCHSTAT) -col /validation -filter '/validation:(on OR off)' bench-api.out
	$(GO) run $(BENCHSTAT) -filter '-/validation:(on OR off)' bench-api.out
