package main

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// sorted, or 0 when sorted is empty.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted)) + 0.999999)
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// latencySummary is the distribution of one kind of latency.
type latencySummary struct {
	count                int
	p50, p90, p99, worst time.Duration
}

func summarize(samples []time.Duration) latencySummary {
	sorted := slices.Clone(samples)
	slices.Sort(sorted)
	s := latencySummary{count: len(sorted)}
	if len(sorted) > 0 {
		s.p50 = percentile(sorted, 50)
		s.p90 = percentile(sorted, 90)
		s.p99 = percentile(sorted, 99)
		s.worst = sorted[len(sorted)-1]
	}
	return s
}

func (s latencySummary) write(w io.Writer, name string) {
	fmt.Fprintf(w, "%-17s p50 %v  p90 %v  p99 %v  max %v  (%d samples)\n",
		name+":", round(s.p50), round(s.p90), round(s.p99), round(s.worst), s.count)
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	default:
		return d.Round(time.Microsecond)
	}
}
