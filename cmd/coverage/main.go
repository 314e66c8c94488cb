// Command coverage reports which operations of the client-server and
// server-server APIs hearth implements, as `make coverage` and the README
// show it.
//
// An operation is implemented when its adapter package declares the
// operation's strict handler method directly on its Server type
// (impl/clientapi, impl/federationapi); methods promoted from the embedded
// Unimplemented do not count. The list of operations comes from spec/matrix/,
// their Go method names from the generated route registrations in gen/.
//
//	go run ./cmd/coverage                    # a table per API and totals
//	go run ./cmd/coverage -markdown          # a compact summary for the README
//	go run ./cmd/coverage -readme README.md  # rewrite the README's coverage section
//	go run ./cmd/coverage -readme README.md -check  # fail if that section is stale
package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
)

// api ties a spec to its generated package and its adapter.
type api struct {
	Name string // "Client-Server"
	Spec string // paths relative to the repository root
	Gen  string
	Impl string
}

var apis = []api{
	{"Client-Server", "spec/matrix/client-server.yaml", "gen/clientserver", "impl/clientapi"},
	{"Server-Server", "spec/matrix/server-server.yaml", "gen/serverserver", "impl/federationapi"},
	{"Synapse admin (hearth's definition)", "spec/hearth/synapse-admin.yaml", "gen/synapseadmin", "impl/adminapi"},
	{"MSC3814 dehydrated devices (hearth's definition)", "spec/hearth/msc3814.yaml", "gen/msc3814", "impl/clientapi"},
	{"MSC4186 Simplified Sliding Sync (hearth's definition)", "spec/hearth/msc4186.yaml", "gen/slidingsync", "impl/slidingapi"},
}

// adapterType is the receiver type adapters declare their handlers on.
const adapterType = "Server"

func main() {
	markdown := flag.Bool("markdown", false, "print a compact markdown summary")
	readme := flag.String("readme", "", "rewrite the coverage section of this markdown file")
	check := flag.Bool("check", false, "with -readme: fail instead of rewriting when the section is stale")
	flag.Parse()
	if err := run(os.Stdout, *markdown, *readme, *check); err != nil {
		slog.Error("coverage", "err", err)
		os.Exit(1)
	}
}

func run(w *os.File, markdown bool, readme string, check bool) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	var reports []report
	for _, a := range apis {
		r, err := measure(root, a)
		if err != nil {
			return fmt.Errorf("%s: %w", a.Name, err)
		}
		reports = append(reports, r)
	}
	switch {
	case readme != "":
		return updateReadme(readme, reports, check)
	case markdown:
		return writeMarkdown(w, reports)
	}
	return writeText(w, reports)
}

// measure lists an API's operations and marks those its adapter implements.
func measure(root string, a api) (report, error) {
	ops, err := specOperations(filepath.Join(root, a.Spec))
	if err != nil {
		return report{}, err
	}
	handlers, err := handlerNames(filepath.Join(root, a.Gen))
	if err != nil {
		return report{}, err
	}
	implemented, err := adapterMethods(filepath.Join(root, a.Impl), adapterType)
	if err != nil {
		return report{}, err
	}
	for i := range ops {
		h, ok := handlers[ops[i].OperationID]
		if !ok {
			return report{}, fmt.Errorf("operation %s is not in %s: run spec/generate.sh", ops[i].OperationID, a.Gen)
		}
		ops[i].Handler = h
		ops[i].Implemented = implemented[h]
	}
	return report{API: a.Name, Ops: ops}, nil
}

// repoRoot finds the directory holding go.mod, upwards from the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
