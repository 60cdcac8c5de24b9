package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/monimekit/monime-go/api"
)

// config is what the flags and their environment twins say.
type config struct {
	addr          string
	token         string
	space         string
	webhookURLs   []string
	webhookEvents []string
	webhookSecret string
	secretMade    bool // webhookSecret was generated, not given
	dataFile      string
	logLevel      slog.Level
	sessionTTL    time.Duration
	fees          []fee
	payoutDelay   time.Duration
	payoutFees    []fee
	adminToken    string
	maxConns      int
	idleTimeout   time.Duration
}

// fee is one -fee or -payout-fee rule: code:basisPoints:fixed.
type fee struct {
	code        string
	basisPoints int
	fixed       int64
}

// errUsage marks a problem with the command line or the environment: the
// command prints it and exits with status 2.
var errUsage = errors.New("usage")

// usageError is a problem with the command line or the environment.
type usageError struct{ msg string }

func (e *usageError) Error() string        { return e.msg }
func (e *usageError) Is(target error) bool { return target == errUsage }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// listValue is a repeatable flag; its environment twin is a list separated
// by commas or white space.
type listValue struct{ items *[]string }

func (v listValue) String() string {
	if v.items == nil {
		return ""
	}
	return strings.Join(*v.items, ",")
}

func (v listValue) Set(s string) error {
	*v.items = append(*v.items, strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })...)
	return nil
}

// envPrefix starts the name of every flag's environment twin: -addr is
// MONIME_FAKE_ADDR, -webhook-url MONIME_FAKE_WEBHOOK_URL.
const envPrefix = "MONIME_FAKE_"

// envName is the environment twin of flag name.
func envName(name string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// parseConfig reads args, then, for every flag args leave unset, its
// environment twin from getenv. -h prints the usage and returns
// flag.ErrHelp.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	cfg := &config{}
	var logLevel, ttl, payoutDelay string
	var fees, payoutFees []string
	fs := flag.NewFlagSet("monime-fake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8089", "`host:port` to listen on (port 0 picks a free one)")
	fs.StringVar(&cfg.token, "token", api.DefaultToken, "the access `token` clients send as 'Authorization: Bearer <token>'")
	fs.StringVar(&cfg.space, "space", api.DefaultSpaceID, "the space `id` (spc-...) clients send as Monime-Space-Id")
	fs.Var(listValue{&cfg.webhookURLs}, "webhook-url", "`URL` to POST signed webhook events to (repeat for more)")
	fs.Var(listValue{&cfg.webhookEvents}, "webhook-events", "comma-separated event `names` the -webhook-url receivers get (default: the checkout_session.* events)")
	fs.StringVar(&cfg.webhookSecret, "webhook-secret", "", "the `secret` webhooks are signed with (default: a random one, printed at start)")
	fs.StringVar(&cfg.dataFile, "data", "", "`file` to keep state in across restarts (default: state lives in memory only)")
	fs.StringVar(&logLevel, "log-level", "info", "`level` of the log on stderr: debug, info, warn or error")
	fs.StringVar(&ttl, "session-ttl", api.DefaultSessionTTL.String(), "how long a new session stays pending before it expires (a Go `duration`)")
	fs.StringVar(&cfg.adminToken, "admin-token", "", "a `secret` the admin API and the dashboard then require (bearer header, or ?token= once in a browser) instead of a loopback Host; needed with an -addr other machines can reach")
	fs.IntVar(&cfg.maxConns, "max-conns", defaultMaxConns, "how many `connections` the fake holds open at once; at the limit a new one replaces the one idle the longest")
	fs.DurationVar(&cfg.idleTimeout, "idle-timeout", defaultIdleTimeout, "how long a keep-alive connection may wait for its next request (a Go `duration`)")
	fs.Var(listValue{&fees}, "fee", "a fee on every payment, `code:basisPoints:fixed` such as processing_fee:150:100 (1.5% + 1.00); repeat for more")
	fs.StringVar(&payoutDelay, "payout-delay", defaultPayoutDelay.String(), "how long a pending payout waits before it completes on its own (a Go `duration`); 0 leaves payouts pending until the admin API or the dashboard completes or fails them")
	fs.Var(listValue{&payoutFees}, "payout-fee", "a fee on every payout, paid by its source account on top of the amount, `code:basisPoints:fixed` such as payout_fee:100:500 (1% + 5.00); repeat for more")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: monime-fake [flags]\n\nA fake Monime API for local development, with a dashboard and an admin API.\nEvery flag can also be set by its environment variable, %sNAME (such as %s); a flag given on the command line wins.\n\nFlags:\n", envPrefix, envName("addr"))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usagef("%v (run monime-fake -h for the flags)", err)
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q: monime-fake takes flags only (run monime-fake -h)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || envErr != nil {
			return
		}
		v := getenv(envName(f.Name))
		if v == "" {
			return
		}
		if err := fs.Set(f.Name, v); err != nil {
			envErr = usagef("%s=%q is not a valid value for -%s: %v", envName(f.Name), v, f.Name, err)
		}
	})
	if envErr != nil {
		return nil, envErr
	}
	if err := cfg.check(logLevel, ttl, payoutDelay, fees, payoutFees); err != nil {
		return nil, err
	}
	return cfg, nil
}

