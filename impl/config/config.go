// Package config holds hearth's whole configuration: it composes the Config
// each package declares, fills defaults, reads the YAML file and HEARTH_*
// environment overrides, and validates everything at once. No other package
// reads files, the environment or globals for settings.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/accounts"
	"github.com/hearth-hs/hearth/impl/admin"
	"github.com/hearth-hs/hearth/impl/appservice"
	"github.com/hearth-hs/hearth/impl/clientapi"
	"github.com/hearth-hs/hearth/impl/directory"
	"github.com/hearth-hs/hearth/impl/e2ee"
	"github.com/hearth-hs/hearth/impl/ephemeral"
	"github.com/hearth-hs/hearth/impl/federation"
	"github.com/hearth-hs/hearth/impl/httpserver"
	"github.com/hearth-hs/hearth/impl/jobs"
	"github.com/hearth-hs/hearth/impl/media"
	"github.com/hearth-hs/hearth/impl/pg"
	"github.com/hearth-hs/hearth/impl/pg/cluster"
	"github.com/hearth-hs/hearth/impl/push"
	"github.com/hearth-hs/hearth/impl/rooms"
	"github.com/hearth-hs/hearth/impl/slidingsync"
	"github.com/hearth-hs/hearth/impl/syncer"
	"github.com/hearth-hs/hearth/impl/telemetry"
	"github.com/hearth-hs/hearth/impl/tlscert"
	"github.com/hearth-hs/hearth/impl/turn"
)

// Config is everything hearth can be told. Every field has a working
// default, so hearth runs with no file at all.
type Config struct {
	// Profile names a set of settings applied over the defaults, before the
	// file's and the environment's (profile.go): "complement" for Matrix's
	// test suite. Empty: none.
	Profile string `yaml:"profile"`
	// ServerName is the name in this server's user and room IDs. It cannot
	// change once users exist.
	ServerName string `yaml:"server_name"`
	// PublicBaseURL is where clients reach the client API, announced in
	// /.well-known/matrix/client. Empty: the URL the client used.
	PublicBaseURL string `yaml:"public_base_url"`
	// DataDir holds the signing key, the embedded database and media.
	DataDir string `yaml:"data_dir"`
	// SigningKeyPath is the ed25519 key file; empty means DataDir/signing.key.
	SigningKeyPath string `yaml:"signing_key_path"`

	Database pg.Config `yaml:"database"`
	// EmbeddedDatabase is the private cluster run when Database.URL is empty.
	EmbeddedDatabase cluster.Config              `yaml:"embedded_database"`
	HTTP             httpserver.Config           `yaml:"http"`
	Registration     accounts.RegistrationConfig `yaml:"registration"`
	Accounts         accounts.Config             `yaml:"accounts"`
	Rooms            rooms.Config                `yaml:"rooms"`
	Sync             syncer.Config               `yaml:"sync"`
	SlidingSync      slidingsync.Config          `yaml:"sliding_sync"`
	Typing           ephemeral.TypingConfig      `yaml:"typing"`
	Presence         ephemeral.PresenceConfig    `yaml:"presence"`
	Log              telemetry.Config            `yaml:"log"`
	WellKnown        clientapi.WellKnown         `yaml:"well_known"`
	// UserDirectory says whom user directory searches find.
	UserDirectory directory.UsersConfig `yaml:"user_directory"`

	// TLSIssuer, when set, issues the certificate served on http.tls_listen
	// at every start, from a CA whose key hearth holds (test networks).
	TLSIssuer  tlscert.Config    `yaml:"tls_issuer"`
	Federation federation.Config `yaml:"federation"`
	AppService appservice.Config `yaml:"appservice"`

	// Media is the content repository; its store defaults to DataDir/media.
	Media media.Config `yaml:"media"`
	// Jobs is the durable job queue (thumbnails, and later push and
	// federation sending).
	Jobs jobs.Config `yaml:"jobs"`
	// E2EE is end-to-end encryption: how many to-device messages a sync
	// carries.
	E2EE e2ee.Config `yaml:"e2ee"`
	// Push is push notifications: delivery to push gateways, unread counts.
	Push push.Config `yaml:"push"`
	// Admin is the admin API's settings (server notices).
	Admin admin.Config `yaml:"admin"`
	// TURN is the TURN server clients get credentials for.
	TURN turn.Config `yaml:"turn"`
}

