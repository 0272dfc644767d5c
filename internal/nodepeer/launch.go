package nodepeer

// Launch starts a peer for a program that is not a test, such as a vector
// generator. It returns the error from [Available] when the peer cannot
// run. The caller must call [Peer.Close] when done.
func Launch() (*Peer, error) {
	dir, err := locate()
	if err != nil {
		return nil, err
	}
	return start(dir)
}

// Close stops the peer's process and waits for it to exit. Later calls on p
// return [ErrClosed]. Close may be called more than once.
func (p *Peer) Close() {
	p.stop()
}

// Stderr returns the first 64 KiB that the peer's process wrote to its
// standard error, for diagnostics after a failure.
func (p *Peer) Stderr() string {
	return p.stderr.String()
}
