package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

var (
	// errHelp means -h was asked for and answered.
	errHelp = errors.New("help requested")
	// errUsage means a setting is wrong: a flag, an environment variable
	// or an argument. Every such error exits with status 2 (see main).
	errUsage = errors.New("usage error")
)

// usageError is a setting found wrong before anything starts. It reads as
// the error it holds and matches errUsage.
type usageError struct{ error }

func (e usageError) Unwrap() error      { return e.error }
func (usageError) Is(target error) bool { return target == errUsage }

// usageErrorf formats a usageError.
func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// noTwin names the flags that have no environment variable: questions
// and ways to print, not settings a service keeps.
var noTwin = map[string]bool{"version": true, "json": true, "quiet": true}

// envName is the environment variable twin of a flag.
func envName(flagName string) string {
	return "SEEDFEED_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// newFlagSet returns a flag set whose usage lists every flag with its
// environment variable. synopsis is the first line of the help.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { usage(fs, synopsis) }
	return fs
}

// parseFlags parses args into fs, then gives every flag that args did not
// set the value of its environment variable, if that is set.
// A bad flag is one line, the error, and not the whole usage: an operator
// reading a service's log wants the line that says what is wrong.
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	usage, out := fs.Usage, fs.Output()
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.Usage = usage
	fs.SetOutput(out)
	if errors.Is(err, flag.ErrHelp) {
		usage()
		return errHelp
	}
	if err != nil {
		return usageErrorf("%v (see %s -h)", err, fs.Name())
	}
	set := make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		v := getenv(envName(f.Name))
		if set[f.Name] || v == "" || noTwin[f.Name] {
			return
		}
		if e := fs.Set(f.Name, v); e != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %v", envName(f.Name), v, e))
		}
	})
	if len(errs) > 0 {
		return usageError{errors.Join(errs...)}
	}
	return nil
}

// parseNoArgs is parseFlags for a command that takes flags only: an
// argument left over is a usage error.
func parseNoArgs(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q (see %s -h)", fs.Arg(0), fs.Name())
	}
	return nil
}

// usage prints every flag with its environment variable and default.
func usage(fs *flag.FlagSet, synopsis string) {
	out := fs.Output()
	fmt.Fprintf(out, "Usage: %s\n\n"+
		"Each flag's environment variable supplies its default; the flag wins.\n\n", synopsis)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fs.VisitAll(func(f *flag.Flag) {
		name, help := flag.UnquoteUsage(f)
		def := ""
		if f.DefValue != "" && f.DefValue != "false" {
			def = " (default " + f.DefValue + ")"
		}
		env := envName(f.Name)
		if noTwin[f.Name] {
			env = ""
		}
		fmt.Fprintf(tw, "  -%s %s\t%s\t%s%s\n", f.Name, name, env, help, def)
	})
	tw.Flush()
}

// sizeFlag is a byte count written as a number, optionally with a KiB,
// MiB or GiB suffix.
type sizeFlag int64

func (s *sizeFlag) String() string {
	switch n := int64(*s); {
	case n > 0 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n > 0 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	default:
		return strconv.FormatInt(n, 10)
	}
}

func (s *sizeFlag) Set(v string) error {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(v, u.suffix) {
			v, mult = strings.TrimSpace(strings.TrimSuffix(v, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return errors.New("want a positive size such as 1048576 or 1MiB")
	}
	*s = sizeFlag(n * mult)
	return nil
}

// secondsFlag is a duration written as whole seconds ("300") or as a Go
// duration ("5m").
type secondsFlag time.Duration

func (s *secondsFlag) String() string { return strconv.Itoa(int(time.Duration(*s).Seconds())) }

func (s *secondsFlag) Set(v string) error {
	d, err := time.ParseDuration(v)
	if n, aerr := strconv.Atoi(v); aerr == nil {
		d, err = time.Duration(n)*time.Second, nil
	}
	if err != nil || d < 0 || d%time.Second != 0 {
		return errors.New("want whole seconds such as 300 or a duration such as 5m")
	}
	*s = secondsFlag(d)
	return nil
}
