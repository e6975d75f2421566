package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/feed"
)

func TestConfigErrors(t *testing.T) {
	seeds := t.TempDir()
	file := filepath.Join(seeds, "file")
	os.WriteFile(file, nil, 0o644)
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"missing seeds", []string{"-seeds", filepath.Join(seeds, "nope")}, nil, "-seeds"},
		{"seeds is a file", []string{"-seeds", file}, nil, "not a directory"},
		{"db in a missing folder", []string{"-db", "/nonexistent/x.db"}, nil, "-db"},
		{"db is a folder", []string{"-db", seeds}, nil, "not a regular file"},
		{"addr without port", []string{"-addr", "localhost"}, nil, "-addr"},
		{"addr with a bad port", []string{"-addr", "localhost:http8"}, nil, "port"},
		{"addr port too large", []string{"-addr", "localhost:70000"}, nil, "port"},
		{"base-url relative", []string{"-base-url", "/feeds"}, nil, "scheme"},
		{"base-url ftp", []string{"-base-url", "ftp://example.com"}, nil, "scheme"},
		{"base-url with query", []string{"-base-url", "https://example.com/?a=b"}, nil, "query"},
		{"base-url garbage", []string{"-base-url", "http://[::1"}, nil, "-base-url"},
		{"lang invalid", []string{"-lang", "arabic!"}, nil, "-lang"},
		{"lang too long", []string{"-lang", "ar-xxxxxxxxxx"}, nil, "-lang"},
		{"empty title", []string{"-title", "  "}, nil, "-title"},
		{"limit zero", []string{"-limit", "0"}, nil, "-limit"},
		{"limit huge", []string{"-limit", "1000000"}, nil, "-limit"},
		{"settle zero", []string{"-settle", "0s"}, nil, "-settle"},
		{"archive size negative", []string{"-archive-size", "-1"}, nil, "-archive-size -1"},
		{"archive size huge", nil, map[string]string{"SEEDFEED_ARCHIVE_SIZE": "1001"}, "-archive-size 1001"},
		{"rescan negative", []string{"-rescan", "-1s"}, nil, "-rescan"},
		{"rescan below a second", []string{"-rescan", "1ms"}, nil, "-rescan 1ms: must be 0 (never) or at least 1s"},
		{"extra argument", []string{"serve"}, nil, "unexpected argument"},
		{"env limit not a number", nil, map[string]string{"SEEDFEED_LIMIT": "many"}, "SEEDFEED_LIMIT"},
		{"env lang invalid", nil, map[string]string{"SEEDFEED_LANG": "??"}, "-lang"},
		{"env max-size bad", nil, map[string]string{"SEEDFEED_MAX_SIZE": "1 banana"}, "SEEDFEED_MAX_SIZE"},
		{"env settle bad", nil, map[string]string{"SEEDFEED_SETTLE": "soon"}, "SEEDFEED_SETTLE"},
		{"charset unknown", []string{"-charset", "klingon"}, nil, "-charset"},
		{"title with a control character", []string{"-title", "a\x01b"}, nil, "control"},
		{"author not UTF-8", []string{"-author", "\xff"}, nil, "-author"},
		{"max-age not a number", []string{"-max-age", "soon"}, nil, "max-age"},
		{"max-age fraction", []string{"-max-age", "1.5s"}, nil, "max-age"},
		{"max-age too long", []string{"-max-age", "10000h"}, nil, "-max-age"},
		{"timezone unknown", []string{"-timezone", "Mars/Olympus"}, nil, `-timezone "Mars/Olympus": unknown time zone`},
		{"timezone a path", []string{"-timezone", "../../etc/passwd"}, nil, "-timezone"},
		{"timezone empty", []string{"-timezone", ""}, nil, "-timezone: empty"},
		{"env timezone unknown", nil, map[string]string{"SEEDFEED_TIMEZONE": "Asia/Atlantis"}, `-timezone "Asia/Atlantis"`},
		{"digits unknown", []string{"-digits", "roman"}, nil, "-digits: want arab (٠١٢٣…) or latn (0123…)"},
		{"env digits unknown", nil, map[string]string{"SEEDFEED_DIGITS": "Arab"}, "SEEDFEED_DIGITS"},
		{"max-media-size zero", []string{"-max-media-size", "0"}, nil, "-max-media-size"},
		{"env max-media-size bad", nil, map[string]string{"SEEDFEED_MAX_MEDIA_SIZE": "big"}, "SEEDFEED_MAX_MEDIA_SIZE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if !slices.Contains(args, "-seeds") {
				args = append([]string{"-seeds", seeds}, args...)
			}
			var stderr bytes.Buffer
			_, err := parseConfig(args, env(tc.env), io.Discard, &stderr)
			if err == nil {
				t.Fatalf("parseConfig(%q, %v) succeeded", args, tc.env)
			}
			if !strings.Contains(err.Error(), tc.want) || !errors.Is(err, errUsage) {
				t.Errorf("parseConfig(%q, %v) = %v, want a usage error mentioning %q", args, tc.env, err, tc.want)
			}
		})
	}
}

