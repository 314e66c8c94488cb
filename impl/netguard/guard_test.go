package netguard_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/netguard"
)

func TestGuard(t *testing.T) {
	t.Parallel()
	g, err := netguard.New([]string{"127.0.0.1/32", "10.1.2.0/24"}, []string{"8.8.4.0/24"})
	require.NoError(t, err)
	for _, tc := range []struct {
		name, ip string
		allowed  bool
	}{
		{"public v4", "93.184.215.14", true},
		{"public v6", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", true},
		{"allow-listed loopback", "127.0.0.1", true},
		{"allow-listed private net", "10.1.2.3", true},
		{"other loopback", "127.0.0.2", false},
		{"private 10/8", "10.0.0.1", false},
		{"private 172.16/12", "172.16.5.4", false},
		{"private 192.168/16", "192.168.1.1", false},
		{"carrier-grade NAT", "100.64.0.1", false},
		{"link-local (cloud metadata)", "169.254.169.254", false},
		{"multicast", "224.0.0.1", false},
		{"broadcast", "255.255.255.255", false},
		{"unspecified", "0.0.0.0", false},
		{"this network", "0.1.2.3", false},
		{"documentation", "192.0.2.1", false},
		{"benchmarking", "198.18.0.1", false},
		{"reserved", "240.0.0.1", false},
		{"v6 loopback", "::1", false},
		{"v6 unspecified", "::", false},
		{"v6 link-local", "fe80::1", false},
		{"v6 link-local with zone", "fe80::1%eth0", false},
		{"v6 unique local", "fd00::1", false},
		{"v6 multicast", "ff02::1", false},
		{"v4-mapped private", "::ffff:10.0.0.1", false},
		{"v4-mapped loopback", "::ffff:127.0.0.2", false},
		{"NAT64 of a private address", "64:ff9b::a00:1", false},
		{"6to4", "2002:a00:1::1", false},
		{"v6 documentation", "2001:db8::1", false},
		{"configured deny", "8.8.4.4", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.allowed, g.Allowed(netip.MustParseAddr(tc.ip)))
			err := g.Control("tcp", netip.AddrPortFrom(netip.MustParseAddr(tc.ip), 443).String(), nil)
			if tc.allowed {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, netguard.ErrForbidden)
			}
		})
	}
}

func TestGuardRefusesGarbage(t *testing.T) {
	t.Parallel()
	var g netguard.Guard
	require.ErrorIs(t, g.Control("tcp", "not-an-address", nil), netguard.ErrForbidden)
	require.ErrorIs(t, g.Control("tcp", "example.org:80", nil), netguard.ErrForbidden, "a name, not a resolved address")
	require.ErrorIs(t, g.Control("tcp", "127.0.0.1:80", nil), netguard.ErrForbidden)
	_, err := netguard.New([]string{"nonsense"}, nil)
	require.Error(t, err)
	_, err = netguard.New(nil, []string{"nonsense"})
	require.Error(t, err)
}
