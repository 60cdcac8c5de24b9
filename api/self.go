package api

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"syscall"
)

// ownAddr is an address the Server is served at (WithOwnAddress).
type ownAddr struct {
	ip   net.IP // unspecified: every interface
	port int
}

// WithOwnAddress tells the Server the address it is served at, host:port
// as its net.Listener's Addr().String() gives it (a host of 0.0.0.0, ::
// or none means every interface). Webhook URLs that point there are
// refused by WithWebhook and AddWebhook, and a delivery that would connect
// there (a name that resolves to it, a state restored with such a URL)
// fails without being sent: a webhook pointed at the fake itself would
// drive its own API, and a program that mounts an admin API beside it (as
// monime-fake does at /_fake/) would let one delivery wipe the state.
// Repeat it for more addresses. New fails on an address that is not
// host:port with an IP (or localhost) and a port from 1 to 65535.
func WithOwnAddress(addr string) Option {
	return func(c *config) error {
		o, err := parseOwnAddr(addr)
		if err != nil {
			return fmt.Errorf("api: WithOwnAddress: %w", err)
		}
		c.webhook.own = append(c.webhook.own, o)
		return nil
	}
}

func parseOwnAddr(addr string) (ownAddr, error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return ownAddr{}, fmt.Errorf("%q is not host:port (%v); pass the listener's address, such as ln.Addr().String()", addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 1 || port > 65535 {
		return ownAddr{}, fmt.Errorf("%q has no port from 1 to 65535; pass the port the Server is served at (once listening, not 0)", addr)
	}
	ip := hostIP(host)
	if host == "" {
		ip = net.IPv6unspecified
	}
	if ip == nil {
		return ownAddr{}, fmt.Errorf("%q has a host that is neither an IP address nor localhost; pass the listener's address, such as ln.Addr().String()", addr)
	}
	return ownAddr{ip: ip, port: port}, nil
}

// hostIP is the IP a URL's or address's host names without a DNS lookup:
// an IP literal, or loopback for localhost; nil for any other name.
func hostIP(host string) net.IP {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return net.IPv4(127, 0, 0, 1)
	}
	return net.ParseIP(strings.Trim(h, "[]"))
}

// is reports whether a connection to ip:port may reach o. Any loopback or
// unspecified IP at o's port counts, and, when o is every interface, any
// IP of this machine's.
func (o ownAddr) is(ip net.IP, port int) bool {
	switch {
	case port != o.port || ip == nil:
		return false
	case ip.IsLoopback() || ip.IsUnspecified() || ip.Equal(o.ip):
		return true
	case o.ip.IsUnspecified():
		return isLocalIP(ip)
	}
	return false
}

// isLocalIP reports whether ip is one of this machine's interfaces'.
func isLocalIP(ip net.IP) bool {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.Equal(ip) {
			return true
		}
	}
	return false
}

// errOwnAddress is why a webhook to the fake itself is refused.
var errOwnAddress = errors.New("a webhook may not point at the fake itself: a delivery would call the fake's own API (an admin API beside it could have its state wiped)")

// pointsAtOwn reports whether rawURL names one of own, judged without a
// DNS lookup (a name that resolves there is refused when delivering).
func pointsAtOwn(rawURL string, own []ownAddr) (string, bool) {
	if len(own) == 0 {
		return "", false
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", false
	}
	portText := u.Port()
	if portText == "" {
		portText = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	port, _ := strconv.Atoi(portText)
	ip := hostIP(u.Hostname())
	for _, o := range own {
		if o.is(ip, port) {
			return net.JoinHostPort(u.Hostname(), portText), true
		}
	}
	return "", false
}

// ownURLError is the error for a receiver URL that points at the fake.
func ownURLError(hostport string) error {
	return fmt.Errorf("the webhook URL points at %s, where this fake is served; %w. Pass the URL of your own receiver", hostport, errOwnAddress)
}

// refuseOwn is a net.Dialer Control that keeps a delivery from connecting
// to one of own, whatever name led there.
func refuseOwn(own []ownAddr) func(network, address string, c syscall.RawConn) error {
	return func(_, address string, _ syscall.RawConn) error {
		host, portText, err := net.SplitHostPort(address)
		if err != nil {
			return nil
		}
		port, _ := strconv.Atoi(portText)
		for _, o := range own {
			if o.is(net.ParseIP(host), port) {
				return fmt.Errorf("refused to connect to %s, where this fake is served: %w", address, errOwnAddress)
			}
		}
		return nil
	}
}
