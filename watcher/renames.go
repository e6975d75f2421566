package watcher

import "time"

// renames pairs the two halves of each rename in the watched folders by
// their cookie: it holds the name a file was moved away from until the
// move in with the same cookie comes (the kernel queues it right after
// the move away) or, the file having gone outside the watched folders,
// until Settle has passed.
type renames struct {
	from   map[uint32]movedOut
	pruned time.Time // when entries past their time were last dropped
}

type movedOut struct {
	rel string
	at  time.Time
}

// out notes that rel was moved away at now under cookie.
func (r *renames) out(cookie uint32, rel string, now time.Time, settle time.Duration) {
	if r.from == nil {
		r.from = make(map[uint32]movedOut)
	}
	// At most once per settle delay, so that a burst of moves out of
	// the folders costs no more than their number.
	if now.Sub(r.pruned) > settle {
		for c, m := range r.from {
			if now.Sub(m.at) > settle {
				delete(r.from, c)
			}
		}
		r.pruned = now
	}
	r.from[cookie] = movedOut{rel, now}
}

// in returns the name that the file moved in under cookie had within the
// watched folders, or "" if it came from outside them.
func (r *renames) in(cookie uint32) string {
	m, ok := r.from[cookie]
	if !ok {
		return ""
	}
	delete(r.from, cookie)
	return m.rel
}

// fresh holds the articles just published from a close, by path, with
// the moment: one renamed before Settle has passed was a temporary file,
// written then renamed into place, and takes the key of its new name
// (see move).
type fresh map[string]time.Time

// within reports whether rel was published from a close less than settle
// before now.
func (f fresh) within(rel string, now time.Time, settle time.Duration) bool {
	t, ok := f[rel]
	return ok && now.Sub(t) < settle
}

// prune forgets the articles published settle or more before now.
func (f fresh) prune(now time.Time, settle time.Duration) {
	for rel, t := range f {
		if now.Sub(t) >= settle {
			delete(f, rel)
		}
	}
}
