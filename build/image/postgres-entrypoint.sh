#!/bin/bash
# postgres-entrypoint.sh starts PostgreSQL 15 in the hearth-postgres image,
# the database server of docker-compose.yml. It takes the environment of the
# official postgres image, so that either image serves:
#   POSTGRES_USER           superuser to create (default postgres)
#   POSTGRES_PASSWORD       its password (or POSTGRES_PASSWORD_FILE, a file
#                           holding it); required: TCP logins use
#                           scram-sha-256
#   POSTGRES_DB             database to create (default: $POSTGRES_USER)
#   PGDATA                  data directory (default /var/lib/postgresql/data)
# Arguments are passed on to postgres (for example: -c shared_buffers=1GB).
# Unlike .ci/pgimage's test server, this one keeps PostgreSQL's durable
# defaults.
set -euo pipefail

export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
bin=/usr/lib/postgresql/15/bin

if [ "$(id -u)" = 0 ]; then
	mkdir -p "$PGDATA" /run/postgresql
	chown postgres:postgres "$PGDATA" /run/postgresql
	chmod 0700 "$PGDATA"
	# initdb and postgres refuse to run as root; setpriv keeps this the same
	# process, so the stop signal tini forwards reaches postgres itself.
	exec setpriv --reuid=postgres --regid=postgres --init-groups -- "$0" "$@"
fi

user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"
if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
	POSTGRES_PASSWORD="$(cat "$POSTGRES_PASSWORD_FILE")"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	if [ -z "${POSTGRES_PASSWORD:-}" ]; then
		echo "postgres-entrypoint: POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE must be set" >&2
		exit 1
	fi
	pwfile="$(mktemp)"
	printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
	"$bin/initdb" -D "$PGDATA" -U "$user" --pwfile="$pwfile" \
		--encoding=UTF8 --locale=C --auth-local=trust --auth-host=scram-sha-256 \
		--no-instructions >/dev/null
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
	echo "postgres-entrypoint: initialized $PGDATA (user $user, database $db)"
fi

exec "$bin/postgres" -D "$PGDATA" \
	-c listen_addresses='*' \
	-c unix_socket_directories=/run/postgresql \
	"$@"