// TestConfigReportsEverySetting: every wrong setting is reported at once,
// and the disk is looked at only when the rest are right: a bad -limit is
// not hidden behind a missing seeds folder.
func TestConfigReportsEverySetting(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	_, err := parseConfig([]string{"-seeds", missing, "-limit", "0", "-lang", "??", "-rescan", "1ms"},
		env(map[string]string{"SEEDFEED_SETTLE": "0s"}), io.Discard, io.Discard)
	if !errors.Is(err, errUsage) {
		t.Fatalf("parseConfig = %v, want a usage error", err)
	}
	for _, want := range []string{"-limit 0", "-lang", "-rescan 1ms", "-settle 0s"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("parseConfig = %v\nwant it to mention %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "-seeds") {
		t.Errorf("parseConfig = %v\nlooked at the disk before the other settings were right", err)
	}
	if got := strings.Count(err.Error(), "\n") + 1; got != 4 {
		t.Errorf("parseConfig = %v\nwant 4 lines, one a setting; got %d", err, got)
	}
}

func TestConfigEnvAndFlags(t *testing.T) {
	seeds := t.TempDir()
	e := env(map[string]string{
		"SEEDFEED_SEEDS":          seeds,
		"SEEDFEED_LIMIT":          "7",
		"SEEDFEED_LANG":           "fa",
		"SEEDFEED_BASE_URL":       "https://news.example.com/base/",
		"SEEDFEED_MAX_SIZE":       "2MiB",
		"SEEDFEED_TITLE":          "من البيئة",
		"SEEDFEED_MAX_AGE":        "60",
		"SEEDFEED_CHARSET":        "none",
		"SEEDFEED_TIMEZONE":       "Asia/Riyadh",
		"SEEDFEED_MAX_MEDIA_SIZE": "5MiB",
		"SEEDFEED_DIGITS":         "latn",
		"SEEDFEED_VERSION":        "2.4.1", // -version has no twin: ignored
	})
	cfg, err := parseConfig([]string{"-limit", "9", "-title", "من العلم"}, e, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.seeds != seeds || cfg.feed.Limit != 9 || cfg.feed.Lang.String() != "fa" ||
		cfg.feed.BaseURL != "https://news.example.com/base" || cfg.maxSize != 2<<20 || cfg.feed.Title != "من العلم" {
		t.Errorf("config = %+v", cfg)
	}
	if cfg.version {
		t.Error("SEEDFEED_VERSION set -version")
	}
	if cfg.feed.MaxAge != time.Minute || cfg.charset != nil {
		t.Errorf("max-age, charset = %v, %v; want 1m, none", cfg.feed.MaxAge, cfg.charset)
	}
	if cfg.location == nil || cfg.location.String() != "Asia/Riyadh" || cfg.maxMediaSize != 5<<20 {
		t.Errorf("location, max-media-size = %v, %v; want Asia/Riyadh, 5MiB", cfg.location, cfg.maxMediaSize)
	}
	// The pages show their dates where the front matter's are read.
	if cfg.feed.Location != cfg.location || cfg.feed.Digits != feed.LatinDigits {
		t.Errorf("pages' location, digits = %v, %v; want Asia/Riyadh, latn", cfg.feed.Location, cfg.feed.Digits)
	}
	// A root _index.md fills in what neither a flag nor its twin set.
	for name, want := range map[string]bool{"title": true, "lang": true, "limit": true, "description": false, "author": false} {
		if cfg.explicit[name] != want {
			t.Errorf("explicit[%q] = %v, want %v", name, cfg.explicit[name], want)
		}
	}
	if cfg.feed.Description != "من العلم" || cfg.feed.Author != "من العلم" {
		t.Errorf("description and author = %q, %q; want the title", cfg.feed.Description, cfg.feed.Author)
	}
}

// TestConfigDefaults: dates without a zone are UTC, and media files up
// to 20 MiB are served, unless told otherwise.
func TestConfigDefaults(t *testing.T) {
	cfg, err := parseConfig([]string{"-seeds", t.TempDir()}, env(nil), io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.location != time.UTC || cfg.maxMediaSize != 20<<20 || cfg.feed.Lang.String() != "ar" {
		t.Errorf("location, max-media-size, lang = %v, %v, %v; want UTC, 20MiB, ar", cfg.location, &cfg.maxMediaSize, cfg.feed.Lang)
	}
	if cfg.feed.Location != time.UTC || cfg.feed.Digits != feed.ArabicDigits {
		t.Errorf("pages' location, digits = %v, %v; want UTC, arab", cfg.feed.Location, cfg.feed.Digits)
	}
}

func TestHelpListsEnv(t *testing.T) {
	var out bytes.Buffer
	_, err := parseConfig([]string{"-h"}, env(nil), io.Discard, &out)
	if !errors.Is(err, errHelp) {
		t.Fatalf("-h = %v, want errHelp", err)
	}
	for _, want := range []string{"-seeds", "SEEDFEED_SEEDS", "-db", "SEEDFEED_DB", "-addr", "SEEDFEED_ADDR",
		"-base-url", "SEEDFEED_BASE_URL", "-lang", "SEEDFEED_LANG", "-title", "SEEDFEED_TITLE", "-limit", "SEEDFEED_LIMIT", "-version",
		"-timezone NAME", "SEEDFEED_TIMEZONE", "(default UTC)", "-max-media-size SIZE", "SEEDFEED_MAX_MEDIA_SIZE", "(default 20MiB)",
		"-digits DIGITS", "SEEDFEED_DIGITS", "(default arab)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("-h output lacks %s:\n%s", want, out.String())
		}
	}
	// An environment variable that cannot act does not belong in the list.
	if strings.Contains(out.String(), "SEEDFEED_VERSION") {
		t.Errorf("-h lists SEEDFEED_VERSION, which does nothing:\n%s", out.String())
	}
}

// TestExitCodes runs the command itself: misconfiguration is a message
// and a non-zero exit, never a panic.
func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  []string
		code int
		want string
	}{
		{"help", []string{"-h"}, nil, 0, "SEEDFEED_LANG"},
		{"unknown flag", []string{"-nope"}, nil, 2, "flag provided but not defined"},
		{"bad flag value", []string{"-limit", "x"}, nil, 2, "invalid value"},
		// Every usage error exits 2, found by the flag parser or after it.
		{"bad lang", []string{"-lang", "not a tag"}, nil, 2, "seedfeed: -lang"},
		{"bad env", nil, []string{"SEEDFEED_LIMIT=-3"}, 2, "-limit -3"},
		{"bad env value", nil, []string{"SEEDFEED_LIMIT=x"}, 2, "SEEDFEED_LIMIT"},
		{"missing seeds", []string{"-seeds", "/nonexistent"}, nil, 2, "seedfeed: -seeds"},
		{"two wrong settings", []string{"-limit", "0", "-rescan", "1ms"}, nil, 2, "seedfeed: -limit 0: must be from 1 to 1000\nseedfeed: -rescan 1ms"},
		{"check with a missing folder", []string{"check", "-seeds", "/nonexistent"}, nil, 2, "seedfeed: -seeds"},
		{"backup without a file", []string{"backup"}, nil, 2, "seedfeed: backup takes one argument"},
		{"bad timezone", []string{"-timezone", "Mars/Olympus"}, nil, 2, `seedfeed: -timezone "Mars/Olympus": unknown time zone: want an IANA name`},
		{"bad timezone env", nil, []string{"SEEDFEED_TIMEZONE=Riyadh"}, 2, `seedfeed: -timezone "Riyadh": unknown time zone`},
		{"check with a bad timezone", []string{"check", "-timezone", "Arabia/Standard"}, nil, 2, `seedfeed: -timezone "Arabia/Standard"`},
		{"check with a bad media size", []string{"check", "-max-media-size", "-1"}, nil, 2, "-max-media-size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := command(tc.args...)
			cmd.Dir = t.TempDir()
			os.Mkdir(filepath.Join(cmd.Dir, "seeds"), 0o755)
			cmd.Env = append(cmd.Env, tc.env...)
			out, err := cmd.CombinedOutput()
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code || !strings.Contains(string(out), tc.want) {
				t.Errorf("seedfeed %q exited %d with:\n%s\nwant exit %d mentioning %q", tc.args, code, out, tc.code, tc.want)
			}
			if strings.Contains(string(out), "panic") {
				t.Errorf("seedfeed %q panicked:\n%s", tc.args, out)
			}
		})
	}
}

