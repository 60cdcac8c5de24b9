package api

// TEMPORARY: removed when issue 23's handlers replace the stubs.
var errNotYet = errorString("not implemented yet")

type errorString string

func (e errorString) Error() string { return string(e) }
