// Package sitemap serves what search engines read to find every page of
// the site: /sitemap.xml (the sitemaps.org protocol), /sitemap-news.xml
// (Google's news sitemap: the articles of the last two days) and
// /robots.txt, which names both.
//
// /sitemap.xml lists the home page, every section and category page
// (lastmod: when an article last entered, left or changed in the list)
// and every article page (lastmod: its Updated). When that is more than
// Config.MaxURLs (DefaultURLs, 1,000; the protocol allows 50,000, but a
// sitemap is rendered whole at each change it sees) URLs, /sitemap.xml is a
// sitemap index instead, naming
//
//	/sitemaps/lists-N.xml  the home, section and category pages, N from 1
//	/sitemaps/N.xml        the articles of the main list's archive pages
//	                       (N-1)·K+1 to N·K, K = MaxURLs / the store's
//	                       page size, oldest first
//
// so that a new article changes the last article sitemap only: the older
// ones keep their bytes, ETag and lastmod, and an edit or removal changes
// only the one holding the article. An article sitemap that all its
// articles left is served no more, and the index leaves it out.
//
// Every document is rendered at the first request after a change of the
// store, not per request and not per change: a crawler reads them now and
// then, while articles may arrive by the thousand, and a restart reads no
// article for them. That request reads only the archive pages that
// storage.Store.ChangesSince names, so one publication among 100,000
// articles re-renders one article sitemap (besides the small ones: the
// lists, the index, the news). The news sitemap also changes with the
// clock, when its oldest article turns two days old: the first request
// after that renders it again.
package sitemap
