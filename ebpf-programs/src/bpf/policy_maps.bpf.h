/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * The maps an applied policy lives in (twinlane_policy.h), twice: slot 0 and
 * slot 1. policy_active names the slot the programs read; an apply fills the
 * other one and then flips that single value, so every decision sees one whole
 * policy, the old or the new. The loader pins these maps (and the deadman), so
 * a restarted agent finds the policy in force.
 *
 * A program reads policy_active once per decision and uses that slot for every
 * lookup of the decision (tl_policy_view).
 */
#ifndef TWINLANE_POLICY_MAPS_BPF_H
#define TWINLANE_POLICY_MAPS_BPF_H

#include "twinlane_policy.h"

#define TL_SLOT_MAP(name, maptype, max, keytype, flags)  \
	struct {                                          \
		__uint(type, maptype);                    \
		__uint(max_entries, max);                 \
		__uint(map_flags, flags);                 \
		__type(key, keytype);                     \
		__type(value, __u8);                      \
	} name SEC(".maps")

/*
 * Hash maps are preallocated: an apply's insert takes an element from the map's free list
 * instead of allocating one (BPF_F_NO_PREALLOC cost about twice the kernel time per entry), and
 * a delete gives it back. The price is each slot's memory at its limits, always, which is why the
 * limits in twinlane_policy.h are sized for it. LPM tries have no preallocated form.
 */
#define TL_SLOT_HASH(name, max, keytype)                                           \
	TL_SLOT_MAP(name##_s0, BPF_MAP_TYPE_HASH, max, keytype, 0); \
	TL_SLOT_MAP(name##_s1, BPF_MAP_TYPE_HASH, max, keytype, 0)
#define TL_SLOT_LPM(name, max, keytype)                                                \
	TL_SLOT_MAP(name##_s0, BPF_MAP_TYPE_LPM_TRIE, max, keytype, BPF_F_NO_PREALLOC); \
	TL_SLOT_MAP(name##_s1, BPF_MAP_TYPE_LPM_TRIE, max, keytype, BPF_F_NO_PREALLOC)

TL_SLOT_HASH(pdeny_inode, TL_MAX_DENY_INODE, struct tl_inode_key);
TL_SLOT_LPM(pdeny_prefix, TL_MAX_DENY_PREFIX, struct tl_prefix_key);
TL_SLOT_HASH(pdeny_exec, TL_MAX_DENY_EXEC, struct tl_inode_key);
TL_SLOT_HASH(pdeny_ipv4, TL_MAX_DENY_IPV4, __u32);
TL_SLOT_HASH(pdeny_ipv6, TL_MAX_DENY_IPV6, __u8[16]);
TL_SLOT_LPM(pdeny_cidr4, TL_MAX_DENY_CIDR4, struct tl_cidr4_key);
TL_SLOT_LPM(pdeny_cidr6, TL_MAX_DENY_CIDR6, struct tl_cidr6_key);
TL_SLOT_HASH(pdeny_port_rule, TL_MAX_DENY_PORT_RULE, struct tl_port_key);
TL_SLOT_HASH(pallow_cgroup, TL_MAX_ALLOW_CGROUP, __u64);
TL_SLOT_HASH(pwatch_inode, TL_MAX_WATCH_INODE, struct tl_inode_key);
TL_SLOT_LPM(pwatch_prefix, TL_MAX_WATCH_PREFIX, struct tl_prefix_key);
TL_SLOT_HASH(psurvival_inode, TL_MAX_SURVIVAL_INODE, struct tl_inode_key);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} policy_active SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TL_POLICY_SLOTS);
	__type(key, __u32);
	__type(value, struct tl_policy_meta);
} policy_meta SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tl_deadman);
} policy_deadman SEC(".maps");

/* One decision's view of the policy: the slot read once, its mode, and the deadman's state. */
struct tl_policy_view {
	__u32 slot;
	__u32 mode;             /* enum tl_mode of the slot's policy */
	int applied;            /* the slot holds a policy (its version is not 0) */
	int lapsed;             /* the deadman's deadline has passed: every decision is audit-only */
	__u8 flags;             /* TL_FLAG_DEADMAN for the record (_FIRST: tl_policy_record_flags) */
};

static __always_inline void tl_policy_view(struct tl_policy_view *v)
{
	__u32 zero = 0;
	__u32 *active = bpf_map_lookup_elem(&policy_active, &zero);
	__u32 slot = active && *active ? 1 : 0;
	struct tl_policy_meta *m = bpf_map_lookup_elem(&policy_meta, &slot);
	v->slot = slot;
	v->applied = m && m->version;
	v->mode = m ? m->mode : TL_MODE_AUDIT;
	v->lapsed = 0;
	v->flags = 0;
	struct tl_deadman *d = bpf_map_lookup_elem(&policy_deadman, &zero);
	if (d && d->deadline_ns && bpf_ktime_get_boot_ns() > d->deadline_ns) {
		v->lapsed = 1;
		v->flags = TL_FLAG_DEADMAN;
	}
}

