package appservice_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/appservice"
)

// complementRegistration is a registration as Complement writes it.
const complementRegistration = `id: my_as_id
hs_token: hs-secret
as_token: as-secret
url: 'http://host.docker.internal:45678'
sender_localpart: the-bridge-user
rate_limited: false
de.sorunome.msc2409.push_ephemeral: true
namespaces:
  users:
    - exclusive: false
      regex: .*
  rooms: []
  aliases: []
`

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestLoadComplementRegistration(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "my_as_id.yaml", complementRegistration)
	write(t, dir, "notes.txt", "not a registration")

	regs, err := appservice.Load(appservice.Config{RegistrationDir: dir})
	require.NoError(t, err)
	require.Len(t, regs, 1)
	r := regs[0]
	require.Equal(t, "my_as_id", r.ID)
	require.Equal(t, "http://host.docker.internal:45678", r.URL)
	require.Equal(t, "the-bridge-user", r.SenderLocalpart)
	require.False(t, r.IsRateLimited())
	require.Len(t, r.Namespaces.Users, 1)
	require.True(t, r.Namespaces.Users[0].Regexp().MatchString("@anyone:hs1"))
	require.Empty(t, r.Namespaces.Rooms)
}

func TestLoadFilesAndDirectoryTogether(t *testing.T) {
	t.Parallel()
	dir, other := t.TempDir(), t.TempDir()
	write(t, dir, "b.yml", "id: b\nas_token: ab\nhs_token: hb\nsender_localpart: b\nurl: null\n")
	write(t, dir, "a.yaml", "id: a\nas_token: aa\nhs_token: ha\nsender_localpart: a\n"+
		"namespaces:\n  aliases:\n    - exclusive: true\n      regex: '#a_.*'\n")
	file := write(t, other, "c.yaml", "id: c\nas_token: ac\nhs_token: hc\nsender_localpart: c\nprotocols: [irc]\n")

	regs, err := appservice.Load(appservice.Config{RegistrationFiles: []string{file}, RegistrationDir: dir})
	require.NoError(t, err)
	var ids []string
	for _, r := range regs {
		ids = append(ids, r.ID)
	}
	require.Equal(t, []string{"c", "a", "b"}, ids, "files first, then the directory in name order")
	require.True(t, regs[1].Namespaces.Aliases[0].Exclusive)
	require.True(t, regs[2].IsRateLimited(), "rate limited unless the file says otherwise")
	require.Equal(t, []string{"irc"}, regs[0].Protocols)
}

func TestLoadReportsEveryProblem(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "1-bad-regex.yaml", "id: x\nas_token: a1\nhs_token: h1\nsender_localpart: x\n"+
		"namespaces:\n  users:\n    - exclusive: true\n      regex: '(unclosed'\n")
	write(t, dir, "2-no-tokens.yaml", "id: y\nsender_localpart: y\n")
	write(t, dir, "3-bad-localpart.yaml", "id: z\nas_token: a3\nhs_token: h3\nsender_localpart: 'Not Valid'\n")
	write(t, dir, "4-dup.yaml", "id: d\nas_token: shared\nhs_token: h4\nsender_localpart: d\n")
	write(t, dir, "5-dup.yaml", "id: d\nas_token: shared\nhs_token: h5\nsender_localpart: e\n")
	write(t, dir, "6-not-yaml.yaml", "id: [\n")
	write(t, dir, "7-bad-url.yaml", "id: u\nas_token: a7\nhs_token: h7\nsender_localpart: u\nurl: 'ftp://x'\n")

	_, err := appservice.Load(appservice.Config{RegistrationDir: dir, RegistrationFiles: []string{filepath.Join(dir, "missing.yaml")}})
	require.Error(t, err)
	for _, want := range []string{
		"missing.yaml", "namespaces.users[0]", "as_token and hs_token are required", "sender_localpart",
		`id "d" is used twice`, "share a token", "6-not-yaml.yaml", "want an http(s) URL",
	} {
		require.ErrorContains(t, err, want)
	}

	_, err = appservice.Load(appservice.Config{RegistrationDir: filepath.Join(dir, "nope")})
	require.ErrorContains(t, err, "registration_dir")
}

func TestLoadNothing(t *testing.T) {
	t.Parallel()
	regs, err := appservice.Load(appservice.Config{})
	require.NoError(t, err)
	require.Empty(t, regs)
}
