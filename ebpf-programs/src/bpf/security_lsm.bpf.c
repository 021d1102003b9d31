/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * Security family, BPF-LSM: the hooks that can refuse an operation. One
 * program per hook. Loads only where the kernel has CONFIG_BPF_LSM and "bpf"
 * in its active LSM list (/sys/kernel/security/lsm); elsewhere the loader
 * falls back to security_tp.bpf.c and the cgroup programs.
 *
 * Every program decides first (deny maps + mode) and only then reserves ring
 * space, so a full ring loses telemetry, never enforcement. A matched deny rule
 * returns -EPERM only in enforce mode; in audit mode it is recorded as
 * TL_AUDIT_DENY and allowed.
 *
 * What is recorded:
 *  - file_open: denials, opens of watched inodes (watch_inode), opens under a
 *    watched path prefix (watch_prefix, matched on the bpf_d_path() of the
 *    file), and every open when tl_config.record_all_opens is set;
 *  - bprm_check_security: denied execs only (sched_process_exec records every
 *    exec, with argv). The kernel opens the binary (and an ELF interpreter)
 *    for exec before this hook runs, and that open passes file_open, which
 *    denies it already: a denied exec-open is recorded as a TL_KIND_EXEC
 *    denial by file_open, so exec denials read the same whichever hook
 *    refused them. file_open must deny exec-opens itself: the ELF interpreter
 *    is never seen by bprm_check_security.
 *  - socket_connect, socket_bind: every AF_INET/AF_INET6 connect and bind;
 *  - ptrace_access_check: every PTRACE_MODE_ATTACH check (ptrace attach,
 *    /proc/PID/mem); the READ-mode checks that every ps(1) makes on /proc are
 *    not recorded;
 *  - kernel_read_file: every module/firmware/kexec/policy file the kernel
 *    reads; the path is the file's last component (bpf_d_path() is not
 *    allowed in this hook);
 *  - bpf: every bpf() command, except those of the agent itself
 *    (tl_config.agent_tgid), which would otherwise feed back into the ring;
 *    commands aimed at twinlane's own maps and programs are refused
 *    (self-protection, see tl_lsm_bpf).
 *
 * file_open and bprm_check_security decide from two sets of rules, as the
 * cgroup programs do: the --deny-* maps of common.bpf.h under tl_config's
 * mode, and the applied policy's slot (policy_maps.bpf.h) under its own mode,
 * skipped for survival-listed inodes and allowed cgroups; a lapsed deadman
 * makes every deny an audited one (tl_decide_with).
 */
#include "common.bpf.h"

#define PTRACE_MODE_ATTACH 0x02
#define TL_FMODE_EXEC 0x20	/* __FMODE_EXEC in f_flags, FMODE_EXEC in f_mode */

/* file_open builds its record here (too big for the BPF stack), then copies
 * it into the ring only when it has to be recorded: no ring reservation (and
 * its spinlock) on the hot path of every open. The allow/deny decision never
 * depends on this buffer. On a fully preemptible kernel a program preempted
 * between bpf_d_path() and the copy could see its path overwritten by another
 * open on the same CPU: a wrong path in a record, never a wrong decision. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tl_open_scratch);
} lsm_open_scratch SEC(".maps");

/* bpf_ringbuf_output with the same drop accounting as tl_reserve(). */
static __always_inline int tl_verdict(__u8 decision)
{
	return decision == TL_DENY ? -EPERM : 0;
}

static __always_inline struct tl_inode_key tl_file_key(struct file *file)
{
	struct tl_inode_key k = {};
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	k.ino = BPF_CORE_READ(inode, i_ino);
	k.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	return k;
}

/*
 * The applied policy's rules apply to this file: a policy is in force and the file is not on
 * the survival list (psurvival_inode: no policy may deny it, by any rule). Whether the process's
 * cgroup is allowed is asked only once a rule matched (tl_cgroup_allowed: ancestors too).
 */
static __always_inline int tl_policy_rules_apply(const struct tl_policy_view *v, const struct tl_inode_key *k)
{
	return v->applied && !tl_policy_lookup(v, psurvival_inode, k);
}

/* An open made by exec (the binary, or its ELF interpreter). */
static __always_inline int tl_exec_open(struct file *file)
{
	return (BPF_CORE_READ(file, f_flags) & TL_FMODE_EXEC) || (BPF_CORE_READ(file, f_mode) & TL_FMODE_EXEC);
}

