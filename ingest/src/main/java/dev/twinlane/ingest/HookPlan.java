package dev.twinlane.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.twinlane.ingest.HookStatus.Capability;

/**
 * Decides which programs to load given what loaded before, and turns the
 * outcome into one {@link HookStatus} per hook: LSM first; cgroup socket
 * programs where LSM cannot decide connect/bind; tracepoints that record
 * what LSM would have (audit only); observability always.
 */
final class HookPlan {
    static final List<String> LSM_HOOKS = List.of("file_open", "bprm_check_security", "socket_connect",
            "socket_bind", "ptrace_access_check", "kernel_read_file", "bpf");

    private final IngestConfig config;
    private final List<HookStatus> out;
    private final Map<String, String> lsmOk = new LinkedHashMap<>();      // hook -> program
    private final Map<String, String> lsmWhyNot = new LinkedHashMap<>();  // hook -> reason
    private final Map<String, String> sectionOf = new LinkedHashMap<>();  // program -> section
    private final Map<String, String> cgroupWhyNot = new LinkedHashMap<>(); // hook -> reason
    private String lsmUnavailable = "";
    private Set<String> cgroupOk = Set.of();

    HookPlan(IngestConfig config, List<HookStatus> out) {
        this.config = config;
        this.out = out;
    }

    Map<String, String> lsmPrograms(Function<String, Map<String, String>> programsOf) {
        Map<String, String> progs = programsOf.apply(KernelIngest.LSM);
        sectionOf.putAll(progs);
        if (progs.isEmpty()) {
            lsmUnavailable = KernelIngest.LSM + " is not packaged";
            return progs;
        }
        String active = activeLsms();
        if (active != null && !List.of(active.split(",")).contains("bpf")) {
            lsmUnavailable = "bpf is not in the kernel's active LSM list: " + active;
            return Map.of();
        }
        return progs;
    }

    void afterLsm(Set<String> ok, Map<String, Integer> errors) {
        for (Map.Entry<String, String> p : sectionOf.entrySet()) {
            String hook = p.getValue().startsWith("lsm/") ? p.getValue().substring(4) : null;
            if (hook == null) {
                continue;
            }
            if (ok.contains(p.getKey())) {
                lsmOk.put(hook, p.getKey());
            } else if (errors.containsKey(p.getKey())) {
                lsmWhyNot.put(hook, lsmReason(errors.get(p.getKey())));
            }
        }
    }

    Map<String, String> cgroupPrograms(Function<String, Map<String, String>> programsOf) {
        Map<String, String> wanted = new LinkedHashMap<>();
        programsOf.apply(KernelIngest.CGROUP).forEach((prog, section) -> {
            boolean connect = section.contains("connect");
            if (!lsmOk.containsKey(connect ? "socket_connect" : "socket_bind")) {
                wanted.put(prog, section);
            }
        });
        sectionOf.putAll(wanted);
        return wanted;
    }

    void afterCgroup(Set<String> ok, Map<String, Integer> errors) {
        cgroupOk = Set.copyOf(ok);
        errors.forEach((p, e) -> {
            if (e != 0) {
                String hook = sectionOf.getOrDefault(p, "").contains("connect") ? "socket_connect" : "socket_bind";
                cgroupWhyNot.putIfAbsent(hook, "; " + sectionOf.get(p) + " failed: " + Native.strerror(e));
            }
        });
    }

    Map<String, String> tracepointPrograms(Function<String, Map<String, String>> programsOf) {
        Map<String, String> wanted = new LinkedHashMap<>();
        programsOf.apply(KernelIngest.TRACEPOINTS).forEach((prog, section) -> {
            boolean needed = true;
            if (section.contains("sys_enter_open") || section.contains("sys_enter_creat")) {
                needed = !lsmOk.containsKey("file_open") && config.wantsOpenTracepoint();
            } else if (section.contains("sys_enter_connect")) {
                needed = !lsmOk.containsKey("socket_connect") && !cgroupHas("connect4", "connect6");
            }
            if (needed) {
                wanted.put(prog, section);
            }
        });
        sectionOf.putAll(wanted);
        return wanted;
    }

