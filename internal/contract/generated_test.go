package contract

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/monimekit/monime-go/gen/server"
)

// The generated server carries the spec it was generated from. When it
// differs from spec/monime.yaml, gen/ is stale: `go generate ./...` was not
// run after a spec change (CI's check-generate says the same).
func TestGeneratedCodeIsCurrent(t *testing.T) {
	embedded, err := server.GetSpec()
	require.NoError(t, err)
	current, err := Spec()
	require.NoError(t, err)
	want, err := json.Marshal(current.T)
	require.NoError(t, err)
	got, err := json.Marshal(embedded)
	require.NoError(t, err)
	var a, b any
	require.NoError(t, json.Unmarshal(want, &a))
	require.NoError(t, json.Unmarshal(got, &b))
	if !reflect.DeepEqual(a, b) {
		t.Fatal("gen/ was generated from another spec/monime.yaml: run `go generate ./...` and commit the spec and gen/ together")
	}
}
