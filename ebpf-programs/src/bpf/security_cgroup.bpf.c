/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * Security family, cgroup socket hooks: connect and bind decisions that are
 * enforced on kernels without the BPF LSM. Attached to the root cgroup v2,
 * they see every process. Returning 0 makes the syscall fail with EPERM.
 */
#include "common.bpf.h"

#define IPPROTO_TCP 6

/* family is a constant per program: the verifier refuses user_ip6 in a v4 program. */
static __always_inline int tl_sock_addr(struct bpf_sock_addr *ctx, __u16 kind, const int family)
{
	__u16 port = bpf_ntohs(ctx->user_port);
	__u8 decision;
	__u8 addr[16] = {};

	if (family == AF_INET) {
		__u32 ip = ctx->user_ip4;
		__builtin_memcpy(addr, &ip, 4);
		decision = tl_decide(tl_ipv4_denied(ip, port));
	} else {
		__u32 w0 = ctx->user_ip6[0], w1 = ctx->user_ip6[1], w2 = ctx->user_ip6[2], w3 = ctx->user_ip6[3];
		__builtin_memcpy(addr, &w0, 4);
		__builtin_memcpy(addr + 4, &w1, 4);
		__builtin_memcpy(addr + 8, &w2, 4);
		__builtin_memcpy(addr + 12, &w3, 4);
		decision = tl_decide(tl_ipv6_denied(addr, port));
	}

	/* The decision is made; a full ring only costs the record. */
	struct tl_net *n = tl_reserve_security(struct tl_net);
	if (n) {
		tl_fill_header(&n->h, kind, sizeof(*n), TL_SRC_CGROUP);
		n->ret = decision == TL_DENY ? -EPERM : 0;
		n->decision = decision;
		n->protocol = ctx->protocol;
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
