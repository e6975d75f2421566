package article

import (
	"fmt"
	"time"
)

// Layouts of the front-matter date. Those with a zone keep it; the others
// are read in Options.Location. time.Parse takes a fraction of a second
// after the seconds of any of them.
var (
	zonedLayouts = []string{
		time.RFC3339,                // 2026-12-03T10:00:00+03:00, Hugo's and RFC 3339's
		"2006-01-02 15:04:05Z07:00", // RFC 3339 allows a space for the T
		"2006-01-02 15:04:05 -0700", // Jekyll's
		"2006-01-02 15:04:05 -07:00",
	}
	localLayouts = []string{
		time.DateOnly, // 2026-12-03
		"2006-01-02 15:04",
		time.DateTime, // 2026-12-03 10:00:00
		"2006-01-02T15:04",
		"2006-01-02T15:04:05",
	}
)

// parseDate reads a front-matter date: one that names its zone keeps it,
// one that does not is read in loc (nil: UTC).
func parseDate(s string, loc *time.Location) (time.Time, bool) {
	for _, layout := range zonedLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	if loc == nil {
		loc = time.UTC
	}
	for _, layout := range localLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// minYear is the first year a front-matter date may have. Earlier ones
// are typos (0026 for 2026) rather than articles from before 1800; feeds
// and readers would show them as such.
const minYear = 1800

// skew is how far ahead of now a date may lie, for clocks that disagree
// between the desk's machine and the server.
const skew = time.Minute

// notFuture refuses a date later than now (from the clock now, nil:
// time.Now) plus skew, with a *FutureDateError.
func notFuture(d time.Time, now func() time.Time) error {
	if now == nil {
		now = time.Now
	}
	if n := now(); d.After(n.Add(skew)) {
		return &FutureDateError{Date: d, Now: n}
	}
	return nil
}

// FutureDateError refuses a file dated in the future; it wraps
// ErrFutureDate. The file stops being refused for it once Due has passed:
// a watcher may read it again then.
type FutureDateError struct {
	Date, Now time.Time
}

// Due is the moment the date stops being in the future, as Parse judges it.
func (e *FutureDateError) Due() time.Time { return e.Date.Add(-skew) }

func (e *FutureDateError) Error() string {
	return fmt.Sprintf("%v: date %s is later than now, %s", ErrFutureDate,
		e.Date.Format(time.RFC3339), e.Now.In(e.Date.Location()).Format(time.RFC3339))
}

func (e *FutureDateError) Unwrap() error { return ErrFutureDate }