SEC("lsm/file_open")
int BPF_PROG(tl_lsm_file_open, struct file *file, int ret)
{
	if (ret)
		return ret;
	struct tl_inode_key k = tl_file_key(file);
	struct tl_policy_view v;
	tl_policy_view(&v);
	int exec_open = tl_exec_open(file);
	int flag_match = bpf_map_lookup_elem(&deny_inode, &k) != 0;
	int ruled = tl_policy_rules_apply(&v, &k);
	int policy_match = ruled && (tl_policy_lookup(&v, pdeny_inode, &k) ||
				     (exec_open && tl_policy_lookup(&v, pdeny_exec, &k)));
	struct tl_config *c = tl_config();
	int record = (c && c->record_all_opens) || bpf_map_lookup_elem(&watch_inode, &k) ||
		     (v.applied && tl_policy_lookup(&v, pwatch_inode, &k));

	__u32 zero = 0;
	struct tl_open_scratch *s = bpf_map_lookup_elem(&lsm_open_scratch, &zero);
	if (!s)
		return tl_verdict(tl_decide_with(&v, flag_match, policy_match));
	struct tl_file_open *f = &s->rec;
	long n = bpf_d_path((struct path *)&file->f_path, f->path, sizeof(f->path));
	if (n > 0) {
		f->path_len = n - 1;
		f->path_status = TL_PATH_FULL;
		/* Longest-prefix lookups on (at most) the first TL_PREFIX_MAX bytes. */
		__builtin_memcpy(s->key.path, f->path, TL_PREFIX_MAX);
		__u32 plen = n - 1;
		s->key.prefixlen = (plen > TL_PREFIX_MAX ? TL_PREFIX_MAX : plen) * 8;
		if (ruled && !policy_match)
			policy_match = tl_policy_lookup(&v, pdeny_prefix, &s->key) != 0;
		if (!record)
			record = bpf_map_lookup_elem(&watch_prefix, &s->key) ||
				 (v.applied && tl_policy_lookup(&v, pwatch_prefix, &s->key));
	} else {
		/* d_path failed (longer than TL_PATH_MAX): the path is unknown. */
		f->path[0] = 0;
		f->path_len = 0;
		f->path_status = TL_PATH_UNKNOWN;
	}
	if (policy_match && tl_cgroup_allowed(&v))
		policy_match = 0;
	__u8 decision = tl_decide_with(&v, flag_match, policy_match);
	if (!record && decision == TL_ALLOW)
		return tl_verdict(decision);
	__u8 dflags = tl_policy_record_flags(&v) | (policy_match ? TL_FLAG_POLICY : 0);

	if (decision != TL_ALLOW && exec_open) {
		/* bpf_d_path leaves garbage after the NUL, and an exec record carries the whole buffer. */
		if (n > 0) {
			for (int i = 0; i < TL_PATH_MAX; i++)
				if (i >= n)
					f->path[i] = 0;
		} else {
			__builtin_memset(f->path, 0, sizeof(f->path));
		}
		struct tl_exec *e = tl_reserve_security(struct tl_exec);
		if (!e)
			return tl_verdict(decision);
		__builtin_memset(e, 0, sizeof(*e));
		tl_fill_header(&e->h, TL_KIND_EXEC, sizeof(*e), TL_SRC_LSM);
		e->h.decision_flags = dflags;
		e->ret = tl_verdict(decision);
		e->decision = decision;
		e->filename_len = f->path_len;
		__builtin_memcpy(e->filename, f->path, sizeof(e->filename));
		e->ino = k.ino;
		tl_submit_security(e);
		return tl_verdict(decision);
	}
	__u32 size = tl_trim_path(f, n > 0 ? n : 0);
	tl_fill_header(&f->h, TL_KIND_FILE_OPEN, size, TL_SRC_LSM);
	f->h.decision_flags = dflags;
	f->ret = tl_verdict(decision);
	f->decision = decision;
	f->_pad0[0] = 0;
	f->_pad0[1] = 0;
	f->flags = BPF_CORE_READ(file, f_flags);
	f->ino = k.ino;
	f->dev = k.dev;
	tl_output_security(f, size, sizeof(*f));
	return tl_verdict(decision);
}

/*
 * Exec deny by the binary's inode (deny_inode, pdeny_inode, pdeny_exec). Path prefixes are
 * file_open's: bpf_d_path is not allowed here, and the binary's exec-open passed file_open
 * (which refuses it by prefix) before this hook runs.
 */
