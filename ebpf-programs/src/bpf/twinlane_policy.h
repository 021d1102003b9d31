/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * twinlane_policy.h: the keys, values and limits of the policy maps, as the
 * policy module (policy/) compiles a policy file into them ahead of time.
 *
 * The Java encoders (policy/.../MapKeys.java, PolicyMap.java) mirror these
 * layouts; PolicyLayoutTest compiles policy/src/test/c/policy_layout.c against
 * this header with gcc and fails when a size, an offset or a limit differs.
 * Same rules as twinlane_records.h: natural alignment, explicit padding,
 * integers in host order, addresses in network order.
 *
 * Maps whose layout already exists in common.bpf.h keep it (deny_inode,
 * deny_ipv4, deny_ipv6, watch_inode, watch_prefix). The flag-driven maps of
 * common.bpf.h (deny_port and the rest) stay for the --deny-* options; a policy
 * lives in the slotted maps of policy_maps.bpf.h.
 */
#ifndef TWINLANE_POLICY_H
#define TWINLANE_POLICY_H

#include "twinlane_records.h"

#define TL_POLICY_ABI_VERSION 1

/*
 * max_entries of each policy map: a compiled policy that needs more is refused. The hash maps
 * are preallocated (policy_maps.bpf.h), so these limits, not a policy's size, set both slots'
 * memory (bench/README.md, "Policy plane", has the figure): 32768 for the files and addresses a
 * large deny list is made of, 16384 for exec denials and watched files, which stay short.
 */
#define TL_MAX_DENY_INODE 32768
#define TL_MAX_DENY_PREFIX 1024
#define TL_MAX_DENY_EXEC 16384
#define TL_MAX_DENY_IPV4 32768
#define TL_MAX_DENY_IPV6 32768
#define TL_MAX_DENY_CIDR4 16384
#define TL_MAX_DENY_CIDR6 16384
#define TL_MAX_DENY_PORT_RULE 4096
#define TL_MAX_ALLOW_CGROUP 1024
#define TL_MAX_WATCH_INODE 16384
#define TL_MAX_WATCH_PREFIX 1024
#define TL_MAX_SURVIVAL_INODE 256

/* tl_port_key.direction. "Any" is compiled into one entry per direction, so a hook does one lookup. */
enum tl_direction {
	TL_DIR_CONNECT = 1,
	TL_DIR_BIND = 2,
};

/* tl_port_key.protocol: IPPROTO_* values; "any" is compiled into one entry per protocol. */
#define TL_PROTO_TCP 6
#define TL_PROTO_UDP 17

/* deny_cidr4: LPM trie; prefixlen counts bits of addr (network order). */
struct tl_cidr4_key {
	__u32 prefixlen;
	__u8 addr[4];
};

/* deny_cidr6: LPM trie. IPv4 networks are only in deny_cidr4: connect6/bind6 look ::ffff:a.b.c.d up there. */
struct tl_cidr6_key {
	__u32 prefixlen;
	__u8 addr[16];
};

/* deny_port_rule: exact match of port (host order), protocol and direction. */
struct tl_port_key {
	__u16 port;
	__u8 protocol;
	__u8 direction;
};

/* policy_meta: the single entry saying which policy the maps hold and how to enforce it. */
struct tl_policy_meta {
	__u64 version;          /* the policy's version (monotonic) */
	__u32 mode;             /* enum tl_mode */
	__u32 _pad0;
};

/*
 * The policy maps exist twice, slot 0 and slot 1 (policy_maps.bpf.h). policy_active's single
 * __u32 names the slot the programs read; an apply fills the other slot, then flips this one
 * value, so a program sees the old policy or the new one, never a mix. policy_meta has one
 * struct tl_policy_meta per slot (version 0: the slot holds no policy).
 */
#define TL_POLICY_SLOTS 2

/* policy_deadman: the single entry of the deadman switch, renewed by the agent's heartbeat. */
struct tl_deadman {
	__u64 deadline_ns;      /* bpf_ktime_get_boot_ns() past which decisions are audit-only; 0: off */
	__u64 lapse_seen;       /* set by the first decision made past the deadline (cleared by a renewal);
				 * 64 bits: the BPF target's compare-and-swap before cpu v3 */
};

#ifndef __VMLINUX_H__
_Static_assert(sizeof(struct tl_deadman) == 16, "tl_deadman");
_Static_assert(sizeof(struct tl_cidr4_key) == 8, "tl_cidr4_key");
_Static_assert(sizeof(struct tl_cidr6_key) == 20, "tl_cidr6_key");
_Static_assert(sizeof(struct tl_port_key) == 4, "tl_port_key");
_Static_assert(sizeof(struct tl_policy_meta) == 16, "tl_policy_meta");
#endif

#endif /* TWINLANE_POLICY_H */
