package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/client"
	"github.com/parleyhq/parley/curve"
)

// commandTimeout bounds one command, including waits for a reconnect.
const commandTimeout = 45 * time.Second

// chat holds the client and what the terminal session remembers.
type chat struct {
	c   *client.Client
	out *printer
	dir string

	mu sync.Mutex
	// target is the conversation for lines without a command: a username
	// or "#group".
	target string
	// changed holds the new identity keys that blocked sends, by service id.
	changed map[string]curve.PublicKey
	// unread holds the timestamps of received messages not yet marked read,
	// by service id.
	unread map[string][]uint64
}

// handle prints an event; the client calls it from its receive loop and
// acknowledges the message to the relay after it returns.
func (a *chat) handle(ev client.Event) {
	switch ev := ev.(type) {
	case *client.MessageEvent:
		a.message(ev)
	case *client.ReceiptEvent:
		a.out.emit(fmt.Sprintf("%s: %s %s", a.name(ev.Sender.ServiceID), ev.Type, joinTimestamps(ev.Timestamps)),
			"receipt", field{"from", a.name(ev.Sender.ServiceID)}, field{"type", ev.Type.String()}, field{"ts", joinTimestamps(ev.Timestamps)})
	case *client.TypingEvent:
		state := "stopped"
		if ev.Started {
			state = "started"
		}
		where := ""
		if ev.Group != nil {
			where = " in " + ev.Group.Name
		}
		a.out.emit(fmt.Sprintf("%s %s typing%s", a.name(ev.Sender.ServiceID), state, where),
			"typing", field{"from", a.name(ev.Sender.ServiceID)}, field{"state", state})
	case *client.GroupEvent:
		var names []string
		for _, m := range ev.Group.Members {
			names = append(names, a.memberName(m))
		}
		a.out.emit(fmt.Sprintf("%s added you to group %q with %s", a.name(ev.Sender.ServiceID), ev.Group.Name, strings.Join(names, ", ")),
			"group", field{"name", ev.Group.Name}, field{"id", ev.Group.ID.String()}, field{"by", a.name(ev.Sender.ServiceID)}, field{"members", strings.Join(names, ",")})
	case *client.IdentityChangeEvent:
		who := a.name(ev.ServiceID)
		text := fmt.Sprintf("the safety number with %s changed: %s has a new identity key. They may have reinstalled, or someone may be intercepting the conversation. Compare /safety %s with them.", who, who, who)
		if ev.WasVerified {
			text += " You had verified the old key."
		}
		a.out.emit("WARNING: "+text, "warning", field{"kind", "identity-changed"}, field{"contact", who}, field{"was_verified", yesNo(ev.WasVerified)}, field{"text", text})
	case *client.DecryptErrorEvent:
		from := "an unknown sender"
		if ev.ServiceID != "" {
			from = a.name(ev.ServiceID)
		}
		a.out.notice("error", fmt.Sprintf("a message from %s could not be decrypted: %v", from, ev.Err))
	case *client.ErrorEvent:
		a.out.notice("error", fmt.Sprintf("%s: %v", ev.Op, ev.Err))
	}
}

func (a *chat) message(m *client.MessageEvent) {
	from := a.name(m.Sender.ServiceID)
	a.mu.Lock()
	a.unread[m.Sender.ServiceID] = append(a.unread[m.Sender.ServiceID], m.Timestamp)
	a.mu.Unlock()

	fields := []field{{"from", from}, {"ts", fmt.Sprint(m.Timestamp)}, {"sealed", yesNo(m.Sender.Sealed)}, {"verified", yesNo(m.Sender.Verified)}}
	kind, where := "msg", ""
	if m.Group != nil {
		kind, where = "gmsg", " in "+m.Group.Name
		fields = append([]field{{"group", m.Group.Name}}, fields...)
	}
	if m.Attachment != nil {
		path, err := a.save(m.Attachment)
		if err != nil {
			a.out.notice("error", fmt.Sprintf("download %q from %s: %v", m.Attachment.FileName, from, err))
			path = ""
		}
		fields = append(fields, field{"file", m.Attachment.FileName}, field{"size", fmt.Sprint(m.Attachment.Size)}, field{"saved", path})
		kind += "-file"
		where += fmt.Sprintf(" [file %q, %d bytes, saved to %s]", m.Attachment.FileName, m.Attachment.Size, path)
	}
	lock := ""
	if !m.Sender.Sealed {
		lock = " (sender visible to the relay)"
	}
	fields = append(fields, field{"text", m.Text})
	a.out.emit(fmt.Sprintf("%s%s: %s%s", from, where, m.Text, lock), kind, fields...)
}

