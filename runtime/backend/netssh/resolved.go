package netssh

import (
	"fmt"
	"sync"
)

// resolved caches, per run, the parsed ssh_config files and each host's
// Settings: ssh_config is read once per host, not on every dial (a Match
// exec command runs once).
type resolved struct {
	mu       sync.Mutex
	configs  map[string]*sshConfig
	settings map[string]Settings
}

func (d *Dialer) resolve(name, hostname, user string, port int, opts map[string]any) (Settings, error) {
	o, err := ParseOptions(opts)
	if err != nil {
		return Settings{}, err
	}
	r := &d.cache
	r.mu.Lock()
	defer r.mu.Unlock()
	// fmt prints maps with sorted keys: equal options, equal keys.
	key := fmt.Sprintf("%q %q %q %d %v", name, hostname, user, port, opts)
	if s, ok := r.settings[key]; ok {
		return s, nil
	}
	cfg, err := r.config(o)
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

func (r *resolved) config(o Options) (*sshConfig, error) {
	key := fmt.Sprint(o.NoConfig)
	if o.Config != nil {
		key = *o.Config
	}
	if c, ok := r.configs[key]; ok {
		return c, nil
	}
	c, err := loadSSHConfig(o)
	if err != nil {
		return nil, err
	}
	if r.configs == nil {
		r.configs = map[string]*sshConfig{}
	}
	r.configs[key] = c
	return c, nil
}
