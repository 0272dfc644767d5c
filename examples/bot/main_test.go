package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/parleyhq/parley/client"
)

func TestAnswer(t *testing.T) {
	assert.Equal(t, "pong", answer(" Ping ", nil, nil))
	assert.Contains(t, answer("help", nil, nil), "commands")
	assert.Contains(t, answer("", nil, nil), "commands")
	assert.Equal(t, "you said: hi there", answer("hi there", nil, nil))
	// SHA-256("abc") from FIPS 180-2, appendix B.1.
	got := answer("", &client.Attachment{FileName: "a.txt"}, []byte("abc"))
	assert.Equal(t, `got "a.txt": 3 bytes, SHA-256 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad`, got)
}
