package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"

	"golang.org/x/term"

	"github.com/hearth-hs/hearth/impl/app"
	"github.com/hearth-hs/hearth/impl/config"
	"github.com/hearth-hs/hearth/impl/telemetry"
)

// common parses the flags every command has and loads the configuration.
func common(name string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (*flag.FlagSet, config.Config, *slog.Logger, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", os.Getenv("HEARTH_CONFIG"), "configuration file")
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, config.Config{}, nil, err
	}
	cfg, err := config.Load(*path, os.Environ())
	if err != nil {
		return nil, config.Config{}, nil, err
	}
	return fs, cfg, telemetry.NewLogger(cfg.Log, stderr), nil
}

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	_, cfg, log, err := common("serve", args, stderr, nil)
	if err != nil {
		return err
	}
	log.InfoContext(ctx, "starting hearth", "version", version(), "config", cfg)
	app.Version = version()
	a, err := app.New(ctx, cfg, log, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close(context.WithoutCancel(ctx))
	return a.Serve(ctx)
}

func migrate(ctx context.Context, args []string, stderr io.Writer) error {
	_, cfg, log, err := common("migrate", args, stderr, nil)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, log, app.Options{}) // New migrates
	if err != nil {
		return err
	}
	return a.Close(context.WithoutCancel(ctx))
}

func userCreate(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var admin bool
	var password string
	// The name may come before or after the flags.
	var name string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	fs, cfg, log, err := common("user create", args, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&admin, "admin", false, "make the user a server admin")
		fs.StringVar(&password, "password", os.Getenv("HEARTH_PASSWORD"), "the password (else prompted for)")
	})
	if err != nil {
		return err
	}
	if name == "" && fs.NArg() > 0 {
		name = fs.Arg(0)
	}
	if name == "" {
		return fmt.Errorf("user create: a user name is required")
	}
	if password == "" {
		if password, err = readPassword(stdin, stderr); err != nil {
			return err
		}
	}
	a, err := app.New(ctx, cfg, log, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close(context.WithoutCancel(ctx))
	user, err := a.Accounts.CreateUser(ctx, name, password, admin)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, user)
	return nil
}

// readPassword prompts without echo on a terminal, else reads one line.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "Password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		return string(b), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// version is the module version, or the VCS revision of a development build.
func version() string {
	if buildVersion != "" {
		return buildVersion
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "dev-" + s.Value[:12]
		}
	}
	return "dev"
}

// buildVersion is set by the Makefile from git describe.
var buildVersion string
