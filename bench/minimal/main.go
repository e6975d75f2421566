// Command minimal is the floor of what a Go server can do for the serving
// benchmark: net/http holding one document and its gzip copy in memory,
// each with an ETag, answering 304 when the request's If-None-Match holds
// it, with the headers it is given (so that its responses carry what
// seedfeed's do). It does nothing else: no routing beyond one path, no
// metrics, no logging.
//
// Usage:
//
//	go run ./bench/minimal -addr 127.0.0.1:8090 -path /feed.atom -plain feed.atom -gzip feed.atom.gz \
//		-header "Cache-Control: public, max-age=300"
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
)

type body struct {
	data []byte
	etag string
	len  string
}

func load(path string) body {
	data, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return body{data: data, etag: `"` + hex.EncodeToString(sum[:16]) + `"`, len: strconv.Itoa(len(data))}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "listen address")
	path := flag.String("path", "/feed.atom", "the one path served")
	plainFile := flag.String("plain", "", "the document")
	gzipFile := flag.String("gzip", "", "its gzip copy")
	ctype := flag.String("type", "application/atom+xml; charset=utf-8", "its media type")
	var extra headerFlags
	flag.Var(&extra, "header", "a header to send, `Name: value` (repeatable)")
	flag.Parse()
	plain, gz := load(*plainFile), load(*gzipFile)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+*path, func(w http.ResponseWriter, r *http.Request) {
		b := &plain
		h := w.Header()
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			b = &gz
			h.Set("Content-Encoding", "gzip")
		}
		h.Set("ETag", b.etag)
		h.Set("Vary", "Accept-Encoding")
		for _, kv := range extra {
			h.Set(kv[0], kv[1])
		}
		if r.Header.Get("If-None-Match") == b.etag {
			h.Del("Content-Encoding")
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Type", *ctype)
		h.Set("Content-Length", b.len)
		w.Write(b.data)
	})
	log.Fatal(http.ListenAndServe(*addr, mux))
}

// headerFlags collects -header flags as name, value pairs.
type headerFlags [][2]string

func (h *headerFlags) String() string { return "" }

func (h *headerFlags) Set(v string) error {
	name, value, _ := strings.Cut(v, ":")
	*h = append(*h, [2]string{strings.TrimSpace(name), strings.TrimSpace(value)})
	return nil
}
