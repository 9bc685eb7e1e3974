# tcemu - training-cluster emulator.
#
#   make                 build bin/tcemu
#   make run             install what is missing, build, run the main job
#   make check           install what is missing, build, run every test
#   make bench           benchmarks (speed targets; not part of check)
#   make install PREFIX=/usr/local DESTDIR=
#   make SANITIZE=address,undefined    sanitized build (in build/san)
#   make DEVELOPER=1     warnings are errors (CI and developers)
#   make format          clang-format the sources

CC ?= cc
PREFIX ?= /usr/local
DESTDIR ?=
SANITIZE ?=
DEVELOPER ?=
TEST_HOOKS ?=
# V=1 prints every command line; by default one short line per file.
V ?=
ifeq ($(V),)
Q = @
say = @printf '  %-6s %s\n' $(1) $(2)
else
Q =
say =
endif

VERSION := 0.1.0
GIT_HASH := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

# Layers, enforced by the build: only src/runtime/ gets MPI's include flags
# and only src/config/ libconfig's; the core library links without MPI
# (tests/e2e/layers.sh checks includes and undefined symbols).
MPI_CFLAGS = $(shell pkg-config --cflags ompi-c 2>/dev/null)
MPI_LIBS = $(shell pkg-config --libs ompi-c 2>/dev/null)
LC_CFLAGS = $(shell pkg-config --cflags libconfig 2>/dev/null)
LC_LIBS = $(shell pkg-config --libs libconfig 2>/dev/null)

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wformat=2 -Wvla -fno-common
ifneq ($(DEVELOPER),)
WARN += -Werror
endif

OPT ?= -O2 -g
CFLAGS ?= $(OPT)
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -Iinclude \
             -DTCE_VERSION='"$(VERSION)"' $(CFLAGS)
LDLIBS_CORE = $(LC_LIBS) -lm
LDLIBS_ALL = $(MPI_LIBS) $(LDLIBS_CORE) -lpthread

# BUILD_ROOT and TCEMU may be set so that several developers (or agents)
# sharing one work tree build in separate places.
BUILD_ROOT ?= build
TCEMU ?= bin/tcemu
export BUILD_ROOT TCEMU

ifneq ($(TEST_HOOKS),)
# The test build: the runtime's fault injection (TCEMU_TEST_*) compiled in.
BUILD := $(BUILD_ROOT)/hooks
ALL_CFLAGS += -DTCE_TEST_HOOKS
else ifneq ($(SANITIZE),)
BUILD := $(BUILD_ROOT)/san
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
else
BUILD := $(BUILD_ROOT)/rel
endif

