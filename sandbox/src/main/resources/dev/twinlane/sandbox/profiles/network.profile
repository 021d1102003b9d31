# network: servers and API clients (seed 001's network policy): minimal plus sockets, and the
# files name resolution and TLS read. TCP ports are not limited here; a file with
# `include network` and `bind 8080` / `connect 443` limits them (Landlock ABI 4).
include minimal
syscalls socket socketpair bind connect listen accept accept4 shutdown
syscalls sendto recvfrom sendmsg recvmsg sendmmsg recvmmsg
syscalls setsockopt getsockopt getsockname getpeername
read /etc/resolv.conf /etc/hosts /etc/nsswitch.conf /etc/gai.conf /etc/services /etc/host.conf
read /etc/ssl /usr/share/ca-certificates
