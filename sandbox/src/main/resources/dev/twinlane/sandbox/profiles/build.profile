# build: compilers, build systems, CI steps (seed 001's build policy): minimal plus child
# processes, pipes and file management; writes beneath /tmp and /var/tmp (add your source tree:
# a file with `include build` and `write /src/project`). Not mount: seed 001 lists it, but the
# new namespaces a profile asks for are set up by the helper, not by the workload.
include minimal
syscalls fork vfork clone clone3 execveat wait4 waitid kill tgkill setpgid getpgid setsid getsid
syscalls pipe pipe2 socketpair flock creat copy_file_range sendfile splice
syscalls rename renameat renameat2 unlink unlinkat mkdir mkdirat rmdir link linkat symlink symlinkat
syscalls chmod fchmod fchmodat chown fchown fchownat lchown truncate ftruncate
syscalls utime utimes utimensat futimesat statfs fstatfs sync fsync fdatasync syncfs
syscalls getxattr lgetxattr fgetxattr setxattr lsetxattr fsetxattr listxattr llistxattr flistxattr
read /etc /proc /sys/devices/system/cpu
write /tmp /var/tmp
