package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/testutil/pgtest"
)

// The commands read HEARTH_* from the environment, so these tests cannot run
// in parallel.

func TestUserCreate(t *testing.T) {
	t.Setenv("HEARTH_DATABASE_URL", pgtest.URL(t))
	t.Setenv("HEARTH_DATA_DIR", t.TempDir())
	t.Setenv("HEARTH_SERVER_NAME", "cli.test")
	t.Setenv("HEARTH_LOG_LEVEL", "error")
	ctx := context.Background()
	var out, errs bytes.Buffer

	err := run(ctx, []string{"user", "create", "Root", "--admin"}, strings.NewReader("correct horse\n"), &out, &errs)
	require.NoError(t, err, errs.String())
	require.Equal(t, "@root:cli.test\n", out.String())

	out.Reset()
	err = run(ctx, []string{"user", "create", "root", "--password", "other one"}, nil, &out, &errs)
	require.ErrorContains(t, err, "M_USER_IN_USE")

	err = run(ctx, []string{"user", "create", "bad name", "--password", "x"}, nil, &out, &errs)
	require.ErrorContains(t, err, "M_INVALID_USERNAME")
}

func TestMigrateAndVersion(t *testing.T) {
	t.Setenv("HEARTH_DATABASE_URL", pgtest.EmptyURL(t))
	t.Setenv("HEARTH_DATA_DIR", t.TempDir())
	t.Setenv("HEARTH_LOG_LEVEL", "error")
	var out, errs bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"migrate"}, nil, &out, &errs), errs.String())

	require.NoError(t, run(context.Background(), []string{"version"}, nil, &out, &errs))
	require.True(t, strings.HasPrefix(out.String(), "hearth "))

	err := run(context.Background(), []string{"frobnicate"}, nil, &out, &errs)
	require.ErrorContains(t, err, "unknown command")
}
