# Linux host build: the core + a WINC1500 model + pty serial, and the unit tests.
CC       ?= cc
ROOT     := $(abspath .)
SHARED   ?= $(abspath ../../shared)
OUT      := build/host
CORE_SRC := $(wildcard core/*.c)
HOST_SRC := $(wildcard host/*.c)
TEST_SRC := $(wildcard tests/*.c)
CFLAGS   := -std=c11 -Wall -Wextra -Werror -O1 -g -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 \
  -DFW_VERSION=\"$(shell cat VERSION)\" -DFW_TARGET_HOST=1 -Icore -Ihost -ffile-prefix-map=$(ROOT)=.
LIBS     := -lssl -lcrypto -lutil

CORE_OBJ := $(patsubst %.c,$(OUT)/obj/%.o,$(CORE_SRC))
HOST_OBJ := $(patsubst %.c,$(OUT)/obj/%.o,$(HOST_SRC))
TEST_OBJ := $(patsubst %.c,$(OUT)/obj/%.o,$(TEST_SRC))
# the model and pty-independent host HAL pieces are linked into the tests too
HOST_LIB_OBJ := $(filter-out $(OUT)/obj/host/main.o,$(HOST_OBJ))

host: $(OUT)/winc-cert-fw-host

test: $(OUT)/unit-tests
	@$(OUT)/unit-tests $(SHARED)

$(OUT)/obj/%.o: %.c mk/host.mk VERSION
	@mkdir -p $(dir $@)
	@echo "  CC [host] $<"
	@$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(OUT)/winc-cert-fw-host: $(CORE_OBJ) $(HOST_OBJ)
	@$(CC) -o $@ $^ $(LIBS)
	@echo "  built $@"

$(OUT)/unit-tests: $(CORE_OBJ) $(HOST_LIB_OBJ) $(TEST_OBJ)
	@$(CC) -o $@ $^ $(LIBS)

-include $(CORE_OBJ:.o=.d) $(HOST_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
.PHONY: host test
