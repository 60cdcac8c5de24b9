package api

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen"
)

func TestFindPagePagesNewestFirstLikeTheAPI(t *testing.T) {
	f := newFixture(t)
	want := f.createN(7) // newest first
	require.NoError(t, f.srv.Cancel(want[1]))
	require.NoError(t, f.srv.Cancel(want[4]))

	var got []string
	after := ""
	for range 4 {
		page, err := FindPage[Session](f.srv, DefaultSpaceID, 3, after, nil)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(page.Items), 3)
		for _, s := range page.Items {
			got = append(got, s.Id)
		}
		if after = page.Next; after == "" {
			break
		}
	}
	assert.Equal(t, want, got, "three pages of three, newest first, the last one short")

	_, apiNext := f.page(3, "")
	page, err := FindPage[Session](f.srv, DefaultSpaceID, 3, apiNext, nil)
	require.NoError(t, err, "a cursor of the API's list pages FindPage too")
	require.Len(t, page.Items, 3)
	assert.Equal(t, want[3], page.Items[0].Id)

	cancelled := func(s *Session) bool { return s.Status == gen.CheckoutSessionStatusCancelled }
	page, err = FindPage[Session](f.srv, DefaultSpaceID, 1, "", cancelled)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, want[1], page.Items[0].Id)
	require.NotEmpty(t, page.Next)
	page, err = FindPage[Session](f.srv, DefaultSpaceID, 1, page.Next, cancelled)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, want[4], page.Items[0].Id)
	assert.Empty(t, page.Next, "no cancelled session is older")

	page.Items[0].Name = "changed by the caller"
	again, _ := Find[Session](f.srv, want[4])
	assert.NotEqual(t, "changed by the caller", again.Name, "a page is a snapshot")

	empty, err := FindPage[Payment](f.srv, "spc-elsewhere", 10, "", nil)
	require.NoError(t, err)
	assert.Empty(t, empty.Items)
	assert.Empty(t, empty.Next)
}

func TestFindPageRefusesABadLimitOrCursor(t *testing.T) {
	f := newFixture(t)
	f.createN(2)
	_, next := f.page(1, "")
	require.NotEmpty(t, next)

	_, err := FindPage[Session](f.srv, DefaultSpaceID, 0, "", nil)
	assert.ErrorContains(t, err, "limit must be at least 1")
	_, err = FindPage[Session](f.srv, DefaultSpaceID, 10, "not-a-cursor", nil)
	assert.ErrorContains(t, err, "not one this API issued")
	_, err = FindPage[Session](f.srv, "spc-other", 10, next, nil)
	assert.ErrorContains(t, err, "another space")
}

func TestRemoveWebhookStopsDeliveries(t *testing.T) {
	kept, removed := newReceiver(t, 0), newReceiver(t, 1<<30) // removed fails every attempt
	f := newFixture(t, WithWebhook(kept.URL, testSecret), WithWebhook(removed.URL, testSecret), WithWebhookRetry(50, 20*time.Millisecond))
	require.NoError(t, f.srv.Cancel(f.create(minimalBody).Id))
	require.Eventually(t, func() bool { reqs, _ := removed.got(); return len(reqs) >= 1 }, 5*time.Second, 5*time.Millisecond)

	require.NoError(t, f.srv.RemoveWebhook(removed.URL))
	assert.Equal(t, []Webhook{{URL: kept.URL, Events: defaultWebhookEvents, Secret: testSecret}}, f.srv.Webhooks())
	f.waitDeliveries() // the retries to the removed receiver stop, not after 50 attempts
	reqs, _ := removed.got()
	assert.Less(t, len(reqs), 10, "retries went on after the removal")

	require.NoError(t, f.srv.Cancel(f.create(minimalBody).Id))
	f.waitDeliveries()
	after, _ := removed.got()
	assert.Len(t, after, len(reqs), "a removed receiver got a new event")
	got, _ := kept.got()
	assert.Len(t, got, 2)

	err := f.srv.RemoveWebhook(removed.URL)
	require.ErrorIs(t, err, ErrWebhookNotFound)
}
