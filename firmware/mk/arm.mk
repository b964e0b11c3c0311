# One SAM D21 board image. Invoked by the top Makefile with BOARD=<name>.
CROSS   ?= arm-none-eabi-
CC      := $(CROSS)gcc
OBJCOPY := $(CROSS)objcopy
SIZE    := $(CROSS)size

ifeq ($(BOARD),samd21-xpro)
  BOARD_DEF := BOARD_SAMD21_XPRO
  LDSCRIPT  := arch/samd21/samd21_app_0000.ld
  LINK_ADDR := 0x00000000
else ifeq ($(BOARD),mkr1000)
  BOARD_DEF := BOARD_MKR1000
  LDSCRIPT  := arch/samd21/samd21_app_2000.ld
  LINK_ADDR := 0x00002000
else ifeq ($(BOARD),feather-m0-wifi)
  BOARD_DEF := BOARD_FEATHER_M0_WIFI
  LDSCRIPT  := arch/samd21/samd21_app_2000.ld
  LINK_ADDR := 0x00002000
else
  $(error unknown BOARD '$(BOARD)')
endif

# OUT, MCPU and EXTRA_CFLAGS let the emulator's tests build variants of an image elsewhere
OUT  ?= build/$(BOARD)
MCPU ?= cortex-m0plus
EXTRA_CFLAGS ?=
NAME := winc-cert-fw-$(BOARD)
SRCS := $(wildcard core/*.c) $(wildcard arch/samd21/*.c)
OBJS := $(patsubst %.c,$(OUT)/obj/%.o,$(SRCS))
ROOT := $(abspath .)

CFLAGS := -mcpu=$(MCPU) -mthumb -Os -g0 -std=c11 -Wall -Wextra -Werror \
  -ffunction-sections -fdata-sections -fno-common -ffreestanding -fno-delete-null-pointer-checks \
  -ffile-prefix-map=$(ROOT)=. -fdebug-prefix-map=$(ROOT)=. \
  -D$(BOARD_DEF) -DFW_VERSION=\"$(VERSION)\" -DFW_TARGET_ARM=1 \
  -Icore -Iarch/samd21 -Iboards $(EXTRA_CFLAGS)
LDFLAGS := -mcpu=$(MCPU) -mthumb -nostartfiles --specs=nano.specs \
  -Wl,--gc-sections -Wl,--build-id=none -Wl,-T,$(LDSCRIPT) -Larch/samd21 -Wl,-Map,$(OUT)/$(NAME).map

all: $(OUT)/$(NAME).bin $(OUT)/$(NAME).hex
	@sh tools/sizereport.sh $(SIZE) $(OUT)/$(NAME).elf $(OUT)/$(NAME).bin $(LINK_ADDR) $(BOARD)

# objects also depend on this file and VERSION: a flag change rebuilds everything
$(OUT)/obj/%.o: %.c mk/arm.mk VERSION
	@mkdir -p $(dir $@)
	@echo "  CC [$(BOARD)] $<"
	@$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(OUT)/$(NAME).elf: $(OBJS) $(LDSCRIPT) arch/samd21/common.ld
	@$(CC) $(LDFLAGS) $(OBJS) -o $@ -lc -lgcc

$(OUT)/$(NAME).bin: $(OUT)/$(NAME).elf
	@$(OBJCOPY) -O binary $< $@

$(OUT)/$(NAME).hex: $(OUT)/$(NAME).elf
	@$(OBJCOPY) -O ihex $< $@

-include $(OBJS:.o=.d)
