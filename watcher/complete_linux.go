package watcher

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// inotifyCompletions reports, from an inotify instance of its own, the
// history of the files in watched folders, in the kernel's order: each
// creation, write and mode change, and the two moments when a file is
// complete, its writer closed it (IN_CLOSE_WRITE) or it was moved in whole
// (IN_MOVED_TO), and when one is deleted or moved away, with the cookie
// that links the two halves of a rename, of a file or of a folder; and
// the folders made and deleted, and a watched folder itself gone. fsnotify
// v1.10 keeps IN_CLOSE_WRITE unexported, so this reads it with
// golang.org/x/sys/unix; it is the only watch each folder takes (the
// kernel counts watches against fs.inotify.max_user_watches).
type inotifyCompletions struct {
	fd     int      // for inotify_add_watch; os.File.Fd would make f blocking
	f      *os.File // for reading, through the runtime's poller
	events chan completion
	done   chan struct{}

	mu   sync.Mutex
	dirs map[int]string // watch descriptor → absolute folder
	wds  map[string]int
}

// fileEvents are the inotify events that make a file's history, or tell
// of a folder made, deleted or moved; selfEvents those of a watched folder
// itself.
const (
	fileEvents = unix.IN_CREATE | unix.IN_MODIFY | unix.IN_CLOSE_WRITE | unix.IN_MOVED_TO | unix.IN_DELETE | unix.IN_MOVED_FROM | unix.IN_ATTRIB
	selfEvents = unix.IN_DELETE_SELF | unix.IN_MOVE_SELF
)

func opOf(mask uint32) fileOp {
	switch {
	case mask&unix.IN_CLOSE_WRITE != 0:
		return opClosed
	case mask&unix.IN_MOVED_TO != 0:
		return opMovedIn
	case mask&unix.IN_MOVED_FROM != 0:
		return opMovedOut
	case mask&unix.IN_DELETE != 0:
		return opVacated
	case mask&unix.IN_CREATE != 0:
		return opCreated
	case mask&unix.IN_ATTRIB != 0:
		return opAttrib
	}
	return opWritten
}

func newCompletions() (completions, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("inotify: %w", err)
	}
	c := &inotifyCompletions{
		fd: fd,
		// A non-blocking descriptor makes the file pollable: Close
		// unblocks the reading goroutine.
		f:      os.NewFile(uintptr(fd), "inotify"),
		events: make(chan completion, 1024),
		done:   make(chan struct{}),
		dirs:   make(map[int]string),
		wds:    make(map[string]int),
	}
	go c.read()
	return c, nil
}

func (c *inotifyCompletions) Events() <-chan completion { return c.events }

func (c *inotifyCompletions) Add(dir string) error {
	wd, err := unix.InotifyAddWatch(c.fd, dir, fileEvents|selfEvents|unix.IN_ONLYDIR)
	if err != nil {
		return fmt.Errorf("inotify watch %s: %w", dir, err)
	}
	c.mu.Lock()
	c.dirs[wd], c.wds[dir] = dir, wd
	c.mu.Unlock()
	return nil
}

func (c *inotifyCompletions) Remove(dir string) {
	c.mu.Lock()
	wd, ok := c.wds[dir]
	delete(c.wds, dir)
	// A folder renamed within the tree keeps its watch descriptor: once
	// added again under its new name, the watch is that name's.
	ok = ok && c.dirs[wd] == dir
	if ok {
		delete(c.dirs, wd)
	}
	c.mu.Unlock()
	if ok {
		// Fails with EINVAL when the folder is gone and the kernel
		// dropped the watch already, which is what we want.
		_, _ = unix.InotifyRmWatch(c.fd, uint32(wd))
	}
}

func (c *inotifyCompletions) Close() error {
	close(c.done)
	return c.f.Close()
}

// send hands ev to the watcher, or gives up when the notifier is closed.
func (c *inotifyCompletions) send(ev completion) bool {
	select {
	case c.events <- ev:
		return true
	case <-c.done:
		return false
	}
}

// read turns inotify records into completions until the file is closed.
func (c *inotifyCompletions) read() {
	defer close(c.events)
	buf := make([]byte, 64<<10)
	for {
		n, err := c.f.Read(buf)
		if errors.Is(err, os.ErrClosed) {
			return
		}
		if err != nil {
			c.send(completion{err: fmt.Errorf("inotify read: %w", err)})
			return
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			name := buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(ev.Len)]
			off += unix.SizeofInotifyEvent + int(ev.Len)
			switch {
			case ev.Mask&unix.IN_Q_OVERFLOW != 0:
				if !c.send(completion{overflow: true}) {
					return
				}
			case ev.Mask&unix.IN_IGNORED != 0:
				c.mu.Lock()
				if dir, ok := c.dirs[int(ev.Wd)]; ok {
					delete(c.dirs, int(ev.Wd))
					delete(c.wds, dir)
				}
				c.mu.Unlock()
			case ev.Mask&selfEvents != 0, ev.Mask&fileEvents != 0 && ev.Len > 0:
				if !c.sendEvent(ev, name) {
					return
				}
			}
		}
	}
}

// sendEvent hands the watcher the completion an inotify record with the
// given name tells, if its watch is still known; it reports false once
// the notifier is closed.
func (c *inotifyCompletions) sendEvent(ev *unix.InotifyEvent, name []byte) bool {
	c.mu.Lock()
	dir, ok := c.dirs[int(ev.Wd)]
	c.mu.Unlock()
	if !ok {
		return true // a watch removed meanwhile (see Remove)
	}
	if ev.Mask&selfEvents != 0 {
		return c.send(completion{path: dir, op: opGone, dir: true})
	}
	return c.send(completion{
		path:   filepath.Join(dir, unix.ByteSliceToString(name)),
		op:     opOf(ev.Mask),
		cookie: ev.Cookie,
		dir:    ev.Mask&unix.IN_ISDIR != 0,
	})
}
