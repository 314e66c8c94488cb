package httpserver

import (
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/hearth-hs/hearth/impl/mxerr"
)

// limitClass groups operations that share a rate limit.
type limitClass string

const (
	limitLogin    limitClass = "login"
	limitRegister limitClass = "register"
)

// limitClasses puts operations in their class, by operationId.
var limitClasses = map[string]limitClass{
	"login":                     limitLogin,
	"refresh":                   limitLogin,
	"generateLoginToken":        limitLogin,
	"register":                  limitRegister,
	"checkUsernameAvailability": limitRegister,
}

// RateLimit is a token bucket: PerSecond requests a second on average, with
// bursts of up to Burst.
type RateLimit struct {
	PerSecond float64 `yaml:"per_second"`
	Burst     int     `yaml:"burst"`
}

// RateLimits are the per-client limits of each class; Enabled false turns
// them all off (test suites, benchmarks).
type RateLimits struct {
	Enabled  bool      `yaml:"enabled"`
	Login    RateLimit `yaml:"login"`
	Register RateLimit `yaml:"register"`
}

// limiter keeps one bucket per class and client IP. Buckets live in this
// process only: behind a load balancer each process limits on its own, which
// bounds the total at processes × limit.
type limiter struct {
	cfg     RateLimits
	mu      sync.Mutex
	buckets map[limiterKey]*bucket
	swept   time.Time
}

type limiterKey struct {
	class limitClass
	ip    string
}

type bucket struct {
	*rate.Limiter
	seen time.Time
}

func newLimiter(cfg RateLimits) *limiter {
	return &limiter{cfg: cfg, buckets: map[limiterKey]*bucket{}, swept: time.Now()}
}

// allow takes a token for the client, or answers M_LIMIT_EXCEEDED saying
// when to come back.
func (l *limiter) allow(class limitClass, ip string) error {
	if !l.cfg.Enabled || class == "" {
		return nil
	}
	conf := l.cfg.Login
	if class == limitRegister {
		conf = l.cfg.Register
	}
	now := time.Now()
	l.mu.Lock()
	l.sweep(now)
	k := limiterKey{class, ip}
	b := l.buckets[k]
	if b == nil {
		b = &bucket{Limiter: rate.NewLimiter(rate.Limit(conf.PerSecond), conf.Burst)}
		l.buckets[k] = b
	}
	b.seen = now
	r := b.ReserveN(now, 1)
	l.mu.Unlock()
	if !r.OK() {
		return mxerr.New(mxerr.LimitExceeded, "too many requests").With("retry_after_ms", int64(1000))
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return mxerr.New(mxerr.LimitExceeded, "too many requests").With("retry_after_ms", d.Milliseconds()+1)
	}
	return nil
}

// sweep forgets buckets idle for ten minutes, at most once a minute; the
// caller holds mu.
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for k, b := range l.buckets {
		if now.Sub(b.seen) > 10*time.Minute {
			delete(l.buckets, k)
		}
	}
}
