package luameta

import (
	"fmt"
	"strings"
)

// param is one parameter of a LuaLS function type.
type param struct {
	name, typ string
	optional  bool
}

// parseSig reads "fun(a: T, b?: U, ...: V): R1, R2" into its parameters
// and return types.
func parseSig(sig string) ([]param, []string, error) {
	inner, ok := strings.CutPrefix(sig, "fun(")
	if !ok {
		return nil, nil, fmt.Errorf("the signature %q does not start with fun(", sig)
	}
	end := closing(inner)
	if end < 0 {
		return nil, nil, fmt.Errorf("the signature %q has no closing parenthesis", sig)
	}
	var params []param
	for _, part := range splitTop(inner[:end]) {
		p, err := parseParam(part)
		if err != nil {
			return nil, nil, fmt.Errorf("the signature %q: %w", sig, err)
		}
		params = append(params, p)
	}
	rest := strings.TrimSpace(inner[end+1:])
	if rest == "" {
		return params, nil, nil
	}
	ret, ok := strings.CutPrefix(rest, ":")
	if !ok {
		return nil, nil, fmt.Errorf("the signature %q: %q after the parameters is not \": TYPE\"", sig, rest)
	}
	return params, splitTop(ret), nil
}

func parseParam(s string) (param, error) {
	name, typ, ok := strings.Cut(s, ":")
	name, typ = strings.TrimSpace(name), strings.TrimSpace(typ)
	if !ok || name == "" || typ == "" {
		return param{}, fmt.Errorf("the parameter %q is not \"name: type\"", s)
	}
	p := param{name: strings.TrimSuffix(name, "?"), typ: typ, optional: strings.HasSuffix(name, "?")}
	return p, nil
}

// closing is the index in s of the parenthesis that closes one opened
// just before s, or -1.
func closing(s string) int {
	depth := 0
	for i, r := range s {
		switch r {
		case '(', '{', '[', '<':
			depth++
		case '}', ']', '>':
			depth--
		case ')':
			if depth == 0 {
				return i
			}
			depth--
		}
	}
	return -1
}

// splitTop splits s at the commas outside brackets, trimming each part.
func splitTop(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(', '{', '[', '<':
			depth++
		case ')', '}', ']', '>':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	if last := strings.TrimSpace(s[start:]); last != "" {
		parts = append(parts, last)
	}
	return parts
}

// CheckSig reports what is wrong with a LuaLS function type, or nil.
func CheckSig(sig string) error {
	_, _, err := parseSig(sig)
	return err
}
