package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLineModeRecord(t *testing.T) {
	var b bytes.Buffer
	p := newPrinter(&b, true)
	p.emit("ignored in line mode", "msg",
		field{"from", "alice"}, field{"file", "my notes.txt"}, field{"empty", ""}, field{"text", "two\nlines, with = signs"})
	assert.Equal(t, "msg from=alice file=\"my notes.txt\" empty=\"\" text=two\\nlines, with = signs\n", b.String())
}

func TestInteractiveRecord(t *testing.T) {
	var b bytes.Buffer
	p := newPrinter(&b, false)
	p.emit("alice: hi", "msg", field{"text", "hi"})
	assert.Contains(t, b.String(), "alice: hi\n")
	assert.NotContains(t, b.String(), "text=")
}

func TestFieldHelpers(t *testing.T) {
	assert.Equal(t, "1,22,333", joinTimestamps([]uint64{1, 22, 333}))
	assert.Equal(t, "true", yesNo(true))
	assert.Equal(t, "false", yesNo(false))
}
