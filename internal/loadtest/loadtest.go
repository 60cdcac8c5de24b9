// Package loadtest runs the paired load blocks of this repository's
// benchmarks: many clients calling at once for a block of time, the two
// sides of a comparison in alternating blocks, so that a machine whose
// speed drifts slows both alike (BENCHMARKS.md explains the method).
package loadtest

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Run is what the blocks of one side did.
type Run struct {
	Ops  int64         // calls that succeeded
	Took time.Duration // wall time
	CPU  time.Duration // process CPU time, when a clock for it was given
}

func (r *Run) add(o Run) { r.Ops += o.Ops; r.Took += o.Took; r.CPU += o.CPU }

// Rate is the calls per second.
func (r Run) Rate() float64 { return float64(r.Ops) / r.Took.Seconds() }

// CPUPerOp is the CPU seconds per call.
func (r Run) CPUPerOp() float64 { return r.CPU.Seconds() / float64(r.Ops) }

// Paired runs, once per iteration of b.Loop, a block of clients calling
// a and a block calling other, each for block, a first in even iterations
// and other first in odd ones. It returns each side's sum and the median
// of other's rate over a's, block pair by block pair. cpu, when not nil,
// reads the process's CPU time; a failed call fails the benchmark.
func Paired(b *testing.B, clients int, block time.Duration, cpu func() time.Duration, a, other func() error) (sumA, sumOther Run, median float64) {
	run := func(call func() error) Run {
		var done atomic.Int64
		var failed atomic.Pointer[error]
		var cpu0 time.Duration
		if cpu != nil {
			cpu0 = cpu()
		}
		start := time.Now()
		stop := start.Add(block)
		var wg sync.WaitGroup
		for range clients {
			wg.Go(func() {
				for time.Now().Before(stop) {
					if err := call(); err != nil {
						failed.CompareAndSwap(nil, &err)
						return
					}
					done.Add(1)
				}
			})
		}
		wg.Wait()
		if err := failed.Load(); err != nil {
			b.Fatal(*err)
		}
		r := Run{Ops: done.Load(), Took: time.Since(start)}
		if cpu != nil {
			r.CPU = cpu() - cpu0
		}
		return r
	}
	var ratios []float64
	for i := 0; b.Loop(); i++ {
		var x, y Run
		if i%2 == 0 {
			x, y = run(a), run(other)
		} else {
			y, x = run(other), run(a)
		}
		sumA.add(x)
		sumOther.add(y)
		ratios = append(ratios, y.Rate()/x.Rate())
	}
	if len(ratios) == 0 {
		return sumA, sumOther, 0
	}
	slices.Sort(ratios)
	mid := len(ratios) / 2
	median = ratios[mid]
	if len(ratios)%2 == 0 {
		median = (ratios[mid-1] + ratios[mid]) / 2
	}
	return sumA, sumOther, median
}
