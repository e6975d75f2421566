package watcher

// completion is one step of a file's history in a watched folder, told
// in order: created, written, closed after writing (complete), moved in
// whole (complete), or deleted or moved away. overflow says that the
// kernel dropped notifications; err that the notifier failed.
type completion struct {
	path     string // absolute
	op       fileOp
	overflow bool
	err      error
}

type fileOp int

const (
	opClosed fileOp = iota
	opMovedIn
	opVacated
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
