# rtm: Risk Terrain Modeling and hotspot mapping.
#   make            build librtm (static + shared) and the rtm CLI
#   make demo       install missing Debian packages, build, run the sample job into out/
#   make check      install missing Debian packages, build, run every test (incl. ASan/UBSan)
#   make bench      benchmarks (tools/bench-*.sh)
#   make fuzz       libFuzzer harnesses (tests/fuzz, needs clang), FUZZ_SECONDS each
#   make install PREFIX=/usr/local
VERSION   := 0.1.0
SOVER     := 0
PREFIX    ?= /usr/local
CC        ?= gcc
PKGS      := gdal proj libpng freetype2 yaml-0.1 libcrypto
# MPI (`mpirun -np N rtm ...`, README "MPI"): Open MPI, the MPI Debian packages
# (libopenmpi-dev); the same binary runs without mpirun. MPI=0 builds without it.
MPI       ?= 1
ifneq ($(MPI),0)
PKGS      += ompi-c
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
OPT       ?= -O2
CFLAGS    += -std=c17 $(OPT) -g -Wall -Wextra -fopenmp -fPIC -Iinclude -Irtm -D_GNU_SOURCE \
             -DRTM_VERSION=\"$(VERSION)\"
LDLIBS    += $(PKG_LIBS) -fopenmp -lm
SAN       := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# The library's stages, in the order of the data flow (docs/architecture.md).
STAGES    := core input surface model evaluate output product job run
LIB_SRC   := $(foreach s,$(STAGES),$(wildcard rtm/$(s)/*.c))
CLI_SRC   := $(wildcard rtm/cli/*.c)
TEST_SRC  := $(wildcard tests/test_*.c)
PUB_HDRS  := include/rtm.h $(wildcard include/rtm/*.h)
HDRS      := $(wildcard include/*.h include/rtm/*.h rtm/*/*.h tests/*.h)
NPROC     := $(shell nproc 2>/dev/null || echo 2)

B         := build
LIB_OBJ   := $(LIB_SRC:rtm/%.c=$(B)/obj/%.o)
CLI_OBJ   := $(CLI_SRC:rtm/%.c=$(B)/obj/%.o)
SAN_OBJ   := $(LIB_SRC:rtm/%.c=$(B)/san/%.o)
TESTS     := $(TEST_SRC:tests/%.c=$(B)/tests/%)

SO        := $(B)/librtm.so.$(VERSION)

.PHONY: all deps demo check check-run test-unit test-cli bench install clean fuzz fuzz-build
all: $(B)/librtm.a $(B)/librtm.so $(B)/rtm

deps:
	@./tools/install-deps.sh

$(B)/obj/%.o: rtm/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@
$(B)/san/%.o: rtm/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN) $(PKG_CFLAGS) -c $< -o $@
# The KDE row engine's vector loops call sqrt: without errno it is one
# instruction (results unchanged; the engine never reads errno).
$(B)/obj/surface/kde_poly.o $(B)/san/surface/kde_poly.o: CFLAGS += -fno-math-errno
# Only the MPI layer includes <mpi.h> (rtm/core/mpi.c).
ifneq ($(MPI),0)
$(B)/obj/core/mpi.o $(B)/san/core/mpi.o: CFLAGS += -DRTM_MPI
endif
$(B)/tests:
	mkdir -p $@

$(B)/librtm.a: $(LIB_OBJ)
	rm -f $@; ar rcs $@ $^
# The shared library (SONAME librtm.so.$(SOVER)) exports exactly the public API:
# tools/exports.py lists every function and variable declared in include/rtm.h
# and include/rtm/*.h into a linker version script ("RTM_0 { global: <names>;
# local: *; };"), so every other symbol, internal rtm_ helpers included, is
# hidden without an export macro on each declaration. The static library and
# the CLI keep every symbol.
$(B)/rtm.map: tools/exports.py tools/c_lexer.py $(PUB_HDRS)
	@mkdir -p $(@D)
	python3 tools/exports.py $(PUB_HDRS) > $@.tmp && mv $@.tmp $@
$(SO): $(LIB_OBJ) $(B)/rtm.map
	$(CC) -shared -Wl,-soname,librtm.so.$(SOVER) -Wl,--version-script=$(B)/rtm.map \
	  -Wl,--no-undefined -o $@ $(LIB_OBJ) $(LDLIBS)
$(B)/librtm.so.$(SOVER): $(SO)
	ln -sf $(<F) $@
$(B)/librtm.so: $(B)/librtm.so.$(SOVER)
	ln -sf $(<F) $@
$(B)/librtm-san.a: $(SAN_OBJ)
	rm -f $@; ar rcs $@ $^
$(B)/rtm: $(CLI_OBJ) $(B)/librtm.a
	$(CC) $(CFLAGS) -o $@ $(CLI_OBJ) $(B)/librtm.a $(LDLIBS)
# The CLI under AddressSanitizer + UBSan, for the bad-input corpus (tests/corpus).
CLI_SAN_OBJ := $(CLI_SRC:rtm/%.c=$(B)/san/%.o)
$(B)/rtm-san: $(CLI_SAN_OBJ) $(B)/librtm-san.a
	$(CC) $(CFLAGS) $(SAN) -o $@ $(CLI_SAN_OBJ) $(B)/librtm-san.a $(LDLIBS)

# Unit tests are built with AddressSanitizer + UBSan; any report fails the run.
$(B)/tests/%: tests/%.c $(B)/librtm-san.a $(HDRS) | $(B)/tests
	$(CC) $(CFLAGS) $(SAN) $(PKG_CFLAGS) -Itests -o $@ $< $(B)/librtm-san.a $(LDLIBS)

# libFuzzer harnesses (tests/fuzz, clang only): the library rebuilt with clang
# and fuzzer instrumentation; each harness runs FUZZ_SECONDS on a corpus seeded
# from tests/data and samples (new inputs kept in build/fuzz/corpus-NAME).
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_CFLAGS  := -std=c17 -O1 -g -fopenmp -Iinclude -Irtm -Itests/fuzz -D_GNU_SOURCE \
                -DRTM_VERSION=\"$(VERSION)\" $(FUZZ_SAN)
FUZZ_NAMES   := job weights points html
FUZZ_OBJ     := $(LIB_SRC:rtm/%.c=$(B)/fuzz/obj/%.o)
FUZZ_BIN     := $(FUZZ_NAMES:%=$(B)/fuzz/fuzz_%)
$(B)/fuzz/obj/%.o: rtm/%.c $(HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) -c $< -o $@
$(B)/fuzz/obj/surface/kde_poly.o: FUZZ_CFLAGS += -fno-math-errno -Wno-pass-failed \
  -include tests/fuzz/clang_compat.h
$(B)/fuzz/librtm-fuzz.a: $(FUZZ_OBJ)
	rm -f $@; ar rcs $@ $^
$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h $(B)/fuzz/librtm-fuzz.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(PKG_CFLAGS) -o $@ $< \
	  $(B)/fuzz/librtm-fuzz.a $(PKG_LIBS) -lm
fuzz-build: $(FUZZ_BIN)
fuzz:
	@./tools/install-deps.sh --fuzz
	@$(MAKE) --no-print-directory -j$(NPROC) fuzz-build
	@./tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)

demo:
	@./tools/install-deps.sh
	@$(MAKE) --no-print-directory -j$(NPROC) all
	@./tools/demo.sh

check:
	@./tools/install-deps.sh
	@$(MAKE) --no-print-directory -j$(NPROC) all
	@$(MAKE) --no-print-directory -j$(NPROC) check-run

check-run: $(TESTS) $(B)/rtm $(B)/rtm-san
	@./tools/run-tests.sh $(TESTS)

# The structure checks alone (make check runs them through tests/cli/functions.sh
# and deps.sh): no function over 100 lines; no include or call from a lower stage
# to a higher one and no cycle, bar tools/deps-allow.txt (docs/architecture.md).
.PHONY: check-structure
check-structure: $(LIB_OBJ) $(CLI_OBJ)
	@python3 tools/check-functions.py rtm tools/*.c
	@python3 tools/check-deps.py

bench:
	@./tools/install-deps.sh
	@$(MAKE) --no-print-directory -j$(NPROC) all
	@./tools/bench.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/rtm \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(B)/rtm $(DESTDIR)$(PREFIX)/bin/rtm
	install -m 644 $(B)/librtm.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SO) $(DESTDIR)$(PREFIX)/lib/
	ln -sf librtm.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/librtm.so.$(SOVER)
	ln -sf librtm.so.$(SOVER) $(DESTDIR)$(PREFIX)/lib/librtm.so
	install -m 644 include/rtm.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 include/rtm/*.h $(DESTDIR)$(PREFIX)/include/rtm/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' -e 's|@PKGS@|$(PKGS)|' \
	  tools/rtm.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/rtm.pc

clean:
	rm -rf $(B)

# The ping simulator (tools/sim_pings.c) for the dosage tests, demo and benchmark.
all: $(B)/sim_pings
check-run: $(B)/sim_pings
$(B)/sim_pings: tools/sim_pings.c $(B)/librtm.a $(PUB_HDRS)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ tools/sim_pings.c $(B)/librtm.a $(LDLIBS)
