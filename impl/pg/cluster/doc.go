// Package cluster runs a private PostgreSQL server from the machine's
// PostgreSQL binaries: initdb on first use, then postgres listening only on a
// unix socket in a directory it controls, with trust authentication over
// that socket and no TCP at all.
//
// hearth serve starts one under its data directory when no database URL is
// configured, so that `make run` works on a fresh machine, and stops it on
// exit; pgtest starts a throwaway one (Ephemeral, Shared) when neither a test
// server URL nor Docker is there.
//
// initdb and postgres refuse to run as root. When this process is root they
// run as Config.RunAsUser (the Debian package's "postgres" user): the data
// directory is given to that user, and every directory above it must let
// that user pass (search permission); Start fails with the directory to fix
// otherwise. The cluster outlives nothing it should not: postgres gets
// SIGINT (fast shutdown) when the process that started it dies, unless
// Config.Shared asks for the opposite.
package cluster
