package storage

import (
	"maps"
	"slices"
)

// Changes is what the writes after a version of the store did to the
// lists (see ChangesSince).
type Changes struct {
	// Version is the store's version after them: the one to ask about
	// next.
	Version uint64
	// All says the store no longer knows what changed since the version
	// asked about (too many writes since, or a version it never had):
	// take every list and page as changed. A section's change (see
	// PutSection) reports All too: it shows in every document that
	// names the section.
	All bool
	// Lists holds each list that changed, with the numbers of its
	// archive pages that changed, ascending. A list is here when an
	// article entered it, left it or changed while in it: its newest
	// articles, its count, or its number of pages may differ. A page is
	// here when an article entered it, left it or changed in it, and the
	// page before one that opened (it became full: it has a next page).
	Lists map[List][]int
}

// changeLogSize is how many writes back ChangesSince reaches.
const changeLogSize = 1024

// changeLog is the lists' changes of the last writes, in memory: a
// reader renders everything once after Open anyway.
type changeLog struct {
	version uint64           // the store's version: writes that changed a list
	entries []map[List][]int // the last writes' changes, the last at version; nil: all (see logAll)
}

// logChanges records the lists' changes of a committed write, if any,
// before Changed signals it.
func (s *Store) logChanges(lists map[List][]int) {
	if len(lists) > 0 {
		s.appendLog(lists)
	}
}

// logAll records a committed write that changed what every list may
// show (a section's title or language), before Changed signals it: a
// nil entry, which ChangesSince reports as All.
func (s *Store) logAll() { s.appendLog(nil) }

// appendLog records one write's entry, the newest, at the next version.
func (s *Store) appendLog(e map[List][]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log.version++
	if len(s.log.entries) == changeLogSize {
		s.log.entries = slices.Delete(s.log.entries, 0, 1)
	}
	s.log.entries = append(s.log.entries, e)
}

// Version returns the store's version: it counts, from 0 at Open, the
// writes that changed a list.
func (s *Store) Version() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.version
}

// ChangesSince returns what the writes after version v did to the lists,
// so that a reader re-renders only those lists and archive pages: keep
// Version, wait for Changed, ask again. A write is logged before Changed
// signals it, and after it commits: what a reader reads after
// ChangesSince returns holds every change it reports.
func (s *Store) ChangesSince(v uint64) Changes {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := Changes{Version: s.log.version, Lists: make(map[List][]int)}
	first := s.log.version - uint64(len(s.log.entries)) // the version before the oldest entry
	if v > s.log.version || v < first {
		c.All = true
		return c
	}
	for _, e := range s.log.entries[v-first:] {
		if e == nil {
			c.All = true
			c.Lists = make(map[List][]int)
			return c
		}
		for l, pages := range e {
			c.Lists[l] = mergePages(c.Lists[l], pages)
		}
	}
	return c
}

// mergePages returns the ascending union of the ascending page lists a
// and b.
func mergePages(a, b []int) []int {
	set := make(map[int]bool, len(a)+len(b))
	for _, p := range a {
		set[p] = true
	}
	for _, p := range b {
		set[p] = true
	}
	return slices.Sorted(maps.Keys(set))
}