// save downloads an attachment into the downloads folder under a name
// that cannot leave it.
func (a *chat) save(att *client.Attachment) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	data, err := a.c.Download(ctx, att)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(a.dir, "downloads")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	base := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < ' ' {
			return '_'
		}
		return r
	}, filepath.Base(att.FileName))
	if base == "." || base == ".." || base == "" {
		base = "file"
	}
	path := filepath.Join(dir, fmt.Sprintf("%d-%s", time.Now().UnixNano(), base))
	return path, os.WriteFile(path, data, 0o600)
}

// name returns the username of a service id, or the id itself.
func (a *chat) name(serviceID string) string {
	if ct, ok := a.c.Contact(serviceID); ok && ct.Username != "" {
		return ct.Username
	}
	if serviceID == a.c.Address().Name {
		return a.c.Username()
	}
	return serviceID
}

func (a *chat) memberName(m client.Member) string {
	if n := a.name(m.ServiceID); n != m.ServiceID {
		return n
	}
	if m.Username != "" {
		return m.Username
	}
	return m.ServiceID
}

// command runs one input line and reports whether to quit.
func (a *chat) command(ctx context.Context, line string) bool {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	if !strings.HasPrefix(line, "/") {
		a.mu.Lock()
		target := a.target
		a.mu.Unlock()
		if target == "" {
			a.out.notice("error", "no conversation chosen: use /to NAME or /msg NAME TEXT")
			return false
		}
		if group, ok := strings.CutPrefix(target, "#"); ok {
			line = "/gmsg " + group + " " + line
		} else {
			line = "/msg " + target + " " + line
		}
	}
	cmd, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	var err error
	switch cmd {
	case "/quit", "/exit":
		return true
	case "/help":
		a.out.emit(helpText, "help", field{"text", strings.ReplaceAll(helpText, "\n", " | ")})
	case "/to":
		a.mu.Lock()
		a.target = rest
		a.mu.Unlock()
		a.out.emit("talking to "+rest, "to", field{"target", rest})
	case "/msg":
		err = a.sendText(ctx, rest)
	case "/file":
		err = a.sendFile(ctx, rest, false)
	case "/read":
		err = a.markRead(ctx, rest)
	case "/typing":
		err = a.typing(ctx, rest)
	case "/group":
		err = a.createGroup(ctx, rest)
	case "/gmsg":
		err = a.sendGroupText(ctx, rest)
	case "/gfile":
		err = a.sendFile(ctx, rest, true)
	case "/safety":
		err = a.safety(ctx, rest)
	case "/verify":
		err = a.verify(ctx, rest)
	case "/trust":
		err = a.trust(ctx, rest)
	case "/contacts":
		for _, ct := range a.c.Contacts() {
			a.out.emit(fmt.Sprintf("%s (%s) verified=%v devices=%v", ct.Username, ct.ServiceID, ct.Verified, ct.Devices),
				"contact", field{"name", ct.Username}, field{"id", ct.ServiceID}, field{"verified", yesNo(ct.Verified)})
		}
	case "/groups":
		for _, g := range a.c.Groups() {
			var names []string
			for _, m := range g.Members {
				names = append(names, a.memberName(m))
			}
			a.out.emit(fmt.Sprintf("%s (%s): %s", g.Name, g.ID, strings.Join(names, ", ")),
				"groupinfo", field{"name", g.Name}, field{"id", g.ID.String()}, field{"members", strings.Join(names, ",")})
		}
	default:
		err = fmt.Errorf("unknown command %q: type /help", cmd)
	}
	if err != nil {
		a.report(err)
	}
	return false
}

