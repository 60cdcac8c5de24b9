package api

import (
	"time"
)

// deletePayout removes the pending payout p, giving back what it held to
// its source by reversal credits under the payout's reference; nothing is
// emitted, as Monime names no event for it. The DELETE handler and
// Server.DeletePayout share it. Call it with mu held.
func (st *store) deletePayout(p *Payout, now time.Time) {
	st.releasePayout(p, now)
	st.payouts.remove(p)
	st.touched()
}

// DeletePayout deletes the pending payout id, in any space, as DELETE
// /v1/payouts/{id} does: what it held (its amount and fees) goes back to
// its source by reversal credits under the payout's reference, the payout
// is gone (Find and the API answer not found), and no event is sent.
//
// It returns an error wrapping ErrPayoutNotFound or ErrPayoutNotPending
// when it cannot, and changes nothing then.
func (s *Server) DeletePayout(id string) (err error) {
	s.store.within(func(now time.Time) {
		var p *Payout
		if p, err = s.store.pendingPayout("DeletePayout", id); err == nil {
			s.store.deletePayout(p, now)
		}
	})
	return err
}
