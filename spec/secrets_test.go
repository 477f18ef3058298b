package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luacap/luacap/spec/harness"
)

// The three kinds of secret: set(..., { secret = true }) (plain and
// lazy), an ask() answer typed without echo, and env_secret(). Each
// reaches its command whole and is printed nowhere: not in the output at
// any level or format, not in the dry run, the final error, the summary
// or the log file.
var secretValues = map[string]string{
	"set":  "s3t-Pa55 w0rd'x",
	"lazy": "l4zy-T0ken",
	"ask":  "typed-n0-echo",
	"env":  "fr0m-the-ENV",
}

func secretsDeployfile(c *harness.Cluster) string {
	return preamble(c, map[string]string{"h1": `"app"`, "h2": `"app"`}) + `
set("db_password", "` + secretValues["set"] + `", { secret = true })
set("api_token", function() return "` + secretValues["lazy"] + `" end, { secret = true })
ask("deploy_token", "Deploy token?", { echo = false })
local from_env = env_secret("LUACAP_SPEC_SECRET")
task("use", function()
  local all = { fetch("db_password"), fetch("api_token"), fetch("deploy_token"), from_env }
  with({ DB_PASSWORD = all[1] }, function()
    execute("mkdir -p /var/www/got && printf '%s|' \"$DB_PASSWORD\" " .. table.concat(all, " ", 2) .. " > /var/www/got/values")
  end)
  info("the token is " .. all[2])
  execute("echo " .. require("luacap.shell").quote(all[4]) .. " " .. all[3] .. "; echo " .. all[2] .. " >&2")
end)
task("fail", function()
  execute("echo " .. fetch("api_token") .. " >&2; exit 4 # " .. fetch("deploy_token"))
end)
`
}

func TestSecretsArePrintedNowhere(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 2, harness.Options{})
	dir := harness.WriteDeployfile(t, secretsDeployfile(c))
	env := []string{"LUACAP_SPEC_SECRET=" + secretValues["env"], "LUACAP_ASK_DEPLOY_TOKEN=" + secretValues["ask"]}
	runs := map[string][]string{
		"pretty":       {"use"},
		"verbose":      {"use", "--format", "verbose", "-v"},
		"json":         {"use", "--format", "json"},
		"quiet":        {"use", "-q"},
		"dry-run":      {"use", "-n", "--format", "verbose"},
		"failed":       {"fail", "--format", "verbose"},
		"failed-quiet": {"fail", "-q"},
	}
	logFile := filepath.Join(dir, "log", "luacap.log")
	for name, args := range runs {
		r := harness.Run(t, luacap, dir, c.Home(), env, args...)
		if wantFail := strings.HasPrefix(name, "failed"); (r.Code != 0) != wantFail {
			t.Fatalf("%s: exit %d:\n%s", name, r.Code, r.Output())
		}
		log, _ := os.ReadFile(logFile)
		channels := map[string]string{"output": r.Output(), "log file": string(log)}
		for channel, text := range channels {
			for kind, v := range secretValues {
				if v != "" && strings.Contains(text, v) {
					t.Errorf("%s: the %s secret is in the %s:\n%s", name, kind, channel, text)
				}
			}
		}
		if !strings.Contains(r.Output(), "[secret]") && name != "quiet" && name != "pretty" {
			t.Errorf("%s: no [secret] where the secrets would be: the test proves nothing\n%s", name, r.Output())
		}
	}
	for _, h := range c.Hosts {
		want := secretValues["set"] + "|" + secretValues["lazy"] + "|" + secretValues["ask"] + "|" + secretValues["env"] + "|"
		if got := readString(t, h.Path("/var/www/got/values")); got != want {
			t.Errorf("%s: the command got %q, want the real values %q", h.Name, got, want)
		}
	}
}

// env_secret names the variable it misses; ask() without a terminal
// names the variable that answers it, never -s (argv and shell history
// keep what -s is given); with a default, it takes the default.
func TestSecretsAskedForWithoutATerminal(t *testing.T) {
	t.Parallel()
	c := harness.Start(t, 1, harness.Options{})
	cases := []struct {
		name, src string
		env       []string
		code      int
		want      string
	}{
		{"env_secret unset", `local pw = env_secret("LUACAP_SPEC_MISSING")`, nil, 2,
			"Deployfile.lua:3: the environment variable LUACAP_SPEC_MISSING is not set"},
		{"ask, no default", `ask("api_key", "API key?", { echo = false })`, nil, 1,
			"set the environment variable LUACAP_ASK_API_KEY to the answer"},
		{"ask, from the environment", `ask("api_key", "API key?")`, []string{"LUACAP_ASK_API_KEY=from env"}, 0,
			"the answer is from env."},
		{"ask, default", `ask("api_key", "API key?", { default = "the default" })`, nil, 0,
			"the answer is the default."},
	}
	for _, tc := range cases {
		src := preamble(c, map[string]string{"h1": `"app"`}) + tc.src + `
task("t", function() info("the answer is " .. fetch("api_key", "?") .. ".") end)`
		r := runLuacap(t, c, src, tc.env, "t", "--log", "-")
		if r.Code != tc.code || !strings.Contains(r.Output(), tc.want) {
			t.Errorf("%s: exit %d, want %d and %q:\n%s", tc.name, r.Code, tc.code, tc.want, r.Output())
		}
		if strings.Contains(r.Output(), "-s api_key") {
			t.Errorf("%s: suggests -s:\n%s", tc.name, r.Output())
		}
	}
}
