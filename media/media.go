// Package media says which files under the seeds folder are media (the
// images articles show) and serves them at stable URLs: Prefix followed by
// their path under the folder, percent-encoded segment by segment.
//
// Media files are never articles. Only names that Is accepts are served;
// never a hidden file or folder, nothing through a symbolic link, nothing
// but a regular file, and nothing larger than the handler's size limit.
package media

import (
	"net/url"
	"strings"

	"github.com/seedfeed/seedfeed/article"
)

// Prefix is the URL path under which media files are served.
const Prefix = "/media/"

// Is reports whether name, a file name or a slash-separated path, names a
// media file by its suffix, in any case (PHOTO.JPG). Hidden and temporary
// files are the caller's business, as they are article.Is's.
func Is(name string) bool { return Type(name) != "" }

// Type is the media type of the media file name ("image/jpeg"), or "" if
// name is not one (see Is).
func Type(name string) string { return article.MediaType(name) }

// URLPath is the URL path at which the media file rel, a slash-separated
// path under the seeds folder, is served: Prefix and rel, each segment
// percent-encoded ("/media/2024/%D8%B5%D9%88%D8%B1%D8%A9.jpg").
func URLPath(rel string) string {
	segs := strings.Split(rel, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return Prefix + strings.Join(segs, "/")
}
