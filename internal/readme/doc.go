// Package readme holds no code, only tests: they compile and run every Go
// snippet of README.md and check that README.md and SECURITY.md say only
// true things (the commands CI runs, tests that exist, the runtime
// dependencies). Nothing imports it.
package readme
