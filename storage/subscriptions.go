package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Subscription is a WebSub subscriber's verified subscription to a topic
// (one of the feeds): the hub posts each new version of the topic to the
// callback until the lease expires.
type Subscription struct {
	// Topic and Callback are absolute URLs; the pair names the
	// subscription.
	Topic    string `json:"topic"`
	Callback string `json:"callback"`
	// Secret is the subscriber's hub.secret, "" when none was given: the
	// deliveries are signed with it.
	Secret string `json:"secret,omitempty"`
	// Expires is the end of the lease; Created when the subscription was
	// first verified (a renewal keeps it).
	Expires time.Time `json:"expires"`
	Created time.Time `json:"created"`
}

// Delivery is a topic's content owed to a subscriber: it survives a
// restart until delivered or given up.
type Delivery struct {
	Topic    string `json:"topic"`
	Callback string `json:"callback"`
	// Attempts is how many attempts failed so far; Next when the next
	// one is due.
	Attempts int       `json:"attempts"`
	Next     time.Time `json:"next"`
}

// pairKey is the key of the topic's and callback's subscription or
// delivery: the topic, NUL, the callback, so that a topic's are side by
// side.
func pairKey(topic, callback string) ([]byte, error) {
	if topic == "" || callback == "" || strings.ContainsRune(topic, 0) || strings.ContainsRune(callback, 0) {
		return nil, fmt.Errorf("topic %q, callback %q: empty or holds a NUL", topic, callback)
	}
	return []byte(topic + "\x00" + callback), nil
}

// PutSubscription stores sub, replacing the subscription of its topic
// and callback if there is one. Subscriptions are not what the feeds
// show: LastChange does not move.
func (s *Store) PutSubscription(sub Subscription) error {
	return s.putPair("put subscription", bucketSubscriptions, sub.Topic, sub.Callback, sub)
}

// RemoveSubscription removes the subscription of callback to topic, and
// its pending delivery; nothing when there is none.
func (s *Store) RemoveSubscription(topic, callback string) error {
	_, err := s.removeSubscription(topic, callback, nil)
	return err
}

// RemoveSubscriptionIf removes the subscription of callback to topic,
// and its pending delivery, only if its lease ends at expires: a
// renewal stored since (another lease) stays. It reports whether it
// removed one.
func (s *Store) RemoveSubscriptionIf(topic, callback string, expires time.Time) (bool, error) {
	return s.removeSubscription(topic, callback, func(sub Subscription) bool { return sub.Expires.Equal(expires) })
}

// removeSubscription removes the subscription of callback to topic and
// its pending delivery; when cond is not nil, only if there is one and
// cond holds of it. It reports whether it removed them.
func (s *Store) removeSubscription(topic, callback string, cond func(Subscription) bool) (bool, error) {
	key, err := pairKey(topic, callback)
	if err != nil {
		return false, err
	}
	removed := false
	err = s.update("remove subscription", func(tx *bolt.Tx) error {
		if cond != nil {
			subs := tx.Bucket(bucketSubscriptions)
			if subs == nil {
				return nil
			}
			var sub Subscription
			switch err := getJSON(subs, key, &sub); {
			case errors.Is(err, ErrNotFound):
				return nil
			case err != nil:
				return err
			case !cond(sub):
				return nil
			}
		}
		for _, name := range [][]byte{bucketSubscriptions, bucketDeliveries} {
			if b := tx.Bucket(name); b != nil {
				if err := b.Delete(key); err != nil {
					return err
				}
			}
		}
		removed = true
		return nil
	})
	return removed, err
}

// Subscription returns the subscription of callback to topic, or an
// error wrapping ErrNotFound.
func (s *Store) Subscription(topic, callback string) (Subscription, error) {
	var sub Subscription
	key, err := pairKey(topic, callback)
	if err != nil {
		return sub, err
	}
	err = s.view("read subscription", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSubscriptions)
		if b == nil {
			return ErrNotFound
		}
		return getJSON(b, key, &sub)
	})
	if err != nil {
		return sub, fmt.Errorf("subscription of %s to %s: %w", callback, topic, err)
	}
	return sub, nil
}

