#!/bin/bash
# entrypoint.sh starts PostgreSQL 15 in the hearth-pgtest image, a throwaway
# server for tests. It honours the environment of the official postgres image
# that tests rely on:
#   POSTGRES_USER      superuser to create (default postgres)
#   POSTGRES_PASSWORD  its password, required: TCP logins use scram-sha-256
#   POSTGRES_DB        database to create (default: $POSTGRES_USER)
#   PGDATA             data directory (default /var/lib/postgresql/data)
# Arguments are passed on to postgres (for example: -c max_connections=500).
# The server trades durability for speed (fsync=off and friends): never keep
# data you need in it.
set -euo pipefail

export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
bin=/usr/lib/postgresql/15/bin

if [ "$(id -u)" = 0 ]; then
	mkdir -p "$PGDATA" /run/postgresql
	chown postgres:postgres "$PGDATA" /run/postgresql
	chmod 0700 "$PGDATA"
	# initdb and postgres refuse to run as root; setpriv keeps this the same
	# process (PID 1), so docker's stop signal reaches postgres directly.
	exec setpriv --reuid=postgres --regid=postgres --init-groups -- "$0" "$@"
fi

user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"
if [ -z "${POSTGRES_PASSWORD:-}" ]; then
	echo "entrypoint: POSTGRES_PASSWORD must be set" >&2
	exit 1
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	pwfile="$(mktemp)"
	printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
	"$bin/initdb" -D "$PGDATA" -U "$user" --pwfile="$pwfile" \
		--encoding=UTF8 --locale=C --auth-local=trust --auth-host=scram-sha-256 \
		--no-sync --no-instructions >/dev/null
	rm -f "$pwfile"
	{
		echo "host all all 0.0.0.0/0 scram-sha-256"
		echo "host all all ::/0 scram-sha-256"
	} >>"$PGDATA/pg_hba.conf"
	if [ "$db" != postgres ]; then
		# Single-user mode creates the database without a running server.
		printf 'CREATE DATABASE "%s"\n' "${db//\"/\"\"}" |
			"$bin/postgres" --single -D "$PGDATA" postgres >/dev/null
	fi
	echo "entrypoint: initialized $PGDATA (user $user, database $db)"
fi

exec "$bin/postgres" -D "$PGDATA" \
	-c listen_addresses='*' \
	-c unix_socket_directories=/run/postgresql \
	-c max_connections=300 \
	-c shared_buffers=128MB \
	-c fsync=off \
	-c synchronous_commit=off \
	-c full_page_writes=off \
	-c wal_level=minimal \
	-c max_wal_senders=0 \
	-c log_checkpoints=off \
	"$@"
