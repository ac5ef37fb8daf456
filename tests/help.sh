# What `mmlitmus --help` lists, for the shell tests: the help is made from
# the table of commands and flags that the code parses with, so these are
# the commands and flags the code takes.

# help_commands HELP: the names in the list of commands.
help_commands() {
	sed -n '/^Commands:$/,/^$/s/^  \([a-z][a-z]*\).*/\1/p' "$1"
}

# help_flags HELP: the flags of the flag lines, short and long.
help_flags() {
	sed -n 's/^  \(-[a-z]\), \(--[a-z-]*\).*/\1\n\2/p; s/^      \(--[a-z-]*\).*/\1/p' "$1"
}

# flags_named TEXT: every flag TEXT names, the flag lines or prose.
flags_named() {
	grep -oE -- '(^|[ ,[(])--?[a-z][a-z-]*' "$1" | sed 's/^[^-]*//' |
		grep -vx -- '-[a-z][a-z-]\{1,\}'
}
