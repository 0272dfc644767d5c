//go:build !race

package mlkem768

const raceEnabled = false
