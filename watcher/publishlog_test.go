package watcher

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// TestCharsetLogged: the publication log line says when a file was
// decoded from a legacy charset, and from which; a UTF-8 file's does not.
func TestCharsetLogged(t *testing.T) {
	h := prepare(t, "")
	h.run(t, h.watcher(t, Options{Charset: charmap.Windows1256}))
	for i, title := range []string{"عنوان بترميز ويندوز", "عنوان معدل بترميز ويندوز"} {
		enc, err := charmap.Windows1256.NewEncoder().String(title + "\r\nفقرة")
		if err != nil {
			t.Fatal(err)
		}
		h.write(t, "legacy.txt", enc)
		h.waitTitle(t, "legacy.txt", title)
		msg := []string{"article published", "article updated"}[i]
		h.wait(t, waitLimit, msg+" with its charset", func() bool {
			return h.log.Count(msg, "path=legacy.txt", "charset=windows-1256") == 1
		})
	}
	h.write(t, "utf8.txt", "عنوان")
	h.waitTitle(t, "utf8.txt", "عنوان")
	for line := range strings.Lines(h.log.String()) {
		if strings.Contains(line, "utf8.txt") && strings.Contains(line, "charset=") {
			t.Errorf("a UTF-8 file's line names a charset: %s", line)
		}
	}
}