/*
 * The deadman flags for a record about to be made: exactly one record per lapse finds
 * lapse_seen clear and says it is the first. Called only where a record is made (not in
 * tl_policy_view), so an open that is decided past the deadline but not recorded cannot
 * take the "first" mark with it.
 */
static __always_inline __u8 tl_policy_record_flags(const struct tl_policy_view *v)
{
	if (!v->lapsed)
		return v->flags;
	__u32 zero = 0;
	struct tl_deadman *d = bpf_map_lookup_elem(&policy_deadman, &zero);
	if (d && __sync_val_compare_and_swap(&d->lapse_seen, 0, 1) == 0)
		return v->flags | TL_FLAG_DEADMAN_FIRST;
	return v->flags;
}

/* Looks key up in the slot's copy of a policy map (two explicit lookups: the verifier wants a constant map). */
#define tl_policy_lookup(v, name, key) \
	((v)->slot ? bpf_map_lookup_elem(&name##_s1, (key)) : bpf_map_lookup_elem(&name##_s0, (key)))

/* Ancestor levels looked at, the process's own cgroup included (cgroup v2 trees are shallow). */
#define TL_CGROUP_LEVELS 16

/*
 * The process's cgroup or one of its ancestors is in pallow_cgroup: an allowed cgroup covers
 * its whole subtree (a slice and the services under it), as cgroup v2 delegates. Called only
 * once a rule has matched, so a decision that denies nothing pays no ancestor walk.
 */
static __always_inline int tl_cgroup_allowed(const struct tl_policy_view *v)
{
	__u64 own = bpf_get_current_cgroup_id();
	if (tl_policy_lookup(v, pallow_cgroup, &own))
		return 1;
	for (int level = 0; level < TL_CGROUP_LEVELS; level++) {
		__u64 id = bpf_get_current_ancestor_cgroup_id(level);
		if (id == 0 || id == own)
			return 0;   /* past the process's own level */
		if (tl_policy_lookup(v, pallow_cgroup, &id))
			return 1;
	}
	return 0;
}

/*
 * The decision for a matched rule: a --deny-* rule (flag_match) under tl_config's mode, a
 * policy rule (policy_match) under the policy's mode; the stronger one wins, and a lapsed
 * deadman turns a deny into an audited one (neither fail-open silently nor fail-closed).
 */
static __always_inline __u8 tl_decide_with(const struct tl_policy_view *v, int flag_match, int policy_match)
{
	__u8 d = TL_ALLOW;
	if (flag_match)
		d = tl_enforcing() ? TL_DENY : TL_AUDIT_DENY;
	if (policy_match && d != TL_DENY)
		d = v->mode == TL_MODE_ENFORCE ? TL_DENY : TL_AUDIT_DENY;
	if (d == TL_DENY && v->lapsed)
		d = TL_AUDIT_DENY;
	return d;
}

/*
 * The applied policy's network rules for one connect or bind (allowed cgroups: the caller), for
 * the cgroup socket programs and the LSM socket hooks alike.
 */
static __always_inline int tl_policy_net(const struct tl_policy_view *v, const __u8 *addr, const int family,
					 __u16 port, __u8 protocol, __u8 direction)
{
	if (!v->applied)
		return 0;
	struct tl_port_key pk = { .port = port, .protocol = protocol, .direction = direction };
	if (tl_policy_lookup(v, pdeny_port_rule, &pk))
		return 1;
	if (family == AF_INET) {
		struct tl_cidr4_key k4 = { .prefixlen = 32 };
		__builtin_memcpy(k4.addr, addr, 4);
		return tl_policy_lookup(v, pdeny_ipv4, addr) || tl_policy_lookup(v, pdeny_cidr4, &k4);
	}
	/*
	 * ::ffff:a.b.c.d: a dual-stack socket reaching an IPv4 peer. The IPv4 rules decide it as
	 * connect4 would, so the compiler enters each IPv4 rule once, not again in mapped form.
	 * The IPv6 maps are still read below: an IPv6 rule whose network covers the mapped form
	 * (::/0, ::ffff:0:0/96) keeps denying what it denied before.
	 */
	if (tl_ipv4_mapped(addr)) {
		struct tl_cidr4_key m4 = { .prefixlen = 32 };
		__u32 ip;
		__builtin_memcpy(&ip, addr + 12, 4);
		__builtin_memcpy(m4.addr, addr + 12, 4);
		if (tl_policy_lookup(v, pdeny_ipv4, &ip) || tl_policy_lookup(v, pdeny_cidr4, &m4))
			return 1;
	}
	struct tl_cidr6_key k6 = { .prefixlen = 128 };
	__builtin_memcpy(k6.addr, addr, 16);
	return tl_policy_lookup(v, pdeny_ipv6, addr) || tl_policy_lookup(v, pdeny_cidr6, &k6);
}

#endif /* TWINLANE_POLICY_MAPS_BPF_H */
