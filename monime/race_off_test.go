//go:build !race

package monime

const raceEnabled = false
