package article

import (
	"net/mail"
	"net/url"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

// The readers of the front-matter keys (see keys). Each is given a value
// that is not null, through any alias.

func (r *fmReader) title(key string, v *yaml.Node) error {
	s, err := scalar(key, v)
	if err == nil {
		r.a.Title, err = oneLine(s)
	}
	return err
}

func (r *fmReader) summary(key string, v *yaml.Node) error {
	s, err := scalar(key, v)
	if err != nil {
		return err
	}
	s, err = cleanText(s)
	r.a.Summary = strings.TrimSpace(s)
	return err
}

func (r *fmReader) categories(key string, v *yaml.Node) error {
	var err error
	r.a.Categories, err = names(key, v)
	return err
}

func (r *fmReader) tags(key string, v *yaml.Node) error {
	var err error
	r.a.Tags, err = names(key, v)
	return err
}

func (r *fmReader) imageAlt(key string, v *yaml.Node) error {
	s, err := scalar(key, v)
	if err == nil {
		r.alt, err = oneLine(s)
	}
	return err
}

func (r *fmReader) lang(key string, v *yaml.Node) error {
	s, err := scalar(key, v)
	if err != nil {
		return err
	}
	tag, err := language.Parse(strings.TrimSpace(s))
	if err != nil {
		return badValue(ErrBadKey, key, v, "%q is not a BCP 47 language tag (ar, en, ar-EG)", s)
	}
	r.a.Lang = tag.String()
	return nil
}

func (r *fmReader) draft(key string, v *yaml.Node) error {
	// Decoding into a bool takes YAML's true and false, and the yes, no,
	// on and off of YAML 1.1, which Jekyll reads; even quoted, for those.
	// A quoted value is text, refused alike: draft: "no" must not read
	// one way here and another in a reader of YAML 1.2.
	if v.Kind == yaml.ScalarNode && v.Style&stringStyles != 0 {
		var b bool
		if (&yaml.Node{Kind: yaml.ScalarNode, Value: v.Value}).Decode(&b) == nil {
			return badValue(ErrBadKey, key, v, "the quoted %q is a string, not a boolean: write %s without quotes", v.Value, v.Value)
		}
	} else if v.Kind == yaml.ScalarNode && v.Decode(&r.a.Draft) == nil {
		return nil
	}
	return badValue(ErrBadKey, key, v, "want true or false, not %s", kindName(v))
}

// stringStyles are the styles of a scalar that YAML reads as a string
// whatever its text.
const stringStyles = yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle | yaml.LiteralStyle | yaml.FoldedStyle

func (r *fmReader) link(key string, v *yaml.Node) error {
	s, err := scalar(key, v)
	if err != nil {
		return err
	}
	u, ok := httpURL(strings.TrimSpace(s))
	if !ok {
		return badValue(ErrBadKey, key, v, "want an absolute http or https URL, not %q", s)
	}
	r.a.Link = u.String()
	return nil
}

func (r *fmReader) date(key string, v *yaml.Node) error {
	if v.Kind != yaml.ScalarNode {
		return badValue(ErrBadDate, key, v, "want a date, not %s", kindName(v))
	}
	d, ok := parseDate(strings.TrimSpace(v.Value), r.opts.Location)
	if !ok {
		return badValue(ErrBadDate, key, v, "%q is not 2006-01-02, 2006-01-02 15:04[:05] or RFC 3339 (2006-01-02T15:04:05+03:00)", v.Value)
	}
	if d.Year() < minYear {
		return badValue(ErrBadDate, key, v, "year %04d looks like a typo: a date before %d is refused", d.Year(), minYear)
	}
	if err := notFuture(d, r.opts.Now); err != nil {
		return err
	}
	r.a.Date = d
	return nil
}

// authors reads author and authors alike: a name, a mapping with name,
// url and email, or a list of either. Both keys add to Article.Authors.
func (r *fmReader) authors(key string, v *yaml.Node) error {
	items := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		items = v.Content
	}
	for _, it := range items {
		it = deref(it)
		var au Author
		var err error
		switch {
		case isNull(it):
			continue
		case it.Kind == yaml.ScalarNode:
			au.Name, err = oneLine(it.Value)
		case it.Kind == yaml.MappingNode:
			au, err = author(key, it)
		default:
			err = badValue(ErrBadKey, key, it, "want a name or a mapping of name, url and email, not %s", kindName(it))
		}
		if err != nil {
			return err
		}
		if au.Name != "" && !slices.Contains(r.a.Authors, au) {
			r.a.Authors = append(r.a.Authors, au)
		}
	}
	return nil
}

