package main

import (
	"fmt"
	"log/slog"

	"github.com/monimekit/monime-go/api"
)

// flagNames are what package api's messages name instead of its options
// and methods: what a monime-fake user sets.
var flagNames = map[string]string{
	"WithCredentials":       "-token",
	"WithCredentials token": "-token",
	"WithCredentials space": "-space",
	"WithSessionTTL":        "-session-ttl",
	"WithFee":               "-fee",
	"WithPayoutFee":         "-payout-fee",
	"WithPayoutDelay":       "-payout-delay",
	"WithWebhook":           "-webhook-url",
	"InjectFault":           "POST " + adminPrefix + "faults",
	"AddWebhook":            "refused",
	"add a webhook":         "POST " + adminPrefix + "webhooks, or -webhook-url",
}

// flagOptions are the options of package api the flags in cfg make.
func flagOptions(cfg *config, log *slog.Logger) []api.Option {
	opts := []api.Option{
		api.WithOptionNames(flagNames),
		api.WithCredentials(cfg.token, cfg.space),
		api.WithSessionTTL(cfg.sessionTTL),
		api.WithPayoutDelay(cfg.payoutDelay),
		api.WithLogger(log),
	}
	for _, u := range cfg.webhookURLs {
		opts = append(opts, api.WithWebhook(u, cfg.webhookSecret, cfg.webhookEvents...))
	}
	for _, f := range cfg.fees {
		opts = append(opts, api.WithFee(f.code, f.basisPoints, f.fixed))
	}
	for _, f := range cfg.payoutFees {
		opts = append(opts, api.WithPayoutFee(f.code, f.basisPoints, f.fixed))
	}
	return opts
}

// checkFlags reports what is wrong with the flags that only package api
// can tell, before the fake listens: a fake is made from them and
// dropped.
func checkFlags(cfg *config, log *slog.Logger) error {
	fake, err := api.New(flagOptions(cfg, log)...)
	if err != nil {
		return fmt.Errorf("the flags do not make a working fake: %w", err)
	}
	fake.Close()
	return nil
}
