package spec

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/luacap/luacap/spec/harness"
)

// No value reaches a shell unquoted: every setting the bundled recipes
// read, set to every value of a hostile corpus, through check, deploy
// with each strategy, rollback and cleanup on real hosts. No marker file
// appears (on the hosts or here), and each run either works, with the
// value taken literally, or fails with a clear error and no change on
// any server.

// skipped are the settings the sweep leaves out, and why.
var skipped = map[string]string{
	"migrate_command":      "a command by design: it runs as written",
	"assets_build_command": "a command by design: it runs as written",
	"assets_dependencies":  "read only by use(\"rails/assets_local\"), issue 12's recipe, which the sweep does not load",
	"assets_dir":           "read only by use(\"rails/assets_local\"), issue 12's recipe, which the sweep does not load",
	"assets_roles":         "read only by the use(\"rails/...\") recipes, issue 12's, which the sweep does not load",
	"assets_shared":        "read only by use(\"rails/assets_local\"), issue 12's recipe, which the sweep does not load",
	"group_writable":       "a boolean: only its truth is read, never its text",
}

// alone are settings whose hostile value names something that cannot
// exist (a ref, a repository, a role, a number), so the run must fail:
// each runs by itself, the others at working values, in the flows that
// read it. A setting in neither table runs with the literal group.
var alone = map[string][]string{
	"application":       {"copy"}, // with deploy_to unset: /var/www/<value>
	"archive_format":    {"prepare"},
	"branch":            {"remote_cache", "prepare"},
	"copy_source":       {"copy"},
	"deploy_via":        {"deploy"},
	"intermediate_role": {"prepare"},
	"intermediate_url":  {"intermediate"}, // with intermediate_fetch = "http"
	"keep_releases":     {"cleanup"},
	"local_repo":        {"prepare"},
	"lock_wait":         {"rollback"},
	"release_name":      {"deploy"},
	"repo_tree":         {"remote_cache"},
	"repo_url":          {"remote_cache"},
	"rollback_release":  {"rollback"},
}

// literalFlows are the runs of the literal group, in order: each
// setting's value is used as given. Each deploy runs deploy:check first.
var literalFlows = []string{"copy", "remote_cache", "prepare", "intermediate", "migrations", "rollback", "cleanup"}

