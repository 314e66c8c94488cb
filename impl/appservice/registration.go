package appservice

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"

	"maunium.net/go/mautrix/id"
)

// Registration is one application service's registration file, in the
// format Synapse and the bridges use.
type Registration struct {
	ID string `yaml:"id"`
	// URL is where hearth sends transactions; empty (or null) when the
	// service wants none.
	URL string `yaml:"url"`
	// ASToken is the token the service authenticates with; HSToken the one
	// hearth presents to it.
	ASToken         string     `yaml:"as_token"`
	HSToken         string     `yaml:"hs_token"`
	SenderLocalpart string     `yaml:"sender_localpart"`
	Namespaces      Namespaces `yaml:"namespaces"`
	// RateLimited is nil when the file does not say: the spec's default,
	// rate limited.
	RateLimited *bool    `yaml:"rate_limited"`
	Protocols   []string `yaml:"protocols"`
	// ReceiveEphemeral asks for ephemeral events too (MSC2409).
	ReceiveEphemeral bool `yaml:"receive_ephemeral"`
}

// Namespaces are the users, room aliases and rooms a service is interested
// in.
type Namespaces struct {
	Users   []Namespace `yaml:"users"`
	Aliases []Namespace `yaml:"aliases"`
	Rooms   []Namespace `yaml:"rooms"`
}

// Namespace is one regular expression; Exclusive reserves what it matches
// for the service.
type Namespace struct {
	Exclusive bool   `yaml:"exclusive"`
	Regex     string `yaml:"regex"`
	re        *regexp.Regexp
}

// Regexp returns the compiled Regex of a validated namespace.
func (n Namespace) Regexp() *regexp.Regexp { return n.re }

// IsRateLimited reports whether the service's requests are rate limited.
func (r Registration) IsRateLimited() bool { return r.RateLimited == nil || *r.RateLimited }

// validate checks r on its own and compiles its regular expressions.
func (r *Registration) validate() error {
	var errs []error
	if r.ID == "" {
		errs = append(errs, errors.New("id is required"))
	}
	if r.ASToken == "" || r.HSToken == "" {
		errs = append(errs, errors.New("as_token and hs_token are required"))
	} else if r.ASToken == r.HSToken {
		errs = append(errs, errors.New("as_token and hs_token must differ"))
	}
	if err := id.ValidateUserLocalpart(r.SenderLocalpart); err != nil {
		errs = append(errs, fmt.Errorf("sender_localpart %q: %w", r.SenderLocalpart, err))
	}
	if r.URL != "" {
		if u, err := url.Parse(r.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("url %q: want an http(s) URL", r.URL))
		}
	}
	for _, ns := range []struct {
		kind string
		list []Namespace
	}{{"users", r.Namespaces.Users}, {"aliases", r.Namespaces.Aliases}, {"rooms", r.Namespaces.Rooms}} {
		kind, list := ns.kind, ns.list
		for i := range list {
			re, err := regexp.Compile(list[i].Regex)
			switch {
			case list[i].Regex == "":
				errs = append(errs, fmt.Errorf("namespaces.%s[%d]: regex is required", kind, i))
			case err != nil:
				errs = append(errs, fmt.Errorf("namespaces.%s[%d]: %w", kind, i, err))
			default:
				list[i].re = re
			}
		}
	}
	return errors.Join(errs...)
}
