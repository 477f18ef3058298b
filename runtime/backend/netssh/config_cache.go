package netssh

import "os"

// configReader reads the ssh_config files of one run: each file, with
// the files its Include lines name, is read and parsed at its first use
// and kept, so that dialling many hosts, or hosts whose configs include
// one shared file, reads each file once. A file edited during the run is
// not seen again: the run keeps the settings it started with.
type configReader struct {
	read  func(path string) ([]byte, error) // os.ReadFile; tests count through it
	files map[configKey]parsedFile
}

// configKey is a file as read: where its relative Includes are depends on
// whether it is the system file (/etc/ssh) or a user's (~/.ssh).
type configKey struct {
	path   string
	system bool
}

// parsedFile is a file and its Includes, parsed, or why it could not be.
type parsedFile struct {
	f   *configFile
	err error
}

func newConfigReader() *configReader {
	return &configReader{read: os.ReadFile}
}

// file is path parsed, read once however often it is asked for. It is
// not safe for concurrent use: the Dialer holds its lock around it.
func (r *configReader) file(path string, system bool, depth int) (*configFile, error) {
	key := configKey{path: path, system: system}
	if p, ok := r.files[key]; ok {
		return p.f, p.err
	}
	f, err := r.parse(path, system, depth)
	if r.files == nil {
		r.files = map[configKey]parsedFile{}
	}
	r.files[key] = parsedFile{f: f, err: err}
	return f, err
}
