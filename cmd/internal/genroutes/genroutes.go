// Package genroutes reads, from the Go source oapi-codegen generated for an
// echo server, which operations the package routes and under which Go method
// names. cmd/genstubs and cmd/coverage use it so that both agree with the
// generated code rather than re-deriving oapi-codegen's naming rules.
package genroutes

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Route is one operation registered by RegisterHandlersWithOptions.
type Route struct {
	Method      string // "GET"
	Path        string // echo form: "/_matrix/client/v3/rooms/:roomId/send/:eventType/:txnId"
	OperationID string // the spec's operationId: "sendMessage"
	Handler     string // the Go method name: "SendMessage"
}

// Package is the parsed source of one generated package.
type Package struct {
	Name  string
	Files map[string]*ast.File // by base name
	Fset  *token.FileSet
}

// Load parses the non-test Go files of dir, except those skip rejects (a
// generator's own previous output, which must not feed its next run).
func Load(dir string, skip func(base string) bool) (*Package, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	pkg := &Package{Files: map[string]*ast.File{}, Fset: token.NewFileSet()}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || (skip != nil && skip(name)) {
			continue
		}
		f, err := parser.ParseFile(pkg.Fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", filepath.Join(dir, name), err)
		}
		if pkg.Name != "" && f.Name.Name != pkg.Name {
			return nil, fmt.Errorf("%s: package %s, other files %s", dir, f.Name.Name, pkg.Name)
		}
		pkg.Name = f.Name.Name
		pkg.Files[name] = f
	}
	if pkg.Name == "" {
		return nil, fmt.Errorf("%s: no Go files", dir)
	}
	return pkg, nil
}

// SortedFiles returns the files in name order, for deterministic scans.
func (p *Package) SortedFiles() []*ast.File {
	names := make([]string, 0, len(p.Files))
	for n := range p.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	files := make([]*ast.File, len(names))
	for i, n := range names {
		files[i] = p.Files[n]
	}
	return files
}

// Routes returns the operations RegisterHandlersWithOptions registers, in
// registration order. It expects calls shaped like
//
//	router.GET(options.BaseURL+"/path", wrapper.Handler, options.OperationMiddlewares["opId"]...)
func (p *Package) Routes() ([]Route, error) {
	var fn *ast.FuncDecl
	for _, f := range p.SortedFiles() {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "RegisterHandlersWithOptions" {
				fn = fd
			}
		}
	}
	if fn == nil {
		return nil, fmt.Errorf("package %s has no RegisterHandlersWithOptions", p.Name)
	}
	var routes []Route
	var bad error
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || bad != nil {
			return bad == nil
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || !isIdent(sel.X, "router") || len(call.Args) != 3 {
			return true
		}
		r, err := parseRoute(sel.Sel.Name, call.Args)
		if err != nil {
			bad = fmt.Errorf("%s: %w", p.Fset.Position(call.Pos()), err)
			return false
		}
		routes = append(routes, r)
		return true
	})
	if bad != nil {
		return nil, bad
	}
	return routes, nil
}

func parseRoute(method string, args []ast.Expr) (Route, error) {
	r := Route{Method: method}
	bin, ok := args[0].(*ast.BinaryExpr)
	if !ok || bin.Op != token.ADD {
		return r, fmt.Errorf("route path is not options.BaseURL+\"...\"")
	}
	path, err := stringLit(bin.Y)
	if err != nil {
		return r, fmt.Errorf("route path: %w", err)
	}
	r.Path = path
	h, ok := args[1].(*ast.SelectorExpr)
	if !ok {
		return r, fmt.Errorf("route handler is not wrapper.Method")
	}
	r.Handler = h.Sel.Name
	idx, ok := args[2].(*ast.IndexExpr)
	if !ok {
		return r, fmt.Errorf("route middlewares are not options.OperationMiddlewares[\"...\"]")
	}
	if r.OperationID, err = stringLit(idx.Index); err != nil {
		return r, fmt.Errorf("operation id: %w", err)
	}
	return r, nil
}

func stringLit(e ast.Expr) (string, error) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", fmt.Errorf("not a string literal")
	}
	return strconv.Unquote(lit.Value)
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// SpecPath turns an echo path back into the spec's form ("/rooms/{roomId}").
func SpecPath(echoPath string) string {
	parts := strings.Split(echoPath, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") {
			parts[i] = "{" + p[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}
