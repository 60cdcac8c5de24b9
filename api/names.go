package api

import (
	"errors"
	"fmt"
	"maps"
	"strconv"
)

// WithOptionNames makes the Server's messages name what its user sets
// instead of this package's options, for a program that runs the fake and
// configures it otherwise (monime-fake passes its flags). names maps an
// option or method, such as "WithCredentials", to what the program's user
// sets, such as "-token"; "WithCredentials token" and "WithCredentials
// space" name its two arguments apart, for errors about one of them. Named this way are New's errors about
// WithCredentials, WithSessionTTL, WithFee and WithWebhook, the 401 a
// request with an unknown token gets (WithCredentials), the message of an
// injected fault (InjectFault) and AddWebhook's errors. New fails on an
// empty name.
func WithOptionNames(names map[string]string) Option {
	return func(c *config) error {
		for k, v := range names {
			if k == "" || v == "" {
				return fmt.Errorf("api: WithOptionNames: option %q is named %q; pass non-empty option names and names for them, such as \"WithCredentials\": \"-token\"", k, v)
			}
		}
		if c.names == nil {
			c.names = map[string]string{}
		}
		maps.Copy(c.names, names)
		return nil
	}
}

// label is how messages name option (or method): as WithOptionNames
// says, or else as this package's name, def if given.
func (c *config) label(option, def string) string {
	if n := c.names[option]; n != "" {
		return n
	}
	if def != "" {
		return def
	}
	return "api." + option
}

// optionError is a problem with one option's value; New names the option
// as WithOptionNames says.
type optionError struct {
	option  string // such as "WithFee"
	part    string // the argument it is about, such as "token", or ""
	arg     string // what the option is about, quoted in the name, or ""
	problem string
	err     error // wrapped, or nil
	named   string
}

func optionErrorf(option, arg, format string, args ...any) *optionError {
	err := fmt.Errorf(format, args...)
	return &optionError{option: option, arg: arg, problem: err.Error(), err: errors.Unwrap(err)}
}

func (e *optionError) Error() string {
	if e.named != "" {
		if e.arg != "" {
			return e.named + " " + strconv.Quote(e.arg) + ": " + e.problem
		}
		return e.named + ": " + e.problem
	}
	if e.arg != "" {
		return "api: " + e.option + "(" + strconv.Quote(e.arg) + "): " + e.problem
	}
	return "api: " + e.option + ": " + e.problem
}

func (e *optionError) Unwrap() error { return e.err }

// nameOptions names the options of the errors in problems as c says.
func (c *config) nameOptions(problems []error) {
	for _, p := range problems {
		var oe *optionError
		if !errors.As(p, &oe) {
			continue
		}
		if n := c.names[oe.option+" "+oe.part]; oe.part != "" && n != "" {
			oe.named = n
		} else if n := c.names[oe.option]; n != "" {
			oe.named = n
		}
	}
}
