package watcher

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Coverage says how the watcher follows the folders under the seeds
// folder: Watched through the kernel's notifier, at once; Polled every
// Options.Poll, the kernel having refused to watch them. Degraded, when
// some are polled, says why and how to raise the limit; it is "" when
// none is.
type Coverage struct {
	Watched, Polled int
	Degraded        string
}

// Coverage returns how the folders are followed now. It is safe to call
// from any goroutine.
func (w *Watcher) Coverage() Coverage {
	c := Coverage{Watched: int(w.watchedN.Load()), Polled: int(w.polledN.Load())}
	if why := w.degraded.Load(); why != nil && c.Polled > 0 {
		c.Degraded = fmt.Sprintf("%s: %d of %d folders are polled every %v, not watched; %s",
			why.cause, c.Polled, c.Watched+c.Polled, w.opts.Poll, why.remedy(c.Watched+c.Polled))
	}
	return c
}

// degradation is why folders are polled, as Coverage and the log say it.
type degradation struct {
	kind    string // see kindOf
	cause   string // what the kernel refused, with its limit
	setting string // the sysctl setting that sets the limit, or ""
	takes   string // what seedfeed takes of it
	least   int    // the setting's value to suggest, at least
	each    bool   // the setting bounds watches, one a folder
}

// remedy says how to raise the limit, for a tree of the given folders.
func (d degradation) remedy(folders int) string {
	if d.setting == "" {
		return "raise the open file limit (LimitNOFILE=, ulimit -n) or the system's watch limit"
	}
	n := d.least
	for d.each && n < 2*folders { // room to grow, and for the user's other programs
		n *= 2
	}
	return fmt.Sprintf("raise it: sysctl %s=%d (seedfeed takes %s), and keep it with the line %s=%d in /etc/sysctl.d/90-seedfeed.conf",
		d.setting, n, d.takes, d.setting, n)
}

// degrade notes that the kernel refused a watch, or a notifier (instance
// says which), with err: folders are polled from now on, until it allows
// them again (see retryWatches).
func (w *Watcher) degrade(err error, instance bool) {
	if errors.Is(err, errNoNotifier) && w.poll.cause != nil {
		return // the refusal of the instance says more
	}
	w.poll.cause = err
	// Worded once for each kind of refusal: it reads /proc.
	if why := w.degraded.Load(); why == nil || why.kind != kindOf(err, instance) {
		why := refusalOf(err, instance)
		w.degraded.Store(&why)
	}
}

// kindOf sorts refusals by the limit that sets them.
func kindOf(err error, instance bool) string {
	switch {
	case instance && (errors.Is(err, syscall.EMFILE) || errors.Is(err, errNoNotifier)):
		return "instance"
	case errors.Is(err, syscall.ENOSPC):
		return "watches"
	}
	return "other"
}

// refusalOf words the kernel's refusal err of a watch, or of an inotify
// instance, with the limit that set it.
func refusalOf(err error, instance bool) degradation {
	switch kindOf(err, instance) {
	case "instance":
		const name = "fs.inotify.max_user_instances"
		return degradation{cause: "the kernel refused an inotify instance, so no folder is watched (" + limits(name, "max_inotify_instances") + ")",
			kind: "instance", setting: name, takes: "one instance", least: 1024}
	case "watches":
		const name = "fs.inotify.max_user_watches"
		return degradation{cause: "inotify watch limit reached (" + limits(name, "max_inotify_watches") + ")",
			kind: "watches", setting: name, takes: "one watch a folder", least: 524288, each: true}
	}
	return degradation{kind: "other", cause: fmt.Sprintf("the system refused to watch more folders (%v)", err)}
}

// limits words the sysctl setting name as it is now, and the user
// namespace's own limit (user.ns) where it is lower, as in a container: the
// kernel holds a user to the lowest of them.
func limits(name, ns string) string {
	s := name
	global, gerr := readLimit("/proc/sys/" + strings.ReplaceAll(name, ".", "/"))
	if gerr == nil {
		s += " = " + strconv.Itoa(global)
	}
	if local, err := readLimit("/proc/sys/user/" + ns); err == nil && (gerr != nil || local < global) {
		s += fmt.Sprintf(", user.%s = %d in this user namespace", ns, local)
	}
	return s
}

// readLimit reads a number from a file of /proc/sys.
func readLimit(file string) (int, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// noteFolders publishes the counts of watched and polled folders (see
// Coverage), and says once, at warn, that folders are polled, and once,
// at info, when none is any more.
func (w *Watcher) noteFolders() {
	polled := len(w.poll.dirs)
	w.watchedN.Store(int64(len(w.dirs)))
	w.polledN.Store(int64(polled))
	switch why := w.degraded.Load(); {
	case polled > 0 && !w.poll.warned && why != nil:
		w.poll.warned = true
		w.log.Warn("polling the folders the kernel will not watch", "polled", polled, "watched", len(w.dirs),
			"poll", w.opts.Poll, "reason", why.cause, "remedy", why.remedy(polled+len(w.dirs)), "err", w.poll.cause)
	case polled == 0 && w.poll.warned && !w.rootGone.Load(): // a folder gone is no recovery
		w.poll.warned = false
		w.degraded.Store(nil)
		w.log.Info("every folder is watched again; polling stopped", "watched", len(w.dirs))
	}
}
