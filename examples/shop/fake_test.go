package main

import (
	"context"
	"slices"
	"testing"

	"github.com/monimekit/monime-go/monime"
	"github.com/monimekit/monime-go/monime/monimetest"
)

// sessionsAtMonime lists, oldest first, the checkout sessions the fake
// holds in the shop's space, read through the client as the shop reads
// them.
func sessionsAtMonime(t *testing.T, fake *monimetest.Server) []monime.CheckoutSession {
	t.Helper()
	var out []monime.CheckoutSession
	for s, err := range fake.Client().CheckoutSessions.All(context.Background(), nil) {
		if err != nil {
			t.Fatalf("listing the checkout sessions at the fake: %v", err)
		}
		out = append(out, *s)
	}
	slices.Reverse(out) // All is newest first
	return out
}