// Default returns the configuration of a fresh `hearth serve`.
func Default() Config {
	acc := accounts.DefaultConfig()
	embedded := cluster.Defaults()
	embedded.DataDir = "" // under DataDir unless set
	return Config{
		ServerName:       "localhost",
		DataDir:          "data",
		Database:         pg.Defaults(),
		EmbeddedDatabase: embedded,
		HTTP:             httpserver.DefaultConfig(),
		Registration:     acc.Registration,
		Accounts:         acc,
		Rooms:            rooms.DefaultConfig(),
		Sync:             syncer.DefaultConfig(),
		SlidingSync:      slidingsync.DefaultConfig(),
		Typing:           ephemeral.DefaultTypingConfig(),
		Presence:         ephemeral.DefaultPresenceConfig(),
		Log:              telemetry.DefaultConfig(),
		Media:            media.DefaultConfig(),
		Jobs:             jobs.DefaultConfig(),
		E2EE:             e2ee.DefaultConfig(),
		Push:             push.DefaultConfig(),
		Admin:            admin.DefaultConfig(),
		TURN:             turn.DefaultConfig(),
	}
}

// finish derives the settings that depend on others once file and
// environment are read.
func (c *Config) finish() {
	if c.SigningKeyPath == "" {
		c.SigningKeyPath = filepath.Join(c.DataDir, "signing.key")
	}
	if c.EmbeddedDatabase.DataDir == "" {
		c.EmbeddedDatabase.DataDir = filepath.Join(c.DataDir, "postgres")
	}
	if c.Media.Path == "" {
		c.Media.Path = filepath.Join(c.DataDir, "media")
	}
	c.Database = c.Database.WithDefaults()
	c.EmbeddedDatabase = c.EmbeddedDatabase.WithDefaults()
}

// AccountsConfig is the accounts configuration with the top-level
// registration section in it.
func (c Config) AccountsConfig() accounts.Config {
	a := c.Accounts
	a.Registration = c.Registration
	return a
}

// Validate reports every problem at once.
func (c Config) Validate() error {
	var errs []error
	if !id.ValidateServerName(c.ServerName) {
		errs = append(errs, fmt.Errorf("server_name %q is not a valid server name", c.ServerName))
	}
	if c.PublicBaseURL != "" {
		if u, err := url.Parse(c.PublicBaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("public_base_url %q: want an http(s) URL", c.PublicBaseURL))
		}
	}
	if c.HTTP.TLSListen != "" && c.HTTP.TLSCert == "" && !c.TLSIssuer.Enabled() {
		errs = append(errs, errors.New("http.tls_listen needs a certificate: set http.tls_cert and http.tls_key, or tls_issuer"))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("data_dir is required"))
	}
	for _, err := range []error{
		c.Database.Validate(), c.EmbeddedDatabase.Validate(), c.HTTP.Validate(), c.AccountsConfig().Validate(), c.Rooms.Validate(), c.Log.Validate(),
		c.TLSIssuer.Validate(), c.Federation.Validate(), c.Media.Validate(), c.Jobs.Validate(), c.E2EE.Validate(),
		c.Typing.Validate(), c.Presence.Validate(), c.SlidingSync.Validate(), c.Push.Validate(),
		c.Admin.Validate(), c.TURN.Validate(),
	} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// LogValue logs the configuration without its secrets.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("profile", c.Profile),
		slog.String("server_name", c.ServerName),
		slog.String("data_dir", c.DataDir),
		slog.Any("database", c.Database),
		slog.String("listen", c.HTTP.Listen),
		slog.String("tls_listen", c.HTTP.TLSListen),
		slog.String("registration", c.Registration.Mode),
		slog.Bool("shared_secret_registration", c.Registration.SharedSecret != ""),
	)
}
