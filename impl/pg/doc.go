// Package pg holds hearth's PostgreSQL plumbing: the database section of the
// configuration, the connection pool, transactions with retries, the SQLSTATE
// questions domain packages ask of errors, and the schema migrations.
//
// cmd/hearth opens the pool with [Open] and migrates with [Migrate] at start;
// domain packages run their writes through [InTx] and translate errors once,
// in their owner, with [IsUniqueViolation], [IsNoRows] and friends. The
// embedded cluster used when no URL is configured lives in pg/cluster.
package pg
