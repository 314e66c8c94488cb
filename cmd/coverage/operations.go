package main

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/hearth-hs/hearth/cmd/internal/genroutes"
)

// operation is one API operation and whether hearth implements it.
type operation struct {
	Method, Path, OperationID, Area string
	Handler                         string // Go method name
	Implemented                     bool
}

// httpMethods are the keys of a path item that are operations.
var httpMethods = map[string]bool{
	"get": true, "put": true, "post": true, "delete": true, "options": true, "head": true, "patch": true, "trace": true,
}

// specOperations reads the operations of an imported spec, sorted by path
// and method. Their area is their first tag.
func specOperations(path string) ([]operation, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	var doc struct {
		Paths map[string]map[string]yaml.Node `yaml:"paths"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	var ops []operation
	for p, item := range doc.Paths {
		for method, node := range item {
			if !httpMethods[method] {
				continue // path-level parameters, summary, servers
			}
			var op struct {
				OperationID string   `yaml:"operationId"`
				Tags        []string `yaml:"tags"`
			}
			if err := node.Decode(&op); err != nil {
				return nil, fmt.Errorf("parse %s %s %s: %w", path, method, p, err)
			}
			area := "Other"
			if len(op.Tags) > 0 {
				area = op.Tags[0]
			}
			ops = append(ops, operation{Method: strings.ToUpper(method), Path: p, OperationID: op.OperationID, Area: area})
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	return ops, nil
}

// handlerNames maps operation IDs to the Go method names the generated
// package routes them to.
func handlerNames(dir string) (map[string]string, error) {
	pkg, err := genroutes.Load(dir, nil)
	if err != nil {
		return nil, err
	}
	routes, err := pkg.Routes()
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(routes))
	for _, r := range routes {
		names[r.OperationID] = r.Handler
	}
	return names, nil
}

// adapterMethods returns the names of the methods dir's Go files declare on
// typeName (value or pointer receiver). A missing directory declares none:
// the adapter is not written yet.
func adapterMethods(dir, typeName string) (map[string]bool, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read adapter: %w", err)
	}
	fset := token.NewFileSet()
	methods := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("parse adapter: %w", err)
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && receiverIs(fd, typeName) {
				methods[fd.Name.Name] = true
			}
		}
	}
	return methods, nil
}

func receiverIs(fd *ast.FuncDecl, typeName string) bool {
	if fd.Recv == nil || len(fd.Recv.List) != 1 {
		return false
	}
	t := fd.Recv.List[0].Type
	if st, ok := t.(*ast.StarExpr); ok {
		t = st.X
	}
	id, ok := t.(*ast.Ident)
	return ok && id.Name == typeName
}