// check validates what parsing cannot and fills the derived fields.
func (cfg *config) check(logLevel, ttl, payoutDelay string, fees, payoutFees []string) error {
	if _, _, err := net.SplitHostPort(cfg.addr); err != nil {
		return usagef("-addr %q is not host:port (%v); pass such as -addr 127.0.0.1:8089, or 127.0.0.1:0 for any free port", cfg.addr, err)
	}
	if err := cfg.checkExposure(); err != nil {
		return err
	}
	if err := cfg.logLevel.UnmarshalText([]byte(logLevel)); err != nil {
		return usagef("-log-level %q is not a level; pass debug, info, warn or error", logLevel)
	}
	d, err := time.ParseDuration(ttl)
	if err != nil || d <= 0 {
		return usagef("-session-ttl %q is not a positive duration; pass such as 30m or 1h", ttl)
	}
	cfg.sessionTTL = d
	if cfg.maxConns < 1 {
		return usagef("-max-conns %d is below 1; pass how many connections the fake may hold open at once, such as %d", cfg.maxConns, defaultMaxConns)
	}
	if cfg.idleTimeout <= 0 {
		return usagef("-idle-timeout %v is not a positive duration; pass such as 60s", cfg.idleTimeout)
	}
	for _, raw := range cfg.webhookURLs {
		if problem := webURLProblem(raw); problem != "" {
			return usagef("-webhook-url %q %s; pass the absolute http or https URL of your receiver, such as http://127.0.0.1:3000/webhooks/monime", raw, problem)
		}
	}
	if len(cfg.webhookEvents) > 0 && len(cfg.webhookURLs) == 0 {
		return usagef("-webhook-events is given without -webhook-url; name the receiver with -webhook-url too")
	}
	if cfg.webhookSecret != "" && strings.TrimSpace(cfg.webhookSecret) != cfg.webhookSecret {
		return usagef("-webhook-secret has white space at either end (a newline from a file?); pass the secret alone")
	}
	if cfg.payoutDelay, err = time.ParseDuration(payoutDelay); err != nil || cfg.payoutDelay < 0 {
		return usagef("-payout-delay %q is not a duration of zero or more; pass how long a payout takes, such as 5s, or 0 to leave payouts pending until the admin API or the dashboard decides", payoutDelay)
	}
	for _, raw := range fees {
		f, err := parseFee("-fee", "processing_fee:150:100 for 1.5%% plus 1.00", raw)
		if err != nil {
			return err
		}
		cfg.fees = append(cfg.fees, f)
	}
	for _, raw := range payoutFees {
		f, err := parseFee("-payout-fee", "payout_fee:100:500 for 1%% plus 5.00", raw)
		if err != nil {
			return err
		}
		cfg.payoutFees = append(cfg.payoutFees, f)
	}
	return nil
}

// defaultPayoutDelay is how long a payout stays pending unless
// -payout-delay says otherwise: long enough to see it pending on the
// dashboard, short enough that an app's payout.completed webhook comes
// without a test having to act.
const defaultPayoutDelay = 5 * time.Second

// parseFee reads one rule of flag (-fee or -payout-fee),
// code:basisPoints:fixed; example is a rule and what it means, for the
// message, its percent signs doubled.
func parseFee(flag, example, raw string) (fee, error) {
	parts := strings.Split(raw, ":")
	bad := func(why string) (fee, error) {
		return fee{}, usagef("%s %q %s; pass code:basisPoints:fixed, such as "+example+" in minor units", flag, raw, why)
	}
	if len(parts) != 3 || parts[0] == "" {
		return bad("does not have three parts")
	}
	bps, err := strconv.Atoi(parts[1])
	if err != nil {
		return bad("has basis points that are not a whole number")
	}
	fixed, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return bad("has a fixed part that is not a whole number of minor units")
	}
	return fee{code: parts[0], basisPoints: bps, fixed: fixed}, nil
}

// webURLProblem says what is wrong with a receiver's URL, or "".
func webURLProblem(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "does not parse"
	case u.Scheme != "http" && u.Scheme != "https":
		return "is not http or https"
	case u.Host == "":
		return "has no host"
	}
	return ""
}
