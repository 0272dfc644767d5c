//go:build race

package mlkem768

// raceEnabled reports whether the race detector is on, which slows the
// accumulated vector test about tenfold.
const raceEnabled = true