func (a *chat) report(err error) {
	var changed *client.IdentityChangedError
	if errors.As(err, &changed) {
		a.mu.Lock()
		a.changed[changed.ServiceID] = changed.NewKey
		a.mu.Unlock()
		who := a.name(changed.ServiceID)
		text := fmt.Sprintf("not sent: the verified identity key of %s changed. Compare /safety %s with them after /trust %s, or stop here.", who, who, who)
		a.out.emit("WARNING: "+text, "warning", field{"kind", "identity-blocked"}, field{"contact", who}, field{"text", text})
		return
	}
	a.out.notice("error", err.Error())
}

// contact returns the service id of username, looking it up on the relay
// the first time.
func (a *chat) contact(ctx context.Context, username string) (string, error) {
	if username == "" {
		return "", errors.New("missing username")
	}
	if ct, ok := a.c.ContactByUsername(username); ok {
		return ct.ServiceID, nil
	}
	ct, err := a.c.Lookup(ctx, username)
	if err != nil {
		return "", fmt.Errorf("find %q: %w", username, err)
	}
	return ct.ServiceID, nil
}

func (a *chat) group(ref string) (client.Group, error) {
	if id, err := client.ParseGroupID(ref); err == nil {
		if g, ok := a.c.Group(id); ok {
			return g, nil
		}
	}
	var found []client.Group
	for _, g := range a.c.Groups() {
		if g.Name == ref {
			found = append(found, g)
		}
	}
	switch len(found) {
	case 0:
		return client.Group{}, fmt.Errorf("no group %q: see /groups", ref)
	case 1:
		return found[0], nil
	}
	return client.Group{}, fmt.Errorf("%d groups are named %q: use the id from /groups", len(found), ref)
}

func (a *chat) sendText(ctx context.Context, args string) error {
	name, text, _ := strings.Cut(args, " ")
	id, err := a.contact(ctx, name)
	if err != nil {
		return err
	}
	ts, err := a.c.SendText(ctx, id, text)
	if err != nil {
		return err
	}
	a.out.emit(fmt.Sprintf("-> %s: %s", name, text), "sent", field{"to", name}, field{"ts", fmt.Sprint(ts)})
	return nil
}

func (a *chat) sendGroupText(ctx context.Context, args string) error {
	ref, text, _ := strings.Cut(args, " ")
	g, err := a.group(ref)
	if err != nil {
		return err
	}
	ts, err := a.c.SendGroupText(ctx, g.ID, text)
	if err != nil {
		return err
	}
	a.out.emit(fmt.Sprintf("-> %s: %s", g.Name, text), "sent", field{"group", g.Name}, field{"ts", fmt.Sprint(ts)})
	return nil
}

func (a *chat) sendFile(ctx context.Context, args string, toGroup bool) error {
	fields := strings.SplitN(args, " ", 3)
	if len(fields) < 2 {
		return errors.New("usage: /file NAME PATH [TEXT] or /gfile GROUP PATH [TEXT]")
	}
	caption := ""
	if len(fields) == 3 {
		caption = fields[2]
	}
	data, err := os.ReadFile(fields[1])
	if err != nil {
		return err
	}
	f := client.File{Name: filepath.Base(fields[1]), Data: data}
	var ts uint64
	if toGroup {
		g, err := a.group(fields[0])
		if err != nil {
			return err
		}
		ts, err = a.c.SendGroupFile(ctx, g.ID, f, caption)
		if err != nil {
			return err
		}
	} else {
		id, err := a.contact(ctx, fields[0])
		if err != nil {
			return err
		}
		if ts, err = a.c.SendFile(ctx, id, f, caption); err != nil {
			return err
		}
	}
	a.out.emit(fmt.Sprintf("-> %s: file %s (%d bytes)", fields[0], f.Name, len(data)), "sent", field{"to", fields[0]}, field{"file", f.Name}, field{"ts", fmt.Sprint(ts)})
	return nil
}

