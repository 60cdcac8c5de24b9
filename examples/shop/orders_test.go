package main

import (
	"regexp"
	"strings"
	"testing"
)

func TestOrderNumbersReadWellOnThePhone(t *testing.T) {
	valid := regexp.MustCompile(`^[` + orderNumberAlphabet + `]{6}$`)
	seen := make(map[rune]bool)
	for range 2000 {
		n := newOrderNumber()
		if !valid.MatchString(n) {
			t.Fatalf("order number %q is not six characters of %s", n, orderNumberAlphabet)
		}
		for _, r := range n {
			seen[r] = true
		}
	}
	if len(seen) != len(orderNumberAlphabet) {
		t.Errorf("2000 numbers used %d of the %d characters", len(seen), len(orderNumberAlphabet))
	}
	if strings.ContainsAny(orderNumberAlphabet, "0O1ILU") {
		t.Errorf("the alphabet %q holds a character that reads like another", orderNumberAlphabet)
	}
}

func TestEveryOrderGetsItsOwnNumber(t *testing.T) {
	st, err := openStore(testDB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// The random numbers clash: the store draws again.
	draws := []string{"K7MQ4P", "K7MQ4P", "K7MQ4P", "X3R9TA"}
	st.newNumber = func() string {
		n := draws[0]
		if len(draws) > 1 {
			draws = draws[1:]
		}
		return n
	}
	first, err := st.getOrCreate(t.Context(), newOrderID(), 1)
	if err != nil {
		t.Fatal(err)
	}
	second, err := st.getOrCreate(t.Context(), newOrderID(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if first.Number != "K7MQ4P" || second.Number != "X3R9TA" {
		t.Fatalf("the orders got numbers %s and %s, want K7MQ4P and X3R9TA", first.Number, second.Number)
	}
	// The same order keeps its number.
	if again, err := st.getOrCreate(t.Context(), first.ID, 2); err != nil || again.Number != first.Number || again.Quantity != 1 {
		t.Fatalf("the order again: %+v, %v; want it unchanged", again, err)
	}
	// Only clashes: the order is refused rather than given a taken number.
	st.newNumber = func() string { return "K7MQ4P" }
	if o, err := st.getOrCreate(t.Context(), newOrderID(), 1); err == nil {
		t.Fatalf("with every number taken the store made order %+v", o)
	}
}
