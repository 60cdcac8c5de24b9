// Package readme holds no code: its tests compile and run every Go snippet
// of README.md and check that README.md and SECURITY.md say only true
// things (commands CI runs, tests that exist).
package readme
