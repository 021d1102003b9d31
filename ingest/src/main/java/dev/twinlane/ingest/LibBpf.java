package dev.twinlane.ingest;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;

/**
 * The part of the system's libbpf (libbpf1, 1.x) that twinlane uses, bound
 * with jnr-ffi. libbpf 1.x returns NULL or a negative errno and sets errno;
 * callers read it through {@link Native#errno()}.
 */
public interface LibBpf {
    @SaveError
    Pointer bpf_object__open_mem(Pointer buf, @size_t long size, Pointer opts);

    @SaveError
    int bpf_object__load(Pointer obj);

    void bpf_object__close(Pointer obj);

    Pointer bpf_object__next_program(Pointer obj, Pointer prev);

    Pointer bpf_object__next_map(Pointer obj, Pointer prev);

    String bpf_program__name(Pointer prog);

    String bpf_program__section_name(Pointer prog);

    int bpf_program__set_autoload(Pointer prog, boolean autoload);

    boolean bpf_program__autoload(Pointer prog);

    int bpf_program__fd(Pointer prog);

    @SaveError
    Pointer bpf_program__attach(Pointer prog);

    @SaveError
    Pointer bpf_program__attach_cgroup(Pointer prog, int cgroupFd);

    int bpf_link__destroy(Pointer link);

    int bpf_link__fd(Pointer link);

    String bpf_map__name(Pointer map);

    int bpf_map__fd(Pointer map);

    int bpf_map__type(Pointer map);

    int bpf_map__max_entries(Pointer map);

    int bpf_map__key_size(Pointer map);

    int bpf_map__value_size(Pointer map);

    int bpf_map__map_flags(Pointer map);

    int bpf_map__set_max_entries(Pointer map, int maxEntries);

    @SaveError
    int bpf_map__reuse_fd(Pointer map, int fd);

    @SaveError
    int bpf_map_update_elem(int fd, Pointer key, Pointer value, long flags);

    @SaveError
    int bpf_map_lookup_elem(int fd, Pointer key, Pointer value);

    @SaveError
    int bpf_map_delete_elem(int fd, Pointer key);

    @SaveError
    int bpf_map_get_next_key(int fd, Pointer key, Pointer nextKey);

    /** count: in, the number of elements; out, how many were processed. opts: struct bpf_map_batch_opts. */
    @SaveError
    int bpf_map_update_batch(int fd, Pointer keys, Pointer values, Pointer count, Pointer opts);

    @SaveError
    int bpf_map_delete_batch(int fd, Pointer keys, Pointer count, Pointer opts);

    /** Before load: reuse the map pinned at path if it is compatible, else create it and pin it there. */
    @SaveError
    int bpf_map__set_pin_path(Pointer map, String path);

    /** An fd of the object pinned at pathname (map, program or link). */
    @SaveError
    int bpf_obj_get(String pathname);

    @SaveError
    int bpf_link__pin(Pointer link, String path);

    /** Fills a bpf_map_info / bpf_prog_info (its first *infoLen bytes) of the object behind fd. */
    @SaveError
    int bpf_obj_get_info_by_fd(int fd, Pointer info, Pointer infoLen);

    /** BPF_MAP_FREEZE: no bpf() write to the map from user space, by anyone, from now on. */
    @SaveError
    int bpf_map_freeze(int fd);

    @SaveError
    int bpf_prog_test_run_opts(int progFd, Pointer opts);

    /** Silences libbpf's own stderr printing when given null. */
    Pointer libbpf_set_print(Pointer fn);

    int libbpf_num_possible_cpus();
}