func (a *chat) markRead(ctx context.Context, name string) error {
	id, err := a.contact(ctx, name)
	if err != nil {
		return err
	}
	a.mu.Lock()
	ts := a.unread[id]
	delete(a.unread, id)
	a.mu.Unlock()
	if len(ts) == 0 {
		return fmt.Errorf("no unread messages from %s", name)
	}
	if err := a.c.SendReceipt(ctx, id, client.ReadReceipt, ts); err != nil {
		return err
	}
	a.out.emit(fmt.Sprintf("marked %d messages from %s read", len(ts), name), "read", field{"to", name}, field{"ts", joinTimestamps(ts)})
	return nil
}

func (a *chat) typing(ctx context.Context, args string) error {
	name, state, _ := strings.Cut(args, " ")
	if state != "on" && state != "off" {
		return errors.New("usage: /typing NAME on|off")
	}
	id, err := a.contact(ctx, name)
	if err != nil {
		return err
	}
	return a.c.SendTyping(ctx, id, state == "on")
}

func (a *chat) createGroup(ctx context.Context, args string) error {
	parts := strings.Fields(args)
	if len(parts) < 2 {
		return errors.New("usage: /group GROUP NAME...")
	}
	var members []string
	for _, name := range parts[1:] {
		id, err := a.contact(ctx, name)
		if err != nil {
			return err
		}
		members = append(members, id)
	}
	g, err := a.c.CreateGroup(ctx, parts[0], members)
	if err != nil {
		return err
	}
	a.out.emit(fmt.Sprintf("created group %s (%s)", g.Name, g.ID), "group-created", field{"name", g.Name}, field{"id", g.ID.String()})
	return nil
}

func (a *chat) safety(ctx context.Context, name string) error {
	id, err := a.contact(ctx, name)
	if err != nil {
		return err
	}
	fp, err := a.c.SafetyNumber(ctx, id)
	if err != nil {
		return err
	}
	groups := fp.DisplayGroups()
	number := strings.Join(groups[:], " ")
	ct, _ := a.c.Contact(id)
	human := fmt.Sprintf("safety number with %s (verified: %v):\n      %s\n      %s\n      %s\n    Compare it with %s in person or over a channel you trust, then run /verify %s.",
		name, ct.Verified, strings.Join(groups[0:4], " "), strings.Join(groups[4:8], " "), strings.Join(groups[8:12], " "), name, name)
	a.out.emit(human, "safety", field{"contact", name}, field{"verified", yesNo(ct.Verified)}, field{"text", number})
	return nil
}

func (a *chat) verify(ctx context.Context, name string) error {
	id, err := a.contact(ctx, name)
	if err != nil {
		return err
	}
	if err := a.c.MarkVerified(ctx, id); err != nil {
		return err
	}
	a.out.emit(fmt.Sprintf("%s is marked verified", name), "verified", field{"contact", name})
	return nil
}

func (a *chat) trust(ctx context.Context, name string) error {
	id, err := a.contact(ctx, name)
	if err != nil {
		return err
	}
	a.mu.Lock()
	key, ok := a.changed[id]
	delete(a.changed, id)
	a.mu.Unlock()
	if !ok {
		return fmt.Errorf("no blocked identity change for %s", name)
	}
	if err := a.c.TrustIdentity(ctx, id, key); err != nil {
		return err
	}
	a.out.emit(fmt.Sprintf("accepted the new identity key of %s; compare /safety %s and /verify again", name, name), "trusted", field{"contact", name})
	return nil
}