// corpus returns the hostile values; each one that could run a command
// touches its own file in marks.
func corpus(marks string) map[string]string {
	m := func(name string) string { return filepath.Join(marks, name) }
	return map[string]string{
		"single-quote": "'; touch " + m("q1") + "; '",
		"double-quote": `"; touch ` + m("q2") + `; "`,
		"semicolon":    "x; touch " + m("semi") + " | touch " + m("pipe") + " > " + m("redir"),
		"subst":        "$(touch " + m("subst") + ")",
		"backticks":    "`touch " + m("tick") + "`",
		"newline":      "line\ntouch " + m("nl"),
		"spaces":       "two words && touch " + m("and"),
		"leading-dash": "-oProxyCommand=touch " + m("dash") + " --output=" + m("out"),
		"globs":        "*?[a]{b,c}",
		"format":       "%s%n%d%%",
		"unicode":      "déploy ☃ 日本",
		"backslash":    `back\`,
	}
}

// shortCorpus is the part of the corpus -short runs: one value per way
// a shell reads a word (quotes, substitution, a new line, an option).
var shortCorpus = map[string]bool{"single-quote": true, "subst": true, "newline": true, "leading-dash": true}

// readSettings finds every setting the bundled recipes and the prelude
// fetch, so a new one is swept without a change here.
func readSettings(t *testing.T) []string {
	t.Helper()
	re := regexp.MustCompile(`(?:fetch|whole)\("([A-Za-z0-9_]+)"`)
	seen := map[string]bool{}
	files := []string{"../runtime/project/prelude.lua"}
	filepath.WalkDir("../recipes", func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".lua") {
			files = append(files, p)
		}
		return nil
	})
	for _, f := range files {
		for _, m := range re.FindAllStringSubmatch(readString(t, f), -1) {
			seen[m[1]] = true
		}
	}
	var out []string
	for name := range seen {
		out = append(out, name)
	}
	sort.Strings(out)
	if len(out) < 20 {
		t.Fatalf("found only %d settings in the recipes (%v): the pattern no longer matches how they read them", len(out), out)
	}
	return out
}

func TestHostileValuesInEverySetting(t *testing.T) {
	t.Parallel()
	settings := readSettings(t)
	var literal []string
	for _, s := range settings {
		if skipped[s] == "" && alone[s] == nil {
			literal = append(literal, s)
		}
	}
	for s := range alone {
		if !slices.Contains(settings, s) {
			t.Errorf("setting %s is in the alone table but no recipe reads it: remove it", s)
		}
	}
	t.Logf("literal group: %v", literal)
	start := time.Now()
	for _, name := range sortedKeys(corpus("")) {
		if testing.Short() && !shortCorpus[name] {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			marks := t.TempDir() // a value's own: a payload that ran is blamed on its own cell
			h := newHostile(t, marks, corpus(marks)[name])
			for _, flow := range literalFlows {
				h.cell(flow, literal)
			}
			for _, s := range sortedKeys(alone) {
				for _, flow := range alone[s] {
					h.cell(flow, []string{s})
				}
			}
		})
	}
	t.Cleanup(func() { t.Logf("the sweep took %s", time.Since(start).Round(time.Second)) })
}

// hostile is one corpus value's cluster: h1 is an app server and the
// intermediary, h2 an app server; both serve a git mirror source and
// hold the linked files the value names.
type hostile struct {
	t     *testing.T
	c     *harness.Cluster
	d     *deployEnv
	marks string
	value string
}

func newHostile(t *testing.T, marks, value string) *hostile {
	t.Helper()
	c := harness.Start(t, 2, harness.Options{})
	if err := c.WriteAgentOnlyConfig(); err != nil {
		t.Fatal(err)
	}
	trustEachOther(t, c)
	sock := harness.StartAgent(t, c.ClientKey)
	d := newDeployEnv(t, c, "")
	d.env = []string{"SSH_AUTH_SOCK=" + sock}
	h := &hostile{t: t, c: c, d: d, marks: marks, value: value}
	work := filepath.Join(d.dir, "repo")
	gitRepo(t, work, appFiles)
	for _, host := range c.Hosts {
		bare := host.Path("/var/www/repo.git")
		if out, err := exec.Command("git", "clone", "-q", "--bare", work, bare).CombinedOutput(); err != nil {
			t.Fatalf("%v %s", err, out)
		}
		// The literal group deploys to /var/www/<value> with linked_files
		// = { value }; application = value deploys there too.
		d.write(host.Path(hostileDir(value)+"/shared/"+value), "linked\n")
		d.write(host.Path(hostileDir(value)+"/shared/config/database.yml"), "production\n")
	}
	// archive_output = value is a file in out/ here: its directory exists.
	if err := os.MkdirAll(filepath.Dir(h.archiveOutput()), 0o755); err != nil {
		t.Fatal(err)
	}
	h.baseline()
	return h
}

// deployfile is the app's Deployfile with the settings in hostile set
// to the value, and every other setting at a working value.
func (h *hostile) deployfile(hostile []string) string {
	v := luaString(h.value)
	set := map[string]string{
		"application": `"shop"`, "deploy_to": `"` + shop + `"`, "deploy_via": `"copy"`, "copy_source": `"app"`,
		"repo_url": `"/var/www/repo.git"`, "local_repo": `"repo"`, "branch": `"main"`, "keep_releases": "3",
		"linked_files": `{ "config/database.yml" }`, "linked_dirs": `{ "log" }`, "migrate_command": `"true"`,
	}
	for _, s := range hostile {
		set[s] = v
	}
	if slices.Contains(hostile, "deploy_to") { // a path is absolute: the value's own, with its linked file
		set["deploy_to"] = luaString(hostileDir(h.value))
		set["linked_files"], set["linked_dirs"] = "{ "+v+" }", "{ "+luaString("d/"+h.value)+" }"
	}
	if slices.Contains(hostile, "archive_output") { // absolute too: git archive -C reads a relative one from local_repo
		set["archive_output"] = luaString(h.archiveOutput())
	}
	if slices.Contains(hostile, "application") {
		delete(set, "deploy_to")
	}
	if slices.Contains(hostile, "intermediate_url") {
		set["intermediate_fetch"] = `"http"`
	}
	var b strings.Builder
	b.WriteString(preamble(h.c, map[string]string{"h1": `"app", "intermediate_host"`, "h2": `"app"`}))
	fmt.Fprintf(&b, "set(\"ssh_options\", { config = %q, forward_agent = true })\n", h.c.SSHConfig)
	for _, k := range sortedKeys(set) {
		fmt.Fprintf(&b, "set(%q, %s)\n", k, set[k])
	}
	return b.String()
}

// baseline deploys twice at working values, so rollback and cleanup
// have releases to work on.
func (h *hostile) baseline() {
	h.d.write(filepath.Join(h.d.dir, "Deployfile.lua"), h.deployfile(nil))
	// The second takes the second after the first; remote_cache makes the
	// git mirror, so that later runs only fetch into it.
	mustSucceed(h.t, h.d.run("deploy", "-q"))
	mustSucceed(h.t, h.d.run("deploy", "-q", "-s", "deploy_via=remote_cache"))
}

// flowArgs are the luacap runs of a flow.
var flowArgs = map[string][][]string{
	"check":        {{"deploy:check"}},
	"deploy":       {{"deploy"}},
	"copy":         {{"deploy", "-s", "deploy_via=copy"}},
	"remote_cache": {{"deploy", "-s", "deploy_via=remote_cache"}},
	"prepare":      {{"deploy:prepare_release"}},
	"intermediate": {{"deploy", "-s", "deploy_via=intermediate_host"}},
	"migrations":   {{"deploy:migrations"}},
	"rollback":     {{"deploy:rollback"}},
	"cleanup":      {{"deploy:cleanup"}},
}

// cell runs flow with settings set to the value and checks the outcome.
func (h *hostile) cell(flow string, settings []string) {
	h.t.Helper()
	h.d.write(filepath.Join(h.d.dir, "Deployfile.lua"), h.deployfile(settings))
	for _, args := range flowArgs[flow] {
		before := h.snapshot()
		r := h.d.run(args...)
		group := strings.Join(settings, ", ")
		if len(settings) > 1 {
			group = "the literal group"
		}
		what := fmt.Sprintf("%s with %s = %q", strings.Join(args, " "), group, h.value)
		h.noMarks(what, r)
		h.t.Logf("%s: exit %d %s", what, r.Code, lastLine(r.Stderr))
		if r.Code == 0 {
			h.literal(flow, settings)
			continue
		}
		h.clearError(what, r)
		if after := h.snapshot(); after != before {
			h.t.Errorf("%s failed, but changed the servers:\n%s\n%s", what, diffLines(before, after), r.Output())
		}
	}
}

// noMarks fails when any payload ran, here or on a host (/tmp is shared).
func (h *hostile) noMarks(what string, r harness.Result) {
	h.t.Helper()
	entries, _ := os.ReadDir(h.marks)
	for _, e := range entries {
		h.t.Errorf("INJECTION: %s created %s\n%s", what, e.Name(), r.Output())
		os.Remove(filepath.Join(h.marks, e.Name())) // so the next cell reports its own
	}
}

// clearError: a failed run ends with luacap's one-line reason, not a
// crash or a Go trace.
func (h *hostile) clearError(what string, r harness.Result) {
	h.t.Helper()
	out := r.Output()
	if r.Code != 1 && r.Code != 2 || !strings.Contains(out, "luacap: ") ||
		strings.Contains(out, "internal error") || strings.Contains(out, "goroutine ") {
		h.t.Errorf("%s failed without a clear error (exit %d):\n%s", what, r.Code, out)
	}
}

// literal checks that a working run used the value as given.
func (h *hostile) literal(flow string, settings []string) {
	h.t.Helper()
	if !slices.Contains(settings, "deploy_to") || (flow != "copy" && flow != "remote_cache" && flow != "intermediate") {
		return
	}
	dir := hostileDir(h.value)
	for _, host := range h.c.Hosts {
		cur, err := os.Readlink(host.Path(dir + "/current"))
		if err != nil || filepath.Dir(cur) != dir+"/releases" {
			h.t.Errorf("%s: after %s, current -> %q (%v), want a release in %q", host.Name, flow, cur, err, dir+"/releases")
			continue
		}
		link := host.Path(cur + "/" + h.value)
		if target, err := os.Readlink(link); err != nil || target != dir+"/shared/"+h.value {
			h.t.Errorf("%s: after %s, the linked file %q -> %q (%v), want %q", host.Name, flow, link, target, err, dir+"/shared/"+h.value)
		}
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// archiveOutput is where archive_output = value packs, here.
func (h *hostile) archiveOutput() string { return filepath.Join(h.d.dir, "out", h.value) }

// hostileDir is where the value deploys, as deploy_to or application.
func hostileDir(value string) string { return harness.DeployRoot + "/" + value }

// snapshot lists every file on every host with its kind, size and link
// target; not the hosts' ssh settings, nor the git mirror.
func (h *hostile) snapshot() string {
	var b strings.Builder
	for _, host := range h.c.Hosts {
		for _, root := range []string{host.Root, host.Home()} {
			filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
				if err != nil || strings.Contains(p, "/.ssh") {
					return nil
				}
				// The git mirror is a cache: remote_cache fetches into it
				// before git can tell whether branch names anything.
				if d.IsDir() && d.Name() == "repo" {
					return filepath.SkipDir
				}
				info, err := d.Info()
				if err != nil {
					return nil
				}
				target, _ := os.Readlink(p)
				size := info.Size()
				if d.IsDir() {
					size = 0
				}
				fmt.Fprintf(&b, "%s %q %v %d %q\n", host.Name, p, d.Type(), size, target)
				return nil
			})
		}
	}
	return b.String()
}

func diffLines(a, b string) string {
	in := map[string]bool{}
	for _, l := range strings.Split(a, "\n") {
		in[l] = true
	}
	var out []string
	for _, l := range strings.Split(b, "\n") {
		if !in[l] {
			out = append(out, "+ "+l)
		}
		delete(in, l)
	}
	for l := range in {
		out = append(out, "- "+l)
	}
	return strings.Join(out, "\n")
}

// luaString is s as a Lua string literal: printable ASCII as is, every
// other byte as a decimal escape.
func luaString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "\\%d", c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
