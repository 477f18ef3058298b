package transport

// Merge puts every option own sets over global: a server's ssh_options
// over the Deployfile's, key by key, as if the two tables were merged
// before they were read.
func Merge(global, own Options) Options {
	out := global
	if own.Config != nil || own.NoConfig { // one key, "config", sets both
		out.Config, out.NoConfig = own.Config, own.NoConfig
	}
	over(&out.User, own.User, own.User != "")
	over(&out.Port, own.Port, own.Port != 0)
	over(&out.Keys, own.Keys, own.Keys != nil)
	over(&out.IdentitiesOnly, own.IdentitiesOnly, own.IdentitiesOnly != nil)
	over(&out.ForwardAgent, own.ForwardAgent, own.ForwardAgent != nil)
	over(&out.ProxyJump, own.ProxyJump, own.ProxyJump != "")
	over(&out.KnownHosts, own.KnownHosts, own.KnownHosts != nil)
	over(&out.StrictHostKey, own.StrictHostKey, own.StrictHostKey != "")
	over(&out.Timeout, own.Timeout, own.Timeout != nil)
	over(&out.KeepAliveInterval, own.KeepAliveInterval, own.KeepAliveInterval != nil)
	over(&out.KeepAliveCountMax, own.KeepAliveCountMax, own.KeepAliveCountMax != nil)
	over(&out.CommandTimeout, own.CommandTimeout, own.CommandTimeout != nil)
	return out
}

func over[T any](dst *T, v T, set bool) {
	if set {
		*dst = v
	}
}
