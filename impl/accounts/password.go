package accounts

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// passwordHasher hashes and verifies argon2id passwords in PHC string form.
// A hash costs MemoryKiB of memory for tens of milliseconds, so at most
// slots hashes run at once: a burst of logins queues instead of exhausting
// memory.
type passwordHasher struct {
	cost  Argon2Config
	slots chan struct{}
	// dummy is verified against when a user does not exist, so that timing
	// does not tell which user names are taken.
	dummy string
}

func newPasswordHasher(cost Argon2Config, slots int) *passwordHasher {
	h := &passwordHasher{cost: cost, slots: make(chan struct{}, max(slots, 1))}
	h.dummy = h.hashNow("not a password of anyone's")
	return h
}

func (h *passwordHasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *passwordHasher) release() { <-h.slots }

// Hash returns the PHC string of password.
func (h *passwordHasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return h.hashNow(password), nil
}

func (h *passwordHasher) hashNow(password string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	c := h.cost
	sum := argon2.IDKey([]byte(password), salt, c.Iterations, c.MemoryKiB, c.Parallelism, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, c.MemoryKiB, c.Iterations, c.Parallelism,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(sum))
}

// Verify tells whether password matches encoded, a PHC string made by Hash
// (with any cost). An empty encoded (no password set) verifies against the
// dummy hash and never matches.
func (h *passwordHasher) Verify(ctx context.Context, encoded, password string) (bool, error) {
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	if encoded == "" {
		h.verifyNow(h.dummy, password)
		return false, nil
	}
	return h.verifyNow(encoded, password)
}

func (h *passwordHasher) verifyNow(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, fmt.Errorf("verify password: unknown hash format")
	}
	var version int
	var c Argon2Config
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, fmt.Errorf("verify password: argon2 version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &c.MemoryKiB, &c.Iterations, &c.Parallelism); err != nil {
		return false, fmt.Errorf("verify password: parameters %q: %w", parts[3], err)
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("verify password: salt: %w", err)
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false, fmt.Errorf("verify password: hash: %w", err)
	}
	got := argon2.IDKey([]byte(password), salt, c.Iterations, c.MemoryKiB, c.Parallelism, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
