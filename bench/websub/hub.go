package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// hubClient asks the daemon's hub for subscriptions and reads, on its
// /metrics, how many it holds.
type hubClient struct {
	hub, topic, metrics string
}

var client = &http.Client{Timeout: 10 * time.Second}

// Bounds on asking: requests in flight (under the hub's 100
// verifications in flight), and the time for all of them and for the
// hub to hold the result.
const (
	asking   = 16
	askLimit = 2 * time.Minute
)

// live reads seedfeed_websub_subscriptions: the hub's live subscriptions.
func (h hubClient) live() (int, error) {
	resp, err := client.Get(h.metrics)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "seedfeed_websub_subscriptions "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return int(f), err
		}
	}
	return 0, fmt.Errorf("no seedfeed_websub_subscriptions at %s (the built-in hub off?)", h.metrics)
}

// request sends mode (subscribe or unsubscribe) for each callback, at
// most asking at once, each retried while the hub answers 503, and then
// waits until the hub holds want subscriptions.
func (h hubClient) request(ctx context.Context, mode string, callbacks []string, want int) error {
	ctx, cancel := context.WithTimeout(ctx, askLimit)
	defer cancel()
	work := make(chan string)
	errs := make(chan error, asking)
	var wg sync.WaitGroup
	for range asking {
		wg.Go(func() {
			for cb := range work {
				if err := h.ask(ctx, mode, cb); err != nil {
					errs <- err
					cancel()
					return
				}
			}
		})
	}
	for _, cb := range callbacks {
		select {
		case work <- cb:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
	}
	for {
		n, err := h.live()
		if err != nil {
			return err
		}
		if n == want {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: the hub holds %d subscriptions, not %d, after %v", mode, n, want, askLimit)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// ask sends one request until the hub accepts it (202).
func (h hubClient) ask(ctx context.Context, mode, callback string) error {
	form := url.Values{"hub.mode": {mode}, "hub.topic": {h.topic}, "hub.callback": {callback}}.Encode()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.hub, strings.NewReader(form))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusAccepted:
			return nil
		case http.StatusServiceUnavailable: // verifications in flight: later
		default:
			return fmt.Errorf("%s %s: %s: %s", mode, callback, resp.Status, strings.TrimSpace(string(msg)))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