// TestTimezoneWithoutZoneinfo runs check with -timezone where the
// system's time zone database is hidden (a tmpfs over it, in a mount
// namespace of its own), as on a minimal container image, and so is Go's
// own copy (GOROOT points nowhere): the zone is read from the copy built
// into the binary.
func TestTimezoneWithoutZoneinfo(t *testing.T) {
	const zoneinfo = "/usr/share/zoneinfo"
	script := `mount -t tmpfs none ` + zoneinfo + ` && test ! -e ` + zoneinfo + `/Asia/Riyadh && exec "$@"`
	probe := exec.Command("unshare", "-rm", "sh", "-c", script, "sh", "true")
	if out, err := probe.CombinedOutput(); err != nil {
		t.Skipf("cannot hide %s in a mount namespace here: %v %s", zoneinfo, err, out)
	}
	seeds := t.TempDir()
	os.WriteFile(filepath.Join(seeds, "a.txt"), []byte("عنوان\nفقرة"), 0o644)
	cmd := command("check", "-seeds", seeds, "-timezone", "Asia/Riyadh")
	cmd.Args = append([]string{"unshare", "-rm", "sh", "-c", script, "sh"}, cmd.Args...)
	cmd.Path = probe.Path
	cmd.Env = append(cmd.Env, "GOROOT="+filepath.Join(seeds, "no-goroot"))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "1 would be published, 0 refused") {
		t.Errorf("check -timezone Asia/Riyadh without %s: %v\n%s", zoneinfo, err, out)
	}
}

// TestVersion builds the command as a user would and asks it its version.
func TestVersion(t *testing.T) {
	rev, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatalf("this test needs the git checkout the command is built from: %v", err)
	}
	out, err := exec.Command(buildCommand(t), "-version").CombinedOutput()
	if err != nil {
		t.Fatalf("seedfeed -version: %v\n%s", err, out)
	}
	if !strings.HasPrefix(string(out), "seedfeed ") || !strings.Contains(string(out), strings.TrimSpace(string(rev))) {
		t.Errorf("seedfeed -version = %q, want the module version and revision %s", out, rev)
	}
}
