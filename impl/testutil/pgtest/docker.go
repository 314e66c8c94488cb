package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" for the wait strategy's database/sql
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
	"github.com/testcontainers/testcontainers-go/wait"
)

// The container: a local image, since no registry is reachable from
// hearth's machines (.ci/pgimage/build.sh builds it), with a fixed superuser.
const (
	image             = "hearth-pgtest:15"
	containerUser     = "hearth"
	containerPassword = "hearth"
	containerLabel    = "hearth.pgtest"
)

// errNoDocker marks a Docker engine that does not answer.
var errNoDocker = errors.New("no Docker engine answers")

// dockerServer starts, or finds running, the test server container and
// returns its admin DSN. Every test process of every run shares one
// container: its name is fixed per image (hearth-pgtest-<image ID>), so that
// testcontainers' reuse finds it, and a rebuilt image gets a new one. The
// container is left running for the next run (remove it with
// `docker rm -f $(docker ps -aq --filter label=hearth.pgtest)`).
func dockerServer(ctx context.Context) (string, error) {
	// Ryuk, testcontainers' reaper, is an image from a registry; and the
	// mapped port is on this machine.
	setenvDefault("TESTCONTAINERS_RYUK_DISABLED", "true")
	setenvDefault("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")

	quiet := tclog.NewNoopLogger()
	// Its banner ("Connected to docker: ...") goes to the global logger.
	tclog.SetDefault(quiet)
	provider, err := testcontainers.NewDockerProvider(testcontainers.WithLogger(quiet))
	if err != nil {
		return "", fmt.Errorf("%w: %w", errNoDocker, err)
	}
	defer provider.Close()
	health, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := provider.Health(health); err != nil {
		return "", fmt.Errorf("%w: %w", errNoDocker, err)
	}
	// Checked here so that testcontainers never tries to pull it.
	img, err := provider.Client().ImageInspect(ctx, image)
	if err != nil {
		return "", fmt.Errorf("image %s: %w (build it with: sudo .ci/pgimage/build.sh)", image, err)
	}
	id := strings.TrimPrefix(img.ID, "sha256:")
	if len(id) > 12 {
		id = id[:12]
	}

	ctr, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			Image:        image,
			Name:         "hearth-pgtest-" + id,
			ExposedPorts: []string{"5432/tcp"},
			Env: map[string]string{
				"POSTGRES_USER":     containerUser,
				"POSTGRES_PASSWORD": containerPassword,
				"POSTGRES_DB":       "postgres",
			},
			Labels: map[string]string{containerLabel: "1"},
			// Data in memory: on disk, even without fsync, a clone takes
			// ~150ms instead of ~20ms on hearth's machines.
			Tmpfs: map[string]string{"/var/lib/postgresql/data": "rw"},
			HostConfigModifier: func(hc *container.HostConfig) {
				// Reachable from this machine only: the password is no secret.
				hc.PortBindings = network.PortMap{
					network.MustParsePort("5432/tcp"): {{HostIP: netip.MustParseAddr("127.0.0.1")}},
				}
				hc.ShmSize = 256 << 20
			},
			WaitingFor: wait.ForSQL("5432/tcp", "pgx", func(host string, port network.Port) string {
				return adminDSN(host, port.Port())
			}).WithStartupTimeout(2 * time.Minute),
		},
		Started: true,
		Reuse:   true,
		Logger:  quiet,
	})
	if err != nil {
		return "", fmt.Errorf("start container from %s: %w", image, err)
	}
	host, err := ctr.Host(ctx)
	if err != nil {
		return "", fmt.Errorf("container host: %w", err)
	}
	port, err := ctr.MappedPort(ctx, "5432/tcp")
	if err != nil {
		return "", fmt.Errorf("container port: %w", err)
	}
	return adminDSN(host, port.Port()), nil
}

func adminDSN(host, port string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(containerUser, containerPassword),
		Host:     net.JoinHostPort(host, port),
		Path:     "/postgres",
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// setenvDefault sets key for this process unless it is set: testcontainers
// reads its settings from the environment only.
func setenvDefault(key, value string) {
	if _, ok := os.LookupEnv(key); !ok {
		_ = os.Setenv(key, value)
	}
}
