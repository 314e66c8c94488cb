package image

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/testutil"
)

// The image under test, as build.sh tags it.
const image = "hearth:complement"

// label marks everything a run makes, for its cleanup.
const label = "hearth.imagetest"

// TestComplementContract builds the image and holds it to what Complement
// expects of a homeserver image: two servers on one Docker network, named
// by SERVER_NAME, with Complement's CA and an application service mounted;
// open registration in one request; shared-secret registration; TLS on
// 8448 for the server name, signed by the CA; a clean and quick stop on
// SIGTERM; a stopped container committed and started again keeps its users
// and signing key; and a killed one starts again over its stale
// postmaster.pid.
func TestComplementContract(t *testing.T) {
	t.Parallel()
	requireDocker(t)
	buildImage(t)

	r := newRun(t)
	ca := testutil.NewCA(t, true)
	caFiles := map[string][]byte{"complement/ca/ca.crt": ca.CertPEM, "complement/ca/ca.key": ca.KeyPEM}
	hs1Files := map[string][]byte{"complement/appservice/bridge.yaml": []byte(
		"id: bridge\nhs_token: hs-secret\nas_token: as-secret\nurl: 'http://host.docker.internal:9999'\n" +
			"sender_localpart: bridge\nrate_limited: false\nnamespaces:\n  users:\n    - exclusive: false\n      regex: .*\n" +
			"  rooms: []\n  aliases: []\n")}
	maps.Copy(hs1Files, caFiles)

	hs1 := r.start(t, "hs1", image, nil, hs1Files)
	hs2 := r.start(t, "hs2", image, []string{"HEARTH_REGISTRATION_SHARED_SECRET=from-the-environment"}, caFiles)

	t.Run("the image keeps its state inside and runs tini as PID 1", func(t *testing.T) {
		require.Equal(t, "map[]", docker(t, "image", "inspect", "--format", "{{.Config.Volumes}}", image))
		require.Equal(t, "tini", docker(t, "exec", hs1.container, "cat", "/proc/1/comm"))
		require.Equal(t, "OK", docker(t, "exec", hs1.container, "hearth", "health"))
	})

	t.Run("registration in one request, short passwords, no rate limit", func(t *testing.T) {
		for _, hs := range []*homeserver{hs1, hs2} {
			for i := range 6 { // past the default burst of 3 a client
				status, body := hs.post(t, "/_matrix/client/v3/register", map[string]any{
					"username": fmt.Sprintf("user%d", i), "password": "pw", "auth": map[string]string{"type": "m.login.dummy"},
				})
				require.Equal(t, http.StatusOK, status, body)
				require.Contains(t, body, fmt.Sprintf(`"user_id":"@user%d:%s"`, i, hs.name))
			}
		}
	})

	t.Run("shared-secret registration with Complement's secret, or the environment's", func(t *testing.T) {
		hs1.registerAdmin(t, "complement", "admin1")
		hs2.registerAdmin(t, "from-the-environment", "admin2")
	})

	t.Run("TLS on 8448 verifies against the CA as the server name", func(t *testing.T) {
		for _, hs := range []*homeserver{hs1, hs2} {
			require.Equal(t, hs.name, hs.serverKey(t, ca.Pool).ServerName)
		}
		// Under another name, it does not.
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool, ServerName: "hs2"}}}
		_, err := client.Get("https://" + hs1.federation + "/_matrix/key/v2/server")
		require.ErrorContains(t, err, "certificate is valid for hs1")
	})

	t.Run("application services are loaded", func(t *testing.T) {
		logs := dockerLogs(t, hs1.container)
		require.Contains(t, logs, `"msg":"application services registered","count":1,"ids":["bridge"]`)
	})

	keyBefore := hs1.serverKey(t, ca.Pool).keyIDs()

	t.Run("SIGTERM stops hearth and PostgreSQL cleanly within 10 seconds", func(t *testing.T) {
		began := time.Now()
		docker(t, "stop", "--time", "10", hs1.container)
		took := time.Since(began)
		t.Logf("docker stop took %s", took.Round(time.Millisecond))
		require.Less(t, took, 9*time.Second, "stopped before docker's SIGKILL")
		require.Equal(t, "0", docker(t, "inspect", "--format", "{{.State.ExitCode}}", hs1.container))
		logs := dockerLogs(t, hs1.container)
		require.Contains(t, logs, `"msg":"postgres stopped"`)
		require.NotContains(t, logs, "did not stop in time")
	})

	t.Run("a committed container starts again with its users and signing key", func(t *testing.T) {
		committed := "hearth-imagetest:" + r.id
		docker(t, "commit", hs1.container, committed)
		r.images = append(r.images, committed)
		again := r.start(t, "hs1", committed, nil, nil)
		require.Equal(t, keyBefore, again.serverKey(t, ca.Pool).keyIDs(), "the same signing key")
		again.login(t, "user0", "pw")
		require.NotContains(t, dockerLogs(t, again.container), "stale postmaster.pid", "the stop was clean")
	})

	t.Run("a killed container starts again over its stale postmaster.pid", func(t *testing.T) {
		docker(t, "kill", hs2.container)
		hs2.restart(t)
		hs2.login(t, "user0", "pw")
		require.Contains(t, dockerLogs(t, hs2.container), "removed stale postmaster.pid left by an unclean stop")
	})
}

