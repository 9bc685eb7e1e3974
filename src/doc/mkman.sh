#!/bin/sh
# mkman.sh TCEMU > tcemu.1 - the man page, generated from the program's own
# help texts: `tcemu --help` gives NAME, SYNOPSIS and the list of commands,
# and each `tcemu COMMAND --help` becomes one subsection of COMMANDS, kept
# verbatim (preformatted), so the page never drifts from the program.
# POSIX sh and sed only (both in every Debian install): no help2man, whose
# one-page-per-program model has no place for subcommands.
set -eu
T=${1:?usage: mkman.sh TCEMU}

# troff-safe text: backslashes doubled as \e, a leading . or ' neutralised
esc() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

help=$("$T" --help)
version=$("$T" --version | sed -n '1s/^tcemu \([^ ]*\).*/\1/p')
commands=$(printf '%s\n' "$help" | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p')

cat <<TROFF
.TH TCEMU 1 "" "tcemu ${version:-unknown}" "User Commands"
.SH NAME
tcemu \\- training-cluster emulator: project and emulate large-model training runs
.SH SYNOPSIS
.nf
TROFF
printf '%s\n' "$help" | sed -n '/^usage:/,/^$/p' | sed -e 's/^usage: //' -e 's/^       //' -e '/^$/d' | esc
cat <<'TROFF'
.fi
.SH DESCRIPTION
tcemu runs the communication pattern of a large-model training step on MPI
ranks that stand in for accelerators, times it, and projects from topology
files how the run scales: iteration time, MFU, memory per accelerator, time
to train, accelerator-hours, cost and energy.
Every figure it prints says whether it is measured or modelled.
.PP
.nf
TROFF
printf '%s\n' "$help" | sed '1,/^$/d' | sed '1,/^$/d' | esc
echo ".fi"
echo ".SH COMMANDS"
for c in $commands; do
    echo ".SS tcemu $c"
    echo ".nf"
    "$T" "$c" --help | esc
    echo ".fi"
done
cat <<'TROFF'
.SH FILES
A topology or job given as a NAME (no
.BR / ,
no
.BR .cfg )
is looked up as
.IR DIR /topologies/ NAME .cfg
or
.IR DIR /jobs/ NAME .cfg
in these directories, first hit wins
.RB ( "tcemu \-\-data\-dir"
prints them):
.IP 1. 4
.B $TCEMU_DATA_DIR
when set (then the only one);
.IP 2. 4
.I PREFIX/share/tcemu
beside the executable
.RI ( PREFIX/bin/tcemu );
.IP 3. 4
the source checkout the executable was built in;
.IP 4. 4
the directory compiled in at
.BR "make install PREFIX=" ...;
.IP 5. 4
the current directory, when it is a checkout.
.PP
Installed: topologies in
.IR PREFIX/share/tcemu/topologies ,
jobs in
.IR PREFIX/share/tcemu/jobs ,
the published reference data of
.B tcemu reproduce
in
.IR PREFIX/share/tcemu/reference ,
Slurm batch scripts in
.IR PREFIX/share/tcemu/slurm ,
README and LICENSE in
.IR PREFIX/share/doc/tcemu ,
bash completion in
.IR PREFIX/share/bash-completion/completions/tcemu .
.SH ENVIRONMENT
.TP
.B TCEMU_DATA_DIR
the only directory searched for topology and job NAMEs and the reference data.
.SH EXIT STATUS
0 ok, 1 runtime failure, 2 bad usage or configuration, 3 a check failed,
4 a hang was detected.
.SH SEE ALSO
.BR mpirun (1),
.BR sbatch (1),
.I PREFIX/share/doc/tcemu/README.md
TROFF
