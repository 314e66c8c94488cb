package clientapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"

	"github.com/hearth-hs/hearth/impl/config"
	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// gateway is a push gateway run by the test: it records every
// notification posted to /_matrix/push/v1/notify, and may fail or reject
// pushkeys on demand.
type gateway struct {
	*httptest.Server
	mu sync.Mutex
	// got holds the notifications answered with 200, in arrival order.
	got []notification
	// attempts counts every request, failed ones included.
	attempts int
	// failures is how many requests to answer 500 before succeeding.
	failures int
	// reject lists pushkeys to answer as rejected.
	reject map[string]bool
}

// notification is the body a gateway received, decoded.
type notification struct {
	EventID           string         `json:"event_id"`
	RoomID            string         `json:"room_id"`
	Type              string         `json:"type"`
	Sender            string         `json:"sender"`
	SenderDisplayName string         `json:"sender_display_name"`
	RoomName          string         `json:"room_name"`
	UserIsTarget      *bool          `json:"user_is_target"`
	Prio              string         `json:"prio"`
	Content           map[string]any `json:"content"`
	Counts            map[string]int `json:"counts"`
	Devices           []struct {
		AppID     string         `json:"app_id"`
		Pushkey   string         `json:"pushkey"`
		PushkeyTS int64          `json:"pushkey_ts"`
		Data      map[string]any `json:"data"`
		Tweaks    map[string]any `json:"tweaks"`
	} `json:"devices"`
	raw map[string]any
}

func newGateway(t testing.TB) *gateway {
	g := &gateway{reject: map[string]bool{}}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.Close)
	return g
}

func (g *gateway) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/_matrix/push/v1/notify" {
		http.NotFound(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var in struct {
		Notification json.RawMessage `json:"notification"`
	}
	var n notification
	if json.Unmarshal(body, &in) != nil || json.Unmarshal(in.Notification, &n) != nil || json.Unmarshal(in.Notification, &n.raw) != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.attempts++
	if g.failures > 0 {
		g.failures--
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	g.got = append(g.got, n)
	rejected := []string{}
	for _, d := range n.Devices {
		if g.reject[d.Pushkey] {
			rejected = append(rejected, d.Pushkey)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"rejected": rejected})
}

func (g *gateway) url() string { return g.URL + "/_matrix/push/v1/notify" }

// received returns the notifications so far.
func (g *gateway) received() []notification {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]notification(nil), g.got...)
}

// forEvent waits for the notification of an event to a pushkey.
func (g *gateway) forEvent(t *testing.T, eventID, pushkey string) notification {
	t.Helper()
	var found notification
	t.Cleanup(func() {
		if t.Failed() {
			g.mu.Lock()
			defer g.mu.Unlock()
			t.Logf("gateway: %d requests, %d answered", g.attempts, len(g.got))
		}
	})
	eventually(t, func() bool {
		for _, n := range g.received() {
			for _, d := range n.Devices {
				if n.EventID == eventID && d.Pushkey == pushkey {
					found = n
					return true
				}
			}
		}
		return false
	})
	return found
}

// setPusher registers an HTTP pusher for cli at the gateway, with extra
// data keys.
func setPusher(t *testing.T, s *servertest.Server, cli *mautrix.Client, g *gateway, pushkey string, extra map[string]any) {
	t.Helper()
	data := map[string]any{"url": g.url()}
	for k, v := range extra {
		data[k] = v
	}
	r := s.Do(t, servertest.Request{Method: http.MethodPost, Path: "/_matrix/client/v3/pushers/set", Token: cli.AccessToken,
		Body: map[string]any{"kind": "http", "app_id": "org.hearth.test", "pushkey": pushkey,
			"app_display_name": "Test", "device_display_name": "Phone", "lang": "en", "data": data}})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
}

// eventually polls cond until it holds, failing the test after a deadline
// (generous: the machines tests run on may be loaded).
func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met before the deadline")
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// pushServer starts hearth with push gateways allowed on loopback, where
// the tests run theirs (hearth refuses non-public gateways by default).
func pushServer(t testing.TB, opts ...servertest.Option) *servertest.Server {
	return servertest.New(t, append(opts, servertest.WithConfig(allowLoopbackGateways))...)
}

func allowLoopbackGateways(c *config.Config) {
	c.Push.AllowCIDRs = []string{"127.0.0.0/8", "::1/128"}
}

// pushRulesPath is the path of a rule (kind and ID escaped by the caller).
func pushRulesPath(rest string) string { return "/_matrix/client/v3/pushrules/global/" + rest }
