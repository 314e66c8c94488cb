package media

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// errForbiddenAddress is what a dial to a refused address fails with.
var errForbiddenAddress = errors.New("address is not public")

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

// addressGuard decides which addresses outbound fetches (URL previews)
// may connect to. It runs as the dialer's Control function, that is on the
// address actually dialled, after DNS resolution, for every connection:
// redirects and DNS answers that change between lookups (rebinding) are
// checked like the first request.
type addressGuard struct {
	allow, deny []netip.Prefix
}

func newAddressGuard(allow, deny []string) (*addressGuard, error) {
	g := &addressGuard{deny: append([]netip.Prefix(nil), deniedRanges...)}
	for _, s := range allow {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, err
		}
		g.allow = append(g.allow, p)
	}
	for _, s := range deny {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, err
		}
		g.deny = append(g.deny, p)
	}
	return g, nil
}

// allowed tells whether ip may be reached: an allow-listed network, or a
// public unicast address outside every denied range.
func (g *addressGuard) allowed(ip netip.Addr) bool {
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
	for _, p := range g.deny {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// control is a net.Dialer Control function: it refuses the connection
// before it is made when the resolved address is not allowed.
func (g *addressGuard) control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", errForbiddenAddress, address)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !g.allowed(ip) {
		return fmt.Errorf("%w: %s", errForbiddenAddress, host)
	}
	return nil
}
