package command

import "strings"

// RsyncShell joins args into the value of rsync's -e option. rsync does
// not hand that value to a shell: it splits it itself, at spaces only,
// and inside quotes it reads a doubled quote as one quote and nothing
// else as special. A shell's '\” there leaves rsync inside a quote, so
// sh quoting (Join) is wrong for -e once a word holds a quote.
func RsyncShell(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = rsyncWord(a)
	}
	return strings.Join(quoted, " ")
}

func rsyncWord(s string) string {
	if s != "" && strings.Trim(s, safeChars) == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
