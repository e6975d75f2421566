package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	systemd "github.com/coreos/go-systemd/v22/daemon"
	"golang.org/x/sys/unix"

	"github.com/seedfeed/seedfeed/watcher"
)

// What the daemon tells systemd, when systemd started it with
// Type=notify (NOTIFY_SOCKET set; without it, notify does nothing):
//
//   - during the start-up scan, each progress report (watcher.Options.Progress)
//     as STATUS=, with EXTEND_TIMEOUT_USEC=, so that the start timeout
//     never ends an import that goes on;
//   - READY=1 once it serves the feeds, and STATUS= with the article count
//     then and when it changes, at most once each statusEvery;
//   - RELOADING=1 with MONOTONIC_USEC= on SIGHUP, and READY=1 once the
//     rescan it asks for is done;
//   - WATCHDOG=1 each third of WatchdogSec, when the watcher's goroutine
//     and the database both answer (see keepWatchdog);
//   - STOPPING=1 at shutdown.

const (
	// extendTimeout is how much longer than now systemd is asked to wait
	// for READY=1 at each progress report of the start-up scan: several
	// periods, so that one slow batch does not end the start.
	extendTimeout = 5 * watcher.DefaultProgress
	// statusEvery bounds how often STATUS= follows the article count.
	statusEvery = time.Second
)

// notify tells systemd state, when it started the daemon with Type=notify.
func notify(logger *slog.Logger, state string) {
	if _, err := systemd.SdNotify(false, state); err != nil {
		logger.Warn("cannot notify systemd", "state", state, "err", err)
	}
}

// progressPeriod is the period of the start-up scan's progress reports:
// watcher.DefaultProgress, or less under a short watchdog, which the
// reports must beat.
func progressPeriod(watchdog time.Duration) time.Duration {
	if watchdog > 0 {
		return min(watcher.DefaultProgress, watchdog/3)
	}
	return watcher.DefaultProgress
}

// importing tells systemd how far the start-up scan is (the watcher logs
// it), and asks it to wait longer.
func (d *daemon) importing(p watcher.Progress) {
	notify(d.log, fmt.Sprintf("STATUS=importing the seeds folder: %d of %d files, %d a second\nEXTEND_TIMEOUT_USEC=%d",
		p.Done, p.Found, p.Rate(), extendTimeout.Microseconds()))
}

// status is the STATUS= line of a running daemon.
func (d *daemon) status() string {
	if n := d.store.Count(); n != 1 {
		return fmt.Sprintf("STATUS=serving %d articles", n)
	}
	return "STATUS=serving 1 article"
}

// keepStatus sends STATUS= when the article count changes, at most once
// each statusEvery, until ctx is done.
func (d *daemon) keepStatus(ctx context.Context) error {
	last := d.status()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-d.store.Changed():
		}
		if s := d.status(); s != last {
			notify(d.log, s)
			last = s
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(statusEvery):
		}
	}
}

// reloads answers SIGHUP until ctx is done: it rescans the seeds folder,
// and tells systemd a reload began (RELOADING=1, with the monotonic clock
// systemd 253 and later match it by) and ended (READY=1) once the rescan
// is done, so that `systemctl reload` waits for it.
func (d *daemon) reloads(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-d.hup:
		}
		d.log.Info("SIGHUP: rescanning the seeds folder")
		notify(d.log, "RELOADING=1\nMONOTONIC_USEC="+monotonicUsec())
		err := d.watcher.Rescan(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			d.log.Error("rescan failed", "reason", watcher.RescanRequested, "err", err)
			notify(d.log, "READY=1\nSTATUS=rescan failed: "+err.Error())
			continue
		}
		notify(d.log, "READY=1\n"+d.status())
	}
}

// monotonicUsec is CLOCK_MONOTONIC now in microseconds, as systemd reads it.
func monotonicUsec() string {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return "0" // never on Linux; systemd then ignores the field
	}
	return strconv.FormatInt(ts.Nano()/1e3, 10)
}

// keepWatchdog sends WATCHDOG=1 each third of the watchdog's period while
// the daemon proves it works: the watcher's goroutine answers (between
// events, and between the files of a scan, the start-up scan included),
// and the database answers a read. A watcher stuck on a write that never
// ends, or on a log that blocks, stops the pings, and systemd restarts
// the daemon. It returns when ctx is done; without a watchdog, at once.
func (d *daemon) keepWatchdog(ctx context.Context) error {
	if d.watchdog <= 0 {
		return nil
	}
	t := time.NewTicker(d.watchdog / 3)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		err := d.alive(ctx, d.watchdog/3)
		switch {
		case ctx.Err() != nil:
			return nil
		case err == nil:
			notify(d.log, systemd.SdNotifyWatchdog)
		case !failing:
			// Once a spell: systemd acts when the spell lasts.
			d.log.Warn("no watchdog ping: the daemon does not answer", "err", err)
		}
		failing = err != nil
	}
}

// alive reports whether the watcher's goroutine and the database answer
// within d.
func (d *daemon) alive(ctx context.Context, within time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	if err := d.watcher.Alive(ctx); err != nil {
		return fmt.Errorf("the watcher: %w", err)
	}
	if err := d.store.Check(); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	return nil
}

// retryAfter is what Retry-After says while the start-up scan runs.
const retryAfter = "5"

// starting answers every request but /healthz and /metrics while the
// start-up scan runs: the feeds are not there yet.
func (d *daemon) starting(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", retryAfter)
	w.Header().Set("Cache-Control", "no-store")
	d.errorPages.Write(w, http.StatusServiceUnavailable)
}
