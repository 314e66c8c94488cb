// Package image tests hearth's container image, which the Dockerfile and
// scripts beside this file build (make image): it runs two homeservers the
// way Complement, Matrix's test suite, runs them, and holds them to that
// suite's contract. The test needs a Docker engine; it skips without one,
// unless HEARTH_TEST_PG=docker (CI) says that Docker must be there.
package image
