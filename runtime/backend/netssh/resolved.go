package netssh

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/luacap/luacap/runtime/transport"
)

// resolved caches, per run, the ssh_config files read and each host's
// Settings: ssh_config is read once per run, and resolved once per host
// (a Match exec command runs once).
type resolved struct {
	mu       sync.Mutex
	files    *configReader
	settings map[string]Settings
}

func (d *Dialer) resolve(name, hostname, user string, port int, o transport.Options) (Settings, error) {
	r := &d.cache
	r.mu.Lock()
	defer r.mu.Unlock()
	key := settingsKey(name, hostname, user, port, o)
	if s, ok := r.settings[key]; ok {
		return s, nil
	}
	if r.files == nil {
		r.files = newConfigReader()
	}
	cfg, err := loadSSHConfig(o, r.files)
	if err != nil {
		return Settings{}, err
	}
	s, err := cfg.settings(name, hostname, user, port, o)
	if err != nil {
		return Settings{}, err
	}
	if r.settings == nil {
		r.settings = map[string]Settings{}
	}
	r.settings[key] = s
	return s, nil
}

// settingsKey is equal for equal requests: JSON shows what the options'
// pointers point to, not where.
func settingsKey(name, hostname, user string, port int, o transport.Options) string {
	b, _ := json.Marshal(o) // plain data: strings, numbers, bools, lists
	return fmt.Sprintf("%q %q %q %d %s", name, hostname, user, port, b)
}
