#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lib/core and lib/syntax never print and never exit: they return -errno with a struct diag, and
# only the command layer and lib/adapter (the adapter side, talking to a terminal) print.
. "$(dirname "$0")/lib.sh" "$@"
SRC=$(cd "$TESTS/.." && pwd)
command -v gcc >/dev/null || skip "gcc is needed to strip comments"

# The calls that print or end the process, as a call (a name followed by "("), not as part of
# a longer name: snprintf/vsnprintf/asprintf and buf_printf write into memory and are fine, and
# so is _exit() in spawn.c's forked child after a failed exec (it ends the child, never the
# caller).  stdout/stderr passed as an argument (fwrite(..., stderr)) count as printing too.
calls='printf|fprintf|vprintf|vfprintf|dprintf|puts|fputs|putchar|putc|fputc|perror|exit|_Exit|quick_exit|err|errx|verr|warn|warnx|vwarn|syslog|error'
pattern="(^|[^_[:alnum:]])($calls)[[:space:]]*\\(|(^|[^_[:alnum:]])(stdout|stderr|STDOUT_FILENO|STDERR_FILENO)[[:space:]]*[,)]"

# The pattern must see code only: comments may say "stderr" or "exit(" freely.
code_only() { gcc -fpreprocessed -dD -E -P "$1"; }

# The pattern itself catches what it is for, and not what is fine.
probe=$T/probe.c
printf '%s\n' 'void f(void) { fprintf(stderr, "x"); }' 'void g(void) { exit (1); }' 'void h(void) { puts("x"); }' \
	'void i(void) { fwrite(p, 1, n, stdout); }' >"$probe"
check "the pattern finds each way to print or exit" equals "$(code_only "$probe" | grep -cE "$pattern")" 4
printf '%s\n' '/* printf("x"); exit(1); stderr) */' 'int f(char *b) { return snprintf(b, 4, "x") + vsnprintf(b, 4, "x", ap); }' \
	'int g(void) { buf_printf(&b, "x"); asprintf(&s, "x"); _exit(127); }' >"$probe"
check "the pattern spares writing into memory, _exit and comments" equals "$(code_only "$probe" | grep -E "$pattern" || true)" ""

found=
for f in "$SRC"/lib/core/*.[ch] "$SRC"/lib/syntax/*.[ch]; do
	hits=$(code_only "$f" | grep -E "$pattern" || true)
	[ -z "$hits" ] || found+="${f#"$SRC"/}: $hits"$'\n'
done
check "nothing in lib/core and lib/syntax prints or exits" equals "$found" ""
finish
