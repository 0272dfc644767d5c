package nodepeer

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"testing"
	"time"
)

// RunScript runs a one-shot Node.js script from interop/node with input
// encoded as JSON on its standard input, and decodes the JSON the script
// writes to its standard output into output. It skips or fails tb like
// [Start] when Node.js or the npm packages are missing, and fails tb when
// the script exits with an error or runs for more than two minutes.
func RunScript(tb testing.TB, script string, input, output any) {
	tb.Helper()
	dir, err := locate()
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("node script %s unavailable in CI: %v", script, err)
		}
		tb.Skipf("node script %s unavailable: %v", script, err)
	}
	in, err := json.Marshal(input)
	if err != nil {
		tb.Fatalf("nodepeer: encoding input for %s: %v", script, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", script)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("nodepeer: %s failed: %v\nstderr:\n%s", script, err, stderr.String())
	}
	if output != nil {
		if err := json.Unmarshal(stdout.Bytes(), output); err != nil {
			tb.Fatalf("nodepeer: decoding output of %s: %v\nstdout:\n%.2000s", script, err, stdout.String())
		}
	}
}
