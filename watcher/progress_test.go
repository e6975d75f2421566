package watcher

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// stepClock is a clock that moves by step at each reading: a scan then
// takes as long as the clock is read, and its progress reports come at
// fixed points of its work, whatever the machine's speed.
type stepClock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(c.step)
	return c.now
}

// TestScanProgress: the start-up scan logs each article at debug only,
// its progress at info once each period (with OnProgress told the same),
// and one summary line with what it did and refused, by reason.
func TestScanProgress(t *testing.T) {
	h := prepare(t, "")
	const n = 40
	for i := range n {
		h.write(t, fmt.Sprintf("%02d.txt", i), fmt.Sprintf("عنوان %d\nفقرة", i))
	}
	h.write(t, "empty.txt", "")
	h.write(t, "binary.txt", "\x00\x01\x02")
	clock := &stepClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), step: time.Second}
	var reports []Progress
	w := h.watcher(t, Options{Now: clock.Now, Progress: 5 * time.Second, OnProgress: func(p Progress) { reports = append(reports, p) }})
	defer w.Close()
	if err := w.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	log := h.log.String()
	if k := strings.Count(log, "article published"); k != 0 {
		t.Errorf("%d articles logged at info during the start-up scan, want none", k)
	}
	lines := regexp.MustCompile(`level=INFO msg="importing the seeds folder" files_done=(\d+) files_found=(\d+) per_second=\d+`).FindAllStringSubmatch(log, -1)
	if len(lines) < 3 || len(lines) != len(reports) {
		t.Fatalf("%d progress lines, %d reports; want the same, at least 3:\n%s", len(lines), len(reports), log)
	}
	for i, p := range reports {
		moved := i == 0 || p.Done > reports[i-1].Done || p.Found > reports[i-1].Found
		if lines[i][1] != fmt.Sprint(p.Done) || lines[i][2] != fmt.Sprint(p.Found) || p.Done > p.Found || !moved {
			t.Errorf("report %d: %+v, line %q", i, p, lines[i][0])
		}
	}
	want := fmt.Sprintf(`level=INFO msg="start-up scan done" published=%d restored=0 updated=0 moved=0 removed=0 refused=2 refused_empty=1 refused_binary=1 files=%d seconds=`, n, n+2)
	if !strings.Contains(log, want) {
		t.Errorf("no summary %q in:\n%s", want, log)
	}
	if p := w.Progress(); p.Done != n+2 || p.Found != n+2 {
		t.Errorf("Progress() = %+v after the scan, want %d of %d", p, n+2, n+2)
	}
	t.Logf("%d progress lines, the first: %s", len(lines), lines[0][0])
}

// TestRescanLog: a rescan that finds nothing logs at debug only; one
// that finds something says what at info.
func TestRescanLog(t *testing.T) {
	h := prepare(t, "")
	h.write(t, "a.txt", "أ\nفقرة")
	w := h.watcher(t, Options{})
	defer w.Close()
	ctx := context.Background()
	if err := w.Scan(ctx); err != nil {
		t.Fatal(err)
	}
	// No events, as on a network file system: the rescans alone see what
	// changes (each watches the folder again, once it has drained).
	w.removeWatch(w.root)
	if err := w.rescan(ctx, RescanPeriodic); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h.log.String(), "rescan done") {
		t.Errorf("a rescan that found nothing logged at info:\n%s", h.log)
	}
	w.removeWatch(w.root)
	h.write(t, "a.txt", "أ معدل\nفقرة")
	h.write(t, "b.txt", "ب\nفقرة")
	h.write(t, "c.txt", "")
	if err := w.rescan(ctx, RescanPeriodic); err != nil {
		t.Fatal(err)
	}
	want := `level=INFO msg="rescan done" reason=periodic dir=` + w.root + ` published=1 restored=0 updated=1 moved=0 removed=0 refused=1 refused_empty=1 files=3 seconds=`
	if !strings.Contains(h.log.String(), want) {
		t.Errorf("no %q in:\n%s", want, h.log)
	}
}