    void afterTracepoints(Set<String> ok, Map<String, Integer> errors) {
        hook("file_open", tracepointVia(ok, "sys_enter_openat"),
                config.wantsOpenTracepoint() ? "" : "; the openat tracepoint is off: kernel.open_tracepoint: true attaches it, at a cost to every open on the host");
        hook("bprm_check_security", tracepointVia(ok, "sched_process_exec"));
        if (!lsmOk.containsKey("socket_connect") && cgroupHas("connect4", "connect6")) {
            out.add(new HookStatus("socket_connect", Capability.ENFORCE, "cgroup/connect4+connect6", lsmWhy("socket_connect")));
        } else {
            hook("socket_connect", tracepointVia(ok, "sys_enter_connect"));
        }
        if (!lsmOk.containsKey("socket_bind") && cgroupHas("bind4", "bind6")) {
            out.add(new HookStatus("socket_bind", Capability.ENFORCE, "cgroup/bind4+bind6", lsmWhy("socket_bind")));
        } else {
            hook("socket_bind", null);
        }
        hook("ptrace_access_check", null);
        hook("kernel_read_file", null);
        hook("bpf", null);
        String exec = sectionContaining(ok, "sched_process_exec");
        out.add(exec != null
                ? new HookStatus("exec records", Capability.AUDIT, exec, "")
                : new HookStatus("exec records", Capability.NONE, "", reasonFor(errors, "sched_process_exec")));
    }

    Map<String, String> observabilityPrograms(Function<String, Map<String, String>> programsOf) {
        Map<String, String> wanted = new LinkedHashMap<>();
        programsOf.apply(KernelIngest.OBSERVABILITY).forEach((prog, section) -> {
            if (config.syscallSampleRate > 0 || !isSyscallHook(section)) {
                wanted.put(prog, section);
            }
        });
        sectionOf.putAll(wanted);
        return wanted;
    }

    private static boolean isSyscallHook(String section) {
        return section.endsWith("/sys_enter") || section.endsWith("/sys_exit");
    }

    void afterObservability(Set<String> ok, Map<String, Integer> errors) {
        if (config.syscallSampleRate == 0) {
            out.add(new HookStatus("syscall latency", Capability.OFF, "",
                    "kernel.syscall_sample_rate 0; sys_enter/sys_exit would run on every system call"));
        }
        for (Map.Entry<String, Integer> e : errors.entrySet()) {
            String section = sectionOf.getOrDefault(e.getKey(), e.getKey());
            String hook = section.substring(section.lastIndexOf('/') + 1);
            out.add(ok.contains(e.getKey())
                    ? new HookStatus(hook, Capability.AUDIT, section, "")
                    : new HookStatus(hook, Capability.NONE, section, Native.strerror(e.getValue())));
        }
    }

    private void hook(String hook, String tracepoint) {
        hook(hook, tracepoint, "");
    }

    /** One security hook: LSM when loaded, else the audit-only tracepoint, else nothing (and why). */
    private void hook(String hook, String tracepoint, String whyNoTracepoint) {
        String program = lsmOk.get(hook);
        if (program != null) {
            String note = config.mode == IngestConfig.Mode.AUDIT ? "audit mode: denials are recorded, not enforced" : "";
            out.add(new HookStatus(hook, Capability.ENFORCE, "lsm/" + hook, note));
        } else if (tracepoint != null) {
            out.add(new HookStatus(hook, Capability.AUDIT, tracepoint, lsmWhy(hook)));
        } else {
            out.add(new HookStatus(hook, Capability.NONE, "", lsmWhy(hook) + whyNoTracepoint));
        }
    }

    private String tracepointVia(Set<String> ok, String name) {
        return sectionContaining(ok, name);
    }

    private String sectionContaining(Set<String> ok, String name) {
        for (String p : ok) {
            String s = sectionOf.get(p);
            if (s != null && s.contains(name)) {
                return s;
            }
        }
        return null;
    }

    private String reasonFor(Map<String, Integer> errors, String name) {
        for (Map.Entry<String, Integer> e : errors.entrySet()) {
            String s = sectionOf.get(e.getKey());
            if (s != null && s.contains(name) && e.getValue() != 0) {
                return Native.strerror(e.getValue());
            }
        }
        return "not loaded";
    }

    private boolean cgroupHas(String a, String b) {
        boolean hasA = false;
        boolean hasB = false;
        for (String p : cgroupOk) {
            String s = sectionOf.getOrDefault(p, "");
            hasA |= s.endsWith("/" + a);
            hasB |= s.endsWith("/" + b);
        }
        return hasA && hasB;
    }

    private String lsmWhy(String hook) {
        String cgroup = cgroupWhyNot.getOrDefault(hook, "");
        if (!lsmUnavailable.isEmpty()) {
            return "BPF LSM unavailable: " + lsmUnavailable + cgroup;
        }
        return "lsm/" + hook + " " + lsmWhyNot.getOrDefault(hook, "not loaded") + cgroup;
    }

    private static String lsmReason(int errno) {
        String s = "refused: " + Native.strerror(errno);
        return errno == 1 ? s + ", this kernel does not let BPF LSM programs load" : s;
    }

    private String activeLsms() {
        try {
            return Files.readString(config.lsmList).trim();
        } catch (IOException e) {
            return null;
        }
    }
}
