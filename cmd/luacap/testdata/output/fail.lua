-- The demo, with a step that fails after the switch of current: the
-- deploy:update transaction undoes it on every host.
dofile("../../examples/demo/Deployfile.lua")
-- Local paths are relative to this Deployfile, not the demo's.
set("copy_source", "../../../../examples/demo/app")
after("deploy:symlink", function()
  run("echo 'No space left on device' >&2; exit 1")
end)
