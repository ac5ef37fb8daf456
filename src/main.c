/* mmlitmus: the command that runs litmus tests and the tools around
 * them.  Exit 0: no finding; 1: a finding under the ops' policy; 2: bad
 * usage or an environment that cannot run the test; 3: the oracle and
 * the reference checker disagree. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"

/* Other kernels run under qemu, which tools/kernels drives (it fetches
 * kernels, builds the initramfs and boots it): `survey --kernels LIST`
 * and `replay --kernel NAME` hand the whole command over to it as
 * `kernels COMMAND LIST ARGS...`.  Returns only when the command has no
 * such flag or it is absent. */
static void hand_over_kernels(enum cli_command command, int argc, char **argv)
{
	const char *flag = cli_handover_flag(command);
	int at = -1;
	for (int i = 1; flag && i < argc && at < 0; i++)
		if (strncmp(argv[i], "--", 2) == 0 && strcmp(argv[i] + 2, flag) == 0)
			at = i;
	if (at < 0)
		return;
	const char *name = cli_command_name(command);
	if (at + 1 >= argc)
		usage_error("%s: --%s needs a value", name, flag);
	char tool[4200];
	tool_path("kernels", tool, sizeof tool);
	char **args = calloc((size_t)argc + 2, sizeof *args);
	if (!args)
		fail_exit("out of memory");
	int n = 0;
	args[n++] = tool;
	args[n++] = (char *)name;
	args[n++] = argv[at + 1];
	for (int i = 1; i < argc; i++)
		if (i != at && i != at + 1)
			args[n++] = argv[i];
	execv(tool, args);
	fail_exit("%s: %s (it runs other kernels under qemu)", tool, strerror(errno));
}

/* Each command reads the words after its name. */
static int (*const commands[CMD_COUNT])(int, char **) = {
	[CMD_RUN] = run_command,
	[CMD_DECODE] = decode_command,
	[CMD_ENCODE] = encode_command,
	[CMD_REPLAY] = replay_command,
	[CMD_SURVEY] = survey_command,
	[CMD_TRIAGE] = triage_command,
	[CMD_STRESS] = stress_command,
};

int main(int argc, char **argv)
{
	cli_help_if_asked(argc, argv);
	enum cli_command command = argc > 1 ? cli_command(argv[1]) : CMD_COUNT;
	if (command == CMD_COUNT) /* no command named: run, with every word */
		return run_command(argc, argv);
	hand_over_kernels(command, argc - 1, argv + 1);
	return commands[command](argc - 1, argv + 1);
}
