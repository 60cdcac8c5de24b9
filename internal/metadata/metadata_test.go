package metadata

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestKeyProblem(t *testing.T) {
	for _, k := range []string{"cart", "order_id", "Order-2", "a", strings.Repeat("k", 64), "x_monime"} {
		assert.Empty(t, KeyProblem(k), "%q is a key Monime takes", k)
	}
	for k, want := range map[string]string{
		"":                      "1 to 64 characters",
		strings.Repeat("k", 65): "1 to 64 characters",
		"has space":             "1 to 64 characters",
		"caf\u00e9":             "1 to 64 characters",
		"bad\xff":               "1 to 64 characters",
		"_private":              "must not start with _ or -",
		"-dash":                 "must not start with _ or -",
		"monime_id":             "Monime reserves",
		"MONIME":                "Monime reserves",
	} {
		assert.Contains(t, KeyProblem(k), want, "key %q", k)
	}
}

func TestShownKey(t *testing.T) {
	assert.Equal(t, "cart", ShownKey("cart"))
	assert.Equal(t, `"a\nb"`, ShownKey("a\nb"), "a control character is quoted")
	long := ShownKey(strings.Repeat("é", 40)) // 80 bytes
	assert.True(t, strings.HasSuffix(long, `..."`), "a long key is cut: %s", long)
	assert.NotContains(t, long, "\uFFFD", "cut on a character boundary")
	assert.Equal(t, "\"\uFFFD\"", ShownKey("\xff"), "invalid UTF-8 is replaced")
}
