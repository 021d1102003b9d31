/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * Security family, cgroup socket hooks: connect and bind decisions that are
 * enforced on kernels without the BPF LSM. Attached to the root cgroup v2,
 * they see every process. Returning 0 makes the syscall fail with EPERM.
 *
 * Two sets of rules: the --deny-* maps of common.bpf.h (address, port) and the
 * applied policy's slot (policy_maps.bpf.h: address, CIDR, port + protocol +
 * direction), the latter skipped for processes in an allowed cgroup.
 */
#include "common.bpf.h"

#define IPPROTO_TCP 6

/* family is a constant per program: the verifier refuses user_ip6 in a v4 program. */
static __always_inline int tl_sock_addr(struct bpf_sock_addr *ctx, __u16 kind, const int family)
{
	__u16 port = bpf_ntohs(ctx->user_port);
	__u8 protocol = ctx->protocol;
	__u8 direction = kind == TL_KIND_BIND ? TL_DIR_BIND : TL_DIR_CONNECT;
	struct tl_policy_view v;
	int flag_match, policy_match;
	__u8 addr[16] = {};

	tl_policy_view(&v);
	if (family == AF_INET) {
		__u32 ip = ctx->user_ip4;
		__builtin_memcpy(addr, &ip, 4);
		flag_match = tl_ipv4_denied(ip, port);
	} else {
		__u32 w0 = ctx->user_ip6[0], w1 = ctx->user_ip6[1], w2 = ctx->user_ip6[2], w3 = ctx->user_ip6[3];
		__builtin_memcpy(addr, &w0, 4);
		__builtin_memcpy(addr + 4, &w1, 4);
		__builtin_memcpy(addr + 8, &w2, 4);
		__builtin_memcpy(addr + 12, &w3, 4);
		flag_match = tl_ipv6_denied(addr, port);
	}
	policy_match = tl_policy_net(&v, addr, family, port, protocol, direction) && !tl_cgroup_allowed(&v);
	__u8 decision = tl_decide_with(&v, flag_match, policy_match);

	/* The decision is made; a full ring only costs the record. */
	struct tl_net *n = tl_reserve_security(struct tl_net);
	if (n) {
		tl_fill_header_cgroup(&n->h, kind, sizeof(*n), TL_SRC_CGROUP);
		n->h.decision_flags = tl_policy_record_flags(&v) | (policy_match ? TL_FLAG_POLICY : 0);
		n->ret = decision == TL_DENY ? -EPERM : 0;
		n->decision = decision;
		n->protocol = protocol;
		n->family = family;
		n->sport = 0;
		n->dport = 0;
		n->_pad0 = 0;
		__builtin_memset(n->saddr, 0, sizeof(n->saddr));
		__builtin_memset(n->daddr, 0, sizeof(n->daddr));
		if (kind == TL_KIND_BIND) {
			n->sport = port;
			__builtin_memcpy(n->saddr, addr, 16);
		} else {
			n->dport = port;
			__builtin_memcpy(n->daddr, addr, 16);
		}
		tl_submit_security(n);
	}
	return decision == TL_DENY ? 0 : 1;
}

SEC("cgroup/connect4")
int tl_connect4(struct bpf_sock_addr *ctx)
{
	return tl_sock_addr(ctx, TL_KIND_CONNECT, AF_INET);
}

SEC("cgroup/connect6")
int tl_connect6(struct bpf_sock_addr *ctx)
{
	return tl_sock_addr(ctx, TL_KIND_CONNECT, AF_INET6);
}

SEC("cgroup/bind4")
int tl_bind4(struct bpf_sock_addr *ctx)
{
	return tl_sock_addr(ctx, TL_KIND_BIND, AF_INET);
}

SEC("cgroup/bind6")
int tl_bind6(struct bpf_sock_addr *ctx)
{
	return tl_sock_addr(ctx, TL_KIND_BIND, AF_INET6);
}
