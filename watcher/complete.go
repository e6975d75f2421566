package watcher

// completion is one step of a file's history in a watched folder, told
// in order: created, written, closed after writing (complete), moved in
// whole (complete), deleted, moved away, or its mode changed; or a folder
// made, deleted or moved (dir), or the watched folder itself gone
// (opGone). The two halves of one rename, moved away and moved in, carry
// the same cookie, the first half first; a move in whose cookie no move
// away announced came from outside the watched folders. overflow says
// that the kernel dropped notifications; err that the notifier failed.
type completion struct {
	path     string // absolute
	op       fileOp
	cookie   uint32 // opMovedOut and opMovedIn only
	dir      bool   // a folder made, deleted or moved
	overflow bool
	err      error
}

type fileOp int

const (
	opClosed fileOp = iota
	opMovedIn
	opVacated // deleted
	opMovedOut
	opCreated
	opWritten
	opAttrib // mode, owner or times changed
	opGone   // the watched folder itself was deleted or moved
)

// event is the name Observer.Event hears for op: that of fsnotify's
// operation (see Events), where there is one.
func (op fileOp) event() string {
	switch op {
	case opClosed:
		return eventCloseWrite
	case opMovedIn:
		return eventMovedTo
	case opVacated, opGone:
		return "remove"
	case opMovedOut:
		return "rename"
	case opCreated:
		return "create"
	case opAttrib:
		return "chmod"
	}
	return "write"
}

// completions reports completions for the files of the folders added to
// it, and the folders made, deleted and moved in them. Where the system
// has no such notification, newCompletions returns nil and the watcher
// watches folders through fsnotify, waiting for a file to settle.
type completions interface {
	Add(dir string) error
	Remove(dir string)
	Events() <-chan completion
	Close() error
}
