//go:build !unix

package monime

import "time"

// processCPU is not measured on this platform; BenchmarkRatio then leaves
// out its CPU metrics.
func processCPU() time.Duration { return 0 }
