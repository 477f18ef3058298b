module github.com/luacap/luacap

go 1.26.8

require (
	github.com/spf13/pflag v1.1.0
	github.com/yuin/gopher-lua v1.1.2
	golang.org/x/term v0.47.0
)

require golang.org/x/sys v0.49.0 // indirect
