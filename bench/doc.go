// Package bench measures luacap deploys against real sshd hosts behind a
// delay proxy, and the seed scenario with Capistrano 3 beside it where
// `cap` is installed. It has no tests; run it with the command in README.md:
//
//	go test ./bench -run '^$' -bench Deploy -benchtime 1x -timeout 60m
package bench