SEC("lsm/bprm_check_security")
int BPF_PROG(tl_lsm_bprm_check, struct linux_binprm *bprm, int ret)
{
	if (ret)
		return ret;
	struct file *file = BPF_CORE_READ(bprm, file);
	if (!file)
		return 0;
	struct tl_inode_key k = tl_file_key(file);
	struct tl_policy_view v;
	tl_policy_view(&v);
	int flag_match = bpf_map_lookup_elem(&deny_inode, &k) != 0;
	int policy_match = tl_policy_rules_apply(&v, &k) &&
			   (tl_policy_lookup(&v, pdeny_exec, &k) || tl_policy_lookup(&v, pdeny_inode, &k)) &&
			   !tl_cgroup_allowed(&v);
	__u8 decision = tl_decide_with(&v, flag_match, policy_match);
	if (decision == TL_ALLOW)
		return 0;
	struct tl_exec *e = tl_reserve_security(struct tl_exec);
	if (!e)
		return tl_verdict(decision);
	__builtin_memset(e, 0, sizeof(*e));
	tl_fill_header(&e->h, TL_KIND_EXEC, sizeof(*e), TL_SRC_LSM);
	e->h.decision_flags = tl_policy_record_flags(&v) | (policy_match ? TL_FLAG_POLICY : 0);
	e->ret = tl_verdict(decision);
	e->decision = decision;
	const char *filename = BPF_CORE_READ(bprm, filename);
	long n = bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), filename);
	e->filename_len = n > 0 ? n - 1 : 0;
	/* argv lives in the new mm, out of reach here: args stays empty. */
	e->ino = k.ino;
	tl_submit_security(e);
	return tl_verdict(decision);
}

/* Reads an AF_INET/AF_INET6 sockaddr; returns 0 for any other family. */
static __always_inline int tl_read_sockaddr(struct sockaddr *address, int addrlen,
					    __u16 *family, __u8 addr[16], __u16 *port)
{
	struct sockaddr_in6 sa = {};
	if (addrlen < (int)sizeof(struct sockaddr_in))
		return 0;
	if (bpf_probe_read_kernel(&sa, sizeof(struct sockaddr_in), address))
		return 0;
	if (sa.sin6_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&sa;
		__builtin_memcpy(addr, &in->sin_addr.s_addr, 4);
	} else if (sa.sin6_family == AF_INET6) {
		if (addrlen < (int)sizeof(struct sockaddr_in6))
			return 0;
		if (bpf_probe_read_kernel(&sa, sizeof(sa), address))
			return 0;
		__builtin_memcpy(addr, &sa.sin6_addr, 16);
	} else {
		return 0;
	}
	*family = sa.sin6_family;
	*port = bpf_ntohs(sa.sin6_port);
	return 1;
}

static __always_inline int tl_net_denied(__u16 family, const __u8 addr[16], __u16 port)
{
	if (family == AF_INET) {
		__u32 a;
		__builtin_memcpy(&a, addr, 4);
		return tl_ipv4_denied(a, port);
	}
	return tl_ipv6_denied(addr, port);   /* IPv4-mapped: by the IPv4 rules too */
}

static __always_inline int tl_lsm_net(__u16 kind, struct socket *sock,
				      struct sockaddr *address, int addrlen)
{
	__u16 family = 0, port = 0;
	__u8 addr[16] = {};
	if (!tl_read_sockaddr(address, addrlen, &family, addr, &port))
		return 0;
	struct sock *sk = BPF_CORE_READ(sock, sk);
	__u8 protocol = BPF_CORE_READ(sk, sk_protocol);
	/* The --deny-* flag maps and the applied policy's network rules, as the cgroup programs decide them. */
	struct tl_policy_view v;
	tl_policy_view(&v);
	int flag_match = tl_net_denied(family, addr, port);
	int policy_match = tl_policy_net(&v, addr, family, port, protocol,
					 kind == TL_KIND_BIND ? TL_DIR_BIND : TL_DIR_CONNECT) && !tl_cgroup_allowed(&v);
	__u8 decision = tl_decide_with(&v, flag_match, policy_match);