# Core: pure modules, no MPI.  Runtime: the only code that includes <mpi.h>.
CORE_SRC := $(filter-out src/main.c,$(wildcard src/*.c src/config/*.c))
RT_SRC := $(wildcard src/runtime/*.c)
CORE_OBJ := $(CORE_SRC:src/%.c=$(BUILD)/src/%.o)
RT_OBJ := $(RT_SRC:src/%.c=$(BUILD)/src/%.o)
MAIN_OBJ := $(BUILD)/src/main.o
CORE_LIB := $(BUILD)/libtcemu.a

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(wildcard tests/bench/*.c)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)


.PHONY: all run check check-unit check-san bench install uninstall format \
        clean deps unit-bins bench-bins fuzz fuzz-bins pictures test-hooks

ifeq ($(SANITIZE),)
all: $(TCEMU)
endif

# tests/mpi's fault-injection cases run $(BUILD_ROOT)/hooks/tcemu; the
# installed bin/tcemu has no hooks.
test-hooks:
	@$(MAKE) --no-print-directory TEST_HOOKS=1 $(BUILD_ROOT)/hooks/tcemu

ifneq ($(TEST_HOOKS),)
$(BUILD)/tcemu: $(MAIN_OBJ) $(RT_OBJ) $(CORE_LIB)
	$(call say,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(MAIN_OBJ) $(RT_OBJ) $(CORE_LIB) $(LDLIBS_ALL)
endif

ifeq ($(SANITIZE),)
$(TCEMU): $(MAIN_OBJ) $(RT_OBJ) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(MAIN_OBJ) $(RT_OBJ) $(CORE_LIB) $(LDLIBS_ALL)
else
all: $(BUILD)/tcemu
$(BUILD)/tcemu: $(MAIN_OBJ) $(RT_OBJ) $(CORE_LIB)
	$(call say,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(MAIN_OBJ) $(RT_OBJ) $(CORE_LIB) $(LDLIBS_ALL)
endif

$(CORE_LIB): $(CORE_OBJ)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)$(AR) rcs $@ $(CORE_OBJ)

$(BUILD)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(RT_OBJ): ALL_CFLAGS += $(MPI_CFLAGS)
$(BUILD)/src/config/%.o: ALL_CFLAGS += $(LC_CFLAGS)

$(BUILD)/tests/%: tests/unit/%.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(call say,TEST,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP $(LDFLAGS) -o $@ $< $(CORE_LIB) -lcmocka $(LDLIBS_CORE)

$(BUILD)/bench/%: tests/bench/%.c $(CORE_LIB) $(RT_OBJ)
	@mkdir -p $(dir $@)
	$(call say,BENCH,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(MPI_CFLAGS) -MMD -MP $(LDFLAGS) -o $@ $< $(RT_OBJ) $(CORE_LIB) $(LDLIBS_ALL)

# The git hash reaches version.c only; its stamp changes only when HEAD does.
$(BUILD)/git-hash: FORCE
	@mkdir -p $(dir $@)
	@echo '$(GIT_HASH)' | cmp -s - $@ || echo '$(GIT_HASH)' > $@
$(BUILD)/src/version.o: $(BUILD)/git-hash
$(BUILD)/src/version.o: ALL_CFLAGS += -DTCE_GIT_HASH='"$(GIT_HASH)"'
FORCE:

unit-bins: $(UNIT_BIN)
bench-bins: $(BENCH_BIN)

-include $(wildcard $(BUILD)/src/*.d $(BUILD)/src/*/*.d $(BUILD)/tests/*.d $(BUILD)/bench/*.d)

# Debian packages the build and the tests need.  Installed when missing and
# root; otherwise the exact apt-get line is printed.
DEB_PKGS := gcc make pkg-config git libopenmpi-dev openmpi-bin libconfig-dev \
            libcmocka-dev python3 iproute2 procps man-db gnuplot-nox

deps:
	@command -v dpkg-query >/dev/null 2>&1 || { echo "# deps: not a Debian system; install: $(DEB_PKGS)" >&2; exit 0; }; \
	missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" -ne 0 ]; then \
	  echo "tcemu: missing Debian packages; run as root:" >&2; \
	  echo "  apt-get update && apt-get install -y $$(echo $$missing)" >&2; exit 1; fi; \
	echo "# deps: installing $$(echo $$missing)" >&2; \
	apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >&2

RUN_TOPO ?= topologies/aws-p5.cfg
RUN_JOB ?= jobs/llama3-405b.cfg

run: deps
	@$(MAKE) --no-print-directory all
	tests/run-main.sh $(RUN_TOPO) $(RUN_JOB)

check: deps
	@$(MAKE) --no-print-directory all unit-bins test-hooks
	@$(MAKE) --no-print-directory SANITIZE=address,undefined all unit-bins
	tests/run.sh

bench: deps
	@$(MAKE) --no-print-directory all bench-bins
	tests/bench/run.sh

# The README's example pictures (one of each `tcemu plot` kind, PNG and SVG
# with their gnuplot scripts, and a modelled timeline) into build/pictures.
pictures: deps
	@$(MAKE) --no-print-directory all
	tests/pictures.sh $(BUILD_ROOT)/pictures

# libFuzzer harnesses (tests/fuzz/*.c) over the core library built with
# clang and ASan+UBSan: `make fuzz` runs each FUZZ_SECONDS (60); make check
# runs a short bounded round when clang's libFuzzer is installed.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_ROOT := $(BUILD_ROOT)/fuzz
FUZZ_SRC := $(wildcard tests/fuzz/*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_ROOT)/%)

fuzz-bins:
	@$(MAKE) --no-print-directory CC=$(FUZZ_CC) BUILD_ROOT=$(FUZZ_ROOT) \
	    SANITIZE=fuzzer-no-link,address,undefined DEVELOPER= \
	    $(FUZZ_ROOT)/san/libtcemu.a
	@$(MAKE) --no-print-directory $(FUZZ_BIN)

$(FUZZ_ROOT)/%: tests/fuzz/%.c $(FUZZ_ROOT)/san/libtcemu.a
	$(FUZZ_CC) -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude -g -O1 \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	    -o $@ $< $(FUZZ_ROOT)/san/libtcemu.a $(LDLIBS_CORE)

fuzz: deps fuzz-bins
	FUZZ_ROOT=$(FUZZ_ROOT) tests/fuzz/run.sh $(FUZZ_SECONDS)

# make install PREFIX=/usr/local DESTDIR=: the program relinked with its
# data directory PREFIX/share/tcemu compiled in (src/datadir.c; bin/tcemu
# keeps the default, and finds the checkout first anyway), the man page made
# from the help texts (src/doc/mkman.sh), bash completion, README and LICENSE,
# and the shipped topologies, jobs, reference data and Slurm scripts.
# DESTDIR stages the tree (packaging); the program finds its data beside
# itself as well, so a staged or moved tree works too.
DATADIR = $(PREFIX)/share/tcemu
INST := $(BUILD)/install
INST_DIRS := bin share/man/man1 share/bash-completion/completions \
             share/doc/tcemu share/tcemu/topologies \
             share/tcemu/topologies/compute share/tcemu/jobs \
             share/tcemu/reference share/tcemu/reference/megatron-lm-moe-recipes \
             share/tcemu/reference/nemo-long-sequence share/tcemu/slurm
I := $(DESTDIR)$(PREFIX)

$(INST)/datadir.o: src/datadir.c FORCE
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DTCE_DATA_DIR='"$(DATADIR)"' -c -o $@ src/datadir.c

# the object before the archive: the archive's datadir.o is not pulled in
$(INST)/tcemu: $(INST)/datadir.o $(MAIN_OBJ) $(RT_OBJ) $(CORE_LIB)
	$(CC) $(LDFLAGS) -o $@ $(INST)/datadir.o $(MAIN_OBJ) $(RT_OBJ) \
	    $(CORE_LIB) $(LDLIBS_ALL)

$(INST)/tcemu.1: $(INST)/tcemu src/doc/mkman.sh
	sh src/doc/mkman.sh $(INST)/tcemu >$@.tmp && mv $@.tmp $@

install: $(INST)/tcemu $(INST)/tcemu.1
	install -d $(addprefix $(I)/,$(INST_DIRS))
	install -m 755 $(INST)/tcemu $(I)/bin/tcemu
	install -m 644 $(INST)/tcemu.1 $(I)/share/man/man1/tcemu.1
	install -m 644 src/doc/tcemu.bash $(I)/share/bash-completion/completions/tcemu
	install -m 644 README.md LICENSE $(I)/share/doc/tcemu/
	install -m 644 topologies/*.cfg $(I)/share/tcemu/topologies/
	install -m 644 topologies/compute/*.cfg $(I)/share/tcemu/topologies/compute/
	install -m 644 jobs/*.cfg $(I)/share/tcemu/jobs/
	install -m 644 tests/fixtures/reference/*.csv $(I)/share/tcemu/reference/
	install -m 644 tests/fixtures/reference/megatron-lm-moe-recipes/*.cfg \
	    $(I)/share/tcemu/reference/megatron-lm-moe-recipes/
	install -m 644 tests/fixtures/reference/nemo-long-sequence/*.cfg \
	    $(I)/share/tcemu/reference/nemo-long-sequence/
	@for f in slurm/*; do \
	  [ -f "$$f" ] || continue; \
	  case $$f in *.sbatch | *.py) m=755 ;; *) m=644 ;; esac; \
	  echo "install -m $$m $$f $(I)/share/tcemu/slurm/"; \
	  install -m $$m "$$f" $(I)/share/tcemu/slurm/ || exit 1; done

# removes what install added; directories other packages share (bin,
# share/man/man1, ...) stay
uninstall:
	rm -f $(I)/bin/tcemu $(I)/share/man/man1/tcemu.1 \
	    $(I)/share/bash-completion/completions/tcemu
	rm -rf $(I)/share/tcemu $(I)/share/doc/tcemu

format:
	clang-format -i $(wildcard src/*.c src/*/*.c include/tcemu/*.h include/tcemu/*/*.h tests/unit/*.c tests/bench/*.c)

clean:
	rm -rf build bin
