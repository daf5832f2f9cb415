# quell - plain Makefile. `make` builds the library and the command;
# `make demo` and `make check` first install missing Debian packages.
#
# Variables: PREFIX (/usr/local), DESTDIR, CC, CFLAGS, O (build folder),
# SANITIZE=1 (AddressSanitizer + UndefinedBehaviorSanitizer build),
# SANITIZE=fuzz (the same with libFuzzer's coverage, for clang: `make fuzz`).

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
O ?= build

VERSION := 0.6.0
SOVERSION := 2

PKGS := libhs libconfig libcjson libutf8proc libxxhash
# Recursive (=) on purpose: pkg-config must run after `deps` has installed
# the packages, not when make reads this file.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))
# The HTTP service is the command's alone: the library never links it.
SERVE_CFLAGS = $(shell pkg-config --cflags libmicrohttpd)
SERVE_LIBS = $(shell pkg-config --libs libmicrohttpd)
# So is the Redis Streams worker (quell worker), which alone includes hiredis.
WORKER_CFLAGS = $(shell pkg-config --cflags hiredis)
WORKER_LIBS = $(shell pkg-config --libs hiredis)
CHECK_CFLAGS = $(shell pkg-config --cflags check)
CHECK_LIBS = $(shell pkg-config --libs check)

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
# Hidden by default: the shared library exports only what quell.h marks
# QUELL_EXTERN (make check compares the two, tools/check_exports.sh).
BASE_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) -fPIC -pthread \
	-fvisibility=hidden \
	-Iinclude -Isrc $(PKG_CFLAGS)
ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS := -O1 -g
endif
ifeq ($(SANITIZE),thread)
SAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer
CFLAGS := -O1 -g
endif
ifeq ($(SANITIZE),fuzz)
SAN_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
CFLAGS := -O1 -g
endif
ALL_CFLAGS = $(BASE_CFLAGS) $(SAN_FLAGS) $(CFLAGS)
ALL_LDFLAGS = -pthread $(SAN_FLAGS) $(LDFLAGS)

