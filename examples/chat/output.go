package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/client"
)

// printer writes events and command results. In line mode each is one
// line: a kind, then key=value fields, values with spaces quoted as Go
// strings, except a last text field, which runs to the end of the line.
type printer struct {
	mu   sync.Mutex
	w    io.Writer
	line bool
}

func newPrinter(w io.Writer, line bool) *printer { return &printer{w: w, line: line} }

// field is one key=value pair of a line-mode record.
type field struct{ key, value string }

// emit prints one record: human in interactive mode, kind and fields in
// line mode.
func (p *printer) emit(human, kind string, fields ...field) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.line {
		fmt.Fprintf(p.w, "\r%s %s\n", time.Now().Format("15:04"), human)
		return
	}
	var b strings.Builder
	b.WriteString(kind)
	for i, f := range fields {
		v := f.value
		last := i == len(fields)-1 && f.key == "text"
		if !last && (v == "" || strings.ContainsAny(v, " \t\"\\") || !strconv.CanBackquote(v)) {
			v = strconv.Quote(v)
		}
		if last {
			v = strings.ReplaceAll(v, "\n", `\n`)
		}
		fmt.Fprintf(&b, " %s=%s", f.key, v)
	}
	fmt.Fprintln(p.w, b.String())
}

// notice prints a warning or error.
func (p *printer) notice(kind, text string) {
	p.emit(strings.ToUpper(kind)+": "+text, kind, field{"text", text})
}

func (p *printer) prompt() {
	if p.line {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.w, "> ")
}

func (p *printer) ready(c *client.Client) {
	addr := c.Address()
	p.emit(fmt.Sprintf("signed in as %s (%s). Type /help for the commands.", c.Username(), addr.Name),
		"ready", field{"name", c.Username()}, field{"id", addr.Name})
}

func yesNo(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func joinTimestamps(ts []uint64) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = strconv.FormatUint(t, 10)
	}
	return strings.Join(parts, ",")
}

const helpText = `Commands (NAME is a username, GROUP a group name or id):
  /msg NAME TEXT            send a message
  /file NAME PATH [TEXT]    send a file, encrypted, with an optional caption
  /to NAME | /to #GROUP     send the lines that do not start with / there
  /read NAME                send read receipts for NAME's unread messages
  /typing NAME on|off       send a typing indicator
  /group GROUP NAME...      create a group with these members
  /gmsg GROUP TEXT          send a message to a group
  /gfile GROUP PATH [TEXT]  send a file to a group
  /safety NAME              show the safety number with NAME
  /verify NAME              mark NAME verified after comparing safety numbers
  /trust NAME               accept NAME's changed identity key
  /contacts, /groups        list contacts and groups
  /quit                     exit`
