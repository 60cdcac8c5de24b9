package api

// TEMPORARY: what the stub handlers of issue 22 answer until they are
// served; deleted with the last of them.

var errNotYet = errorString("not implemented yet")

type errorString string

func (e errorString) Error() string { return string(e) }
