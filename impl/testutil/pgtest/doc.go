// Package pgtest gives tests real PostgreSQL databases: each call makes a
// fresh database, cloned in milliseconds (CREATE DATABASE ... TEMPLATE) from
// a template that holds hearth's migrated schema, and drops it when the test
// ends. Tests of any package use it; nothing else may.
//
//	func TestDeviceList(t *testing.T) {
//		t.Parallel()
//		pool := pgtest.New(t)
//		...
//	}
//
// The server is chosen once per test process, by the environment:
//
//   - HEARTH_TEST_PG=docker: a container of the local image hearth-pgtest:15
//     (built by .ci/pgimage/build.sh) through testcontainers, shared by every
//     test process under one name and left running for the next run. Docker
//     is then required: no fallback. CI sets this.
//   - HEARTH_TEST_PG=cluster: a throwaway cluster from the machine's
//     PostgreSQL binaries (package pg/cluster), shared by every test process
//     of this user and left running for the next run (see clusterServer).
//   - HEARTH_TEST_PG=url, or HEARTH_TEST_PG unset and
//     HEARTH_TEST_DATABASE_URL set: the server of HEARTH_TEST_DATABASE_URL,
//     a DSN of a role that may create databases (PostgreSQL 13 or later).
//   - HEARTH_TEST_PG unset: Docker when it answers and has the image, else
//     the local cluster.
//
// The template is named hearth_tmpl_<hash of the migration files>, so a
// changed migration gets a new template; it is built once per server, under
// an advisory lock that serializes test processes, and nothing stays
// connected to it (PostgreSQL copies no database that has sessions).
package pgtest
