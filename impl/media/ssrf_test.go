package media

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAddressGuard(t *testing.T) {
	t.Parallel()
	g, err := newAddressGuard([]string{"127.0.0.1/32", "10.1.2.0/24"}, []string{"8.8.4.0/24"})
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
			require.Equal(t, tc.allowed, g.allowed(netip.MustParseAddr(tc.ip)))
			err := g.control("tcp", netip.AddrPortFrom(netip.MustParseAddr(tc.ip), 443).String(), nil)
			if tc.allowed {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, errForbiddenAddress)
			}
		})
	}
}

func TestAddressGuardRefusesGarbage(t *testing.T) {
	t.Parallel()
	g, err := newAddressGuard(nil, nil)
	require.NoError(t, err)
	require.ErrorIs(t, g.control("tcp", "not-an-address", nil), errForbiddenAddress)
	require.ErrorIs(t, g.control("tcp", "example.org:80", nil), errForbiddenAddress, "a name, not a resolved address")
	_, err = newAddressGuard([]string{"nonsense"}, nil)
	require.Error(t, err)
}
