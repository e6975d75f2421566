package watcher

// completion says that a file is complete: its writer closed it, or it
// was moved into a watched folder whole; or, with vacated, that the file
// at path was deleted or moved away, told in order with the completions
// (fsnotify tells it too, but from another queue, in no order with these).
// overflow says that the kernel dropped notifications; err that the
// notifier failed.
type completion struct {
	path     string // absolute
	moved    bool
	vacated  bool
	overflow bool
	err      error
}

// completions reports completions for the files of the folders added to
// it. Where the system has no such notification, newCompletions returns
// nil and the watcher falls back to waiting for a file to settle.
type completions interface {
	Add(dir string) error
	Remove(dir string)
	Events() <-chan completion
	Close() error
}
