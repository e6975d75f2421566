package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxBody bounds what the subscribers read of a delivery.
const maxBody = 16 << 20

// bodies are the buffers the deliveries are read into, reused.
var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// recorder keeps, for the drop being waited for, when each subscriber's
// callback received a delivery holding the drop's title.
type recorder struct {
	mu       sync.Mutex
	title    []byte      // the drop waited for; nil between drops
	arrived  []time.Time // by subscriber, zero until its delivery came
	left     int         // subscribers still to receive it
	done     chan struct{}
	posts    int // every delivery received, of any drop
	stuck    int // deliveries the stuck callback received and held
	verified int // verification requests answered
}

func newRecorder(n int) *recorder {
	return &recorder{arrived: make([]time.Time, n)}
}

// begin starts waiting for title at every subscriber; the channel is
// closed once each has received it.
func (r *recorder) begin(title []byte) <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.title = title
	clear(r.arrived)
	r.left = len(r.arrived)
	r.done = make(chan struct{})
	return r.done
}

// end returns the arrival times of the drop begun last, and how many
// of the subscribers received it.
func (r *recorder) end() ([]time.Time, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.title = nil
	return append([]time.Time(nil), r.arrived...), len(r.arrived) - r.left
}

// arrive records subscriber i's delivery, received at t. The search
// for the title (the whole feed, for each of the subscribers) runs
// outside the lock, which the other deliveries wait on.
func (r *recorder) arrive(i int, body []byte, t time.Time) {
	r.mu.Lock()
	r.posts++
	title := r.title
	wanted := title != nil && i < len(r.arrived) && r.arrived[i].IsZero()
	r.mu.Unlock()
	if !wanted || !bytes.Contains(body, title) {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !bytes.Equal(r.title, title) || !r.arrived[i].IsZero() {
		return // the drop ended meanwhile, or a delivery came first
	}
	r.arrived[i] = t
	if r.left--; r.left == 0 {
		close(r.done)
	}
}

func (r *recorder) count(f func(*recorder) *int) {
	r.mu.Lock()
	*f(r)++
	r.mu.Unlock()
}

// callbacks is one HTTP server on several loopback addresses: subscriber
// i's callback is /cb/i, the stuck subscriber's /stuck. It answers
// verifications with their challenge and deliveries with 204, except at
// /stuck, where it reads the delivery and holds the connection without
// answering until the hub gives up or the server stops.
type callbacks struct {
	rec   *recorder
	srv   *http.Server
	stop  chan struct{}
	bases []string // http://addr:port of each listener, by host index
}

func newCallbacks(rec *recorder, hosts []string) (*callbacks, error) {
	c := &callbacks{rec: rec, stop: make(chan struct{})}
	c.srv = &http.Server{Handler: c, ReadHeaderTimeout: 10 * time.Second}
	for _, h := range hosts {
		ln, err := net.Listen("tcp", net.JoinHostPort(h, "0"))
		if err != nil {
			return nil, err
		}
		c.bases = append(c.bases, "http://"+ln.Addr().String())
		go c.srv.Serve(ln)
	}
	return c, nil
}

func (c *callbacks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		c.rec.count(func(r *recorder) *int { return &r.verified })
		io.WriteString(w, r.URL.Query().Get("hub.challenge"))
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "GET or POST", http.StatusMethodNotAllowed)
		return
	}
	// Into a buffer kept for the next delivery: the subscribers run on
	// the daemon's cores, and a new buffer grown for each (io.ReadAll)
	// cost them more CPU than the hub spent sending.
	buf := bodies.Get().(*bytes.Buffer)
	defer bodies.Put(buf)
	buf.Reset()
	_, err := buf.ReadFrom(io.LimitReader(r.Body, maxBody))
	body, at := buf.Bytes(), time.Now()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if r.URL.Path == "/stuck" {
		c.rec.count(func(r *recorder) *int { return &r.stuck })
		select { // never answer: the hub's own timeout ends it
		case <-r.Context().Done():
		case <-c.stop:
		}
		return
	}
	i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/cb/"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	c.rec.arrive(i, body, at)
	w.WriteHeader(http.StatusNoContent)
}

// close stops the server and lets the held connections go.
func (c *callbacks) close() {
	close(c.stop)
	c.srv.Close()
}

// callback is subscriber i's URL, on host index i/perHost.
func (c *callbacks) callback(i, perHost int) string {
	return fmt.Sprintf("%s/cb/%d", c.bases[i/perHost], i)
}
