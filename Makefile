# hearth's developer commands. The project is on Go 1.27: the go command
# fetches that toolchain from the module proxy when asked for it.
export GOTOOLCHAIN := go1.27.3
# testcontainers-go: no reaper container (no registry to pull it from), and
# the Docker host is this machine.
export TESTCONTAINERS_RYUK_DISABLED ?= true
export TESTCONTAINERS_HOST_OVERRIDE ?= 127.0.0.1

GO ?= go
# Tests build mautrix-go's end-to-end encryption with its pure-Go olm
# (goolm), so that real clients encrypt against hearth with no C library.
# Test files that need it carry the goolm build tag; vet checks them too.
TESTTAGS := -tags=goolm
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.buildVersion=$(VERSION)

.PHONY: build run test check generate coverage bench lint clean image

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/hearth ./cmd/hearth

# A working homeserver on http://localhost:8008 with no configuration: the
# embedded PostgreSQL cluster lives under ./data. Registration is open here,
# as this is a development server on localhost.
run: build
	HEARTH_REGISTRATION_MODE=$${HEARTH_REGISTRATION_MODE:-open} ./bin/hearth serve

# Container images, with no image registry: hearth:latest, hearth:complement
# (Matrix's test suite Complement) and hearth-postgres:15 (for
# build/docker-compose.yml), from a debootstrapped Debian root cached in
# /var/cache/hearth. The first build on a machine needs root (debootstrap).
image:
	GO="$(GO)" bash build/image/build.sh

test:
	$(GO) test $(TESTTAGS) -count=1 ./...

# Fails when generated code or the README's coverage section is stale, or
# the tree is not formatted or vetted.
check: generate
	@git diff --exit-code -- gen spec || (echo "generated code is stale: run make generate and commit" >&2; exit 1)
	@test -z "$$(gofmt -l cmd impl migrations build)" || (gofmt -l cmd impl migrations build; echo "gofmt needed" >&2; exit 1)
	$(GO) run ./cmd/coverage -readme README.md -check
	$(GO) vet ./...
	$(GO) vet $(TESTTAGS) ./...

generate:
	spec/generate.sh
	$(GO) tool sqlc generate

coverage:
	$(GO) run ./cmd/coverage
	$(GO) run ./cmd/coverage -readme README.md

bench:
	$(GO) test $(TESTTAGS) -run '^$$' -bench . -benchmem -count 1 ./...

clean:
	rm -rf bin
