package watcher

// completion is one step of a file's history in a watched folder, told
// in order: created, written, closed after writing (complete), moved in
// whole (complete), deleted, or moved away. The two halves of one rename,
// moved away and moved in, carry the same cookie, the first half first; a
// move in whose cookie no move away announced came from outside the
// watched folders. overflow says that the kernel dropped notifications;
// err that the notifier failed.
type completion struct {
	path     string // absolute
	op       fileOp
	cookie   uint32 // opMovedOut and opMovedIn only
	dir      bool   // a folder moved (opMovedOut, opMovedIn); no other op tells of folders
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
)

// completions reports completions for the files of the folders added to
// it. Where the system has no such notification, newCompletions returns
// nil and the watcher falls back to waiting for a file to settle.
type completions interface {
	Add(dir string) error
	Remove(dir string)
	Events() <-chan completion
	Close() error
}