// Subscriptions returns the subscriptions to topic, expired or not, by
// callback.
func (s *Store) Subscriptions(topic string) ([]Subscription, error) {
	if topic == "" || strings.ContainsRune(topic, 0) {
		return nil, fmt.Errorf("topic %q: empty or holds a NUL", topic)
	}
	return scanPairs[Subscription](s, "read subscriptions", bucketSubscriptions, []byte(topic+"\x00"))
}

// AllSubscriptions returns every subscription, expired or not, by topic
// then callback.
func (s *Store) AllSubscriptions() ([]Subscription, error) {
	return scanPairs[Subscription](s, "read subscriptions", bucketSubscriptions, nil)
}

// PutDelivery stores each of ds, replacing the pending delivery of its
// topic to its callback if there is one, in one transaction: a new
// version of a topic is owed to all its subscribers at once.
func (s *Store) PutDelivery(ds ...Delivery) error {
	cs := make([]DeliveryChange, len(ds))
	for i, d := range ds {
		cs[i] = DeliveryChange{Delivery: d}
	}
	return s.UpdateDeliveries(cs...)
}

// DeliveryChange is a change to the pending deliveries: the Delivery
// stored, replacing the one of its topic to its callback, or, when
// Done, that one removed (delivered or given up).
type DeliveryChange struct {
	Delivery
	Done bool
}

// UpdateDeliveries applies cs in order, in one transaction: a hub
// records many deliveries' ends with one sync, so that the articles'
// writes (bbolt has one writer) do not queue behind one per delivery.
func (s *Store) UpdateDeliveries(cs ...DeliveryChange) error {
	keys := make([][]byte, len(cs))
	for i, c := range cs {
		var err error
		if keys[i], err = pairKey(c.Topic, c.Callback); err != nil {
			return fmt.Errorf("update deliveries: %w", err)
		}
	}
	return s.update("update deliveries", func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketDeliveries)
		if err != nil {
			return err
		}
		for i, c := range cs {
			if c.Done {
				err = b.Delete(keys[i])
			} else {
				err = putJSON(b, keys[i], c.Delivery)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// PendingDeliveries returns every pending delivery, by topic then
// callback.
func (s *Store) PendingDeliveries() ([]Delivery, error) {
	return scanPairs[Delivery](s, "read deliveries", bucketDeliveries, nil)
}

// putPair stores v under the key of topic and callback in the bucket
// name, creating the bucket at its first write: a seedfeed of before it
// ignores it, so no layout change.
func (s *Store) putPair(what string, name []byte, topic, callback string, v any) error {
	key, err := pairKey(topic, callback)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return s.update(what, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(name)
		if err != nil {
			return err
		}
		return putJSON(b, key, v)
	})
}

// scanPairs decodes the values of the bucket name whose keys start with
// prefix (all of them when nil), in key order.
func scanPairs[T any](s *Store, what string, name, prefix []byte) ([]T, error) {
	var out []T
	err := s.view(what, func(tx *bolt.Tx) error {
		b := tx.Bucket(name)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, data := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, data = c.Next() {
			var v T
			// Unmarshal copies what it keeps, so nothing outlives the transaction.
			if err := json.Unmarshal(data, &v); err != nil {
				return fmt.Errorf("decode %q: %w", k, err)
			}
			out = append(out, v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// TopicDigests returns, by topic, the digest of the document last
// published to the WebSub hub (see PutTopicDigests): across a restart,
// it tells a topic that changed while no daemon ran from one that did
// not.
func (s *Store) TopicDigests() (map[string]string, error) {
	out := make(map[string]string)
	err := s.view("read topic digests", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTopicDigests)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			out[string(k)] = string(v)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PutTopicDigests stores each topic's digest of digests, in one
// transaction. Like subscriptions, they are not what the feeds show:
// LastChange does not move.
func (s *Store) PutTopicDigests(digests map[string]string) error {
	return s.update("put topic digests", func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketTopicDigests)
		if err != nil {
			return err
		}
		for topic, d := range digests {
			if topic == "" {
				return fmt.Errorf("topic digest %q: empty topic", d)
			}
			if err := b.Put([]byte(topic), []byte(d)); err != nil {
				return err
			}
		}
		return nil
	})
}
