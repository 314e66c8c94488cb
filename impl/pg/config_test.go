package pg_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/pg"
)

func TestConfigWithDefaults(t *testing.T) {
	t.Parallel()
	require.Equal(t, pg.Defaults(), pg.Config{}.WithDefaults())

	c := pg.Config{URL: "postgres://h/db", MaxConns: 3, MaxConnIdleTime: time.Second}.WithDefaults()
	require.Equal(t, "postgres://h/db", c.URL)
	require.EqualValues(t, 3, c.MaxConns)
	require.Equal(t, time.Second, c.MaxConnIdleTime)
	require.Equal(t, pg.Defaults().MaxConnLifetime, c.MaxConnLifetime)
	require.Equal(t, "hearth", c.ApplicationName)
	require.NoError(t, pg.Config{}.Validate())
}

func TestConfigValidateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	err := pg.Config{
		URL:             "postgres://u:secret@h:notaport/db",
		MaxConns:        -1,
		MinConns:        5,
		MaxConnIdleTime: -time.Second,
	}.Validate()
	require.Error(t, err)
	for _, want := range []string{"database.url", "database.max_conns", "database.min_conns", "database.max_conn_idle_time"} {
		require.ErrorContains(t, err, want)
	}
	require.NotContains(t, err.Error(), "secret")
}

func TestLogValueRedactsPassword(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	logger := slog.New(slog.NewTextHandler(&b, nil))
	logger.Info("start", "database", pg.Config{URL: "postgres://hearth:s3cret@db:5432/hearth"})
	require.NotContains(t, b.String(), "s3cret")
	require.Contains(t, b.String(), "database.url=postgres://hearth:xxxxx@db:5432/hearth")
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"url with password", "postgres://u:pw@h:5432/db?sslmode=require", "postgres://u:xxxxx@h:5432/db?sslmode=require"},
		{"url without password", "postgresql://u@h/db", "postgresql://u@h/db"},
		{"url with password parameter", "postgres://u@h/db?password=pw", "postgres://u@h/db?password=xxxxx"},
		{"keyword value", "host=h user=u password=pw dbname=db", "host=h user=u password=xxxxx dbname=db"},
		{"keyword value quoted", "host=h password='p w\\' x' dbname=db", "host=h password=xxxxx dbname=db"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, pg.RedactURL(tc.in))
		})
	}
}
