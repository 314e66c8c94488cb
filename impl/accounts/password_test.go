package accounts

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPasswordHasher(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cheap := newPasswordHasher(Argon2Config{MemoryKiB: 64, Iterations: 1, Parallelism: 1}, 2)
	stronger := newPasswordHasher(Argon2Config{MemoryKiB: 128, Iterations: 2, Parallelism: 1}, 2)

	hash, err := cheap.Hash(ctx, "correct horse")
	require.NoError(t, err)
	require.Regexp(t, `^\$argon2id\$v=19\$m=64,t=1,p=1\$`, hash)

	for _, tc := range []struct {
		name     string
		h        *passwordHasher
		password string
		ok       bool
	}{
		{"right password", cheap, "correct horse", true},
		{"wrong password", cheap, "correct horsE", false},
		{"a hasher with other costs reads the hash's own", stronger, "correct horse", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ok, err := tc.h.Verify(ctx, hash, tc.password)
			require.NoError(t, err)
			require.Equal(t, tc.ok, ok)
		})
	}

	ok, err := cheap.Verify(ctx, "", "anything")
	require.NoError(t, err)
	require.False(t, ok, "no stored password never matches")

	_, err = cheap.Verify(ctx, "$2b$12$bcrypt-style", "x")
	require.Error(t, err)
	again, err := cheap.Hash(ctx, "correct horse")
	require.NoError(t, err)
	require.NotEqual(t, hash, again, "each hash has its own salt")
}

func TestTokensAreStoredAsHashes(t *testing.T) {
	t.Parallel()
	token, hash := newToken(accessTokenPrefix)
	require.Regexp(t, `^hat_[A-Za-z0-9_-]{43}$`, token)
	require.Equal(t, hash, hashToken(token))
	require.Len(t, hash, 32)
	other, _ := newToken(accessTokenPrefix)
	require.NotEqual(t, token, other)
}
