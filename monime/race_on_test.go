//go:build race

package monime

// raceEnabled: the race detector makes the runtime allocate more (sync.Pool
// keeps nothing, for one), so memory bounds are looser under it.
const raceEnabled = true
