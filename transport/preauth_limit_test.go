package transport

import (
	"context"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/wire"
)

// Before a device authenticates, the relay reads no message larger than
// one frame, so unauthenticated connections cannot make it buffer
// attachment-sized messages.
func TestPreAuthReadLimit(t *testing.T) {
	r := newRelay(t, ServerOptions{})
	frame := mustMarshal(t, &wire.Frame{Kind: &wire.Frame_Request{Request: &wire.Request{
		Id: 1, Verb: VerbUploadAttachment, Body: make([]byte, DefaultMaxFrameSize+1)}}})

	c := r.rawDial(t)
	require.NoError(t, c.ws.Write(testContext(t), websocket.MessageBinary, frame))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _, err := c.ws.Read(ctx)
	require.Error(t, err)
	assert.Equal(t, websocket.StatusMessageTooBig, websocket.CloseStatus(err))
}