// buildImage runs build.sh (make image), which is quick when nothing changed.
func buildImage(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 && os.Getenv("HEARTH_TEST_PG") != "docker" {
		if _, err := dockerErr("image", "inspect", "hearth-base:bookworm"); err != nil {
			t.Skip("the first image build on a machine needs root (debootstrap): run sudo make image once")
		}
	}
	began := time.Now()
	cmd := exec.Command("bash", "build.sh")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "build.sh:\n%s", out)
	t.Logf("make image took %s: %s", time.Since(began).Round(time.Millisecond), strings.TrimSpace(string(out)))
}

// run is one test run's Docker network, containers and files.
type run struct {
	t       *testing.T
	id      string
	network string
	images  []string // committed, removed after the containers
}

func newRun(t *testing.T) *run {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	r := &run{t: t, id: hex.EncodeToString(b)}
	r.network = "hearth-imagetest-" + r.id
	docker(t, "network", "create", "--label", label+"="+r.id, r.network)
	t.Cleanup(func() {
		if ids, err := dockerErr("ps", "-aq", "--filter", "label="+label+"="+r.id); err == nil && ids != "" {
			_, _ = dockerErr(append([]string{"rm", "-f"}, strings.Fields(ids)...)...)
		}
		for _, img := range r.images {
			_, _ = dockerErr("rmi", img)
		}
		_, _ = dockerErr("network", "rm", r.network)
	})
	return r
}

// homeserver is one running container.
type homeserver struct {
	name       string // server name, and name on the network
	container  string
	client     string // base URL of the published port 8008
	federation string // address of the published port 8448
}

// start runs img as server name on the run's network, as Complement does:
// SERVER_NAME set, files (path from / → content) copied in before the start
// (Complement copies its CA and registrations; docker cp works with a
// remote engine too), ports published on this machine. It waits for
// /_matrix/client/versions.
func (r *run) start(t *testing.T, name, img string, env []string, files map[string][]byte) *homeserver {
	t.Helper()
	hs := &homeserver{name: name, container: fmt.Sprintf("hearth-imagetest-%s-%s-%d", r.id, name, time.Now().UnixNano())}
	args := []string{"create", "--name", hs.container, "--label", label + "=" + r.id,
		"--network", r.network, "--network-alias", name, "--hostname", name,
		"-e", "SERVER_NAME=" + name, "-p", "127.0.0.1::8008", "-p", "127.0.0.1::8448"}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	docker(t, append(args, img)...)
	if len(files) > 0 {
		dockerIn(t, tarOf(t, files), "cp", "-", hs.container+":/")
	}
	hs.restart(t)
	return hs
}

// restart starts the container and waits until the client API answers.
func (hs *homeserver) restart(t *testing.T) {
	t.Helper()
	began := time.Now()
	docker(t, "start", hs.container)
	hs.client = "http://" + hostPort(t, hs.container, "8008")
	hs.federation = hostPort(t, hs.container, "8448")
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(hs.client + "/_matrix/client/versions")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no /_matrix/client/versions within 30s: %v\n%s", hs.name, err, dockerLogs(t, hs.container))
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("%s answers /_matrix/client/versions %s after docker start", hs.name, time.Since(began).Round(time.Millisecond))
}

func dockerLogs(t *testing.T, container string) string {
	out, err := exec.Command("docker", "logs", container).CombinedOutput()
	require.NoError(t, err)
	return string(out)
}

func (hs *homeserver) post(t *testing.T, path string, body any) (int, string) {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	resp, err := http.Post(hs.client+path, "application/json", bytes.NewReader(b))
	require.NoError(t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(out)
}

func (hs *homeserver) login(t *testing.T, user, password string) {
	t.Helper()
	status, body := hs.post(t, "/_matrix/client/v3/login", map[string]any{
		"type": "m.login.password", "identifier": map[string]string{"type": "m.id.user", "user": user}, "password": password,
	})
	require.Equal(t, http.StatusOK, status, body)
}

// registerAdmin registers through /_synapse/admin/v1/register, as
// Complement's RegisterSharedSecret does.
func (hs *homeserver) registerAdmin(t *testing.T, secret, user string) {
	t.Helper()
	resp, err := http.Get(hs.client + "/_synapse/admin/v1/register")
	require.NoError(t, err)
	var nonce struct {
		Nonce string `json:"nonce"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&nonce))
	resp.Body.Close()
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(nonce.Nonce + "\x00" + user + "\x00" + "pw" + "\x00" + "admin"))
	status, body := hs.post(t, "/_synapse/admin/v1/register", map[string]any{
		"nonce": nonce.Nonce, "username": user, "password": "pw", "admin": true, "mac": hex.EncodeToString(mac.Sum(nil)),
	})
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, body, fmt.Sprintf(`"user_id":"@%s:%s"`, user, hs.name))
}

type serverKey struct {
	ServerName string                     `json:"server_name"`
	VerifyKeys map[string]json.RawMessage `json:"verify_keys"`
}

func (k serverKey) keyIDs() []string {
	var ids []string
	for id := range k.VerifyKeys {
		ids = append(ids, id)
	}
	return ids
}

// serverKey fetches the server's keys over TLS on 8448, verifying the
// certificate against roots for the server name.
func (hs *homeserver) serverKey(t *testing.T, roots *x509.CertPool) serverKey {
	t.Helper()
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: hs.name}},
	}
	resp, err := client.Get("https://" + hs.federation + "/_matrix/key/v2/server")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var k serverKey
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&k))
	return k
}
