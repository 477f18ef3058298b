-- Capistrano 3's names for the steps luacap does under another name, so
-- that hooks ported from a deploy.rb attach where they were meant:
-- before("deploy:check:linked_files", ...) runs before the check of the
-- linked files, after("deploy:symlink:release", ...) once current points
-- at the new release. A hook on an alias is a hook on its task.
--
-- Where luacap does two of Capistrano's steps in one, both names are the
-- one step: deploy:finalize_update links the linked dirs and files in
-- one task, deploy:create_release writes REVISION as it makes the
-- release. Capistrano's steps luacap has no counterpart for get no name
-- here (deploy:check:directories and deploy:check:make_linked_dirs, which
-- create directories where luacap's check changes nothing;
-- deploy:set_previous_revision and the release path tasks, whose values
-- are variables read on first fetch).
alias("deploy:check", "deploy:check:linked_files")
alias("deploy:finalize_update", "deploy:symlink:shared")
alias("deploy:finalize_update", "deploy:symlink:linked_dirs")
alias("deploy:finalize_update", "deploy:symlink:linked_files")
alias("deploy:symlink", "deploy:symlink:release")
alias("deploy:create_release", "deploy:set_current_revision")
alias("deploy:rollback:revision", "deploy:revert_release")
alias("deploy:rollback:cleanup", "deploy:cleanup_rollback")
