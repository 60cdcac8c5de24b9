// Command receiver is smoke.sh's webhook receiver where node is missing:
// it listens on a free loopback port, writes the port to PORTFILE, and
// saves the raw body and the Monime-Signature header of each POST to
// DIR/body and DIR/signature, answering 200. It verifies nothing itself:
// smoke.sh checks the signature with openssl.
//
//	go run ./cmd/monime-fake/testdata/receiver PORTFILE DIR
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: receiver PORTFILE DIR")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "receiver:", err)
		os.Exit(1)
	}
	dir := os.Args[2]
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		// The signature first: smoke.sh waits for the body, so both are there then.
		_ = os.WriteFile(filepath.Join(dir, "signature.tmp"), []byte(r.Header.Get("Monime-Signature")), 0o600)
		_ = os.Rename(filepath.Join(dir, "signature.tmp"), filepath.Join(dir, "signature"))
		_ = os.WriteFile(filepath.Join(dir, "body.tmp"), body, 0o600)
		_ = os.Rename(filepath.Join(dir, "body.tmp"), filepath.Join(dir, "body"))
		w.WriteHeader(http.StatusOK)
	})
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	if err := os.WriteFile(os.Args[1], []byte(port), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, "receiver:", err)
		os.Exit(1)
	}
	_ = http.Serve(ln, handler)
}
