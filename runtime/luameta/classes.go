package luameta

// class is a ---@class of the meta file: the shape of a table the DSL
// takes or gives.
type class struct {
	name, doc string
	fields    [][3]string // name (with ? when optional), LuaLS type, doc
}

// classes are the option and host tables the signatures in verbs name.
var classes = []class{
	{"luacap.Host", "A host as roles(), primary() and on() give it: a plain table; its properties are fields too.", [][3]string{
		{"name", "string", "the name given to server()"},
		{"hostname", "string", "the address luacap connects to"},
		{"user", "string", ""},
		{"port", "integer", ""},
		{"transport", `"ssh"|"local"`, ""},
		{"roles", "string[]", ""},
		{"primary?", "boolean", ""},
		{"no_release?", "boolean", "gets no release"},
		{"[string]", "any", "a property given to server()"},
	}},
	{"luacap.ServerProps", "The options of server() and role(); a key that is not one of them is a property.", [][3]string{
		{"user?", "string", ""},
		{"port?", "integer", ""},
		{"roles?", "string|string[]", ""},
		{"primary?", "boolean", "the host primary(role) returns"},
		{"no_release?", "boolean", "a host that gets no release"},
		{"transport?", `"ssh"|"local"`, `"local": this machine, without ssh`},
		{"ssh_options?", "table", "over the Deployfile's ssh_options"},
		{"[string]", "any", "a property"},
	}},
	{"luacap.TaskOptions", "The options of task().", [][3]string{
		{"roles?", "string|string[]", "the hosts of these roles"},
		{"hosts?", "string|string[]", "these hosts"},
		{"only?", "table<string, any>", "only hosts with these properties"},
		{"except?", "table<string, any>", "not hosts with these properties"},
		{"once?", "boolean", "on the first host only"},
		{"transaction?", "boolean", "undo every host when one fails"},
		{"on_error?", `"fail"|"continue"`, `"continue" drops failed hosts instead of stopping`},
		{"on_failure?", "string", "a task to run when this one fails"},
		{"pipelined?", "boolean", "send commands without waiting for each to end"},
	}},
	{"luacap.OnOptions", "The options of on().", [][3]string{
		{"mode?", `"parallel"|"sequence"|"groups"`, ""},
		{"limit?", "integer", "hosts at once, in groups"},
		{"wait?", "number", "seconds between hosts or groups"},
		{"in?", `"parallel"|"sequence"|"groups"`, "Capistrano's name for mode"},
	}},
}

// aliases are the ---@alias lines of the meta file.
var aliases = [][2]string{
	{"luacap.Hosts", `luacap.Host|luacap.Host[]|string|string[]`},
}