// author reads a mapping of name, url and email.
func author(key string, m *yaml.Node) (Author, error) {
	var au Author
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := deref(m.Content[i]), deref(m.Content[i+1])
		if k.Kind != yaml.ScalarNode || seen[k.Value] {
			return Author{}, badValue(ErrBadKey, key, k, "an author has one name, url and email each")
		}
		seen[k.Value] = true
		if isNull(v) {
			continue
		}
		if v.Kind != yaml.ScalarNode {
			return Author{}, badValue(ErrBadKey, key+"."+k.Value, v, "want text, not %s", kindName(v))
		}
		s, err := oneLine(v.Value)
		if err != nil {
			return Author{}, err
		}
		switch k.Value {
		case "name":
			au.Name = s
		case "url":
			u, ok := httpURL(s)
			if !ok && s != "" {
				return Author{}, badValue(ErrBadKey, key+".url", v, "want an absolute http or https URL, not %q", s)
			}
			if ok {
				au.URL = u.String()
			}
		case "email":
			if a, err := mail.ParseAddress(s); s != "" && (err != nil || a.Name != "" || a.Address != s) {
				return Author{}, badValue(ErrBadKey, key+".email", v, "%q is not an email address", s)
			}
			au.Email = s
		default:
			return Author{}, badValue(ErrBadKey, key, k, "unknown author key %q: want name, url or email", k.Value)
		}
	}
	if au.Name == "" {
		return Author{}, badValue(ErrBadKey, key, m, "an author needs a name")
	}
	return au, nil
}

// imageTypes are the media types of the images feeds carry, by suffix.
var imageTypes = map[string]string{
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp",
	".gif": "image/gif", ".avif": "image/avif", ".svg": "image/svg+xml",
}

// MediaType is the media type of the image file name ("image/jpeg"), by
// its suffix in any case, or "" if name is not one of the images an
// article may show: jpg, jpeg, png, webp, gif, avif, svg. These are the
// media files under the seeds folder, served beside the articles.
func MediaType(name string) string { return imageTypes[strings.ToLower(path.Ext(name))] }

// image reads the lead image: an absolute http or https URL, or a path
// relative to the article's folder that stays under the seeds folder. A
// local image must be of a type the media files are served as; a remote
// one is taken as it is (CDN URLs often have no suffix: photo?id=1), with
// the type of its suffix if it is an image's, else an unknown type.
func (r *fmReader) image(key string, v *yaml.Node) error {
	s, err := scalar(key, v)
	if err != nil {
		return err
	}
	if s, err = oneLine(s); err != nil || s == "" {
		return err
	}
	var img Image
	if u, ok := httpURL(s); ok {
		img.URL, img.Type = u.String(), MediaType(u.Path)
		r.a.Image = &img
		return nil
	}
	local, ok := localPath(s)
	if !ok {
		return badValue(ErrBadImage, key, v, "%q is neither a path relative to the article nor an http or https URL", s)
	}
	if img.Path, ok = under(r.dir, local); !ok {
		return badValue(ErrBadImage, key, v, "%q is outside the seeds folder", s)
	}
	if img.Type = MediaType(img.Path); img.Type == "" {
		return badValue(ErrBadImage, key, v, "%q is not a jpg, jpeg, png, webp, gif, avif or svg image", s)
	}
	r.a.Image = &img
	return nil
}

// localPath reports whether s is written as a relative path (no scheme,
// not starting with a slash), and returns it.
func localPath(s string) (string, bool) {
	if strings.HasPrefix(s, "/") || strings.HasPrefix(s, `\`) {
		return "", false
	}
	if i := strings.IndexAny(s, ":/"); i >= 0 && s[i] == ':' { // a scheme, or C:
		return "", false
	}
	return s, true
}

// under resolves p, a slash-separated path relative to the folder dir
// (both under the seeds folder), to its path under the seeds folder, and
// reports false if it is the seeds folder itself or outside it.
func under(dir, p string) (string, bool) {
	q := path.Join(dir, p)
	if q == "." || q == ".." || strings.HasPrefix(q, "../") || strings.HasPrefix(q, "/") {
		return "", false
	}
	return q, true
}

// httpURL parses s and reports whether it is an absolute http or https
// URL with a host. Its String is a URI: an IRI's non-ASCII percent-encoded.
func httpURL(s string) (*url.URL, bool) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, false
	}
	return u, true
}

// scalar is the text of the scalar v, or a refusal naming key.
func scalar(key string, v *yaml.Node) (string, error) {
	if v.Kind != yaml.ScalarNode {
		return "", badValue(ErrBadKey, key, v, "want text, not %s", kindName(v))
	}
	return v.Value, nil
}

// names reads a list of names (categories, tags): a list of scalars, or
// one. Each is made one line and trimmed; empty ones and repeats go.
func names(key string, v *yaml.Node) ([]string, error) {
	items := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		items = v.Content
	}
	var out []string
	for _, it := range items {
		it = deref(it)
		if isNull(it) {
			continue
		}
		if it.Kind != yaml.ScalarNode {
			return nil, badValue(ErrBadKey, key, it, "want a name or a list of names, not %s", kindName(it))
		}
		s, err := oneLine(it.Value)
		if err != nil {
			return nil, err
		}
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// lineBreaks makes line breaks spaces.
var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")

// oneLine is s on one line: line breaks (a YAML block scalar keeps them)
// become spaces, controls go (see clean), white space around it goes.
func oneLine(s string) (string, error) {
	if strings.ContainsAny(s, "\r\n") { // rare: the replacer allocates
		s = lineBreaks.Replace(s)
	}
	s, err := clean(s)
	return strings.TrimSpace(s), err
}
