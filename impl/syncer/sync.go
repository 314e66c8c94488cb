package syncer

import (
	"context"
	"time"

	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/stream"
)

// Request is a /sync request.
type Request struct {
	User   id.UserID
	Device id.DeviceID
	// Since is the client's token; empty for an initial sync.
	Since string
	// Filter is the filter parameter: inline JSON or a stored filter's ID.
	Filter    string
	FullState bool
	// UseStateAfter asks for state_after (the state at the end of the
	// timeline) instead of state.
	UseStateAfter bool
	// Timeout is how long to wait for news before answering.
	Timeout     time.Duration
	SetPresence string
}

// Sync answers a /sync request with the response body. With a since token
// and nothing new for the user, it waits on the stream until something
// concerning them commits or the timeout passes, then answers what there is
// (possibly nothing) with a fresh next_batch.
func (s *Service) Sync(ctx context.Context, r Request) ([]byte, error) {
	f, err := s.resolveFilter(ctx, r.User, r.Filter)
	if err != nil {
		return nil, err
	}
	// An initial sync has no token; a token may still be s0.
	initial := r.Since == ""
	var since stream.Pos
	if !initial {
		if since, err = stream.ParseToken(r.Since); err != nil {
			return nil, err
		}
	}
	// Omitted set_presence means online (v1.19 client-server, GET /sync):
	// the provider hears every sync and writes only now and then.
	if s.d.Ephemeral != nil {
		if err := s.d.Ephemeral.SetPresence(ctx, r.User, r.SetPresence); err != nil {
			return nil, err
		}
	}
	upto, err := s.d.Notifier.Refresh(ctx)
	if err != nil {
		return nil, err
	}
	if upto < since {
		// A token from a process that saw further: nothing is lost by
		// answering from it.
		upto = since
	}
	deadline := time.Now().Add(min(r.Timeout, s.cfg.MaxTimeout))
	for {
		resp, watch, err := s.compute(ctx, r, f, since, upto)
		if err != nil {
			return nil, err
		}
		if initial || r.FullState || !resp.empty() || !time.Now().Before(deadline) {
			return resp.encode(upto)
		}
		next, err := s.d.Notifier.WaitUntil(ctx, upto, deadline, watch.Match)
		if err != nil {
			return nil, err
		}
		upto = max(upto, next)
	}
}
