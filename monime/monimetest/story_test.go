package monimetest_test

import "testing"

// The documented example really works.
func TestDocumentedExample(t *testing.T) { checkoutPaysOrder(t) }
