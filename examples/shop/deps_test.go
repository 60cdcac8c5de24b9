package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTheLibraryBuildsNothingOfTheShop checks that no package outside
// examples/ (what a user of monime builds, the fake included) depends on
// what only the shop needs, such as its SQLite driver.
func TestTheLibraryBuildsNothingOfTheShop(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	root, err := repoRoot()
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
		if !strings.Contains(p, "/examples/") {
			library = append(library, p)
		}
	}
	for _, dep := range list(append([]string{"-deps"}, library...)...) {
		if strings.HasPrefix(dep, "modernc.org/") {
			t.Errorf("a package outside examples/ depends on %s, which only the shop needs", dep)
		}
	}
}

// repoRoot walks up from the package directory to the directory of go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
