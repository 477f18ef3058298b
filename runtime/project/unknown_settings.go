package project

import (
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/luacap/luacap/runtime/host"
)

// UnknownSetting is a name given to set() or -s that nothing read: a
// typo, or a Capistrano setting luacap does not have.
type UnknownSetting struct {
	Name string
	At   string // file:line of the set(), or "-s NAME=..."
	Hint string // what to do instead: "did you mean ...", or luacap's way
}

func (u UnknownSetting) String() string {
	return fmt.Sprintf("%s: setting %q is set but nothing reads it: %s", u.At, u.Name, u.Hint)
}

// recipeNameUse finds the names the bundled recipes and the prelude read
// or set; userNameUse the names a Deployfile or stage file reads, so a
// setting read only by a task this run did not invoke is not reported.
var (
	recipeNameUse = regexp.MustCompile(`\b(?:fetch|whole|set|set_if_empty|append|remove|ask)\(\s*"([A-Za-z0-9_]+)"`)
	userNameUse   = regexp.MustCompile(`\b(?:fetch|append|remove)\(\s*"([A-Za-z0-9_]+)"`)
)

// engineReads are the settings Go code reads rather than a recipe.
var engineReads = []string{"log_file", "ssh_options"}

// UnknownSettings returns the settings set outside the bundled recipes
// that nothing fetched in this run and that no recipe or loaded file
// reads, sorted by name. Call it after loading, or after a run.
func (p *Project) UnknownSettings() []UnknownSetting {
	known := p.knownSettings()
	var out []UnknownSetting
	for name, at := range p.settingsGiven() {
		if known[name] || p.Vars.WasRead(name) {
			continue
		}
		out = append(out, UnknownSetting{Name: name, At: at, Hint: p.settingHint(name, known)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// settingsGiven maps each name the user set to where: the Deployfile's
// set() calls (not the bundled recipes' own) and the -s names.
func (p *Project) settingsGiven() map[string]string {
	given := map[string]string{}
	for name, at := range p.setAt {
		if !strings.HasPrefix(at, recipePrefix) && !strings.HasPrefix(at, "luacap/") {
			given[name] = at
		}
	}
	for _, name := range p.Vars.Given() {
		given[name] = "-s " + name + "=..."
	}
	return given
}

// knownSettings are the names the bundled recipes (opt-in ones too) and
// the prelude use, those Go reads, and those the loaded files fetch.
func (p *Project) knownSettings() map[string]bool {
	known := map[string]bool{}
	for _, n := range engineReads {
		known[n] = true
	}
	addNames(known, recipeNameUse, Prelude)
	if p.recipes.fsys != nil {
		fs.WalkDir(p.recipes.fsys, ".", func(file string, d fs.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(file, ".lua") {
				if src, err := fs.ReadFile(p.recipes.fsys, file); err == nil {
					addNames(known, recipeNameUse, string(src))
				}
			}
			return nil
		})
	}
	for _, f := range p.userFiles {
		if src, err := os.ReadFile(f); err == nil {
			addNames(known, userNameUse, string(src))
		}
	}
	return known
}

func addNames(known map[string]bool, re *regexp.Regexp, src string) {
	for _, m := range re.FindAllStringSubmatch(src, -1) {
		known[m[1]] = true
	}
}

// settingHint is luacap's way for a Capistrano setting, or the closest
// known name.
func (p *Project) settingHint(name string, known map[string]bool) string {
	if hint := capistranoHint(name); hint != "" {
		return hint
	}
	names := make([]string, 0, len(known))
	for n := range known {
		names = append(names, n)
	}
	sort.Strings(names)
	if c := host.Closest(name, names); c != "" {
		return fmt.Sprintf("did you mean %q?", c)
	}
	return "luacap and its bundled recipes do not know it; remove it, or read it with fetch(" + fmt.Sprintf("%q", name) + ") in a task"
}
