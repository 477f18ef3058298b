package output

// mask is where secret masking (mask.go) meets the write path: emit
// passes every text field of every event here before any formatter sees
// it, so the terminal, the log file and the JSON stream are masked
// alike. Callers hold o.mu.
func (o *Output) mask(text string) string { return o.secrets.mask(text) }

// escape is where escaping control characters from servers (escape.go)
// meets the same path. Only event text is escaped: the colours a
// formatter adds afterwards are its own.
func (o *Output) escape(text string) string { return Escape(text) }
