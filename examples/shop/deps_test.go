package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/monimekit/monime-go/internal/browsertest"
)

// TestTheLibraryBuildsNothingOfTheShop checks that no package a user
// imports (everything outside examples/ and cmd/: the client, the fake,
// monimetest) depends on what only programs need, such as the SQLite
// driver of the shop and of monime-fake's -data.
func TestTheLibraryBuildsNothingOfTheShop(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	root, err := browsertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	list := func(args ...string) []string {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), goTool, append([]string{"list"}, args...)...)
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list %s: %v", strings.Join(args, " "), err)
		}
		return strings.Fields(string(out))
	}
	var library []string
	for _, p := range list("./...") {
		if !strings.Contains(p, "/examples/") && !strings.Contains(p, "/cmd/") {
			library = append(library, p)
		}
	}
	for _, dep := range list(append([]string{"-deps"}, library...)...) {
		if strings.HasPrefix(dep, "modernc.org/") {
			t.Errorf("a package users import depends on %s, which only programs (the shop, monime-fake) need", dep)
		}
	}
}
