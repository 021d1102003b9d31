/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * No programs: this object only creates the shared maps of common.bpf.h.
 * The loader loads it first and hands its map fds to every program family,
 * so rings and deny maps exist whichever families the kernel accepts.
 */
#include "common.bpf.h"
