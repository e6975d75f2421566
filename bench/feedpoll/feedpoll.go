// Package feedpoll polls a feed the way the latency benchmarks measure
// it: a conditional GET (If-None-Match, so that an unchanged feed costs a
// 304) every millisecond, uncompressed, until what a caller waits for is
// in the response.
package feedpoll

import (
	"fmt"
	"io"
	"net/http"
	"time"
)

// Every is the pause between two requests.
const Every = time.Millisecond

// Poller polls one feed URL and remembers its last ETag.
type Poller struct {
	url    string
	client *http.Client
	etag   string
}

// New returns a Poller of url.
func New(url string) *Poller {
	return &Poller{url: url, client: &http.Client{Timeout: 5 * time.Second}}
}

// Fetch makes one conditional request; body is nil when the feed has not
// changed since the last response (a 304).
func (p *Poller) Fetch() (body []byte, err error) {
	req, err := http.NewRequest("GET", p.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept-Encoding", "identity")
	if p.etag != "" {
		req.Header.Set("If-None-Match", p.etag)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	switch {
	case err != nil:
		return nil, err
	case resp.StatusCode == http.StatusNotModified:
		return nil, nil
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("GET %s: %s", p.url, resp.Status)
	}
	p.etag = resp.Header.Get("ETag")
	return data, nil
}

// Sync makes one request, so that the next wait starts from the feed as
// it is now.
func (p *Poller) Sync() error {
	_, err := p.Fetch()
	return err
}

// Wait polls until each of conds has held of a response (a changed feed
// only: a 304 says nothing new), or until limit has passed since since.
// took[i] is the time from since to the first response of which conds[i]
// held, read whole; -1 where it never held. ok says whether all held.
func (p *Poller) Wait(since time.Time, limit time.Duration, conds ...func(feed []byte) bool) (took []time.Duration, ok bool, err error) {
	took = make([]time.Duration, len(conds))
	for i := range took {
		took[i] = -1
	}
	left := len(conds)
	for left > 0 {
		if time.Since(since) > limit {
			return took, false, nil
		}
		body, err := p.Fetch()
		if err != nil {
			return took, false, err
		}
		at := time.Since(since)
		for i, cond := range conds {
			if body != nil && took[i] < 0 && cond(body) {
				took[i] = at
				left--
			}
		}
		if left > 0 {
			time.Sleep(Every)
		}
	}
	return took, true, nil
}

// Quantile returns the q-quantile of sorted (nearest rank, as the
// benchmarks have always taken it: with fewer than 100 samples, the
// 0.99-quantile is the largest).
func Quantile(sorted []time.Duration, q float64) time.Duration {
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}

// Ms is d in milliseconds, to the microsecond.
func Ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
