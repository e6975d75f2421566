// Command websub acts as N WebSub subscribers on loopback, for the hub
// benchmarks: one HTTP server, on 127.0.0.2, 127.0.0.3, … (-per-host
// callbacks on each, the hub's limit per callback host), answering
// verifications and recording when each callback receives a delivery.
// It subscribes every callback to -topic through -hub and waits, on the
// daemon's /metrics, until the hub holds them all.
//
// With -seeds it then drops -drops articles into the seeds folder, one
// at a time, written and closed in one go as bench/latency does, and
// times each from the close to the delivery, holding its title, at the
// first subscriber and at the last of them. Without -seeds it holds the
// subscriptions, counting deliveries, until SIGTERM or -hold. Either way
// it unsubscribes every callback before it ends.
//
// -stuck adds one subscriber, on 127.0.0.1, that answers its
// verification but never answers a delivery: it reads it and holds the
// connection until the hub gives up on it.
//
// Usage:
//
//	go run ./bench/websub -hub http://127.0.0.1:8080/hub -topic http://127.0.0.1:8080/feed.atom \
//	  [-subs 1000] [-stuck] [-seeds DIR -drops 50] [-hold 10m]
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/seedfeed/seedfeed/bench/feedpoll"
)

type config struct {
	hub, topic, seeds, dir string
	subs, perHost, drops   int
	stuck                  bool
	gap, limit, hold       time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.hub, "hub", "", "the hub's URL")
	flag.StringVar(&c.topic, "topic", "", "the topic to subscribe to")
	flag.IntVar(&c.subs, "subs", 1, "number of subscribers that answer")
	flag.IntVar(&c.perHost, "per-host", 100, "callbacks per loopback address (the hub's MaxPerHost)")
	flag.BoolVar(&c.stuck, "stuck", false, "add a subscriber that never answers a delivery")
	flag.StringVar(&c.seeds, "seeds", "", "the seeds folder to drop articles into; none: hold the subscriptions")
	flag.StringVar(&c.dir, "dir", "websub", "the folder under -seeds the drops go to")
	flag.IntVar(&c.drops, "drops", 50, "number of drops")
	flag.DurationVar(&c.gap, "gap", 200*time.Millisecond, "pause between drops")
	flag.DurationVar(&c.limit, "timeout", 10*time.Second, "longest wait for one drop's deliveries")
	flag.DurationVar(&c.hold, "hold", 10*time.Minute, "without -seeds: longest time to hold the subscriptions")
	flag.Parse()
	if c.hub == "" || c.topic == "" || c.subs < 1 || c.perHost < 1 || c.drops < 1 {
		log.Fatal("-hub, -topic, -subs ≥ 1 and -drops ≥ 1 are needed")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, c); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, c config) error {
	var hosts []string
	for k := range (c.subs + c.perHost - 1) / c.perHost {
		hosts = append(hosts, fmt.Sprintf("127.0.0.%d", 2+k))
	}
	if c.stuck {
		hosts = append(hosts, "127.0.0.1")
	}
	if len(hosts) > 250 {
		return fmt.Errorf("%d hosts: too many subscribers for 127.0.0.2-254", len(hosts))
	}
	rec := newRecorder(c.subs)
	cbs, err := newCallbacks(rec, hosts)
	if err != nil {
		return err
	}
	defer cbs.close()
	var urls []string
	for i := range c.subs {
		urls = append(urls, cbs.callback(i, c.perHost))
	}
	if c.stuck {
		urls = append(urls, cbs.bases[len(cbs.bases)-1]+"/stuck")
	}
	h := hubClient{hub: c.hub, topic: c.topic, metrics: strings.TrimSuffix(c.hub, "/hub") + "/metrics"}
	before, err := h.live()
	if err != nil {
		return err
	}
	t0 := time.Now()
	if err := h.request(ctx, "subscribe", urls, before+len(urls)); err != nil {
		return err
	}
	fmt.Printf("subscribed %d callbacks on %d addresses in %d ms\n", len(urls), len(hosts), time.Since(t0).Milliseconds())
	if c.seeds == "" {
		select {
		case <-ctx.Done():
		case <-time.After(c.hold):
		}
		rec.mu.Lock()
		fmt.Printf("held: %d deliveries received\n", rec.posts)
		rec.mu.Unlock()
	} else if err := drops(ctx, c, rec); err != nil {
		return err
	}
	// Unsubscribing is cleaning up: a signal does not cut it short.
	if err := h.request(context.Background(), "unsubscribe", urls, before); err != nil {
		return fmt.Errorf("cleaning up: %w", err)
	}
	return nil
}

// drops drops c.drops articles and prints the times to the deliveries.
func drops(ctx context.Context, c config, rec *recorder) error {
	if err := os.MkdirAll(filepath.Join(c.seeds, c.dir), 0o755); err != nil {
		return err
	}
	var first, last []time.Duration
	stamp := time.Now().UnixNano()
	for i := range c.drops {
		title := fmt.Sprintf("دفع إلى المشتركين %d-%d", stamp, i)
		done := rec.begin([]byte(title))
		name := filepath.Join(c.seeds, c.dir, fmt.Sprintf("%d-%03d.txt", stamp, i))
		body := title + "\nفقرة أولى كُتبت وأُغلقت دفعة واحدة.\nفقرة ثانية.\n"
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			return err
		}
		closed := time.Now()
		select {
		case <-done:
		case <-time.After(c.limit):
		case <-ctx.Done():
			return ctx.Err()
		}
		arrived, got := rec.end()
		if got < len(arrived) {
			return fmt.Errorf("drop %d: %d of %d subscribers received it within %v", i, got, len(arrived), c.limit)
		}
		first = append(first, arrived[0].Sub(closed))
		last = append(last, slices.MaxFunc(arrived, func(a, b time.Time) int { return a.Compare(b) }).Sub(closed))
		time.Sleep(c.gap)
	}
	rec.mu.Lock()
	posts, stuck := rec.posts, rec.stuck
	rec.mu.Unlock()
	fmt.Printf("websub: subs=%d stuck=%v drops=%d first:%s last_of_%d:%s deliveries=%d stuck_deliveries=%d\n",
		c.subs, c.stuck, c.drops, quantiles(first), c.subs, quantiles(last), posts, stuck)
	return nil
}

// quantiles returns the p50, p99 and max of took.
func quantiles(took []time.Duration) string {
	s := slices.Clone(took)
	slices.Sort(s)
	q := func(p float64) float64 { return feedpoll.Ms(feedpoll.Quantile(s, p)) }
	return fmt.Sprintf(" p50=%.1fms p99=%.1fms max=%.1fms", q(0.50), q(0.99), feedpoll.Ms(s[len(s)-1]))
}