LIB_SRC := $(wildcard src/*.c)
CLI_SRC := $(wildcard src/cli/*.c)
SERVE_SRC := $(wildcard src/serve/*.c)
# The moderator's page, compiled into the binary (tools/embed_assets.py).
SERVE_ASSETS := $(sort $(wildcard src/serve/ui/*))
TEST_SRC := $(wildcard tests/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(O)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(O)/%.o)
SERVE_OBJ := $(SERVE_SRC:%.c=$(O)/%.o) $(O)/serve_assets.o
# The commands that talk to Redis, the only ones that include hiredis.
REDIS_CLI_OBJ := $(addprefix $(O)/src/cli/,cmd_worker.o cmd_backfill.o cmd_collect.o redis.o)
# The tests call the command's report writers directly: everything but main().
CLI_TESTED_OBJ := $(filter-out $(O)/src/cli/main.o $(O)/src/cli/cmd_serve.o \
	$(REDIS_CLI_OBJ),$(CLI_OBJ))
TEST_OBJ := $(TEST_SRC:%.c=$(O)/%.o)
HEADERS := $(wildcard include/*.h src/*.h src/util/*.h src/cli/*.h src/serve/*.h tests/*.h)

STATIC_LIB := $(O)/libquell.a
SHARED_LIB := $(O)/libquell.so.$(VERSION)
BIN := $(O)/quell
TEST_BIN := $(O)/check_quell
EMBED_BIN := $(O)/embed
# The same example linked against the shared library: proof that an
# embedder needs nothing the library does not export.
EMBED_SHARED_BIN := $(O)/embed-shared
SOAK_BIN := $(O)/soak

.PHONY: FORCE all deps demo eval-context bench-worker soak-worker check check-normal check-asan check-tsan test-binaries bench bench-serve install \
	uninstall lint format clean tables forms allow-candidates eval soak check-python \
	fuzz fuzz-smoke fuzz-long fuzz-run check-fuzz fuzz-binaries fuzz-runners \
	man install-man check-man install-completion deb check-deb

all: $(STATIC_LIB) $(SHARED_LIB) $(BIN)

deps:
	@sh tools/deps.sh

$(O)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(O)/tests/%.o: tests/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -c $< -o $@

$(STATIC_LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(SHARED_LIB): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libquell.so.$(SOVERSION) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)
	ln -sf libquell.so.$(VERSION) $(O)/libquell.so.$(SOVERSION)
	ln -sf libquell.so.$(SOVERSION) $(O)/libquell.so

$(O)/src/serve/%.o: src/serve/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SERVE_CFLAGS) -c $< -o $@

$(REDIS_CLI_OBJ): $(O)/src/cli/%.o: src/cli/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(WORKER_CFLAGS) -c $< -o $@

$(O)/serve_assets.c: tools/embed_assets.py $(SERVE_ASSETS)
	@mkdir -p $(dir $@)
	python3 tools/embed_assets.py -o $@ $(SERVE_ASSETS)

$(O)/serve_assets.o: $(O)/serve_assets.c src/serve/assets.h
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BIN): $(CLI_OBJ) $(SERVE_OBJ) $(STATIC_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(SERVE_OBJ) $(STATIC_LIB) $(PKG_LIBS) $(SERVE_LIBS) \
		$(WORKER_LIBS) -lcsv -lm

$(EMBED_BIN): examples/embed.c $(STATIC_LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(STATIC_LIB) $(PKG_LIBS) -lm

$(EMBED_SHARED_BIN): examples/embed.c $(SHARED_LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< -L$(O) -lquell -Wl,-rpath,'$$ORIGIN'

$(TEST_BIN): $(TEST_OBJ) $(CLI_TESTED_OBJ) $(STATIC_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(TEST_OBJ) $(CLI_TESTED_OBJ) $(STATIC_LIB) $(PKG_LIBS) \
		$(CHECK_LIBS) -lcsv -lm

test-binaries: $(BIN) $(TEST_BIN) $(EMBED_BIN)

# The suite runs twice: as built, and under ASan + UBSan. The tests find the
# command and the example through these variables, so each pass runs its own.
# Then the live-reload tests run under ThreadSanitizer.
check: deps
	@$(MAKE) --no-print-directory check-normal
	@$(MAKE) --no-print-directory check-worker
	@$(MAKE) --no-print-directory check-python
	@$(MAKE) --no-print-directory check-node
	@$(MAKE) --no-print-directory check-man
	@$(MAKE) --no-print-directory check-asan
	@$(MAKE) --no-print-directory check-fuzz
	@$(MAKE) --no-print-directory check-tsan

# The shipped rules are compiled once, here, and the tests load the .qdb:
# Hyperscan's compiler allocates so much that under AddressSanitizer the
# same compile takes four times as long. `quell test` reads the .cfg itself.
check-normal: test-binaries $(O)/default.qdb $(SHARED_LIB) $(EMBED_SHARED_BIN) $(SOAK_BIN)
	sh tools/check_exports.sh $(SHARED_LIB) include/quell.h
	QUELL_BIN=$(BIN) QUELL_EMBED=$(EMBED_SHARED_BIN) QUELL_SRCDIR=. \
		QUELL_DEFAULT_RULES=$(O)/default.qdb $(TEST_BIN)
	sh tools/soak/run.sh --build $(O) --records 200000 --jobs 3
	sh tools/check_install.sh $(O)
	QUELL_BIN=$(BIN) QUELL_DEFAULT_RULES=$(O)/default.qdb QUELL_SRCDIR=. \
		python3 tests/serve/test_serve.py
	sh tests/browser/run.sh $(BIN) $(O)/default.qdb
	$(BIN) test rules/default.cfg

# quell worker against its own redis-server on a unix socket
# (tests/worker/test_worker.py): not part of `make check`.
.PHONY: check-worker
check-worker: $(BIN)
	@command -v redis-server >/dev/null 2>&1 || sh tools/deps.sh
	QUELL_BIN=$(BIN) QUELL_SRCDIR=. python3 tests/worker/test_worker.py

# The Node binding (bindings/node/README.md): an N-API addon built with cc
# against node's own headers, linked to the shared library beside it, then
# its tests on node's built-in runner (make check runs them).
NODE_INCLUDE ?= /usr/include/node
NODE_ADDON := $(O)/node/quell.node

$(NODE_ADDON): bindings/node/src/quell_node.c include/quell.h $(SHARED_LIB)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -fPIC -pthread -fvisibility=hidden \
		-Iinclude -isystem $(NODE_INCLUDE) $(SAN_FLAGS) $(CFLAGS) -shared -o $@ $< \
		-L$(O) -lquell -Wl,-rpath,'$$ORIGIN/..'

.PHONY: check-node
check-node:
	@sh tools/deps.sh node
	@$(MAKE) --no-print-directory $(NODE_ADDON) $(BIN) $(O)/default.qdb
	QUELL_NODE_ADDON=$(NODE_ADDON) QUELL_BIN=$(BIN) QUELL_DEFAULT_RULES=$(O)/default.qdb \
		node --test bindings/node/test/*.test.js

# Every TCase sets its own timeout, sized for this run on a busy machine
# (tests/suites.h); on a slower one, CK_TIMEOUT_MULTIPLIER=2 make check.
check-asan:
	@$(MAKE) --no-print-directory build/default.qdb
	@$(MAKE) --no-print-directory O=build/asan SANITIZE=1 test-binaries
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tools/lsan.supp:print_suppressions=0 \
	QUELL_BIN=build/asan/quell QUELL_EMBED=build/asan/embed QUELL_SRCDIR=. \
	QUELL_DEFAULT_RULES=build/default.qdb build/asan/check_quell
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tools/lsan.supp:print_suppressions=0 \
	QUELL_BIN=build/asan/quell QUELL_SRCDIR=. QUELL_DEFAULT_RULES=build/default.qdb \
		python3 tests/serve/test_serve.py
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tools/lsan.supp:print_suppressions=0 \
	QUELL_BIN=build/asan/quell QUELL_SRCDIR=. python3 tests/worker/test_worker.py

# Scanners on several threads while another swaps the rules (check_engine.c),
# and threads sharing a context (check_context.c), under ThreadSanitizer; the
# other suites have no threads of their own.
check-tsan:
	@$(MAKE) --no-print-directory O=build/tsan SANITIZE=thread build/tsan/check_quell
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 CK_RUN_SUITE=engine \
		QUELL_SRCDIR=. build/tsan/check_quell
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 CK_RUN_SUITE=context \
		QUELL_SRCDIR=. build/tsan/check_quell

# ---- Fuzzing ----
# One libFuzzer target per parser, fuzz/fuzz_<target>.c (fuzz/README.md).
# `make fuzz` builds them with clang into build/fuzz/fuzz/fuzz-<target>;
# `make fuzz-smoke` runs each for FUZZ_SMOKE_SECONDS, `make fuzz-long` for
# FUZZ_SECONDS, one after the other, niced. New inputs go to
# build/fuzz/corpus/<target>, crashes to build/fuzz/crashes/<target>/: copy a
# crash into fuzz/regressions/<target>/ with its fix. `make check-fuzz` (part
# of `make check`) builds the same files with gcc, ASan and UBSan and without
# libFuzzer (fuzz/runner.c) and replays every seed and regression.
FUZZ_TARGETS := config qdb record scan corpus frame context
FUZZ_SECONDS ?= 3600
FUZZ_SMOKE_SECONDS ?= 20
NICE ?= nice
# libconfig 1.5 leaks on some syntax errors: tools/lsan.supp names its
# functions only, so every leak of ours stays fatal. Its frames are found
# only with the slow unwinder (fast_unwind_on_malloc=0).
FUZZ_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tools/lsan.supp:print_suppressions=0 \
	QUELL_FUZZ_RULES=$(CURDIR)/build/default.qdb
# The corpus target needs src/cli/corpus.o, which needs the command's
# printers that its target replaces, and the frame target quell serve's
# src/serve/frame.o: as archive members, each is linked into the targets
# that use it only.
FUZZ_CLI_LIB := $(O)/fuzz/libcorpus.a
FUZZ_LIBS = $(FUZZ_CLI_LIB) $(STATIC_LIB) $(PKG_LIBS) -lcsv -lm

$(O)/fuzz/%.o: fuzz/%.c fuzz/fuzz.h $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(FUZZ_CLI_LIB): $(O)/src/cli/corpus.o $(O)/src/serve/frame.o
	@mkdir -p $(dir $@)
	@rm -f $@
	ar rcs $@ $^

$(O)/fuzz/fuzz-%: $(O)/fuzz/fuzz_%.o $(FUZZ_CLI_LIB) $(STATIC_LIB)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIBS)

$(O)/fuzz/run-%: $(O)/fuzz/fuzz_%.o $(O)/fuzz/runner.o $(FUZZ_CLI_LIB) $(STATIC_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(O)/fuzz/runner.o $(FUZZ_LIBS)

# Keep the objects: the runners and the fuzzers share them.
.SECONDARY: $(FUZZ_TARGETS:%=$(O)/fuzz/fuzz_%.o) $(O)/fuzz/runner.o

fuzz-binaries: $(FUZZ_TARGETS:%=$(O)/fuzz/fuzz-%)
fuzz-runners: $(FUZZ_TARGETS:%=$(O)/fuzz/run-%)

fuzz:
	@sh tools/deps.sh fuzz
	@$(MAKE) --no-print-directory build/default.qdb
	@$(MAKE) --no-print-directory O=build/fuzz SANITIZE=fuzz CC=clang fuzz-binaries

fuzz-smoke: fuzz
	@$(MAKE) --no-print-directory fuzz-run FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

fuzz-long: fuzz
	@$(MAKE) --no-print-directory fuzz-run

fuzz-run:
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p build/fuzz/corpus/$$t build/fuzz/crashes/$$t || exit 1; \
		dict=; [ $$t = config ] && dict=-dict=fuzz/rules.dict; \
		echo "== fuzz-$$t for $(FUZZ_SECONDS) s"; \
		$(FUZZ_ENV) $(NICE) build/fuzz/fuzz/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) \
			-timeout=10 -print_final_stats=1 $$dict \
			-artifact_prefix=build/fuzz/crashes/$$t/ build/fuzz/corpus/$$t fuzz/corpus/$$t \
			|| exit 1; \
	done

check-fuzz:
	@$(MAKE) --no-print-directory build/default.qdb
	@$(MAKE) --no-print-directory O=build/asan SANITIZE=1 fuzz-runners
	@for t in $(FUZZ_TARGETS); do \
		$(FUZZ_ENV) build/asan/fuzz/run-$$t fuzz/corpus/$$t fuzz/regressions/$$t || exit 1; \
	done

# Rules are compiled once into a .qdb, which loads in milliseconds: the
# workflow the README recommends for services.
RULE_FILES := $(wildcard rules/*.cfg rules/*/*.cfg rules/*/*.txt)

$(O)/default.qdb: $(RULE_FILES) $(BIN)
	$(BIN) compile rules/default.cfg -o $@

# The Python binding (bindings/python) against this tree's library, with
# Debian's python3 and pytest (`deps.sh python`): /usr/bin/python3 by name,
# since a python3 earlier on the PATH (pyenv) does not see Debian's modules.
CHECK_PYTHON ?= /usr/bin/python3
check-python:
	@sh tools/deps.sh python
	@$(MAKE) --no-print-directory $(SHARED_LIB) $(BIN) $(O)/default.qdb
	QUELL_LIB=$(O)/libquell.so.$(SOVERSION) QUELL_BIN=$(BIN) \
		QUELL_DEFAULT_RULES=$(O)/default.qdb $(CHECK_PYTHON) -m pytest -q -p no:cacheprovider \
		bindings/python/tests

demo: deps
	@$(MAKE) --no-print-directory all $(O)/default.qdb
	@echo "== quell filter on examples/comments.txt with rules/default.cfg (compiled) =="
	$(BIN) filter $(O)/default.qdb < examples/comments.txt

# The soak (tools/soak/README.md): 10 million generated comments, 1% of them
# malformed, through `quell filter -j N`, every answer checked by id and the
# filter's memory sampled; then text and NUL runs of a tenth as many.
# `make check` runs a 200,000-record version.
SOAK_RECORDS ?= 10000000
SOAK_JOBS ?= $(shell nproc 2>/dev/null || echo 1)

$(SOAK_BIN): tools/soak/soak.c tools/soak/gen.c tools/soak/gen.h tools/soak/words.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -D_GNU_SOURCE $(ALL_LDFLAGS) -o $@ tools/soak/soak.c tools/soak/gen.c

soak: deps
	@$(MAKE) --no-print-directory all $(SOAK_BIN) $(O)/default.qdb
	sh tools/soak/run.sh --build $(O) --records $(SOAK_RECORDS) --jobs $(SOAK_JOBS)

# The whole speed story in one run (bench/run.sh): compile and load times,
# raw Hyperscan, the library and the command at -j1/-jN with the cost split,
# and the npm filters of `make eval`; node comes from `deps.sh eval`.
bench:
	@sh tools/deps.sh eval
	@$(MAKE) --no-print-directory all $(O)/bench_quell $(O)/bench_views $(O)/bench_context
	sh bench/run.sh $(O)

# quell worker on a long stream (1M comments: tools/soak/worker_soak.py), a
# worker killed, the server restarted, every entry exactly one verdict.
SOAK_WORKER_COMMENTS ?= 1000000
soak-worker: deps
	@$(MAKE) --no-print-directory $(BIN)
	QUELL_BIN=$(BIN) QUELL_SRCDIR=. python3 tools/soak/worker_soak.py $(SOAK_WORKER_COMMENTS)

# quell worker processes on a private redis-server against quell filter on
# the same comments (bench/worker.py), on the bench corpus (made by make
# bench's bench/make_corpus.py when missing).
BENCH_WORKER_COMMENTS ?= 100000
bench-worker: deps
	@$(MAKE) --no-print-directory all $(O)/default.qdb
	@[ -s $(O)/bench/corpus.jsonl ] || { mkdir -p $(O)/bench && \
		python3 bench/make_corpus.py $${QUELL_DATA:-../shared/data} 200000 \
		$(O)/bench/corpus.jsonl $(O)/bench/corpus.txt; }
	python3 bench/worker.py $(BIN) $(O)/default.qdb $(O)/bench/corpus.jsonl $(BENCH_WORKER_COMMENTS)

# quell serve under wrk beside quell_scan in process (bench/serve.sh).
bench-serve: deps
	@command -v wrk >/dev/null 2>&1 || sh tools/deps.sh bench-serve
	@$(MAKE) --no-print-directory all $(O)/default.qdb $(O)/scan_rate
	sh bench/serve.sh $(O)

$(O)/scan_rate: bench/scan_rate.c $(STATIC_LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(STATIC_LIB) $(PKG_LIBS) -lm

# How long a .qdb takes to load, part by part: `make $(O)/qdb_load`, then
# $(O)/qdb_load $(O)/default.qdb [N].
$(O)/qdb_load: bench/qdb_load.c $(STATIC_LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(STATIC_LIB) $(PKG_LIBS) -lm

# Where the rules' compile time and database size go, rule by rule and pack
# by pack (bench/compile_profile.c): `make $(O)/compile_profile`, then
# $(O)/compile_profile rules/default.cfg [TOP].
$(O)/compile_profile: bench/compile_profile.c $(STATIC_LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(STATIC_LIB) $(PKG_LIBS) -lm

# The views a word list is hit in (bench/view_hits.c): the skeleton view's
# false hits on dictionary words, e.g. the 170,000 words of
# ../shared/data/wordlist-en/american-english-large.txt.
$(O)/view_hits: bench/view_hits.c $(STATIC_LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(STATIC_LIB) $(PKG_LIBS) -lm

# The default rules on every labelled corpus's report part, beside the npm
# filters and the raw word lists (tools/eval/README.md).
eval:
	@sh tools/deps.sh eval
	@$(MAKE) --no-print-directory all
	QUELL=$(BIN) sh tools/eval/run.sh

# The context rules on the labelled stream's report part (tools/eval/context.sh).
eval-context: deps
	@$(MAKE) --no-print-directory all $(O)/default.qdb
	QUELL=$(BIN) RULES=$(O)/default.qdb sh tools/eval/context.sh report

# The packs' generated files: the insult and profanity lists' vocative,
# pronoun and joined-prefix forms, and the identity_hate and threat configs'
# close-range regexes (built from their .cfg.in).
forms:
	python3 tools/gen_forms.py
	python3 tools/gen_identity_hate.py
	python3 tools/gen_threat.py

# Dictionary words that the default rules hit, for review into allow lists.
allow-candidates: all
	python3 tools/allow_candidates.py rules/default.cfg

# bench/bench_util.h: what the two share (clock reads, medians, a counting
# Hyperscan callback), all static inline.
$(O)/bench_quell: bench/bench.c bench/bench_util.h $(STATIC_LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(STATIC_LIB) $(PKG_LIBS) -lm

# Building the views beside the Hyperscan scans they feed, on English and on
# Arabic comments apart (bench/view_cost.c): `make $(O)/bench_views`, then
# $(O)/bench_views CORPUS.jsonl RULES... (bench/run.sh runs it).
$(O)/bench_views: bench/view_cost.c bench/bench_util.h $(STATIC_LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(STATIC_LIB) $(PKG_LIBS) -lm

# What deciding in context costs per comment, and the context's memory over
# a stream of 10M comments (bench/context_cost.c; bench/run.sh runs it).
$(O)/bench_context: bench/context_cost.c bench/bench_util.h $(STATIC_LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(STATIC_LIB) $(PKG_LIBS) -lm

# The JSON Lines readers beside each other (bench/json_parsers.c).
$(O)/bench_json: bench/json_parsers.c $(STATIC_LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(STATIC_LIB) $(PKG_LIBS) -lm

# Written again whenever PREFIX differs from the one it holds: `make`, then
# `make install PREFIX=/opt/x`, must not install a quell.pc for /usr/local.
$(O)/quell.pc: quell.pc.in Makefile FORCE
	@mkdir -p $(O)
	@sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' $< > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

FORCE:

# The shipped rules go to PREFIX/share/quell/rules, sources and the compiled
# default.qdb: an installed quell filter with no RULES reads them there
# (src/cli/cli.c finds them from the command's own path).
DATADIR = $(PREFIX)/share/quell

install: all $(O)/quell.pc $(O)/default.qdb install-man install-completion
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 644 include/quell.h $(DESTDIR)$(PREFIX)/include/quell.h
	install -m 644 $(STATIC_LIB) $(DESTDIR)$(PREFIX)/lib/libquell.a
	install -m 755 $(SHARED_LIB) $(DESTDIR)$(PREFIX)/lib/libquell.so.$(VERSION)
	ln -sf libquell.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libquell.so.$(SOVERSION)
	ln -sf libquell.so.$(SOVERSION) $(DESTDIR)$(PREFIX)/lib/libquell.so
	install -m 644 $(O)/quell.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/quell.pc
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/quell
	cd rules && find . -type d -exec install -d '$(DESTDIR)$(DATADIR)/rules/{}' ';'
	cd rules && find . -type f -exec install -m 644 '{}' '$(DESTDIR)$(DATADIR)/rules/{}' ';'
	install -m 644 $(O)/default.qdb $(DESTDIR)$(DATADIR)/rules/default.qdb

# Man pages, written in scdoc (docs/man/README says why) and generated
# into $(O)/man; scdoc, one of tools/deps.sh's packages, is installed first
# when missing.
MANDIR ?= $(PREFIX)/share/man
MAN_SRC := $(wildcard docs/man/*.scd)
MAN_PAGES := $(MAN_SRC:docs/man/%.scd=$(O)/man/%)

man: $(MAN_PAGES)

# The default build makes them too (its rule above lists no pages: they are
# named only here).
all: $(MAN_PAGES)

$(O)/man/%: docs/man/%.scd
	@command -v scdoc >/dev/null 2>&1 || sh tools/deps.sh
	@mkdir -p $(dir $@)
	scdoc < $< > $@.tmp && mv $@.tmp $@

install-man: man
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man5
	install -m 644 $(filter %.1,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(filter %.3,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man3
	install -m 644 $(filter %.5,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man5

# The pages against the command's --help texts, the rule keys of
# docs/rules.md and the functions of quell.h; then the bash completion.
check-man: man $(BIN)
	@sh tools/deps.sh man
	QUELL_BIN=$(BIN) QUELL_MAN_DIR=$(O)/man sh tools/check_man.sh

BASH_COMPLETION_DIR ?= $(PREFIX)/share/bash-completion/completions
ZSH_COMPLETION_DIR ?= $(PREFIX)/share/zsh/site-functions

install-completion:
	install -d $(DESTDIR)$(BASH_COMPLETION_DIR) $(DESTDIR)$(ZSH_COMPLETION_DIR)
	install -m 644 completions/quell.bash $(DESTDIR)$(BASH_COMPLETION_DIR)/quell
	install -m 644 completions/_quell $(DESTDIR)$(ZSH_COMPLETION_DIR)/_quell

# Debian packages (debian/, README.Debian says what goes where): built by
# dpkg-buildpackage in a copy of the tree under $(O)/deb/src, so that its
# `make clean` leaves this build alone; the .debs land in $(O)/deb.
# check-deb builds them, runs lintian and a smoke test of the installed files.
deb:
	@sh tools/deps.sh deb
	sh tools/check_deb.sh --build-only $(O)/deb

check-deb:
	@sh tools/deps.sh deb
	sh tools/check_deb.sh $(O)/deb

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/include/quell.h $(DESTDIR)$(PREFIX)/lib/libquell.* \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig/quell.pc $(DESTDIR)$(PREFIX)/bin/quell \
		$(DESTDIR)$(MANDIR)/man1/quell.1 $(DESTDIR)$(MANDIR)/man3/libquell.3 \
		$(DESTDIR)$(MANDIR)/man5/quell-rules.5 $(DESTDIR)$(BASH_COMPLETION_DIR)/quell \
		$(DESTDIR)$(ZSH_COMPLETION_DIR)/_quell
	rm -rf $(DESTDIR)$(DATADIR)

# Static analysis, as STYLE.md asks: both must be clean. (clang-tidy also
# counts the warnings it hides in system headers: "N warnings generated".)
lint:
	cppcheck --enable=warning,style,performance,portability --std=c11 --error-exitcode=1 \
		--inline-suppr --quiet -Iinclude -Isrc src src/cli src/serve examples bench fuzz
	clang-tidy --quiet $(LIB_SRC) $(CLI_SRC) $(SERVE_SRC) examples/embed.c bench/bench.c \
		bench/json_parsers.c bench/scan_rate.c bench/view_hits.c bench/view_cost.c bench/qdb_load.c bench/compile_profile.c $(wildcard fuzz/*.c) -- $(BASE_CFLAGS) $(SERVE_CFLAGS) $(WORKER_CFLAGS)

format:
	clang-format -i $(LIB_SRC) $(CLI_SRC) $(SERVE_SRC) $(TEST_SRC) $(HEADERS) examples/*.c bench/*.c bench/*.h

clean:
	rm -rf build

# Regenerate src/norm_data.c (confusables from ICU's TR39 data, the Arabic
# and leetspeak maps in tools/data) with Debian's python3 and python3-icu,
# installed first if missing. The output is committed: builds do not need ICU.
.PHONY: tables
tables:
	@dpkg-query -W -f='$${Status}' python3-icu 2>/dev/null | grep -q 'install ok installed' || { \
		if [ "$$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi; \
		echo "make tables: installing python3-icu" >&2; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends \
			python3-icu; }
	/usr/bin/python3 tools/gen_tables.py -o src/norm_data.c

# Regenerate src/dict_data.c, the dictionary that decides doubled letters in
# the skeleton view, from Debian wamerican (installed first if missing) and
# the strong words of shared/data's surge-profanity-en. Committed too.
.PHONY: dict
dict:
	@test -r /usr/share/dict/american-english || tools/deps.sh
	QUELL_DATA=$${QUELL_DATA:-../shared/data} python3 tools/gen_dict.py -o src/dict_data.c