	struct tl_net *r = tl_reserve_security(struct tl_net);
	if (!r)
		return tl_verdict(decision);
	__builtin_memset(r, 0, sizeof(*r));
	tl_fill_header(&r->h, kind, sizeof(*r), TL_SRC_LSM);
	r->h.decision_flags = tl_policy_record_flags(&v) | (policy_match ? TL_FLAG_POLICY : 0);
	r->ret = tl_verdict(decision);
	r->decision = decision;
	r->protocol = protocol;
	r->family = family;
	if (kind == TL_KIND_BIND) {
		r->sport = port;
		__builtin_memcpy(r->saddr, addr, 16);
	} else {
		r->dport = port;
		__builtin_memcpy(r->daddr, addr, 16);
		/* The local end, when already bound (often still 0 here). */
		r->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
		if (family == AF_INET) {
			__u32 s = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
			__builtin_memcpy(r->saddr, &s, 4);
		} else {
			BPF_CORE_READ_INTO(&r->saddr, sk, __sk_common.skc_v6_rcv_saddr);
		}
	}
	tl_submit_security(r);
	return tl_verdict(decision);
}

SEC("lsm/socket_connect")
int BPF_PROG(tl_lsm_socket_connect, struct socket *sock, struct sockaddr *address,
	     int addrlen, int ret)
{
	if (ret)
		return ret;
	return tl_lsm_net(TL_KIND_CONNECT, sock, address, addrlen);
}

SEC("lsm/socket_bind")
int BPF_PROG(tl_lsm_socket_bind, struct socket *sock, struct sockaddr *address,
	     int addrlen, int ret)
{
	if (ret)
		return ret;
	return tl_lsm_net(TL_KIND_BIND, sock, address, addrlen);
}

SEC("lsm/ptrace_access_check")
int BPF_PROG(tl_lsm_ptrace, struct task_struct *child, unsigned int mode, int ret)
{
	if (ret)
		return ret;
	if (!(mode & PTRACE_MODE_ATTACH))
		return 0;
	struct tl_ptrace *p = tl_reserve_security(struct tl_ptrace);
	if (!p)
		return 0;
	__builtin_memset(p, 0, sizeof(*p));
	tl_fill_header(&p->h, TL_KIND_PTRACE, sizeof(*p), TL_SRC_LSM);
	p->decision = TL_ALLOW;
	p->mode = mode;
	p->target_tgid = BPF_CORE_READ(child, tgid);
	tl_submit_security(p);
	return 0;
}

SEC("lsm/kernel_read_file")
int BPF_PROG(tl_lsm_kernel_read_file, struct file *file, enum kernel_read_file_id id,
	     bool contents, int ret)
{
	if (ret)
		return ret;
	struct tl_kernel_read *r = tl_reserve_security(struct tl_kernel_read);
	if (!r)
		return 0;
	__builtin_memset(r, 0, sizeof(*r));
	tl_fill_header(&r->h, TL_KIND_KERNEL_READ, sizeof(*r), TL_SRC_LSM);
	r->decision = TL_ALLOW;
	r->path_status = TL_PATH_NAME_ONLY;
	r->id = id;
	if (file) {
		const unsigned char *name = BPF_CORE_READ(file, f_path.dentry, d_name.name);
		long n = bpf_probe_read_kernel_str(r->path, sizeof(r->path), name);
		r->path_len = n > 0 ? n - 1 : 0;
	}
	tl_submit_security(r);
	return 0;
}

/*
 * The bpf hook gained a fourth argument (bool kernel) in 6.16, which moved the
 * slot of the previous BPF-LSM program's return value from ctx[3] to ctx[4].
 * The argument count decides. ctx[3] is read directly: kernels that check LSM
 * return ranges (6.12.y of Debian 13 already does) know its range then. ctx[4]
 * cannot be read directly (the program must still verify where the hook has
 * three arguments), so it is read with probe_read and passed on as -EPERM:
 * the previous program's exact errno is lost on those kernels, its refusal
 * is not.
 */
static __always_inline int tl_bpf_hook_prev_ret(unsigned long long *ctx)
{
	int prev = (int)ctx[3];
	if (bpf_get_func_arg_cnt(ctx) == 4) {
		unsigned long long *p = ctx;
		__u64 v = 0;
		/* keep the verifier from seeing a modified ctx pointer dereferenced */
		asm volatile("" : "+r"(p));
		bpf_probe_read_kernel(&v, sizeof(v), p + 4);
		prev = (int)v ? -EPERM : 0;
	}
	return prev;
}

/* The map behind fd in the current process's file table (0 when there is none). A fd that is
 * not a map yields a meaningless id: bpf() refuses such a command itself (EBADF/EINVAL). */
