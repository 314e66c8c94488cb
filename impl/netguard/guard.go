// Package netguard decides which addresses hearth's outbound requests to
// URLs users give (URL previews, push gateways) may reach: public unicast
// addresses outside denied networks, and networks the configuration
// allows. It checks the address actually dialled, after DNS resolution,
// for every connection, so redirects and DNS answers that change between
// lookups (rebinding) are checked like the first request. impl/media and
// impl/push build their HTTP clients on it.
package netguard

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// ErrForbidden is what a dial to a refused address fails with.
var ErrForbidden = errors.New("address is not public")

// deniedRanges are refused besides what netip's predicates catch
// (loopback, private, link-local, multicast, unspecified): special-purpose
// ranges of RFC 6890 and friends, documentation nets, and translation
// prefixes that can embed a private IPv4 address.
var deniedRanges = mustPrefixes(
	"0.0.0.0/8",       // "this network"
	"100.64.0.0/10",   // carrier-grade NAT
	"192.0.0.0/24",    // IETF protocol assignments
	"192.0.2.0/24",    // TEST-NET-1
	"192.88.99.0/24",  // 6to4 relay anycast
	"198.18.0.0/15",   // benchmarking
	"198.51.100.0/24", // TEST-NET-2
	"203.0.113.0/24",  // TEST-NET-3
	"240.0.0.0/4",     // reserved, and 255.255.255.255
	"64:ff9b::/96",    // NAT64
	"64:ff9b:1::/48",  // local-use NAT64
	"100::/64",        // discard-only
	"2001::/23",       // IETF protocol assignments (Teredo included)
	"2001:db8::/32",   // documentation
	"2002::/16",       // 6to4
	"fec0::/10",       // site-local (deprecated)
	"::ffff:0:0:0/96", // SIIT
)

func mustPrefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// Guard decides which addresses may be dialled. The zero Guard allows
// public addresses only.
type Guard struct {
	allow, deny []netip.Prefix
}

// New returns a guard that also allows the networks in allow and refuses
// those in deny (CIDR notation, allow winning); an unparsable network is
// an error.
func New(allow, deny []string) (*Guard, error) {
	g := &Guard{}
	var err error
	if g.allow, err = parsePrefixes(allow); err != nil {
		return nil, err
	}
	if g.deny, err = parsePrefixes(deny); err != nil {
		return nil, err
	}
	return g, nil
}

func parsePrefixes(ss []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range ss {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("network %q: %w", s, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// Allowed tells whether ip may be reached: an allowed network, or a public
// unicast address outside every denied range.
func (g *Guard) Allowed(ip netip.Addr) bool {
	ip = ip.Unmap().WithZone("")
	for _, p := range g.allow {
		if p.Contains(ip) {
			return true
		}
	}
	if !ip.IsValid() || !ip.IsGlobalUnicast() || ip.IsPrivate() || ip.IsLoopback() ||
		ip.IsLinkLocalUnicast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, ranges := range [][]netip.Prefix{deniedRanges, g.deny} {
		for _, p := range ranges {
			if p.Contains(ip) {
				return false
			}
		}
	}
	return true
}

// Control is a net.Dialer Control function: it refuses the connection
// before it is made when the resolved address is not allowed.
func (g *Guard) Control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrForbidden, address)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !g.Allowed(ip) {
		return fmt.Errorf("%w: %s", ErrForbidden, host)
	}
	return nil
}
