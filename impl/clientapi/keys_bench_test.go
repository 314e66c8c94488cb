package clientapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// seedDevices creates users × devices devices with signed device keys,
// straight in the database (registering 500 devices over HTTP would be
// the benchmark's whole run), and returns the users.
func seedDevices(b *testing.B, s *servertest.Server, users, devices int) []id.UserID {
	b.Helper()
	ctx := context.Background()
	key := newKeyPair(b)
	var out []id.UserID
	for u := range users {
		user := id.UserID(fmt.Sprintf("@user%03d:%s", u, s.ServerName))
		out = append(out, user)
		_, err := s.App.Pool.Exec(ctx, `INSERT INTO users (user_id) VALUES ($1)`, string(user))
		require.NoError(b, err)
		for d := range devices {
			dev := &keysDevice{user: user, device: id.DeviceID(fmt.Sprintf("DEVICE%02d", d)), key: key}
			keys, err := json.Marshal(dev.deviceKeys(b))
			require.NoError(b, err)
			_, err = s.App.Pool.Exec(ctx, `INSERT INTO devices (user_id, device_id, display_name) VALUES ($1, $2, 'phone')`, string(user), string(dev.device))
			require.NoError(b, err)
			_, err = s.App.Pool.Exec(ctx, `INSERT INTO e2e_device_keys (user_id, device_id, key_json, ed25519) VALUES ($1, $2, $3, $4)`,
				string(user), string(dev.device), keys, key.pub)
			require.NoError(b, err)
		}
	}
	return out
}

// BenchmarkKeysQuery is POST /keys/query for 100 users with 5 devices each
// (500 signed device keys in the answer, with display names), over HTTP.
func BenchmarkKeysQuery(b *testing.B) {
	s := servertest.New(b)
	alice := newKeysDevice(b, s, "alice")
	users := seedDevices(b, s, 100, 5)
	query := map[string][]string{}
	for _, u := range users {
		query[string(u)] = []string{}
	}
	body := string(mustJSON(b, map[string]any{"device_keys": query}))
	r := alice.do(b, s, http.MethodPost, keysQuery, body)
	require.Len(b, r.Body["device_keys"], 100)
	client := &http.Client{}
	b.ReportAllocs()
	for b.Loop() {
		benchRequest(b, client, http.MethodPost, s.URL+keysQuery, alice.token, body)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/500, "µs/device")
}

// BenchmarkKeysClaim is POST /keys/claim of one key of one device, from
// 8 clients per CPU, all claiming from the same device (the contended case
// the claim's SKIP LOCKED is for). Each claim is a committed delete.
func BenchmarkKeysClaim(b *testing.B) {
	s := servertest.New(b)
	alice := newKeysDevice(b, s, "alice")
	bob := newKeysDevice(b, s, "bob")
	alice.upload(b, s, map[string]any{"device_keys": alice.deviceKeys(b)})
	// Enough one-time keys for every claim the benchmark makes, stored
	// directly (their signatures are not read by a claim).
	_, err := s.App.Pool.Exec(context.Background(), `INSERT INTO e2e_one_time_keys (user_id, device_id, algorithm, key_id, key_json)
		SELECT $1, $2, 'signed_curve25519', 'K' || n, convert_to('{"key":"k' || n || '"}', 'UTF8') FROM generate_series(1, 100000) n`,
		string(alice.user), string(alice.device))
	require.NoError(b, err)
	body := string(mustJSON(b, map[string]any{"one_time_keys": map[string]any{string(alice.user): map[string]any{string(alice.device): "signed_curve25519"}}}))
	url := s.URL + keysClaim
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		client := &http.Client{}
		for pb.Next() {
			benchRequest(b, client, http.MethodPost, url, bob.token, body)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "claims/s")
}

// BenchmarkToDeviceFanout is PUT /sendToDevice to 100 devices (20 users
// with 5 devices each): one request queues 100 messages and wakes their
// users' syncs.
func BenchmarkToDeviceFanout(b *testing.B) {
	s := servertest.New(b)
	alice := newKeysDevice(b, s, "alice")
	users := seedDevices(b, s, 20, 5)
	messages := map[string]map[string]any{}
	for _, u := range users {
		messages[string(u)] = map[string]any{}
		for d := range 5 {
			messages[string(u)][fmt.Sprintf("DEVICE%02d", d)] = map[string]any{
				"algorithm": "m.olm.v1.curve25519-aes-sha2", "ciphertext": map[string]any{"key": map[string]any{"type": 0, "body": strings.Repeat("x", 400)}},
			}
		}
	}
	body := string(mustJSON(b, map[string]any{"messages": messages}))
	client := &http.Client{}
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		n++
		benchRequest(b, client, http.MethodPut, fmt.Sprintf("%s/_matrix/client/v3/sendToDevice/m.room.encrypted/t%d", s.URL, n), alice.token, body)
	}
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "messages/s")
	var queued int
	require.NoError(b, s.App.Pool.QueryRow(context.Background(), `SELECT count(*) FROM e2e_to_device`).Scan(&queued))
	require.Equal(b, n*100, queued)
}
