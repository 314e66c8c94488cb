// Command hearth is the hearth Matrix homeserver.
//
//	hearth serve                      run the homeserver
//	hearth migrate                    apply database migrations and exit
//	hearth user create NAME [--admin] create a local account
//	hearth health                     ask a running hearth whether it serves
//	hearth version                    print the version
//
// Every command takes --config FILE (or HEARTH_CONFIG); with none, the
// defaults and HEARTH_* environment variables apply.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hearth:", err)
		os.Exit(1)
	}
}

const usage = `usage: hearth <command> [flags]

commands:
  serve                         run the homeserver
  migrate                       apply database migrations and exit
  user create NAME [--admin]    create a local account (password from --password, HEARTH_PASSWORD or a prompt)
  health                        exit 0 when the hearth of this configuration answers GET /health (container health checks)
  version                       print the version

flags common to all commands:
  --config FILE                 configuration file (default: $HEARTH_CONFIG; none means defaults)
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stderr)
	case "migrate":
		return migrate(ctx, args[1:], stderr)
	case "user":
		if len(args) < 2 || args[1] != "create" {
			fmt.Fprint(stderr, usage)
			return flag.ErrHelp
		}
		return userCreate(ctx, args[2:], stdin, stdout, stderr)
	case "health":
		return health(ctx, args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "hearth", version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
