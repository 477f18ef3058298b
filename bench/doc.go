// Package bench measures luacap deploys against real sshd hosts behind a
// delay proxy: the plain flow (Deploy), the seed scenario with its assets
// built here and rsynced (Assets, with Capistrano 3 beside it where `cap`
// is installed), and the floor no deploy over SSH goes below on the same
// machine (Floor). Its one test checks how it reads strace's output. Run
// the benchmarks with the commands in README.md:
//
//	go test ./bench -run '^$' -bench Deploy -benchtime 1x -timeout 60m
package bench
