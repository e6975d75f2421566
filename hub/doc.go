// Package hub is seedfeed's WebSub hub (W3C Recommendation "WebSub",
// 2018) for its own feeds: a reader subscribes to a feed (a topic) at
// the hub, and the hub posts each new version of the feed to it, so
// that it learns of an article within a second instead of at its next
// poll.
//
// A Hub serves subscription requests (ServeHTTP, mounted at /hub), checks
// each with the subscriber (verification of intent) and keeps the
// subscriptions in the store with their leases. Publish hands it a
// topic's new bytes; it posts them to each subscriber from a goroutine
// of that subscriber's own, a bounded number at once, retrying failures
// with backoff. What is owed is kept in the store until delivered, so a
// restart loses none of it.
//
// The hub fetches URLs that strangers give it: by default it connects
// only to public addresses, checked on the address dialled; it follows
// no redirect, and bounds subscriptions per callback host and in all,
// the sizes it reads and the time each request may take.
package hub
