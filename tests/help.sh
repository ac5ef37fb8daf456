# What `mmlitmus --help` lists, for the shell tests.

# help_commands HELP: the names in the list of commands.
help_commands() {
	sed -n '/^Commands:$/,/^$/s/^  \([a-z][a-z]*\).*/\1/p' "$1"
}
