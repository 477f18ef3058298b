// Package vars is the store behind set() and fetch(). Values are Lua
// values, touched only on the goroutine that owns the Lua state. A value
// given as a function is lazy: the prelude calls it on first fetch and
// caches the result, in Lua, so that the function may run commands.
package vars

import (
	"sort"

	lua "github.com/yuin/gopher-lua"
)

type entry struct {
	value lua.LValue
	lazy  bool
}

// Store holds variables and the -s overrides that win over them.
type Store struct {
	values    map[string]entry
	overrides map[string]lua.LValue
	computing map[string]any  // lazy values being computed, by fiber (nil: task level)
	read      map[string]bool // names fetch() asked for, set or not
	given     []string        // the -s names, kept after Settle
}

// NewStore returns a Store whose overrides come from the command line.
func NewStore(overrides map[string]string) *Store {
	s := &Store{values: map[string]entry{}, overrides: map[string]lua.LValue{}, computing: map[string]any{}, read: map[string]bool{}}
	for k, v := range overrides {
		s.overrides[k] = Parse(v)
		s.given = append(s.given, k)
	}
	return s
}

// Parse reads a -s value: true and false become booleans; everything
// else stays a string, as in Capistrano, so that a release name or a
// commit id made of digits is never turned into a number. Recipes call
// tonumber() where they want one.
func Parse(v string) lua.LValue {
	switch v {
	case "true":
		return lua.LTrue
	case "false":
		return lua.LFalse
	}
	return lua.LString(v)
}

// Set stores value; a function is kept as a lazy value. An override for
// name makes Set a no-op: the command line wins over the file.
func (s *Store) Set(name string, value lua.LValue) {
	if _, ok := s.overrides[name]; ok {
		return
	}
	_, lazy := value.(*lua.LFunction)
	s.values[name] = entry{value: value, lazy: lazy}
}

// Settle ends loading: -s values have won over the files, and from now on
// a set() in a task replaces a value whoever set it (a recipe that settles
// the release name under the lock must win over the name -s proposed).
func (s *Store) Settle() {
	for k, v := range s.overrides {
		s.values[k] = entry{value: v}
	}
	s.overrides = map[string]lua.LValue{}
}

// Get returns the value of name, whether it is set, and whether it is a
// lazy function still to be called.
func (s *Store) Get(name string) (value lua.LValue, found, lazy bool) {
	if v, ok := s.overrides[name]; ok {
		return v, true, false
	}
	e, ok := s.values[name]
	if !ok {
		return lua.LNil, false, false
	}
	return e.value, true, e.lazy
}

// Read is Get for fetch(): it remembers that name was asked for, so a
// setting nothing asks for can be told apart from one a recipe uses.
func (s *Store) Read(name string) (value lua.LValue, found, lazy bool) {
	s.read[name] = true
	return s.Get(name)
}

// WasRead reports whether fetch() asked for name during this run.
func (s *Store) WasRead(name string) bool { return s.read[name] }

// Names are every variable set, sorted.
func (s *Store) Names() []string {
	names := make([]string, 0, len(s.values)+len(s.overrides))
	for k := range s.values {
		names = append(names, k)
	}
	for k := range s.overrides {
		if _, ok := s.values[k]; !ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return names
}

// Given are the names the command line set with -s, in no order.
func (s *Store) Given() []string { return append([]string(nil), s.given...) }

// Cache replaces a lazy value with its result.
func (s *Store) Cache(name string, value lua.LValue) {
	delete(s.computing, name)
	s.values[name] = entry{value: value}
}

// Computing marks name as being computed by owner (a fiber, or nil at
// task level). It returns false when a computation of name is already
// under way: a cycle when the owner is the same, two hosts racing when not.
func (s *Store) Computing(name string, owner any) (ok bool, sameOwner bool) {
	if o, busy := s.computing[name]; busy {
		return false, o == owner
	}
	s.computing[name] = owner
	return true, false
}

// Abandon forgets a computation that raised, so a later fetch tries again.
func (s *Store) Abandon(name string) { delete(s.computing, name) }