static __always_inline __u32 tl_map_id_of_fd(int fd)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	unsigned int max = BPF_CORE_READ(fdt, max_fds);
	if (fd < 0 || (unsigned int)fd >= max)
		return 0;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = 0;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	if (!f)
		return 0;
	struct bpf_map *m = BPF_CORE_READ(f, private_data);
	return m ? BPF_CORE_READ(m, id) : 0;
}

/* BPF_OBJ_GET of a path under twinlane's pin directory (an absolute path, as written). */
static __always_inline int tl_pinned_path(union bpf_attr *attr)
{
	struct tl_prefix_key key = {};
	const char *path = (const char *)BPF_CORE_READ(attr, pathname);
	long n = bpf_probe_read_user_str(key.path, sizeof(key.path), path);
	if (n <= 1)
		return 0;
	key.prefixlen = (n - 1) * 8;
	return bpf_map_lookup_elem(&tl_protected_pin, &key) != 0;
}

/*
 * Which of twinlane's objects a command is aimed at: the map whose fd it passes (element
 * writes, deletes, batches, freeze), the map, program or link id it asks an fd for, or a pin
 * under the pin directory. Returns 1 when that object is protected.
 */
static __always_inline int tl_bpf_target(int cmd, union bpf_attr *attr, __u8 *type, __u32 *id)
{
	struct tl_protected_key key = {};
	switch (cmd) {
	case BPF_MAP_UPDATE_ELEM:
	case BPF_MAP_DELETE_ELEM:
	case BPF_MAP_LOOKUP_AND_DELETE_ELEM:
	case BPF_MAP_FREEZE:
		key.type = TL_BPF_TARGET_MAP;
		key.id = tl_map_id_of_fd(BPF_CORE_READ(attr, map_fd));
		break;
	case BPF_MAP_UPDATE_BATCH:
	case BPF_MAP_DELETE_BATCH:
	case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
		key.type = TL_BPF_TARGET_MAP;
		key.id = tl_map_id_of_fd(BPF_CORE_READ(attr, batch.map_fd));
		break;
	case BPF_MAP_GET_FD_BY_ID:
		key.type = TL_BPF_TARGET_MAP;
		key.id = BPF_CORE_READ(attr, map_id);
		break;
	case BPF_PROG_GET_FD_BY_ID:
		key.type = TL_BPF_TARGET_PROG;
		key.id = BPF_CORE_READ(attr, prog_id);
		break;
	case BPF_LINK_GET_FD_BY_ID:
		/* a link's fd would let it detach (BPF_LINK_DETACH) or swap (BPF_LINK_UPDATE) a program */
		key.type = TL_BPF_TARGET_LINK;
		key.id = BPF_CORE_READ(attr, link_id);
		break;
	case BPF_OBJ_GET:
		*type = TL_BPF_TARGET_PIN;
		*id = 0;
		return tl_pinned_path(attr);
	default:
		return 0;
	}
	*type = key.type;
	*id = key.id;
	return key.id && bpf_map_lookup_elem(&tl_protected, &key) != 0;
}

/*
 * Self-protection: a process other than the agent (tl_config.agent_tgid) may not write,
 * delete, freeze or take an fd of twinlane's maps and programs. Refused whatever the mode
 * (it guards the agent, not a policy rule), and recorded with the offender and the target.
 * The agent is known by its tgid: these programs are not pinned, so they detach when the
 * agent exits, and a later process reusing its pid never finds them attached.
 */
SEC("lsm/bpf")
int BPF_PROG(tl_lsm_bpf, int cmd, union bpf_attr *attr, unsigned int size)
{
	int prev = tl_bpf_hook_prev_ret(ctx);
	if (prev)
		return prev;
	struct tl_config *c = tl_config();
	if (c && c->agent_tgid && c->agent_tgid == (__u32)(bpf_get_current_pid_tgid() >> 32))
		return 0;
	__u8 type = TL_BPF_TARGET_NONE;
	__u32 id = 0;
	__u8 decision = tl_bpf_target(cmd, attr, &type, &id) ? TL_DENY : TL_ALLOW;
	struct tl_bpf *b = tl_reserve_security(struct tl_bpf);
	if (!b)
		return tl_verdict(decision);
	__builtin_memset(b, 0, sizeof(*b));
	tl_fill_header(&b->h, TL_KIND_BPF, sizeof(*b), TL_SRC_LSM);
	b->ret = tl_verdict(decision);
	b->decision = decision;
	b->target_type = type;
	b->target_id = id;
	b->cmd = cmd;
	b->attr_size = size;
	tl_submit_security(b);
	return tl_verdict(decision);
}
