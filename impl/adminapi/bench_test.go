package adminapi_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
)

// BenchmarkUserList lists 10,000 users a page at a time, over real HTTP
// and PostgreSQL, as synapse-admin does.
func BenchmarkUserList(b *testing.B) {
	bb := setup(b)
	ctx := context.Background()
	_, err := bb.s.App.Pool.Exec(ctx, `
		INSERT INTO users (user_id, password_hash, created_at)
		SELECT '@user' || i || ':hearth.test', 'x', now() - i * interval '1 minute' FROM generate_series(1, 10000) i;
		INSERT INTO devices (user_id, device_id, last_seen_at)
		SELECT '@user' || i || ':hearth.test', 'DEV' || j, now() - (i * j) * interval '1 second'
		FROM generate_series(1, 10000) i, generate_series(1, 2) j;
		ANALYZE users; ANALYZE devices;`)
	require.NoError(b, err)
	for _, bc := range []struct{ name, query string }{
		{"first page", "limit=100"},
		{"page 100 of 100", "limit=100&from=9900"},
		{"search", "limit=100&name=user12"},
		{"by last seen", "limit=100&order_by=last_seen_ts&dir=b"},
		{"by creation", "limit=100&order_by=creation_ts"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				r := bb.do(b, bb.admin, http.MethodGet, "/_synapse/admin/v2/users?"+bc.query, nil)
				if r.Status != http.StatusOK {
					b.Fatalf("%d %s", r.Status, r.Raw)
				}
			}
		})
	}
}

// BenchmarkRoomList lists 1,000 rooms a page at a time.
func BenchmarkRoomList(b *testing.B) {
	bb := setup(b)
	ctx := context.Background()
	for i := range 1000 {
		_, err := bb.user.CreateRoom(ctx, &mautrix.ReqCreateRoom{Name: fmt.Sprintf("room %04d", i)})
		require.NoError(b, err)
	}
	for _, bc := range []struct{ name, query string }{
		{"by name", "limit=100"},
		{"by members", "limit=100&order_by=joined_members&dir=b"},
		{"by state events", "limit=100&order_by=state_events&dir=b"},
		{"search", "limit=100&search_term=room%2001"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				r := bb.do(b, bb.admin, http.MethodGet, "/_synapse/admin/v1/rooms?"+bc.query, nil)
				if r.Status != http.StatusOK {
					b.Fatalf("%d %s", r.Status, r.Raw)
				}
			}
		})
	}
}
