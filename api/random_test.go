package api

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// randomText draws only from its alphabet, exactly n characters, and
// every character about equally often: a bias from taking bytes modulo
// the alphabet's size (62 does not divide 256) would show as the first
// characters coming up more often than the rest.
func TestRandomTextIsUniformOverItsAlphabet(t *testing.T) {
	for _, alphabet := range []string{"0123456789", "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", idAlphabet} {
		const n = 200_000
		text := randomText(alphabet, n)
		assert.Len(t, text, n)
		counts := make(map[rune]int)
		for _, c := range text {
			counts[c]++
		}
		assert.Len(t, counts, len(alphabet), "every character of %q comes up", alphabet)
		want := n / len(alphabet)
		for c, got := range counts {
			assert.True(t, strings.ContainsRune(alphabet, c), "%q is not in %q", c, alphabet)
			assert.InDelta(t, want, got, float64(want)/10, "%q came up %d times of %d", c, got, n)
		}
	}
	assert.Empty(t, randomText(idAlphabet, 0))
}
